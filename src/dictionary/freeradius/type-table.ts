/**
 * What FreeRADIUS (v3) dictionary text may say: name patterns, number limits, the type list,
 * vendor formats and attribute flags. Shared by the parser and the writer.
 */
import { FREERADIUS_TYPES, baseType } from '../../radius/dictionary/index.js';

/** Attribute names as FreeRADIUS v3 allows them (and as the JSON schema's pattern says). */
export const ATTRIBUTE_NAME = /^[A-Za-z0-9_.:/-]{1,128}$/;
export const VENDOR_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** A VALUE name is one whitespace-free token; `#` would start a comment. */
export const VALUE_NAME = /^[^\s#]{1,128}$/;

export const MAX_VENDOR_ID = 16_777_215;
export const MAX_UINT32 = 4_294_967_295;
/** FreeRADIUS v3 (`fr_attr_max_tlv`): an attribute number has at most 1 + 4 components. */
export const MAX_OID_COMPONENTS = 5;
/** FreeRADIUS v3 (`MAX_TLV_NEST`). */
export const MAX_TLV_NEST = 4;

/**
 * FreeRADIUS gives these vendors a format when their VENDOR line has none (`dict.c`), so the
 * format of such a line is not "1,1". The writer spells out `format=1,1` for them.
 */
export const IMPLICIT_VENDOR_FORMATS: ReadonlyMap<number, string> = new Map([
  [429, '4,0'], // USR
  [4846, '2,1'], // Lucent
  [8164, '2,2'], // Starent
]);

/**
 * Type names as the list spells them, each mapped to the list's own string: an entry then shares
 * that one string instead of keeping the word sliced from its line alive.
 */
export const TYPE_NAMES: ReadonlyMap<string, string> = new Map(FREERADIUS_TYPES.map((type) => [type, type]));

/** `format=t,l[,c]` of a VENDOR line: type octets 1, 2 or 4; length octets 0, 1 or 2; continuation. */
export const VENDOR_FORMAT = /^format=([124]),([012])(?:,(c))?$/i;

/** Octets of a vendor's type field (the `t` of `t,l`) and the largest attribute number it holds. */
export function typeWidthOf(format: string): { typeWidth: number; maxNumber: number } {
  // A context vendor's format is not checked here: a malformed one gives NaN, a limit no number
  // exceeds, so such a vendor limits nothing rather than refusing the line.
  const typeWidth = Number(format.split(',')[0]);
  return { typeWidth, maxNumber: typeWidth === 4 ? MAX_UINT32 : 2 ** (8 * typeWidth) - 1 };
}

/** The largest VALUE of an attribute of this type. */
export function valueMaxOf(type: string): number {
  const base = baseType(type);
  return base === 'byte' ? 255 : base === 'short' ? 65535 : MAX_UINT32;
}

/** An option of an ATTRIBUTE line that is a flag (rather than the old form's vendor name). */
export function isFlag(key: string): boolean {
  return /^(has_tag(=1)?|encrypt=.*|array|concat|virtual|secret)$/i.test(key);
}
