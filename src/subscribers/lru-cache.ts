/**
 * A bounded map with a time to live: what a replica holds of a store it does not mirror. Memory is
 * bounded by `capacity` whatever the store holds; staleness (a change made through another
 * replica) by `ttlMs`, or by the age a caller asks for on each read (a cache whose staleness
 * depends on something that changes, such as whether a changes feed is live).
 */
export class LruCache<V> {
  /** Each entry with the time it was set: its age is judged when it is read. */
  private readonly entries = new Map<string, { value: V; at: number }>();

  constructor(
    private readonly capacity: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The entry if it is younger than `maxAgeMs` (by default the cache's time to live). */
  get(key: string, maxAgeMs = this.ttlMs): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.at + maxAgeMs <= this.now()) return undefined;
    this.entries.set(key, entry);
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
    this.entries.delete(key);
    this.entries.set(key, entry);
    return { value: entry.value, fresh: entry.at + maxAgeMs > now };
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, at: this.now() });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
