import { type CompiledDictionary, DictionaryCompileError, type DictionarySource, compileDictionaries } from '../radius/dictionary/index.js';
import { InvalidDictionaryError } from './invalid-dictionary.js';

export interface DictionaryCompilerOptions {
  /** Distinct lists kept compiled; the least recently used beyond it is dropped. Default 1,000. */
  readonly maxLists?: number;
  /**
   * Dictionary entries (vendor, attr, val) of all cached lists together, a bound on memory: a
   * compiled list takes about 350 bytes per entry (measured: 171 KB for a tenant list with the
   * system dictionary and 3GPP, 6 MB for all of FreeRADIUS). Default 500,000 (about 175 MB).
   * The list just compiled is kept even if it alone is larger.
   */
  readonly maxEntries?: number;
}

/** For metrics: hits and misses only grow; `size` is the number of lists held now. */
export interface DictionaryCompilerStats {
  readonly hits: number;
  readonly misses: number;
  /** Lists dropped to stay within `maxLists` (not those dropped by `evict` or `clear`). */
  readonly evictions: number;
  readonly size: number;
  /** Dictionary entries of the lists held now. */
  readonly entries: number;
  readonly maxLists: number;
  readonly maxEntries: number;
}

const DEFAULT_MAX_LISTS = 1_000;
const DEFAULT_MAX_ENTRIES = 500_000;

interface CacheEntry {
  /**
   * A malformed list's error is kept like a result: the same (id, rev) pairs always fail the same
   * way, and recompiling a large broken dictionary on every request would let a tenant burn CPU.
   */
  readonly result: CompiledDictionary | InvalidDictionaryError;
  readonly dictionaryIds: readonly string[];
  readonly entries: number;
}

function outcome(entry: CacheEntry): CompiledDictionary {
  if (entry.result instanceof InvalidDictionaryError) throw entry.result;
  return entry.result;
}

function compileOrError(list: readonly DictionarySource[]): CompiledDictionary | InvalidDictionaryError {
  try {
    return compileDictionaries(list);
  } catch (error) {
    if (error instanceof DictionaryCompileError) return InvalidDictionaryError.from(error);
    throw error;
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, not ${value}`);
  return value;
}

/**
 * The cache key of a list: its ordered (id, rev) pairs. JSON keeps it unambiguous whatever the
 * ids contain; a new revision of any dictionary is a new key, so a stale list is never served.
 */
export function dictionaryListKey(list: readonly Pick<DictionarySource, 'id' | 'rev'>[]): string {
  return JSON.stringify(list.map(({ id, rev }) => [id, rev]));
}

/**
 * Compiles each distinct dictionary list once: every server and tenant naming the same
 * dictionaries in the same order, at the same revisions, gets the same CompiledDictionary.
 * Compiling is synchronous, so a caller sees either no entry or a finished one, never a partial one.
 */
export class DictionaryCompiler {
  readonly #maxLists: number;
  readonly #maxEntries: number;
  /** Map order is recency order: a hit moves its entry to the end, the first entry is the LRU. */
  readonly #entries = new Map<string, CacheEntry>();
  #hits = 0;
  #misses = 0;
  #evictions = 0;
  #heldEntries = 0;

  constructor(options: DictionaryCompilerOptions = {}) {
    this.#maxLists = positiveInteger('maxLists', options.maxLists ?? DEFAULT_MAX_LISTS);
    this.#maxEntries = positiveInteger('maxEntries', options.maxEntries ?? DEFAULT_MAX_ENTRIES);
  }

  /** The compiled list, from the cache or compiled now. Throws InvalidDictionaryError (a 400) for a malformed entry (also cached). */
  compile(list: readonly DictionarySource[]): CompiledDictionary {
    const key = dictionaryListKey(list);
    const cached = this.#entries.get(key);
    if (cached) {
      this.#hits += 1;
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return outcome(cached);
    }
    this.#misses += 1;
    const entry: CacheEntry = {
      result: compileOrError(list),
      dictionaryIds: list.map((source) => source.id),
      entries: list.reduce((sum, source) => sum + source.value.length, 0),
    };
    this.#entries.set(key, entry);
    this.#heldEntries += entry.entries;
    this.#trim();
    return outcome(entry);
  }

  /** Drops every compiled list that contains the dictionary (say, when it changed or was deleted); returns how many. */
  evict(dictionaryId: string): number {
    let dropped = 0;
    for (const [key, entry] of this.#entries) {
      if (!entry.dictionaryIds.includes(dictionaryId)) continue;
      this.#drop(key, entry);
      dropped += 1;
    }
    return dropped;
  }

  clear(): void {
    this.#entries.clear();
    this.#heldEntries = 0;
  }

  get stats(): DictionaryCompilerStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
      size: this.#entries.size,
      entries: this.#heldEntries,
      maxLists: this.#maxLists,
      maxEntries: this.#maxEntries,
    };
  }

  /** Drops least recently used lists until both bounds hold, never the most recent one. */
  #trim(): void {
    for (const [key, entry] of this.#entries) {
      const over = this.#entries.size > this.#maxLists || this.#heldEntries > this.#maxEntries;
      if (!over || this.#entries.size === 1) return;
      this.#drop(key, entry);
      this.#evictions += 1;
    }
  }

  #drop(key: string, entry: CacheEntry): void {
    this.#entries.delete(key);
    this.#heldEntries -= entry.entries;
  }
}
