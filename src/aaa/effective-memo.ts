/**
 * A bounded memo whose entries name what they were computed from (dependency keys): a change to
 * any of those drops exactly the entries that used it, so an answer stays valid until the data
 * under it changes rather than for a time. Least recently used entries go first once either bound
 * (entries, or the total `weight` the caller gives each, e.g. its serialized size) is passed.
 */
export interface MemoBounds {
  maxEntries: number;
  maxWeight: number;
}

interface Entry<V> {
  /** Part of the key the caller checks on a hit (e.g. the account's revision). */
  version: string;
  value: V;
  weight: number;
  dependencies: readonly string[];
}

export class DependencyMemo<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly dependents = new Map<string, Set<string>>();
  private totalWeight = 0;
  /** Bumped by every invalidation, so a computation that overlapped one is not stored. */
  private epoch = 0;

  constructor(readonly bounds: MemoBounds) {}

  get size(): number {
    return this.entries.size;
  }

  get weight(): number {
    return this.totalWeight;
  }

  /** The current epoch: pass it back to `set`, taken before reading what the value is computed from. */
  begin(): number {
    return this.epoch;
  }

  get(key: string, version: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.version !== version) return undefined;
    // Re-inserting keeps the Map's order least recently used first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /**
   * Stores the value unless something it may depend on changed since `begin()`: the memo cannot
   * tell whether that change came before or after the inputs were read, so it keeps nothing.
   */
  set(key: string, version: string, value: V, weight: number, dependencies: readonly string[], begun: number): void {
    if (begun !== this.epoch || weight > this.bounds.maxWeight) return;
    this.delete(key);
    this.entries.set(key, { version, value, weight, dependencies });
    this.totalWeight += weight;
    for (const dependency of dependencies) {
      let keys = this.dependents.get(dependency);
      if (!keys) this.dependents.set(dependency, (keys = new Set()));
      keys.add(key);
    }
    while (this.entries.size > this.bounds.maxEntries || this.totalWeight > this.bounds.maxWeight) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  /** Drops every entry computed from `dependency`. */
  invalidate(dependency: string): void {
    this.epoch += 1;
    const keys = this.dependents.get(dependency);
    if (!keys) return;
    for (const key of [...keys]) this.delete(key);
  }

  clear(): void {
    this.epoch += 1;
    this.entries.clear();
    this.dependents.clear();
    this.totalWeight = 0;
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalWeight -= entry.weight;
    for (const dependency of entry.dependencies) {
      const keys = this.dependents.get(dependency);
      keys?.delete(key);
      if (keys?.size === 0) this.dependents.delete(dependency);
    }
  }
}
