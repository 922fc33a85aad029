/**
 * A memo of answers that never change (lookups in an immutable composition), bounded by count:
 * when full it starts over. Names come from requests, so a caller sending endless distinct names
 * must not grow it; the few names a list really uses come back after one miss each. Starting over
 * costs nothing per hit, where an LRU would reorder on every one.
 */
export class BoundedMemo<K, V> {
  readonly #limit: number;
  #entries: Map<K, V> | undefined;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get(key: K): V | undefined {
    return this.#entries?.get(key);
  }

  /** Remembers `value` and returns it. */
  set(key: K, value: V): V {
    // Allocated on first use: most of the thousands of lists a process holds use few lookups.
    if (this.#entries === undefined) this.#entries = new Map();
    else if (this.#entries.size >= this.#limit) this.#entries.clear();
    this.#entries.set(key, value);
    return value;
  }

  get size(): number {
    return this.#entries?.size ?? 0;
  }
}
