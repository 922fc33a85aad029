/**
 * Wire attributes to named ones. Framing (`frameAttributes`) is checked first and strictly: an
 * attribute whose Length is below 2 or runs past the packet makes the whole packet unreadable,
 * and RFC 2865 §5 says to discard it, so that is a `RadiusDecodeError`. Inside a well-framed
 * attribute, RFC 6929 §2.8 says an invalid attribute is treated as unknown, not as a reason to drop
 * the packet: a value that does not fit its type, a Vendor-Specific whose sub-attributes do not
 * fit its vendor's format, a TLV that does not parse, a broken fragment chain all decode as raw
 * `Attr-<number>` octets with a `malformed` reason, so nothing is lost.
 */
import type { CompiledDictionary, ResolvedAttribute, VendorFormat } from '../dictionary/index.js';
import {
  attributeOid,
  EXTENDED_VENDOR_SPECIFIC,
  isExtendedType,
  isLongExtendedType,
  RFC_FORMAT,
  rawName,
  VENDOR_SPECIFIC,
} from './attribute-location.js';
import { MESSAGE_AUTHENTICATOR_LENGTH, MESSAGE_AUTHENTICATOR_TYPE } from './authenticators.js';
import { MORE_FLAG } from './container-framing.js';
import { RadiusDecodeError } from './errors.js';
import { HEADER_LENGTH } from './header.js';
import { revealAscendSecret, revealTunnelPassword, revealUserPassword } from './hiding.js';
import { structMembers } from './struct-members.js';
import type { AttributeValue, DecodedAttribute, ScalarValue } from './types.js';
import { CONTAINER_TYPES, isTaggedInteger, named, typeCodec } from './value-types.js';

/** One top-level attribute: its type and where its value lies in the packet. */
export interface WireAttribute {
  readonly type: number;
  readonly start: number;
  readonly end: number;
}

export interface FramedAttributes {
  readonly attributes: readonly WireAttribute[];
  /** Offset of the Message-Authenticator's value, or -1 when the packet has none. */
  readonly messageAuthenticator: number;
}

/**
 * Walks the attributes of `packet[20, length)`, checking every Length. Throws for a packet RADIUS
 * says to discard: an attribute shorter than its own header or running past the packet, a
 * Message-Authenticator that is not 18 octets, or two of them.
 */
export function frameAttributes(packet: Uint8Array, length: number): FramedAttributes {
  const attributes: WireAttribute[] = [];
  let messageAuthenticator = -1;
  let offset = HEADER_LENGTH;
  while (offset < length) {
    if (length - offset < 2)
      throw new RadiusDecodeError('bad-attribute-length', offset, 'an attribute header is cut off by the end of the packet');
    const type = packet[offset] as number;
    const attributeLength = packet[offset + 1] as number;
    if (attributeLength < 2)
      throw new RadiusDecodeError('bad-attribute-length', offset + 1, `attribute ${type} has Length ${attributeLength} (at least 2)`);
    if (offset + attributeLength > length) {
      throw new RadiusDecodeError(
        'attribute-overflow',
        offset + 1,
        `attribute ${type} of ${attributeLength} octets runs past the end of the packet`,
      );
    }
    if (type === MESSAGE_AUTHENTICATOR_TYPE) {
      if (attributeLength !== 2 + MESSAGE_AUTHENTICATOR_LENGTH) {
        throw new RadiusDecodeError(
          'bad-message-authenticator-length',
          offset + 1,
          `Message-Authenticator has Length ${attributeLength}, not 18`,
        );
      }
      if (messageAuthenticator >= 0)
        throw new RadiusDecodeError('duplicate-message-authenticator', offset, 'more than one Message-Authenticator');
      messageAuthenticator = offset + 2;
    }
    attributes.push({ type, start: offset + 2, end: offset + attributeLength });
    offset += attributeLength;
  }
  return { attributes, messageAuthenticator };
}

