/**
 * Text forms of the address-like RADIUS types and their octets. Parsers return `undefined` for
 * text they do not accept, so the caller can say which attribute was wrong.
 */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

export function parseIpv4(text: string, out: Uint8Array = new Uint8Array(4), offset = 0): Uint8Array | undefined {
  const match = IPV4.exec(text);
  if (!match) return undefined;
  for (let index = 0; index < 4; index += 1) {
    const octet = Number(match[index + 1]);
    if (octet > 255) return undefined;
    out[offset + index] = octet;
  }
  return out;
}

export function formatIpv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** RFC 4291 §2.2 text (with `::` and a trailing dotted IPv4); no zone index, which RADIUS cannot carry. */
export function parseIpv6(text: string, out: Uint8Array = new Uint8Array(16), offset = 0): Uint8Array | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : (halves[0] as string).split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : (halves[1] as string).split(':')) : [];
  const groups: number[] = [];
  // A dotted IPv4 may only end the address, and stands for two groups.
  const lastList = halves.length === 2 ? tail : head;
  const last = lastList[lastList.length - 1];
  let ipv4: Uint8Array | undefined;
  if (last?.includes('.')) {
    ipv4 = parseIpv4(last);
    if (!ipv4) return undefined;
    lastList.pop();
  }
  for (const part of [...head, ...tail]) if (!HEX_GROUP.test(part)) return undefined;
  const explicit = head.length + tail.length + (ipv4 ? 2 : 0);
  if (halves.length === 2 ? explicit > 7 : explicit !== 8) return undefined;
  for (const part of head) groups.push(parseInt(part, 16));
  if (halves.length === 2) for (let fill = explicit; fill < 8; fill += 1) groups.push(0);
  for (const part of tail) groups.push(parseInt(part, 16));
  if (ipv4) groups.push(((ipv4[0] as number) << 8) | (ipv4[1] as number), ((ipv4[2] as number) << 8) | (ipv4[3] as number));
  for (let index = 0; index < 8; index += 1) {
    const group = groups[index] as number;
    out[offset + index * 2] = group >> 8;
    out[offset + index * 2 + 1] = group & 0xff;
  }
  return out;
}

/** RFC 5952: lower case, no leading zeros, the longest run (the first on a tie) of two or more zero groups as `::`. */
export function formatIpv6(bytes: Uint8Array, offset = 0): string {
  const groups: number[] = [];
  for (let index = 0; index < 8; index += 1)
    groups.push(((bytes[offset + index * 2] as number) << 8) | (bytes[offset + index * 2 + 1] as number));
  let bestStart = -1;
  let bestLength = 1;
  for (let index = 0; index < 8; ) {
    if (groups[index] !== 0) {
      index += 1;
      continue;
    }
    let end = index;
    while (end < 8 && groups[end] === 0) end += 1;
    if (end - index > bestLength) {
      bestStart = index;
      bestLength = end - index;
    }
    index = end;
  }
  const hex = (from: number, to: number): string =>
    groups
      .slice(from, to)
      .map((group) => group.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

export interface Prefix {
  readonly bytes: Uint8Array;
  readonly length: number;
}

/** `address/length` with every bit past the length zero (RFC 8044 §3.10, §3.11): anything else is ambiguous. */
export function parsePrefix(text: string, family: 4 | 6): Prefix | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const lengthText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lengthText)) return undefined;
  const length = Number(lengthText);
  const max = family === 4 ? 32 : 128;
  if (length > max) return undefined;
  const bytes = family === 4 ? parseIpv4(text.slice(0, slash)) : parseIpv6(text.slice(0, slash));
  if (!bytes || !hostBitsZero(bytes, 0, bytes.length, length)) return undefined;
  return { bytes, length };
}

/** True when every bit of `bytes[offset, offset+size)` past the first `prefixLength` bits is zero. */
export function hostBitsZero(bytes: Uint8Array, offset: number, size: number, prefixLength: number): boolean {
  for (let bit = prefixLength; bit < size * 8; bit += 1) {
    if (((bytes[offset + (bit >> 3)] as number) & (0x80 >> (bit & 7))) !== 0) return false;
  }
  return true;
}

const ETHER =
  /^([0-9a-fA-F]{1,2})([:-])([0-9a-fA-F]{1,2})\2([0-9a-fA-F]{1,2})\2([0-9a-fA-F]{1,2})\2([0-9a-fA-F]{1,2})\2([0-9a-fA-F]{1,2})$/;

export function parseEther(text: string): Uint8Array | undefined {
  const match = ETHER.exec(text);
  if (!match) return undefined;
  return Uint8Array.from([1, 3, 4, 5, 6, 7].map((group) => parseInt(match[group] as string, 16)));
}

export function formatEther(bytes: Uint8Array, offset = 0): string {
  const parts: string[] = [];
  for (let index = 0; index < 6; index += 1) parts.push((bytes[offset + index] as number).toString(16).padStart(2, '0'));
  return parts.join(':');
}

/** RFC 3162 Interface-Id: four groups of up to four hex digits (FreeRADIUS prints them without leading zeros). */
export function parseIfid(text: string): Uint8Array | undefined {
  const parts = text.split(':');
  if (parts.length !== 4 || !parts.every((part) => HEX_GROUP.test(part))) return undefined;
  const out = new Uint8Array(8);
  parts.forEach((part, index) => {
    const group = parseInt(part, 16);
    out[index * 2] = group >> 8;
    out[index * 2 + 1] = group & 0xff;
  });
  return out;
}

export function formatIfid(bytes: Uint8Array, offset = 0): string {
  const parts: string[] = [];
  for (let index = 0; index < 4; index += 1) {
    parts.push((((bytes[offset + index * 2] as number) << 8) | (bytes[offset + index * 2 + 1] as number)).toString(16));
  }
  return parts.join(':');
}
