import type { CompiledDictionary, ResolvedAttribute } from '../dictionary/index.js';

/**
 * The members of a `struct` attribute, in order: its children numbered 1, 2, ... up to the first
 * gap (FreeRADIUS numbers MEMBER lines that way). The compiled dictionary has no child listing,
 * so they are found by number once per definition; definitions are unique per compiled list, so
 * the cache never mixes two tenants' dictionaries.
 */
const cache = new WeakMap<ResolvedAttribute, readonly ResolvedAttribute[]>();

export function structMembers(attribute: ResolvedAttribute, dictionary: CompiledDictionary): readonly ResolvedAttribute[] {
  let members = cache.get(attribute);
  if (members === undefined) {
    const found: ResolvedAttribute[] = [];
    for (let number = 1; number <= 255; number += 1) {
      const member = dictionary.attributeByCode(attribute.vendorId, [...attribute.path, number], attribute.evs);
      if (member === undefined) break;
      found.push(member);
    }
    members = Object.freeze(found);
    cache.set(attribute, members);
  }
  return members;
}
