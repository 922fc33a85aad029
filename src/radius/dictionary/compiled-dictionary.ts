import type { DictionaryConflict } from './conflicts.js';
import type { DictionaryCounts, DictionaryOrigin, ResolvedAttribute, ResolvedVendor, UnattachedValue } from './model.js';

/**
 * The lookup of one ordered dictionary list: what the codec, client and responder need. The
 * first dictionary of the list that defines a name or number wins; within one dictionary a later
 * line overrides an earlier one. Implementations are immutable and hand out frozen objects.
 */
export interface CompiledDictionary {
  /** The list, in order. */
  readonly dictionaries: readonly DictionaryOrigin[];
  /** Where a later dictionary says something else than an earlier one, and loses. */
  readonly conflicts: readonly DictionaryConflict[];
  readonly unattachedValues: readonly UnattachedValue[];
  readonly counts: DictionaryCounts;
  /** An attribute by name, case-insensitively as FreeRADIUS. */
  attribute(name: string): ResolvedAttribute | undefined;
  /**
   * An attribute by number: `vendorId` 0 and `[26]`, `[241, 26]`; `vendorId` 9 and `[1]`; a TLV
   * child `[1, 2]`. `evs` names the Extended-Vendor-Specific container for vendor attributes carried in one.
   */
  attributeByCode(vendorId: number, path: readonly number[], evs?: string): ResolvedAttribute | undefined;
  /** The common case of `attributeByCode` (one number, no EVS) without building a path. */
  attributeByNumber(vendorId: number, number: number): ResolvedAttribute | undefined;
  vendor(name: string): ResolvedVendor | undefined;
  vendorById(id: number): ResolvedVendor | undefined;
  /** A named value's number (`Service-Type`, `Framed-User` → 2), value names case-insensitively. */
  valueNumber(attribute: ResolvedAttribute | string, valueName: string): number | undefined;
  /** A number's value name (`Service-Type`, 2 → `Framed-User`), as decoding prints it. */
  valueName(attribute: ResolvedAttribute | string, value: number): string | undefined;
  /** Every value of an attribute by name, for listings; a new frozen array per call. */
  values(attribute: ResolvedAttribute | string): readonly { readonly name: string; readonly value: number }[];
}
