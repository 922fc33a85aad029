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
   * (with the lists that use them). Default 256 MiB; the service passes `DICTIONARY_CACHE_MB`. The dictionaries of
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
 * Estimated heap bytes of a compiled dictionary, a fixed part for its tables plus a part per
 * entry: what it holds once fully used (every attribute resolved, every value table built, its
 * conflicts judged), about 365-430 bytes per entry for the seed dictionaries and a 61-entry tenant
 * one. A fresh compile holds 30-65 % of that (attributes resolve and value tables are built on first
 * use), so the bound errs on the side of memory; bench/dictionary/tenant-scale.ts reports both.
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
  /** The clock of its last use, for LRU: a number written per use is cheaper than reordering a Map on every hit. */
  lastUsed: number;
}

interface ListEntry {
  readonly result: CompiledDictionary | InvalidDictionaryError;
  readonly units: readonly UnitEntry[];
  lastUsed: number;
}

/**
 * The lists held, as a trie over their (id, rev) pairs: a hit walks it with the ids' and
 * revisions' own strings (the stored documents', whose hashes V8 keeps with them) rather than
 * building and hashing a JSON key per request, which was a fifth of a request's CPU at 10,000
 * tenants. The JSON key still names a list for the bookkeeping (`#lists`, `UnitEntry.lists`).
 */
class ListNode {
  /** id → rev → the node of the list extended by that dictionary. */
  next: Map<string, Map<string, ListNode>> | undefined = undefined;
  entry: ListEntry | undefined = undefined;
}

/** Trimming goes this far below a bound, so that it runs once per many misses, not on each. */
const TRIM_TO = 0.9;

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
  readonly #units = new Map<string, UnitEntry>();
  readonly #lists = new Map<string, ListEntry>();
  readonly #trie = new ListNode();
  #clock = 0;
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
    const cached = this.#find(list);
    if (cached) {
      const now = ++this.#clock;
      cached.lastUsed = now;
      // A list found composed is each of its dictionaries found compiled.
      this.#hits += cached.units.length;
      for (const unit of cached.units) unit.lastUsed = now;
      return outcome(cached.result);
    }
    const key = dictionaryListKey(list);
    const used: UnitEntry[] = [];
    let result: CompiledDictionary | InvalidDictionaryError;
    try {
      result = composeDictionaries(list, (source, context) => {
        const unit = this.#unit(unitKey(source, context), source, context);
        used.push(unit);
        return outcome(unit.result);
      });
    } catch (error) {
      if (!(error instanceof InvalidDictionaryError)) throw error;
      result = error;
    }
    const entry: ListEntry = { result, units: used, lastUsed: ++this.#clock };
    this.#lists.set(key, entry);
    this.#node(list, true).entry = entry;
    for (const unit of used) unit.lists.add(key);
    if (this.#bytes > this.#maxBytes) this.#trimDictionaries(new Set(used));
    if (this.#lists.size > this.#maxLists) this.#trimLists();
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
    this.#trie.next = undefined;
    this.#trie.entry = undefined;
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
      cached.lastUsed = ++this.#clock;
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
    const entry: UnitEntry = {
      result,
      dictionaryId: source.id,
      bytes: estimatedBytes(source.value.length),
      lists: new Set(),
      lastUsed: ++this.#clock,
    };
    this.#units.set(key, entry);
    this.#bytes += entry.bytes;
    return entry;
  }

  /** Drops least recently used dictionaries (and their lists) to below the byte bound, never one of `keep`. */
  #trimDictionaries(keep: ReadonlySet<UnitEntry>): void {
    const target = this.#maxBytes * TRIM_TO;
    const oldestFirst = [...this.#units].filter(([, entry]) => !keep.has(entry)).sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    for (const [key, entry] of oldestFirst) {
      if (this.#bytes <= target) break;
      this.#drop(key, entry);
      this.#evictions += 1;
    }
  }

  #trimLists(): void {
    const target = Math.floor(this.#maxLists * TRIM_TO);
    const oldestFirst = [...this.#lists].sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    for (const [key] of oldestFirst) {
      if (this.#lists.size <= target) break;
      this.#dropList(key);
    }
  }

  /** Drops a compiled dictionary and the lists using it; returns how many lists. */
  #drop(key: string, entry: UnitEntry): number {
    this.#units.delete(key);
    this.#bytes -= entry.bytes;
    let dropped = 0;
    // A list may hold two compiled forms of one dictionary (alone, and with the list's vendors): count it once.
    for (const list of [...entry.lists]) if (this.#dropList(list)) dropped += 1;
    return dropped;
  }

  #find(list: readonly DictionarySource[]): ListEntry | undefined {
    let node: ListNode | undefined = this.#trie;
    for (let index = 0; index < list.length && node !== undefined; index += 1) {
      const source = list[index] as DictionarySource;
      node = node.next?.get(source.id)?.get(source.rev);
    }
    return node?.entry;
  }

  /** The trie node of a list, created on the way if `create`. */
  #node(list: readonly Pick<DictionarySource, 'id' | 'rev'>[], create: true): ListNode;
  #node(list: readonly Pick<DictionarySource, 'id' | 'rev'>[], create: false): ListNode | undefined;
  #node(list: readonly Pick<DictionarySource, 'id' | 'rev'>[], create: boolean): ListNode | undefined {
    let node = this.#trie;
    for (const { id, rev } of list) {
      let revs = node.next?.get(id);
      if (!revs) {
        if (!create) return undefined;
        revs = new Map();
        (node.next ??= new Map()).set(id, revs);
      }
      let child = revs.get(rev);
      if (!child) {
        if (!create) return undefined;
        child = new ListNode();
        revs.set(rev, child);
      }
      node = child;
    }
    return node;
  }

  /** Removes a list from the trie, and the nodes it leaves empty. */
  #untrie(key: string): void {
    const pairs = (JSON.parse(key) as [string, string][]).map(([id, rev]) => ({ id, rev }));
    const node = this.#node(pairs, false);
    if (!node) return;
    node.entry = undefined;
    for (let length = pairs.length; length > 0; length -= 1) {
      const current = this.#node(pairs.slice(0, length), false);
      if (!current || current.entry !== undefined || (current.next?.size ?? 0) > 0) return;
      const parent = this.#node(pairs.slice(0, length - 1), false);
      const { id, rev } = pairs[length - 1] as { id: string; rev: string };
      const revs = parent?.next?.get(id);
      revs?.delete(rev);
      if (revs?.size === 0) parent?.next?.delete(id);
    }
  }

  /** Drops a list; false if it was not held. */
  #dropList(key: string): boolean {
    const entry = this.#lists.get(key);
    if (!entry) return false;
    this.#lists.delete(key);
    this.#untrie(key);
    for (const unit of entry.units) unit.lists.delete(key);
    return true;
  }
}
