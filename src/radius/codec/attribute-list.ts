/**
 * Small helpers over decoded attributes, for the client and the AAA layer: find one by name,
 * and flatten TLVs to their leaves (the inverse of the encoder's grouping: a flattened list
 * encodes back to the same TLVs).
 */
import type { DecodedAttribute } from './types.js';

function isChildList(value: DecodedAttribute['value']): value is readonly DecodedAttribute[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    typeof value[0] === 'object' &&
    value[0] !== null &&
    'name' in value[0] &&
    'value' in value[0]
  );
}

/** TLV attributes replaced by their leaves, depth first, in packet order. */
export function flattenAttributes(attributes: readonly DecodedAttribute[]): DecodedAttribute[] {
  const out: DecodedAttribute[] = [];
  const walk = (list: readonly DecodedAttribute[]): void => {
    for (const attribute of list) {
      if (attribute.definition?.type === 'tlv' && isChildList(attribute.value)) walk(attribute.value);
      else out.push(attribute);
    }
  };
  walk(attributes);
  return out;
}

/** The first attribute of that name (case-insensitively, as dictionary names are), looking inside TLVs too. */
export function findAttribute(attributes: readonly DecodedAttribute[], name: string): DecodedAttribute | undefined {
  const wanted = name.toLowerCase();
  return flattenAttributes(attributes).find((attribute) => attribute.name.toLowerCase() === wanted);
}

/** Every attribute of that name, looking inside TLVs too. */
export function findAttributes(attributes: readonly DecodedAttribute[], name: string): DecodedAttribute[] {
  const wanted = name.toLowerCase();
  return flattenAttributes(attributes).filter((attribute) => attribute.name.toLowerCase() === wanted);
}