export interface DecodeContext {
  readonly dictionary: CompiledDictionary;
  readonly secret: Buffer;
  /** What hidden attributes were keyed with (see `hidingVector` in packet.ts). */
  readonly vector: Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// Results.

interface Mutable {
  name: string;
  value: AttributeValue;
  tag?: number;
  definition?: ResolvedAttribute;
  malformed?: string;
}

function known(definition: ResolvedAttribute, value: AttributeValue, tag: number | undefined): DecodedAttribute {
  const out: Mutable = { name: definition.name, value, definition };
  if (tag !== undefined && tag !== 0) out.tag = tag;
  return out;
}

function raw(oid: string, bytes: Uint8Array, malformed?: string): DecodedAttribute {
  const out: Mutable = { name: rawName(oid), value: Buffer.from(bytes) };
  if (malformed !== undefined) out.malformed = malformed;
  return out;
}

function malformedAs(definition: ResolvedAttribute, bytes: Uint8Array, context: DecodeContext, reason: string): DecodedAttribute {
  return raw(attributeOid(definition, context.dictionary), bytes, `${definition.name}: ${reason}`);
}

/**
 * Joins neighbours that are one value on the sender's side: `concat` octets split over several
 * attributes (EAP-Message) and `array` values split for size, as long as their tags agree.
 */
function joinSplitValues(list: DecodedAttribute[]): DecodedAttribute[] {
  if (list.length < 2) return list;
  const out: DecodedAttribute[] = [];
  for (const attribute of list) {
    const previous = out[out.length - 1];
    const definition = attribute.definition;
    if (previous !== undefined && definition !== undefined && previous.definition === definition && previous.tag === attribute.tag) {
      if (definition.array && Array.isArray(previous.value) && Array.isArray(attribute.value)) {
        out[out.length - 1] = { ...previous, value: [...(previous.value as ScalarValue[]), ...(attribute.value as ScalarValue[])] };
        continue;
      }
      if (definition.concat && Buffer.isBuffer(previous.value) && Buffer.isBuffer(attribute.value)) {
        out[out.length - 1] = { ...previous, value: Buffer.concat([previous.value, attribute.value]) };
        continue;
      }
    }
    out.push(attribute);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Values of one definition.

/** Strips the RFC 2868 tag octet of a non-integer: always there when hidden, else only when below 0x20 and not the whole value. */
function leadingTag(definition: ResolvedAttribute, bytes: Buffer): { tag: number | undefined; rest: Buffer } | undefined {
  if (!definition.hasTag || isTaggedInteger(definition)) return { tag: undefined, rest: bytes };
  if (definition.encrypt !== 0) return bytes.length < 1 ? undefined : { tag: bytes[0] as number, rest: bytes.subarray(1) };
  if (bytes.length > 1 && (bytes[0] as number) < 0x20) return { tag: bytes[0] as number, rest: bytes.subarray(1) };
  return { tag: undefined, rest: bytes };
}

/**
 * The plaintext of a hidden value; undefined when it cannot be revealed, or when what the padding
 * hides is not zeros (a wrong secret, or a value re-encoding would change). A fixed-size type
 * keeps its size: User-Password-style padding is cut off, a Tunnel-Password length must match.
 */
function reveal(definition: ResolvedAttribute, bytes: Buffer, fixedSize: number | undefined, context: DecodeContext): Buffer | undefined {
  switch (definition.encrypt) {
    case 1: {
      const plain = revealUserPassword(bytes, context.secret, context.vector);
      if (plain === undefined) return undefined;
      // The padding is zeros; so, to FreeRADIUS, is any trailing zero of a password.
      let end = plain.length;
      while (end > 0 && plain[end - 1] === 0) end -= 1;
      if (fixedSize === undefined) return plain.subarray(0, end);
      return plain.length < fixedSize || end > fixedSize ? undefined : plain.subarray(0, fixedSize);
    }
    case 2: {
      const plain = revealTunnelPassword(bytes, context.secret, context.vector);
      return plain === undefined || (fixedSize !== undefined && plain.length !== fixedSize) ? undefined : plain;
    }
    case 3:
      return revealAscendSecret(bytes, context.secret, context.vector);
    default:
      return bytes;
  }
}

function decodeLeaf(definition: ResolvedAttribute, bytes: Buffer, context: DecodeContext): DecodedAttribute {
  const codec = typeCodec(definition.type);
  if (codec === undefined) return malformedAs(definition, bytes, context, `type ${definition.type} has no decoding`);
  const tagged = leadingTag(definition, bytes);
  if (tagged === undefined) return malformedAs(definition, bytes, context, 'no room for its tag');
  const size = codec.size(definition);
  const plain = reveal(definition, tagged.rest, size, context);
  if (plain === undefined)
    return malformedAs(definition, bytes, context, `its hidden value (encrypt=${definition.encrypt}) cannot be revealed`);
  if (definition.array) {
    if (size === undefined) {
      const element = codec.decode(plain, definition, context.dictionary);
      return element === undefined
        ? malformedAs(definition, bytes, context, `not a ${definition.type}`)
        : known(definition, [element], tagged.tag);
    }
    if (plain.length === 0 || plain.length % size !== 0)
      return malformedAs(definition, bytes, context, `${plain.length} octets is not a whole number of ${size}-octet elements`);
    const elements: ScalarValue[] = [];
    for (let offset = 0; offset < plain.length; offset += size) {
      const element = codec.decode(plain.subarray(offset, offset + size), definition, context.dictionary);
      if (element === undefined) return malformedAs(definition, bytes, context, `an element is not a ${definition.type}`);
      elements.push(element);
    }
    return known(definition, elements, tagged.tag);
  }
  if (definition.hasTag && isTaggedInteger(definition) && plain.length === 4 && (plain[0] as number) < 0x20) {
    // RFC 2868: a tagged integer's high octet is its tag and the value is the low 24 bits.
    return known(definition, named(definition, context.dictionary, plain.readUIntBE(1, 3)), plain[0]);
  }
  const value = codec.decode(plain, definition, context.dictionary);
  if (value === undefined)
    return malformedAs(
      definition,
      bytes,
      context,
      `${plain.length} octets is not a valid ${definition.type}${definition.length === undefined ? '' : `[${definition.length}]`}`,
    );
  return known(definition, value, tagged.tag);
}

function decodeStruct(definition: ResolvedAttribute, bytes: Buffer, context: DecodeContext): DecodedAttribute {
  const members = structMembers(definition, context.dictionary);
  const value: Record<string, ScalarValue> = {};
  let offset = 0;
  for (let index = 0; index < members.length; index += 1) {
    const member = members[index] as ResolvedAttribute;
    const codec = typeCodec(member.type);
    if (codec === undefined) return malformedAs(definition, bytes, context, `member ${member.name} has no decoding`);
    const size = codec.size(member) ?? (index === members.length - 1 ? bytes.length - offset : undefined);
    if (size === undefined || offset + size > bytes.length) return malformedAs(definition, bytes, context, 'too short for its members');
    const decoded = codec.decode(bytes.subarray(offset, offset + size), member, context.dictionary);
    if (decoded === undefined) return malformedAs(definition, bytes, context, `member ${member.name} is not a ${member.type}`);
    value[member.name] = decoded;
    offset += size;
  }
  if (members.length === 0 || offset !== bytes.length) return malformedAs(definition, bytes, context, 'does not match its members');
  return known(definition, value, undefined);
}

/** RFC 6929 §2.3 TLVs: undefined unless every child's Length is at least 2 and they exactly fill `bytes`. */
function decodeTlvs(parent: ResolvedAttribute, bytes: Buffer, context: DecodeContext): DecodedAttribute[] | undefined {
  const children: DecodedAttribute[] = [];
  let offset = 0;
  if (bytes.length === 0) return undefined;
  while (offset < bytes.length) {
    if (bytes.length - offset < 2) return undefined;
    const type = bytes[offset] as number;
    const length = bytes[offset + 1] as number;
    if (length < 2 || offset + length > bytes.length) return undefined;
    const value = bytes.subarray(offset + 2, offset + length);
    const definition = context.dictionary.attributeByCode(parent.vendorId, [...parent.path, type], parent.evs);
    children.push(
      definition === undefined
        ? raw(`${attributeOid(parent, context.dictionary)}.${type}`, value)
        : decodeDefined(definition, value, context),
    );
    offset += length;
  }
  return joinSplitValues(children);
}

/** Chargeable-User-Identity may be empty (RFC 4372 §2), which WiMAX uses. */
const CHARGEABLE_USER_IDENTITY = 89;

/** The value of a known attribute, whatever its type. */
function decodeDefined(definition: ResolvedAttribute, bytes: Buffer, context: DecodeContext): DecodedAttribute {
  const type = definition.type;
  if (
    bytes.length === 0 &&
    !(definition.vendorId === 0 && definition.path.length === 1 && definition.path[0] === CHARGEABLE_USER_IDENTITY)
  ) {
    // RFC 2865 §5: values have at least one octet; FreeRADIUS drops empty ones. Kept raw, so a proxy can still pass it on.
    return malformedAs(definition, bytes, context, 'an empty value');
  }
  if (type === 'tlv') {
    const children = decodeTlvs(definition, bytes, context);
    return children === undefined
      ? malformedAs(definition, bytes, context, 'its TLVs do not parse')
      : known(definition, children, undefined);
  }
  if (type === 'struct') return decodeStruct(definition, bytes, context);
  if (CONTAINER_TYPES.has(type)) return malformedAs(definition, bytes, context, `a ${type} attribute cannot appear here`);
  return decodeLeaf(definition, bytes, context);
}

// ---------------------------------------------------------------------------------------------
// Containers.

interface VendorSub {
  readonly type: number;
  readonly start: number;
  readonly end: number;
}

/** Sub-attributes of a Vendor-Specific in a format without continuation; undefined unless they exactly fill it. */
function vendorSubs(bytes: Buffer, start: number, end: number, format: VendorFormat): VendorSub[] | undefined {
  const header = format.typeOctets + format.lengthOctets;
  const subs: VendorSub[] = [];
  let offset = start;
  if (format.lengthOctets === 0) {
    // No length field (USR, 4,0): one sub-attribute fills the rest.
    if (end - offset < header) return undefined;
    return [{ type: bytes.readUIntBE(offset, format.typeOctets), start: offset + header, end }];
  }
  while (offset < end) {
    if (end - offset < header) return undefined;
    const type = bytes.readUIntBE(offset, format.typeOctets);
    const length = bytes.readUIntBE(offset + format.typeOctets, format.lengthOctets);
    if (length < header || offset + length > end) return undefined;
    subs.push({ type, start: offset + header, end: offset + length });
    offset += length;
  }
  return subs.length > 0 ? subs : undefined;
}

function vendorAttribute(vendorId: number, type: number, value: Buffer, context: DecodeContext): DecodedAttribute {
  const definition = context.dictionary.attributeByNumber(vendorId, type);
  return definition === undefined ? raw(`${VENDOR_SPECIFIC}.${vendorId}.${type}`, value) : decodeDefined(definition, value, context);
}

/**
 * WiMAX-style continuation (`format=1,1,c`): one sub-attribute per Vendor-Specific, whose flags
 * octet's high bit says the value goes on in the next Vendor-Specific (same vendor, same type).
 * Returns the index of the next unread attribute, or -1 when the chain is broken.
 */
function decodeContinued(
  packet: Buffer,
  list: readonly WireAttribute[],
  index: number,
  vendorId: number,
  format: VendorFormat,
  out: DecodedAttribute[],
  context: DecodeContext,
): number {
  const header = format.typeOctets + format.lengthOctets + 1;
  const piece = (attribute: WireAttribute): { type: number; more: boolean; value: Buffer } | undefined => {
    const start = attribute.start + 4;
    if (attribute.type !== VENDOR_SPECIFIC || attribute.end - start < header || packet.readUInt32BE(attribute.start) !== vendorId)
      return undefined;
    const type = packet.readUIntBE(start, format.typeOctets);
    if (format.lengthOctets > 0 && packet.readUIntBE(start + format.typeOctets, format.lengthOctets) !== attribute.end - start)
      return undefined;
    const flags = packet[start + format.typeOctets + format.lengthOctets] as number;
    return { type, more: (flags & MORE_FLAG) !== 0, value: packet.subarray(start + header, attribute.end) };
  };
  const first = piece(list[index] as WireAttribute);
  if (first === undefined) return -1;
  const parts = [first.value];
  let more = first.more;
  let next = index + 1;
  while (more) {
    const attribute = list[next];
    const part = attribute === undefined ? undefined : piece(attribute);
    if (part === undefined || part.type !== first.type) return -1;
    parts.push(part.value);
    more = part.more;
    next += 1;
  }
  out.push(vendorAttribute(vendorId, first.type, parts.length === 1 ? first.value : Buffer.concat(parts), context));
  return next;
}

/** RFC 2865 §5.26: Vendor-Id, then the vendor's sub-attributes. Returns the index of the next unread attribute. */
function decodeVendorSpecific(
  packet: Buffer,
  list: readonly WireAttribute[],
  index: number,
  out: DecodedAttribute[],
  context: DecodeContext,
): number {
  const attribute = list[index] as WireAttribute;
  const { start, end } = attribute;
  const whole = packet.subarray(start, end);
  if (end - start < 5 || packet[start] !== 0) {
    out.push(
      raw(String(VENDOR_SPECIFIC), whole, 'Vendor-Specific: shorter than a Vendor-Id and a sub-attribute, or a Vendor-Id over 24 bits'),
    );
    return index + 1;
  }
  const vendorId = packet.readUInt32BE(start);
  const format = context.dictionary.vendorById(vendorId)?.format ?? RFC_FORMAT;
  if (format.continuation) {
    const next = decodeContinued(packet, list, index, vendorId, format, out, context);
    if (next >= 0) return next;
    out.push(raw(String(VENDOR_SPECIFIC), whole, `Vendor-Specific: vendor ${vendorId}'s continued attribute is malformed or unfinished`));
    return index + 1;
  }
  const subs = vendorSubs(packet, start + 4, end, format);
  if (subs === undefined) {
    const spelled = `${format.typeOctets},${format.lengthOctets}`;
    out.push(raw(String(VENDOR_SPECIFIC), whole, `Vendor-Specific: vendor ${vendorId}'s sub-attributes do not fit format ${spelled}`));
    return index + 1;
  }
  for (const sub of subs) out.push(vendorAttribute(vendorId, sub.type, packet.subarray(sub.start, sub.end), context));
  return index + 1;
}

/** The name of the Extended-Vendor-Specific attribute (`type`.26) in this dictionary list, which vendor attributes carried in it are filed under. */
function evsName(type: number, dictionary: CompiledDictionary): string | undefined {
  return dictionary.attributeByCode(0, [type, EXTENDED_VENDOR_SPECIFIC])?.name;
}

/**
 * The value of an extended attribute, `data` being everything after Extended-Type (and Flags);
 * undefined when an Extended-Vendor-Specific header is malformed (the caller keeps the wire
 * attributes raw).
 */
function extendedAttribute(type: number, extendedType: number, data: Buffer, context: DecodeContext): DecodedAttribute | undefined {
  if (extendedType !== EXTENDED_VENDOR_SPECIFIC) {
    const definition = context.dictionary.attributeByCode(0, [type, extendedType]);
    return definition === undefined ? raw(`${type}.${extendedType}`, data) : decodeDefined(definition, data, context);
  }
  if (data.length < 5 || data[0] !== 0) return undefined;
  const vendorId = data.readUInt32BE(0);
  const vendorType = data[4] as number;
  const value = data.subarray(5);
  const container = evsName(type, context.dictionary);
  const definition = container === undefined ? undefined : context.dictionary.attributeByCode(vendorId, [vendorType], container);
  return definition === undefined
    ? raw(`${type}.${EXTENDED_VENDOR_SPECIFIC}.${vendorId}.${vendorType}`, value)
    : decodeDefined(definition, value, context);
}

const BAD_EVS = 'Extended-Vendor-Specific: shorter than a Vendor-Id and a type, or a Vendor-Id over 24 bits';

/**
 * RFC 6929 §2.2: a long-extended attribute whose Flags has 'More' continues in the next
 * attributes of the same Type and Extended-Type, up to one without it. Returns the index of the
 * next unread attribute. What cannot be understood stays raw one wire attribute at a time, so
 * encoding the raw attributes again gives the same octets.
 */
function decodeExtended(
  packet: Buffer,
  list: readonly WireAttribute[],
  index: number,
  out: DecodedAttribute[],
  context: DecodeContext,
): number {
  const attribute = list[index] as WireAttribute;
  const { type, start, end } = attribute;
  const whole = packet.subarray(start, end);
  const long = isLongExtendedType(type);
  if (end - start < (long ? 2 : 1)) {
    out.push(raw(String(type), whole, `extended attribute ${type}: no room for its ${long ? 'Extended-Type and Flags' : 'Extended-Type'}`));
    return index + 1;
  }
  const extendedType = packet[start] as number;
  if (!long) {
    out.push(extendedAttribute(type, extendedType, packet.subarray(start + 1, end), context) ?? raw(String(type), whole, BAD_EVS));
    return index + 1;
  }
  let more = ((packet[start + 1] as number) & MORE_FLAG) !== 0;
  const parts = [packet.subarray(start + 2, end)];
  let next = index + 1;
  while (more) {
    const fragment = list[next];
    if (fragment === undefined || fragment.type !== type || fragment.end - fragment.start < 2 || packet[fragment.start] !== extendedType) {
      out.push(raw(String(type), whole, `long-extended attribute ${type}.${extendedType}: 'More' is set but the next fragment is missing`));
      return index + 1;
    }
    more = ((packet[fragment.start + 1] as number) & MORE_FLAG) !== 0;
    parts.push(packet.subarray(fragment.start + 2, fragment.end));
    next += 1;
  }
  const decoded = extendedAttribute(type, extendedType, parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts), context);
  if (decoded !== undefined) {
    out.push(decoded);
    return next;
  }
  for (let fragment = index; fragment < next; fragment += 1) {
    const { start: from, end: to } = list[fragment] as WireAttribute;
    out.push(raw(String(type), packet.subarray(from, to), BAD_EVS));
  }
  return next;
}

/**
 * Every attribute of a framed packet but the Message-Authenticator (which the packet layer
 * checks and reports), in packet order, split values joined again.
 */
export function decodeAttributes(packet: Buffer, framed: FramedAttributes, context: DecodeContext): DecodedAttribute[] {
  const list = framed.attributes;
  const out: DecodedAttribute[] = [];
  for (let index = 0; index < list.length; ) {
    const attribute = list[index] as WireAttribute;
    const { type } = attribute;
    if (type === VENDOR_SPECIFIC) {
      index = decodeVendorSpecific(packet, list, index, out, context);
    } else if (isExtendedType(type)) {
      index = decodeExtended(packet, list, index, out, context);
    } else {
      if (type !== MESSAGE_AUTHENTICATOR_TYPE) {
        const value = packet.subarray(attribute.start, attribute.end);
        const definition = context.dictionary.attributeByNumber(0, type);
        out.push(definition === undefined ? raw(String(type), value) : decodeDefined(definition, value, context));
      }
      index += 1;
    }
  }
  return joinSplitValues(out);
}
