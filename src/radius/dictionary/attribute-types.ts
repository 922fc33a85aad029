/**
 * Every type name an attribute may have: the JSON schema's list (FreeRADIUS v3's types, their
 * v3 aliases such as `uint32` and `cidr`, and the v4 names the JSON format also accepts). Type
 * names are kept as written (lower-cased), so an alias survives export → import unchanged. The
 * dictionary tests check that this list and `schemas/aaa_dict.json` agree.
 */
export const FREERADIUS_TYPES: readonly string[] = [
  'string',
  'octets',
  'ipaddr',
  'ipv4prefix',
  'ipv6addr',
  'ipv6prefix',
  'ifid',
  'integer',
  'date',
  'byte',
  'short',
  'signed',
  'integer64',
  'ether',
  'abinary',
  'tlv',
  'struct',
  'vsa',
  'extended',
  'long-extended',
  'evs',
  'combo-ip',
  'combo-prefix',
  'bool',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'int8',
  'int16',
  'int32',
  'int64',
  'float32',
  'float64',
  'time_delta',
  'date_milliseconds',
  'date_microseconds',
  'date_nanoseconds',
  'ipv4addr',
  'cidr',
];

/** FreeRADIUS v3 aliases, for the checks that depend on what a type really is. */
const TYPE_ALIASES: Readonly<Record<string, string>> = {
  uint8: 'byte',
  uint16: 'short',
  uint32: 'integer',
  int32: 'signed',
  uint64: 'integer64',
  cidr: 'ipv4prefix',
  ipv4addr: 'ipaddr',
};

/** The type a check should see: `uint32` is `integer` to FreeRADIUS. */
export function baseType(type: string): string {
  return TYPE_ALIASES[type] ?? type;
}
