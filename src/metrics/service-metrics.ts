import { Registry, collectDefaultMetrics } from 'prom-client';
import type { WorkerPools } from '../aaa/worker-pool.js';
import type { AuthFailureLimiter } from '../accounts/auth-failures.js';
import type { DictionaryCompiler } from '../dictionary/dictionary-compiler.js';
import type { ServerHealth } from '../radius/server-health.js';
import { HttpMetrics } from './http-metrics.js';
import {
  type EffectiveCacheStats,
  type FeedState,
  watchDictionaryCache,
  watchEffectiveCache,
  watchFeeds,
  watchLogins,
  watchPools,
} from './pulled-metrics.js';
import { RadiusMetrics } from './radius-metrics.js';
import { StoreMetrics } from './store-metrics.js';

/** What is read at scrape time, once the service is wired. */
export interface MetricSources {
  pools: WorkerPools;
  health: ServerHealth;
  dictionaryCompiler: DictionaryCompiler;
  effective: EffectiveCacheStats;
  logins: AuthFailureLimiter;
  /** The changes feeds followed, by database key: the store mirrors' (when the store cache is on) and the subscriber cache's. */
  feeds: Readonly<Record<string, FeedState>>;
}

/**
 * One service's metrics, in a registry of its own (not prom-client's global one), so two services
 * in one process never share or collide. The push side (`http`, `radius`, `store`) exists before
 * the store is opened; `watch` adds what is read from the services at scrape time.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly http: HttpMetrics;
  readonly radius: RadiusMetrics;
  readonly store: StoreMetrics;

  constructor(dbPrefix: string) {
    collectDefaultMetrics({ register: this.registry });
    this.http = new HttpMetrics();
    this.radius = new RadiusMetrics(this.registry);
    this.store = new StoreMetrics(this.registry, dbPrefix);
  }

  watch(sources: MetricSources): void {
    watchPools(this.registry, sources.pools);
    watchDictionaryCache(this.registry, sources.dictionaryCompiler);
    watchEffectiveCache(this.registry, sources.effective);
    watchLogins(this.registry, sources.logins);
    this.radius.watchHealth(this.registry, sources.health);
    watchFeeds(this.registry, sources.feeds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every metric: the registry's, then the HTTP metrics' own. */
  async scrape(): Promise<string> {
    return `${await this.registry.metrics()}\n${this.http.exposition()}`;
  }
}
