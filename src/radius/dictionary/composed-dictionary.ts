/**
 * A dictionary list as an ordered composition of dictionaries compiled one by one, so that a
 * process holding thousands of lists (a tenant each, all naming the same system dictionaries)
 * compiles and keeps each dictionary once. Lookups ask the dictionaries left to right and the
 * first that knows the name or number answers: what `compileDictionaries` builds into one table.
 *
 * What only the whole list can say is worked out when the list is composed:
 * - a `val` entry naming an attribute its own dictionary does not define belongs to the list's
 *   attribute of that name (or number), so each dictionary's such values are attached here;
 * - an attribute takes its vendor's name and wire format from the first dictionary of the list
 *   that declares the vendor, so a dictionary whose vendors the list resolves differently is
 *   compiled again with those vendors (`unitFor` with a `VendorContext`; a cache keeps that too).
 * Conflicts, unattached values and counts are the merged compile's, computed on first use: they
 * serve validation and listings, never the codec.
 *
 * A lookup walks the dictionaries left to right, so each list remembers what it found (bounded
 * memos, filled on first use, holding the shared attribute objects): a hot list answers a name,
 * number or value it has answered before with one Map probe, as one merged table would, without
 * a merged copy of its dictionaries.
 */
import { compileDictionaries, compileDictionary } from './compile.js';
import type { CompiledDictionary } from './compiled-dictionary.js';
import type { DictionaryConflict } from './conflicts.js';
import { lookup, type MergedDictionary } from './merged-dictionary.js';
import type { DictionaryCounts, DictionaryOrigin, DictionarySource, ResolvedAttribute, ResolvedVendor, UnattachedValue } from './model.js';
import { BoundedMemo } from './bounded-memo.js';
import type { ValueRecord } from './records.js';
import { addExactSpellings, ValueTable, type VendorContext } from './tables.js';

/** Compiles (or finds compiled) one dictionary of a list, with the vendors the list resolves differently. */
export type DictionaryUnitCompiler = (source: DictionarySource, vendorContext?: VendorContext) => MergedDictionary;

/** The key of a number across dictionaries: EVS container, vendor, path. */
function codeKey(attribute: ResolvedAttribute): string {
  return `${attribute.evs?.toLowerCase() ?? ''}|${attribute.vendorId}|${attribute.path.join('.')}`;
}

function lookupIn(map: ReadonlyMap<string, ValueRecord> | undefined, name: string): ValueRecord | undefined {
  return map === undefined ? undefined : lookup(map, name);
}

/** Of one dictionary's two candidates (its own attribute's value, and one attached by the list), the later line: FreeRADIUS reads a file top down. */
function later(a: ValueRecord | undefined, b: ValueRecord | undefined): ValueRecord | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.line > a.line ? b : a;
}

/**
 * Entries per memo of a list: more than the names one server's requests use. Only answers found
 * are kept, but every spelling of a name is its own key, so a tenant can fill its lists' memos:
 * this bounds that at a few tens of KB per list (the cache holds up to 100,000 lists).
 */
const MEMO_LIMIT = 64;

/** `vendorId` and `number` as one exact Map key; undefined past 2^53 (vendor ids from 2^21), which are then not memoized. */
function numberKey(vendorId: number, number: number): number | undefined {
  const key = vendorId * 0x1_0000_0000 + number;
  return Number.isSafeInteger(key) ? key : undefined;
}

/** One dictionary's values of an attribute: those of its own attribute, and those the list attached to it. */
interface ValueSource {
  readonly own: ValueTable | undefined;
  readonly attached: ValueTable | undefined;
}

interface ListSummary {
  readonly conflicts: readonly DictionaryConflict[];
  readonly unattachedValues: readonly UnattachedValue[];
  readonly counts: DictionaryCounts;
}

export class ComposedDictionary implements CompiledDictionary {
  readonly dictionaries: readonly DictionaryOrigin[];
  readonly #sources: readonly DictionarySource[];
  readonly #units: readonly MergedDictionary[];
  /** Per dictionary, its values for attributes of other dictionaries, by number (`codeKey`); undefined when it has none. */
  readonly #foreign: readonly (ReadonlyMap<string, ValueTable> | undefined)[];
  #summary: ListSummary | undefined;
  readonly #attributesByName = new BoundedMemo<string, ResolvedAttribute>(MEMO_LIMIT);
  readonly #attributesByNumber = new BoundedMemo<number, ResolvedAttribute>(MEMO_LIMIT);
  readonly #vendorsByName = new BoundedMemo<string, ResolvedVendor>(MEMO_LIMIT);
  readonly #vendorsById = new BoundedMemo<number, ResolvedVendor>(MEMO_LIMIT);
  /** Per attribute, the dictionaries that have values for it, in list order. */
  readonly #valueSources = new BoundedMemo<ResolvedAttribute, readonly ValueSource[]>(MEMO_LIMIT);

