/** FreeRADIUS `format=t,l[,c]` of a vendor: octets of the type and length fields, WiMAX-style continuation. */
export interface VendorFormat {
  readonly typeOctets: 1 | 2 | 4;
  readonly lengthOctets: 0 | 1 | 2;
  readonly continuation: boolean;
}

/** RFC 2865 §5.26: one octet of type, one of length. */
export const STANDARD_FORMAT: VendorFormat = Object.freeze({ typeOctets: 1, lengthOctets: 1, continuation: false });

/** At most 18 valid formats exist, so interning them keeps every attribute's `format` shared. */
const formats = new Map<string, VendorFormat>([['1,1', STANDARD_FORMAT]]);
const FORMAT_PATTERN = /^\s*([124])\s*,\s*([012])\s*(,\s*c\s*)?$/;

export function parseVendorFormat(text: string | undefined): VendorFormat | undefined {
  if (text === undefined) return STANDARD_FORMAT;
  const known = formats.get(text);
  if (known) return known;
  const match = FORMAT_PATTERN.exec(text);
  if (!match) return undefined;
  const canonical = `${match[1]},${match[2]}${match[3] ? ',c' : ''}`;
  let format = formats.get(canonical);
  if (!format) {
    format = Object.freeze({
      typeOctets: Number(match[1]) as 1 | 2 | 4,
      lengthOctets: Number(match[2]) as 0 | 1 | 2,
      continuation: match[3] !== undefined,
    });
    formats.set(canonical, format);
  }
  return format;
}

export function formatText(format: VendorFormat): string {
  return `${format.typeOctets},${format.lengthOctets}${format.continuation ? ',c' : ''}`;
}
