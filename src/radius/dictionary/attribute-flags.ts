import { baseType } from './attribute-types.js';
import type { AttributeFlags } from './entries.js';

/** The flags FreeRADIUS allows on some types only (`encrypt=3` is Ascend-Secret, for strings). */
export type FlagName = keyof AttributeFlags | 'encrypt=3';

export interface FlaggedAttribute {
  type: string;
  vid: number;
  /** The attribute number (the first component of a dotted one). */
  number: number;
}

const ARRAY_TYPES = new Set(['ipaddr', 'ipv6addr', 'byte', 'short', 'integer', 'date', 'string']);

/**
 * Why FreeRADIUS (`dict.c`) refuses a flag on an attribute, or undefined if it allows it. The
 * JSON validator applies the same rules, so every valid document can be exported and read back.
 */
export function flagProblem(flag: FlagName, attribute: FlaggedAttribute): string | undefined {
  const type = baseType(attribute.type);
  switch (flag) {
    case 'has_tag':
      return type === 'string' || type === 'integer'
        ? undefined
        : `flag has_tag is for string and integer attributes, not ${attribute.type}`;
    case 'encrypt=3':
      return type === 'string' ? undefined : `flag encrypt=3 is for string attributes, not ${attribute.type}`;
    case 'array':
      return ARRAY_TYPES.has(type) ? undefined : `flag array is not allowed for type ${attribute.type}`;
    case 'concat':
      return type === 'octets' ? undefined : `flag concat is for octets attributes, not ${attribute.type}`;
    case 'virtual':
      if (attribute.vid !== 0) return 'flag virtual is not allowed on vendor attributes';
      return attribute.number >= 256 ? undefined : 'flag virtual is for attribute numbers from 256 (server-side attributes)';
    case 'secret':
      return type === 'string' || type === 'octets' ? undefined : `flag secret is for string and octets attributes, not ${attribute.type}`;
  }
}
