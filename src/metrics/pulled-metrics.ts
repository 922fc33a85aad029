/**
 * Metrics read at scrape time from the stats the services already keep: nothing is added to the
 * request paths for these.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { WorkerPools } from '../aaa/worker-pool.js';
import type { AuthFailureLimiter } from '../accounts/auth-failures.js';
import type { DictionaryCompiler } from '../dictionary/dictionary-compiler.js';
import type { ChangesFollower } from '../store/changes-follower.js';
import type { StoredDoc } from '../store/database.js';

/** A counter whose value is kept elsewhere and read at scrape time. */
function pulledCounter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

function pulledGauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

export function watchPools(registry: Registry, pools: WorkerPools): void {
  pulledGauge(
    registry,
    'circlemaker_aaa_pools',
    'Worker pools held (one per answering configuration and operation)',
    () => pools.totals().pools,
  );
  pulledGauge(
    registry,
    'circlemaker_aaa_pool_active',
    'AAA and CoA/Disconnect requests running on a worker, over every pool',
    () => pools.totals().active,
  );
  pulledGauge(registry, 'circlemaker_aaa_pool_queued', 'Requests waiting for a worker, over every pool', () => pools.totals().queued);
  pulledGauge(
    registry,
    'circlemaker_aaa_pool_deepest_queue',
    'Requests waiting in the pool with the most waiting',
    () => pools.totals().deepestQueue,
  );
  pulledCounter(
    registry,
    'circlemaker_aaa_pool_rejected_total',
    'Requests refused or shed from a queue with 503 overloaded',
    () => pools.totals().rejected,
  );
}

export function watchDictionaryCache(registry: Registry, compiler: DictionaryCompiler): void {
  pulledCounter(
    registry,
    'circlemaker_dictionary_cache_hits_total',
    'Dictionaries (id, revision) found compiled',
    () => compiler.stats().hits,
  );
  pulledCounter(
    registry,
    'circlemaker_dictionary_cache_misses_total',
    'Dictionaries (id, revision) compiled',
    () => compiler.stats().misses,
  );
  pulledCounter(
    registry,
    'circlemaker_dictionary_cache_evictions_total',
    'Compiled dictionaries dropped to stay within the byte bound',
    () => compiler.stats().evictions,
  );
  pulledGauge(registry, 'circlemaker_dictionary_cache_dictionaries', 'Compiled dictionaries held', () => compiler.stats().size);
  pulledGauge(
    registry,
    'circlemaker_dictionary_cache_bytes',
    'Estimated bytes of the compiled dictionaries held',
    () => compiler.stats().bytes,
  );
  pulledGauge(
    registry,
    'circlemaker_dictionary_cache_max_bytes',
    'The bound on the estimated bytes of compiled dictionaries held (DICTIONARY_CACHE_MB)',
    () => compiler.stats().maxBytes,
  );
  pulledGauge(
    registry,
    'circlemaker_dictionary_cache_lists',
    'Compiled dictionary lists (compositions) held',
    () => compiler.stats().lists,
  );
}

/** What the memo of effective configurations reports (`EffectiveConfigResolver.memoStats`). */
export interface EffectiveCacheStats {
  memoStats(): { entries: number; bytes: number; maxBytes: number };
}

export function watchEffectiveCache(registry: Registry, cache: EffectiveCacheStats): void {
  pulledGauge(registry, 'circlemaker_effective_cache_entries', 'Memoised effective configurations held', () => cache.memoStats().entries);
  pulledGauge(
    registry,
    'circlemaker_effective_cache_bytes',
    'Their weight: twice their serialized size, for the objects they were made from',
    () => cache.memoStats().bytes,
  );
  pulledGauge(
    registry,
    'circlemaker_effective_cache_max_bytes',
    'The bound on that weight (EFFECTIVE_CACHE_MB)',
    () => cache.memoStats().maxBytes,
  );
}

export function watchLogins(registry: Registry, limiter: AuthFailureLimiter): void {
  pulledCounter(
    registry,
    'circlemaker_login_failures_total',
    'API-key logins refused: wrong key or inactive account (401)',
    () => limiter.stats().failures,
  );
  pulledCounter(
    registry,
    'circlemaker_login_rate_limited_total',
    'API-key logins refused because the client address was at its failure limit (429)',
    () => limiter.stats().limited,
  );
  pulledGauge(registry, 'circlemaker_login_tracked_clients', 'Client addresses with a failure window open', () => limiter.stats().clients);
}

/** The numeric part of a sequence: CouchDB 2+ writes `123-g1AAAA…`, PouchDB a number; `now` has none. */
export function sequenceNumber(sequence: string | number): number | undefined {
  if (typeof sequence === 'number') return sequence;
  const match = /^\d+/.exec(sequence);
  return match ? Number(match[0]) : undefined;
}

/** What the feed gauges read of a follower. */
export type FeedState = Pick<ChangesFollower<StoredDoc>, 'lastSequence' | 'lastChangeAt' | 'lastContact' | 'connected' | 'current'>;

/** The changes feeds the service follows, by database key (not its prefixed name): the store mirrors' and the subscriber cache's. */
export function watchFeeds(registry: Registry, feeds: Readonly<Record<string, FeedState>>, now: () => number = Date.now): void {
  const perFeed = (name: string, help: string, read: (feed: FeedState) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['database'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [database, feed] of Object.entries(feeds)) {
          const value = read(feed);
          if (value !== undefined) this.set({ database }, value);
        }
      },
    });
  perFeed('circlemaker_changes_feed_last_seq', "Last sequence read from the database's changes feed (its numeric part)", (feed) =>
    sequenceNumber(feed.lastSequence),
  );
  perFeed(
    'circlemaker_changes_feed_seconds_since_change',
    'Seconds since the feed last delivered a change (or since following began)',
    (feed) => (now() - feed.lastChangeAt) / 1000,
  );
  perFeed('circlemaker_changes_feed_seconds_since_contact', 'Seconds since the feed last answered or sent a heartbeat', (feed) =>
    feed.lastContact === 0 ? undefined : (now() - feed.lastContact) / 1000,
  );
  perFeed('circlemaker_changes_feed_connected', '1 while the feed is connected, 0 while it is being retried', (feed) =>
    feed.connected ? 1 : 0,
  );
  perFeed(
    'circlemaker_changes_feed_current',
    '1 while the feed is connected and caught up (its last answer was not a full batch), 0 while it lags or is retried',
    (feed) => (feed.current ? 1 : 0),
  );
}
