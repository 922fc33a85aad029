/**
 * A container's payload as complete top-level attributes: the headers of RFC 2865 (standard and
 * Vendor-Specific, in each vendor format), WiMAX's continuation flag, and RFC 6929's extended
 * headers with the 'More' flag. Only the two formats that define continuation split a payload
 * here; anything else too long is refused (the attribute layer splits `concat` and `array`
 * values before they get here).
 */
import type { VendorFormat } from '../dictionary/index.js';
import { type Container, containerCapacity, EXTENDED_VENDOR_SPECIFIC, VENDOR_SPECIFIC } from './attribute-location.js';
import { RadiusEncodeError } from './errors.js';
import { MAX_ATTRIBUTE_LENGTH } from './header.js';

/** Continuation (WiMAX) and RFC 6929 'More' are the high bit of a flags octet. */
export const MORE_FLAG = 0x80;

function writeNumber(out: Buffer, offset: number, value: number, octets: number): void {
  if (octets > 0) out.writeUIntBE(value, offset, octets);
}

function tooLong(container: Container, length: number, name: string): RadiusEncodeError {
  const capacity = containerCapacity(container);
  return new RadiusEncodeError(
    'too-long',
    `the value is ${length} octets on the wire; one attribute carries at most ${capacity}, and only concat (octets), array, WiMAX-style vendors and long-extended attributes may be split`,
    name,
  );
}

function vendorHeader(format: VendorFormat): number {
  return format.typeOctets + format.lengthOctets + (format.continuation ? 1 : 0);
}

/** Octets of header every wire attribute of the container repeats, and whether the payload may be split. */
function headerOf(container: Container): { readonly header: number; readonly split: boolean } {
  switch (container.kind) {
    case 'standard':
      return { header: 2, split: false };
    case 'vendor-payload':
      return { header: 6, split: false };
    case 'vsa':
      // Each piece is a whole Vendor-Specific attribute with the vendor header repeated, as WiMAX requires.
      return { header: 6 + vendorHeader(container.format), split: container.format.continuation };
    case 'extended':
    case 'evs':
      // RFC 6929 §2.2: every fragment repeats Type, Length, Extended-Type and Flags; the EVS
      // Vendor-Id and Vendor-Type are part of the value, so only the first fragment has them.
      return { header: container.long ? 4 : 3, split: container.long };
  }
}

/** EVS puts Vendor-Id and Vendor-Type before the value: they travel (and fragment) with it. */
function streamOf(container: Container, payload: Buffer): Buffer {
  if (container.kind !== 'evs') return payload;
  const stream = Buffer.allocUnsafe(5 + payload.length);
  stream.writeUInt32BE(container.vendorId, 0);
  stream[4] = container.vendorType;
  payload.copy(stream, 5);
  return stream;
}

/** How many octets the container's attributes take for a payload of `length` octets; throws when it cannot carry it. */
export function framedLength(container: Container, length: number, name: string): number {
  if (length > containerCapacity(container)) throw tooLong(container, length, name);
  const { header, split } = headerOf(container);
  const stream = length + (container.kind === 'evs' ? 5 : 0);
  if (!split) return header + stream;
  const pieces = Math.max(1, Math.ceil(stream / (MAX_ATTRIBUTE_LENGTH - header)));
  return pieces * header + stream;
}

/**
 * Writes the container's attributes for `payload` into `out` at `offset` (room for
 * `framedLength` octets must be there) and returns the offset after them.
 */
export function writeFramed(container: Container, payload: Buffer, out: Buffer, offset: number): number {
  const { header, split } = headerOf(container);
  const stream = streamOf(container, payload);
  const room = split ? MAX_ATTRIBUTE_LENGTH - header : stream.length;
  let at = offset;
  let from = 0;
  do {
    const size = Math.min(room, stream.length - from);
    const more = from + size < stream.length;
    const length = header + size;
    switch (container.kind) {
      case 'standard':
        out[at] = container.type;
        out[at + 1] = length;
        break;
      case 'vendor-payload':
        out[at] = VENDOR_SPECIFIC;
        out[at + 1] = length;
        out.writeUInt32BE(container.vendorId, at + 2);
        break;
      case 'vsa': {
        const { format } = container;
        out[at] = VENDOR_SPECIFIC;
        out[at + 1] = length;
        out.writeUInt32BE(container.vendorId, at + 2);
        writeNumber(out, at + 6, container.vendorType, format.typeOctets);
        // The vendor length counts the vendor type, length and continuation octets too.
        writeNumber(out, at + 6 + format.typeOctets, length - 6, format.lengthOctets);
        if (format.continuation) out[at + 6 + format.typeOctets + format.lengthOctets] = more ? MORE_FLAG : 0;
        break;
      }
      case 'extended':
      case 'evs':
        out[at] = container.type;
        out[at + 1] = length;
        out[at + 2] = container.kind === 'evs' ? EXTENDED_VENDOR_SPECIFIC : container.extendedType;
        if (container.long) out[at + 3] = more ? MORE_FLAG : 0;
        break;
    }
    stream.copy(out, at + header, from, from + size);
    at += length;
    from += size;
  } while (from < stream.length);
  return at;
}
