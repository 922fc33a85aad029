import type { CompiledDictionary } from './compiled-dictionary.js';
import { type DictionaryConflict, type Loss, judgeLosses } from './conflicts.js';
import type { DictionaryCounts, DictionaryOrigin, ResolvedAttribute, ResolvedVendor, UnattachedValue } from './model.js';
import type { VendorRecord } from './records.js';
import type { AttributeRecord, CodeNode, ForeignValue, Tables, ValueClaims, ValueTable, VendorCodes } from './tables.js';

/** A name looked up as spelled first (the usual case, no `toLowerCase()`), then case-insensitively. */
export function lookup<R>(map: ReadonlyMap<string, R>, name: string): R | undefined {
  return map.get(name) ?? map.get(name.toLowerCase());
}

/**
 * The tables of one ordered dictionary list, compiled into one structure: what
 * `compileDictionaries` builds, and what `composeDictionaries` shares per dictionary. Every
 * object it hands out is frozen and its tables are private, so every server and tenant can share
 * one instance.
 */
export class MergedDictionary implements CompiledDictionary {
  /** The list it was compiled from, in order. */
  readonly dictionaries: readonly DictionaryOrigin[];
  readonly unattachedValues: readonly UnattachedValue[];
  readonly #vendorsByName: ReadonlyMap<string, VendorRecord>;
  readonly #vendorsById: ReadonlyMap<number, VendorRecord>;
  readonly #attributesByName: ReadonlyMap<string, AttributeRecord>;
  readonly #codes: VendorCodes;
  readonly #evsCodes: ReadonlyMap<string, VendorCodes>;
  /** Lines that lost to an earlier dictionary, until `conflicts` judges them. */
  #losses: readonly Loss[] | undefined;
  #conflicts: readonly DictionaryConflict[] | undefined;
  readonly #deferredValues: ValueClaims;
  readonly #vendorCount: number;
  readonly #attributeCount: number;
  #counts: DictionaryCounts | undefined;

  /** Unattached `val` entries as written: a composed list may know their attribute. */
  readonly foreignValues: readonly ForeignValue[];
  /** Vendor ids the attributes name, each once. */
  readonly vendorIdsUsed: readonly number[];
  /** Dictionary entries compiled, for estimating what this takes in memory. */
  readonly entryCount: number;

  /** Internal: use `compileDictionaries` or `compileDictionary`. */
  constructor(tables: Tables, entryCount: number) {
    this.#vendorCount = tables.vendorsById.size;
    this.#attributeCount = tables.attributeCount;
    this.#deferredValues = tables.values;
    this.dictionaries = tables.dictionaries;
    // Judged on first use: loading and the codec never need the conflicts, validation and listings do.
    this.#losses = tables.losses;
    this.unattachedValues = Object.freeze(tables.unattached);
    this.#vendorsByName = tables.vendorsByName;
    this.#vendorsById = tables.vendorsById;
    this.#attributesByName = tables.attributesByName;
    this.#codes = tables.codes;
    this.#evsCodes = tables.evsCodes;
    this.foreignValues = Object.freeze(tables.foreign);
    this.vendorIdsUsed = Object.freeze([...tables.vendorIdsUsed]);
    this.entryCount = entryCount;
    Object.freeze(this);
  }

  /** Counting the values builds every value table: listings ask, the codec does not. */
  get counts(): DictionaryCounts {
    this.#counts ??= Object.freeze({ vendors: this.#vendorCount, attributes: this.#attributeCount, values: this.#deferredValues.count() });
    return this.#counts;
  }

  /** Where a later dictionary says something else than an earlier one, and loses. */
  get conflicts(): readonly DictionaryConflict[] {
    if (this.#conflicts === undefined) {
      this.#conflicts = Object.freeze(judgeLosses([...(this.#losses ?? []), ...this.#deferredValues.losses()]));
      this.#losses = undefined;
    }
    return this.#conflicts;
  }

