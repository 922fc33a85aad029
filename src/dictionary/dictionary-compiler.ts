import {
  type CompiledDictionary,
  type DictionarySource,
  type MergedDictionary,
  type VendorContext,
  DictionaryCompileError,
  compileDictionary,
  composeDictionaries,
  vendorContextKey,
} from '../radius/dictionary/index.js';
import { InvalidDictionaryError } from './invalid-dictionary.js';

export interface DictionaryCompilerOptions {
  /**
   * Estimated bytes of compiled dictionaries kept; the least recently used beyond it are dropped
   * (with the lists that use them). Default 256 MiB (`DICTIONARY_CACHE_MB`). The dictionaries of
   * the list being compiled are kept even if they alone are larger.
   */
  readonly maxBytes?: number;
  /** Lists (compositions) kept; each is small, as it shares its dictionaries. Default 100,000. */
  readonly maxLists?: number;
}

/** For metrics. Counters only grow; `size`, `bytes` and `lists` are what is held now. */
export interface DictionaryCompilerStats {
  /** A dictionary (id, rev) found compiled. */
  readonly hits: number;
  /** A dictionary (id, rev) compiled. */
  readonly misses: number;
  /** Dictionaries dropped to stay within `maxBytes` (not those dropped by `evict` or `clear`). */
  readonly evictions: number;
  /** Compiled dictionaries held (a dictionary compiled for a list that resolves its vendors differently counts apart). */
  readonly size: number;
  /** Their estimated bytes. */
  readonly bytes: number;
  readonly maxBytes: number;
  /** Lists held. */
  readonly lists: number;
}

export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
const DEFAULT_MAX_LISTS = 100_000;

/**
 * Estimated heap bytes of a compiled dictionary: measured on the FreeRADIUS dictionaries
 * (bench/dictionary/tenant-scale.ts prints the figure: about 330 bytes per entry, from one
 * dictionary of 10 entries to all of FreeRADIUS at once), plus a fixed part for the tables.
 */
export const BYTES_PER_ENTRY = 360;
const BYTES_PER_DICTIONARY = 4_096;

export function estimatedBytes(entries: number): number {
  return BYTES_PER_DICTIONARY + entries * BYTES_PER_ENTRY;
}

interface UnitEntry {
  /**
   * A malformed dictionary's error is kept like a result: the same (id, rev) always fails the same
   * way, and recompiling a large broken dictionary on every request would let a tenant burn CPU.
   */
  readonly result: MergedDictionary | InvalidDictionaryError;
  readonly dictionaryId: string;
  readonly bytes: number;
  /** Lists using it: dropped with it, so that a dropped dictionary really leaves memory. */
  readonly lists: Set<string>;
}

