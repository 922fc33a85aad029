/** How many read entries one insertion may move to the back before it evicts one anyway. */
const MAX_REPRIEVES = 16;

/**
 * A bounded map with a time to live, evicting by second chance (an approximation of least recently
 * used): what a replica holds of a store it does not mirror. Memory is bounded by `capacity`
 * whatever the store holds; staleness (a change made through another replica) by `ttlMs`, or by
 * the age a caller asks for on each read (a cache whose staleness depends on something that
 * changes, such as whether a changes feed is live).
 */
export class LruCache<V> {
  /**
   * Each entry with the time it was set (its age is judged when it is read) and whether it was
   * read since it last reached the front of the eviction order.
   */
  private readonly entries = new Map<string, { value: V; at: number; used: boolean }>();

  constructor(
    private readonly capacity: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The entry if it is younger than `maxAgeMs` (by default the cache's time to live). */
  get(key: string, maxAgeMs = this.ttlMs): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.at + maxAgeMs <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    entry.used = true;
    return entry.value;
  }

  /**
   * The entry even if it is older than `maxAgeMs` (by default the cache's time to live), up to
   * `staleForMs` beyond it, with whether it is still fresh: for a caller that answers from a stale
   * entry while it refreshes it.
   */
  getAllowingStale(key: string, staleForMs: number, maxAgeMs = this.ttlMs): { value: V; fresh: boolean } | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const now = this.now();
    if (entry.at + maxAgeMs + staleForMs <= now) {
      this.entries.delete(key);
      return undefined;
    }
    entry.used = true;
    return { value: entry.value, fresh: entry.at + maxAgeMs > now };
  }

  /**
   * Over capacity, the oldest entry not read since it was set (or since its last reprieve) goes;
   * one that was read is moved to the back instead ("second chance"). A hit is then one flag, not
   * a delete and re-insert in the map, and what is read often still stays, as in a strict LRU.
   * Reprieves per insertion are bounded, so no insertion walks the whole cache.
   */
  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, at: this.now(), used: false });
    let reprieves = 0;
    while (this.entries.size > this.capacity) {
      const [oldest, entry] = this.entries.entries().next().value as [string, { value: V; at: number; used: boolean }];
      this.entries.delete(oldest);
      if (entry.used && reprieves < MAX_REPRIEVES) {
        reprieves += 1;
        entry.used = false;
        this.entries.set(oldest, entry);
      }
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