  /** Internal: use `composeDictionaries`. */
  constructor(sources: readonly DictionarySource[], units: readonly MergedDictionary[]) {
    this.#sources = sources;
    this.#units = units;
    this.dictionaries = Object.freeze(units.map((unit) => unit.dictionaries[0] as DictionaryOrigin));
    this.#foreign = Object.freeze(units.map((unit, index) => this.#attachForeign(unit, index)));
    Object.freeze(this);
  }

  get conflicts(): readonly DictionaryConflict[] {
    return this.#summarize().conflicts;
  }

  get unattachedValues(): readonly UnattachedValue[] {
    return this.#summarize().unattachedValues;
  }

  get counts(): DictionaryCounts {
    return this.#summarize().counts;
  }

  attribute(name: string): ResolvedAttribute | undefined {
    const memo = this.#attributesByName.get(name);
    if (memo !== undefined) return memo;
    let lower: string | undefined;
    for (const unit of this.#units) {
      const found = unit.attributeKeyed(name) ?? unit.attributeKeyed((lower ??= name.toLowerCase()));
      if (found) return this.#attributesByName.set(name, found);
    }
    return undefined;
  }

  attributeByCode(vendorId: number, path: readonly number[], evs?: string): ResolvedAttribute | undefined {
    if (path.length === 1 && evs === undefined) return this.attributeByNumber(vendorId, path[0] as number);
    for (const unit of this.#units) {
      const found = unit.attributeByCode(vendorId, path, evs);
      if (found) return found;
    }
    return undefined;
  }

  attributeByNumber(vendorId: number, number: number): ResolvedAttribute | undefined {
    const key = numberKey(vendorId, number);
    const memo = key === undefined ? undefined : this.#attributesByNumber.get(key);
    if (memo !== undefined) return memo;
    for (const unit of this.#units) {
      const found = unit.attributeByNumber(vendorId, number);
      if (found) return key === undefined ? found : this.#attributesByNumber.set(key, found);
    }
    return undefined;
  }

  vendor(name: string): ResolvedVendor | undefined {
    const memo = this.#vendorsByName.get(name);
    if (memo !== undefined) return memo;
    let lower: string | undefined;
    for (const unit of this.#units) {
      const found = unit.vendorKeyed(name) ?? unit.vendorKeyed((lower ??= name.toLowerCase()));
      if (found) return this.#vendorsByName.set(name, found);
    }
    return undefined;
  }

  vendorById(id: number): ResolvedVendor | undefined {
    const memo = this.#vendorsById.get(id);
    if (memo !== undefined) return memo;
    for (const unit of this.#units) {
      const found = unit.vendorById(id);
      if (found) return this.#vendorsById.set(id, found);
    }
    return undefined;
  }

  valueNumber(attribute: ResolvedAttribute | string, valueName: string): number | undefined {
    const resolved = typeof attribute === 'string' ? this.attribute(attribute) : attribute;
    if (resolved === undefined) return undefined;
    for (const { own, attached } of this.#valueSourcesOf(resolved)) {
      const winner = later(lookupIn(own?.byName, valueName), lookupIn(attached?.byName, valueName));
      if (winner) return winner.value;
    }
    return undefined;
  }

  valueName(attribute: ResolvedAttribute | string, value: number): string | undefined {
    const resolved = typeof attribute === 'string' ? this.attribute(attribute) : attribute;
    if (resolved === undefined) return undefined;
    for (const { own, attached } of this.#valueSourcesOf(resolved)) {
      const winner = later(own?.byNumber.get(value), attached?.byNumber.get(value));
      if (winner) return winner.name;
    }
    return undefined;
  }

  /** The dictionaries of the list that have values for `attribute`, in order (usually one). */
  #valueSourcesOf(attribute: ResolvedAttribute): readonly ValueSource[] {
    const memo = this.#valueSources.get(attribute);
    if (memo !== undefined) return memo;
    let key: string | undefined;
    const sources: ValueSource[] = [];
    for (let index = 0; index < this.#units.length; index += 1) {
      const own = (this.#units[index] as MergedDictionary).valueTable(attribute);
      const foreign = this.#foreign[index];
      const attached = foreign?.get((key ??= codeKey(attribute)));
      if (own !== undefined || attached !== undefined) sources.push({ own, attached });
    }
    return this.#valueSources.set(attribute, Object.freeze(sources));
  }

