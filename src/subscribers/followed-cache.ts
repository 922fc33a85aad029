import type { ChangeSink } from '../store/changes-follower.js';
import type { Change, StoredDoc } from '../store/database.js';
import { LruCache } from './lru-cache.js';

export interface FollowedCacheOptions {
  /** Entries held at most (misses included). */
  capacity: number;
  /** How long an entry is fresh while the feed is not live. */
  ttlMs: number;
  /** How long past that a stale entry still answers while one background read refreshes it (0: never). */
  staleMs: number;
  /**
   * While the feed is live, the longest an entry answers (fresh for this less `staleMs`). The feed
   * forgets what changed as soon as it delivers it, so this is only a safety net: it bounds what a
   * write acknowledged by fewer than a quorum of CouchDB nodes (seen by this replica's read before
   * it reached the node the feed comes from, or the other way round) could leave stale.
   */
  followedTtlMs: number;
  /**
   * Whether a follower of the database's changes feed, with this cache as its sink, is live now
   * (its `current`: connected and caught up). Never, by default: every entry then keeps `ttlMs`.
   */
  feedLive?: () => boolean;
  now?: () => number;
}

/**
 * Documents of a database that is never mirrored, read by id through a bounded cache (misses
 * cached too, since unknown ids are what a flood sends), concurrent reads of one id sharing one
 * store read. As the sink of a follower of the database's changes feed (ids only) it forgets each
 * document that changes, so while that feed is live a hot document costs no store read and a
 * change made through another replica shows as soon as the feed delivers it.
 */
export class FollowedCache<T extends StoredDoc> implements ChangeSink<T> {
  private readonly cache: LruCache<T | null>;
  /** Store reads in flight by id: concurrent misses and refreshes of one document share one read. */
  private readonly reading = new Map<string, Promise<T | undefined>>();
  private readonly feedLive: () => boolean;

  constructor(
    private readonly fetch: (id: string) => Promise<T | undefined>,
    private readonly options: FollowedCacheOptions,
  ) {
    this.feedLive = options.feedLive ?? (() => false);
    this.cache = new LruCache(options.capacity, options.ttlMs, options.now);
  }

  get size(): number {
    return this.cache.size;
  }

  /**
   * A document by id. A stale entry answers at once and starts a refresh; a failed refresh leaves
   * it until it expires for good, when the caller waits for the store and sees its error.
   */
  read(id: string): Promise<T | undefined> {
    // Judged when read, not when cached: an entry cached while the feed was down is trusted for
    // the long age once it is back, because a follower resumes from the last sequence it read and
    // its catch-up forgets every document changed during the outage; and one cached while it was
    // live is held to the short rule as soon as it is lost, since changes no longer reach it.
    const { staleMs, ttlMs, followedTtlMs } = this.options;
    const maxAgeMs = this.feedLive() ? followedTtlMs - staleMs : ttlMs;
    const cached = this.cache.getAllowingStale(id, staleMs, maxAgeMs);
    if (!cached) return this.readThrough(id);
    if (!cached.fresh) this.readThrough(id).catch(() => undefined);
    return Promise.resolve(cached.value ?? undefined);
  }

  private readThrough(id: string): Promise<T | undefined> {
    const inFlight = this.reading.get(id);
    if (inFlight) return inFlight;
    const reading = this.fetch(id).then((doc) => {
      // A write or a change since this read began has forgotten it: what it read may be older.
      if (this.reading.get(id) === reading) this.cache.set(id, doc ?? null);
      return doc;
    });
    this.reading.set(id, reading);
    const done = () => {
      if (this.reading.get(id) === reading) this.reading.delete(id);
    };
    reading.then(done, done);
    return reading;
  }

  /** Drops the cached document and any read of it in flight (its answer may predate a write). */
  forget(id: string): void {
    this.cache.delete(id);
    this.reading.delete(id);
  }

  /** A write of the document through this replica: forgotten before it starts and after it ends. */
  async writing<R>(id: string, write: () => Promise<R>): Promise<R> {
    this.forget(id);
    try {
      return await write();
    } finally {
      this.forget(id);
    }
  }

  /** A change the feed delivered (made here or through another replica, deleted or not). */
  applyChange(change: Change<T>): void {
    this.forget(change.id);
  }
}
