import type { ResolvedAttribute } from '../dictionary/index.js';

/**
 * How attribute values look in JavaScript, per FreeRADIUS type (aliases in parentheses):
 *
 * | type | decoded as | also accepted when encoding |
 * | --- | --- | --- |
 * | string | `string` (UTF-8); a `Buffer` when the octets are not valid UTF-8 | `Uint8Array`, number, bigint |
 * | octets, abinary | `Buffer` | `Uint8Array`; a string: `0x`+hex, else its UTF-8 octets |
 * | ipaddr (ipv4addr) | `'192.0.2.1'` | |
 * | ipv6addr | `'2001:db8::1'` (RFC 5952 form) | any RFC 4291 text form |
 * | ipv4prefix (cidr), ipv6prefix | `'10.0.0.0/8'`, `'2001:db8::/32'` (host bits must be zero) | |
 * | combo-ip, combo-prefix | an IPv4 or IPv6 address / prefix, by its length on the wire | |
 * | ifid | `'11:2233:4455:6677'` (as FreeRADIUS prints it) | groups of 1-4 hex digits, either case |
 * | ether | `'00:11:22:aa:bb:cc'` | `-` separators, upper case |
 * | byte (uint8), short (uint16), integer (uint32), signed (int32), int8, int16 | `number`, or the VALUE name the dictionary gives it | a VALUE name, a decimal or `0x` string, a bigint |
 * | integer64 (uint64), int64 | `bigint` | a safe-integer number, a decimal string |
 * | float32, float64 | `number` | a numeric string |
 * | bool | `boolean` | 0, 1, `'true'`, `'false'` |
 * | date | `Date` (whole seconds) | seconds since the epoch, an ISO 8601 string (a Date's milliseconds are dropped) |
 * | date_milliseconds, date_microseconds, date_nanoseconds | `bigint` units since the epoch (8 octets) | a Date, a number |
 * | time_delta | `number` of seconds (4 octets) | |
 * | tlv | `DecodedAttribute[]` of its children | a list of `{ name, value }` or a `{ name: value }` record |
 * | struct | `{ member: value }` | |
 * | any type with the `array` flag | an array of the above | |
 * | vsa, extended, long-extended, evs | (never: their contents decode as the attributes they carry) | a `Uint8Array` sent verbatim as the payload |
 *
 * An attribute the dictionary does not know, or whose octets do not fit its definition, decodes
 * as a raw `Buffer` named after its number the way FreeRADIUS prints it (`Attr-26.9.1`,
 * `Attr-241.5`), and encodes back from that name and octets.
 */
export type ScalarValue = string | number | bigint | boolean | Date | Buffer;

export interface StructValue {
  readonly [member: string]: ScalarValue;
}

export type AttributeValue = ScalarValue | readonly ScalarValue[] | readonly DecodedAttribute[] | StructValue;

export interface DecodedAttribute {
  /** The dictionary's name, or `Attr-<number>` for a raw attribute. */
  readonly name: string;
  readonly value: AttributeValue;
  /** RFC 2868 tag 1..31, when the attribute carried one. */
  readonly tag?: number;
  /** The dictionary's definition; absent for a raw attribute. */
  readonly definition?: ResolvedAttribute;
  /** Why a known attribute was kept raw: its octets did not fit its definition. */
  readonly malformed?: string;
}

export type InputScalar = string | number | bigint | boolean | Date | Uint8Array;

export type AttributeInputValue = InputScalar | readonly InputScalar[] | readonly AttributeInput[] | AttributeRecord;

/** One attribute to send. A decoded attribute is one too, so replies and requests can be echoed. */
export interface AttributeInput {
  readonly name: string;
  readonly value: AttributeInputValue;
  /** RFC 2868 tag, 1..31 (0 or absent: none). */
  readonly tag?: number | undefined;
}

/**
 * `{ 'User-Name': 'bob', 'Acme-Speed': 'Fast' }`. An array value means several attributes of that
 * name, except for an attribute with the `array` flag, where it is the one value; an undefined
 * value means the attribute is not sent.
 */
export interface AttributeRecord {
  readonly [name: string]: AttributeInputValue | undefined;
}

export type AttributesInput = AttributeRecord | readonly AttributeInput[];

/** Where the codec's randomness comes from; the pooled CSPRNG of random-pool.ts unless a test pins it. */
export type RandomSource = (size: number) => Buffer;
