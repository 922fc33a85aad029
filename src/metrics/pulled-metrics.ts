/**
 * Metrics read at scrape time from the stats the services already keep: nothing is added to the
 * request paths for these.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { WorkerPools } from '../aaa/worker-pool.js';
import type { AuthFailureLimiter } from '../accounts/auth-failures.js';
import type { DictionaryCompiler } from '../dictionary/dictionary-compiler.js';
import type { CachedStore, DatabaseKey } from '../store/store-cache.js';

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
    'circlemaker_dictionary_cache_lists',
    'Compiled dictionary lists (compositions) held',
    () => compiler.stats().lists,
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

const FEEDS: readonly DatabaseKey[] = ['accounts', 'aaa', 'dictionaries', 'system'];

/** The changes feeds of the store mirrors, per database (its key, not its prefixed name). */
export function watchFeeds(registry: Registry, store: CachedStore, now: () => number = Date.now): void {
  const perFeed = (name: string, help: string, read: (feed: CachedStore[DatabaseKey]['follower']) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['database'],
      registers: [registry],
      collect() {
        this.reset();
        for (const database of FEEDS) {
          const value = read(store[database].follower);
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
}