interface ListEntry {
  readonly result: CompiledDictionary | InvalidDictionaryError;
  readonly units: readonly string[];
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, not ${value}`);
  return value;
}

function outcome<T>(result: T | InvalidDictionaryError): T {
  if (result instanceof InvalidDictionaryError) throw result;
  return result;
}

/**
 * The cache key of a list: its ordered (id, rev) pairs. JSON keeps it unambiguous whatever the
 * ids contain; a new revision of any dictionary is a new key, so a stale list is never served.
 */
export function dictionaryListKey(list: readonly Pick<DictionarySource, 'id' | 'rev'>[]): string {
  return JSON.stringify(list.map(({ id, rev }) => [id, rev]));
}

function unitKey(source: DictionarySource, context: VendorContext | undefined): string {
  const base = JSON.stringify([source.id, source.rev]);
  return context === undefined ? base : `${base}${vendorContextKey(context)}`;
}

/**
 * Compiles each dictionary (id, rev) once per process and shares it between every list that
 * names it; a list is a composition over those (`composeDictionaries`), cached too, so every
 * server and tenant naming the same dictionaries in the same order gets the same object.
 * Bounded by the estimated bytes of the compiled dictionaries (LRU). Compiling is synchronous,
 * so a caller sees either no entry or a finished one, never a partial one.
 */
export class DictionaryCompiler {
  readonly #maxBytes: number;
  readonly #maxLists: number;
  /** Map order is recency order: a hit moves its entry to the end, the first entry is the LRU. */
  readonly #units = new Map<string, UnitEntry>();
  readonly #lists = new Map<string, ListEntry>();
  #hits = 0;
  #misses = 0;
  #evictions = 0;
  #bytes = 0;

  constructor(options: DictionaryCompilerOptions = {}) {
    this.#maxBytes = positiveInteger('maxBytes', options.maxBytes ?? DEFAULT_MAX_BYTES);
    this.#maxLists = positiveInteger('maxLists', options.maxLists ?? DEFAULT_MAX_LISTS);
  }

  /** The compiled list, from the cache or composed now. Throws InvalidDictionaryError (a 400) for a malformed entry (also cached). */
  compile(list: readonly DictionarySource[]): CompiledDictionary {
    const key = dictionaryListKey(list);
    const cached = this.#lists.get(key);
    if (cached) {
      this.#lists.delete(key);
      this.#lists.set(key, cached);
      // A list found composed is each of its dictionaries found compiled.
      this.#hits += cached.units.length;
      for (const unit of cached.units) this.#touch(unit);
      return outcome(cached.result);
    }
    const used: string[] = [];
    let result: CompiledDictionary | InvalidDictionaryError;
    try {
      result = composeDictionaries(list, (source, context) => {
        const unit = unitKey(source, context);
        used.push(unit);
        return outcome(this.#unit(unit, source, context).result);
      });
    } catch (error) {
      if (!(error instanceof InvalidDictionaryError)) throw error;
      result = error;
    }
    this.#lists.set(key, { result, units: used });
    for (const unit of used) this.#units.get(unit)?.lists.add(key);
    this.#trim(new Set(used));
    return outcome(result);
  }

  /** Drops every compiled form of the dictionary and every list containing it (say, when it changed or was deleted); returns how many lists. */
  evict(dictionaryId: string): number {
    let lists = 0;
    for (const [key, entry] of this.#units) {
      if (entry.dictionaryId === dictionaryId) lists += this.#drop(key, entry);
    }
    return lists;
  }

  clear(): void {
    this.#units.clear();
    this.#lists.clear();
    this.#bytes = 0;
  }

  stats(): DictionaryCompilerStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
      size: this.#units.size,
      bytes: this.#bytes,
      maxBytes: this.#maxBytes,
      lists: this.#lists.size,
    };
  }

  #unit(key: string, source: DictionarySource, context: VendorContext | undefined): UnitEntry {
    const cached = this.#units.get(key);
    if (cached) {
      this.#hits += 1;
      this.#touch(key);
      return cached;
    }
    this.#misses += 1;
    let result: MergedDictionary | InvalidDictionaryError;
    try {
      result = compileDictionary(source, context);
    } catch (error) {
      if (!(error instanceof DictionaryCompileError)) throw error;
      result = InvalidDictionaryError.from(error);
    }
    const entry: UnitEntry = { result, dictionaryId: source.id, bytes: estimatedBytes(source.value.length), lists: new Set() };
    this.#units.set(key, entry);
    this.#bytes += entry.bytes;
    return entry;
  }

  #touch(key: string): void {
    const entry = this.#units.get(key);
    if (!entry) return;
    this.#units.delete(key);
    this.#units.set(key, entry);
  }

  /** Drops least recently used dictionaries (and their lists) until the bounds hold, never one of `keep`. */
  #trim(keep: ReadonlySet<string>): void {
    for (const [key, entry] of this.#units) {
      if (this.#bytes <= this.#maxBytes) break;
      if (keep.has(key)) continue;
      this.#drop(key, entry);
      this.#evictions += 1;
    }
    for (const key of this.#lists.keys()) {
      if (this.#lists.size <= this.#maxLists) break;
      this.#dropList(key);
    }
  }

  /** Drops a compiled dictionary and the lists using it; returns how many lists. */
  #drop(key: string, entry: UnitEntry): number {
    this.#units.delete(key);
    this.#bytes -= entry.bytes;
    for (const list of entry.lists) this.#dropList(list);
    return entry.lists.size;
  }

  #dropList(key: string): void {
    const entry = this.#lists.get(key);
    if (!entry) return;
    this.#lists.delete(key);
    for (const unit of entry.units) this.#units.get(unit)?.lists.delete(key);
  }
}