  /** An attribute by name, case-insensitively as FreeRADIUS. */
  attribute(name: string): ResolvedAttribute | undefined {
    return lookup(this.#attributesByName, name)?.attribute;
  }

  /**
   * An attribute by number: `vendorId` 0 and `[26]`, `[241, 26]`; `vendorId` 9 and `[1]`; a TLV
   * child `[1, 2]`. `evs` names the Extended-Vendor-Specific container for vendor attributes carried in one.
   */
  attributeByCode(vendorId: number, path: readonly number[], evs?: string): ResolvedAttribute | undefined {
    return this.#node(vendorId, path, evs)?.record?.attribute;
  }

  /** The common case of `attributeByCode` (one number, no EVS) without building a path. */
  attributeByNumber(vendorId: number, number: number): ResolvedAttribute | undefined {
    return this.#codes.get(vendorId)?.get(number)?.record?.attribute;
  }

  vendor(name: string): ResolvedVendor | undefined {
    return lookup(this.#vendorsByName, name)?.vendor;
  }

  vendorById(id: number): ResolvedVendor | undefined {
    return this.#vendorsById.get(id)?.vendor;
  }

  /** A named value's number (`Service-Type`, `Framed-User` → 2), value names case-insensitively. */
  valueNumber(attribute: ResolvedAttribute | string, valueName: string): number | undefined {
    const table = this.#values(attribute);
    return table === undefined ? undefined : lookup(table.byName, valueName)?.value;
  }

  /** A number's value name (`Service-Type`, 2 → `Framed-User`), as decoding prints it. */
  valueName(attribute: ResolvedAttribute | string, value: number): string | undefined {
    return this.#values(attribute)?.byNumber.get(value)?.name;
  }

  /** Every value of an attribute by name, for listings; a new frozen array per call. */
  values(attribute: ResolvedAttribute | string): readonly { readonly name: string; readonly value: number }[] {
    const table = this.#values(attribute);
    if (table === undefined) return Object.freeze([]);
    const listed: { readonly name: string; readonly value: number }[] = [];
    // Each value is there under its lower-cased name (and maybe its spelling too): list it once.
    table.byName.forEach((record, key) => {
      if (key === record.lowerName) listed.push(Object.freeze({ name: record.name, value: record.value }));
    });
    return Object.freeze(listed);
  }

  /** For composition: the attribute under exactly this key (a spelling, or the lower-cased name). */
  attributeKeyed(key: string): ResolvedAttribute | undefined {
    return this.#attributesByName.get(key)?.attribute;
  }

  /** For composition: the vendor under exactly this key. */
  vendorKeyed(key: string): ResolvedVendor | undefined {
    return this.#vendorsByName.get(key)?.vendor;
  }

  /** For composition: this compile's values of a number (whichever dictionary defines the attribute). */
  valueTable(attribute: ResolvedAttribute): ValueTable | undefined {
    return this.#valueTableAt(this.#node(attribute.vendorId, attribute.path, attribute.evs));
  }

  #values(attribute: ResolvedAttribute | string): ValueTable | undefined {
    if (typeof attribute === 'string') return this.#valueTableAt(lookup(this.#attributesByName, attribute)?.node);
    return this.#valueTableAt(this.#node(attribute.vendorId, attribute.path, attribute.evs));
  }

  #valueTableAt(node: CodeNode | undefined): ValueTable | undefined {
    return node === undefined ? undefined : this.#deferredValues.tableOf(node);
  }

  #node(vendorId: number, path: readonly number[], evs: string | undefined): CodeNode | undefined {
    const space = evs === undefined ? this.#codes : this.#evsCodes.get(evs.toLowerCase());
    let level = space?.get(vendorId);
    let node: CodeNode | undefined;
    for (let index = 0; index < path.length; index += 1) {
      node = level?.get(path[index] as number);
      if (node === undefined) return undefined;
      level = node.children;
    }
    return node;
  }
}