  values(attribute: ResolvedAttribute | string): readonly { readonly name: string; readonly value: number }[] {
    const resolved = typeof attribute === 'string' ? this.attribute(attribute) : attribute;
    if (resolved === undefined) return Object.freeze([]);
    const key = codeKey(resolved);
    // Lower-cased name → the winning record: the first dictionary's, within it the later line's.
    const chosen = new Map<string, ValueRecord>();
    this.#units.forEach((unit, index) => {
      const mine = new Map<string, ValueRecord>();
      const add = (table: ValueTable | undefined): void => {
        // Each value is there under its lower-cased name (and maybe its spelling too): take it once.
        table?.byName.forEach((record, name) => {
          if (name === record.lowerName && !chosen.has(name)) mine.set(name, later(mine.get(name), record) as ValueRecord);
        });
      };
      add(unit.valueTable(resolved));
      add(this.#foreign[index]?.get(key));
      for (const [name, record] of mine) chosen.set(name, record);
    });
    return Object.freeze([...chosen.values()].map((record) => Object.freeze({ name: record.name, value: record.value })));
  }

  /**
   * The values of dictionary `index` that name an attribute it does not define, attached to the
   * list's attribute of that name or number (the merged compile does the same). Values the list
   * cannot place stay unattached. Within the dictionary a later line overrides an earlier one.
   */
  #attachForeign(unit: MergedDictionary, index: number): ReadonlyMap<string, ValueTable> | undefined {
    if (unit.foreignValues.length === 0) return undefined;
    const tables = new Map<string, ValueTable>();
    for (const { entry, line } of unit.foreignValues) {
      const { vid = 0, id, val, name, attr } = entry;
      const attribute = attr !== undefined ? this.attribute(attr) : id === undefined ? undefined : this.attributeByNumber(vid, id);
      if (attribute === undefined) continue;
      const key = codeKey(attribute);
      let table = tables.get(key);
      if (!table) {
        table = new ValueTable();
        tables.set(key, table);
      }
      const record: ValueRecord = { name, lowerName: name.toLowerCase(), value: val, dictIndex: index, line };
      table.byName.set(record.lowerName, record);
      table.byNumber.set(val, record);
    }
    for (const table of tables.values()) addExactSpellings(table.byName, (record) => record.name);
    return tables;
  }

  #summarize(): ListSummary {
    if (this.#summary === undefined) {
      const merged = compileDictionaries(this.#sources);
      this.#summary = { conflicts: merged.conflicts, unattachedValues: merged.unattachedValues, counts: merged.counts };
    }
    return this.#summary;
  }
}

/**
 * The vendors dictionary `unit` must be compiled with in this list: for each vendor id its
 * attributes name, the list's vendor (the first dictionary declaring it), where that is not the
 * one the dictionary alone resolves to.
 */
function vendorContextOf(unit: MergedDictionary, units: readonly MergedDictionary[]): Map<number, ResolvedVendor> | undefined {
  let context: Map<number, ResolvedVendor> | undefined;
  for (const vid of unit.vendorIdsUsed) {
    const own = unit.vendorById(vid);
    let listed: ResolvedVendor | undefined;
    for (const other of units) {
      listed = other.vendorById(vid);
      if (listed) break;
    }
    // `listed` is undefined only if no dictionary declares the vendor, and then neither does this one.
    if (listed !== undefined && listed !== own) (context ??= new Map()).set(vid, listed);
  }
  return context;
}

/**
 * A list as a composition of its dictionaries, each compiled alone by `unitFor` (by default
 * compiled now; a cache passes its own). Throws what `unitFor` throws (DictionaryCompileError).
 */
export function composeDictionaries(
  list: readonly DictionarySource[],
  unitFor: DictionaryUnitCompiler = compileDictionary,
): ComposedDictionary {
  const units = list.map((source) => unitFor(source));
  const rebased = units.map((unit, index) => {
    const context = vendorContextOf(unit, units);
    return context === undefined ? unit : unitFor(list[index] as DictionarySource, context);
  });
  return new ComposedDictionary(list, rebased);
}

/** A cache key for a vendor context: which vendor (dictionary and revision) each id resolves to. */
export function vendorContextKey(context: VendorContext): string {
  return [...context]
    .sort(([a], [b]) => a - b)
    .map(([vid, vendor]) => `${vid}=${vendor.dictionary.id}@${vendor.dictionary.rev}`)
    .join(',');
}
