import { Counter, Histogram, type Registry } from 'prom-client';

/** Seconds: from a cached read (~1 ms) to the AAA deadline's order (10 s). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Methods Node's parser accepts are a fixed list already; the rare ones are folded to keep series few. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The label of a request that matched no route: its URL is never a label. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Label sets kept bound; routes, methods and statuses are few, so this is never reached in practice. */
const MAX_BOUND_SERIES = 4_096;

interface BoundSeries {
  requests: { inc(): void };
  duration: { observe(value: number): void };
}

/** HTTP requests by route template (`/v2/accounts/:id/aaa`, never the URL), method and status. */
export class HttpMetrics {
  readonly #requests: Counter<'route' | 'method' | 'status'>;
  readonly #duration: Histogram<'route' | 'method' | 'status'>;
  /**
   * prom-client validates and hashes a label object on every `inc`/`observe`; a series bound once
   * per (route, method, status) skips that on the path every request takes.
   */
  readonly #bound = new Map<string, BoundSeries>();

  constructor(registry: Registry) {
    const labelNames = ['route', 'method', 'status'] as const;
    this.#requests = new Counter({
      name: 'circlemaker_http_requests_total',
      help: 'HTTP requests answered, by route template, method and status',
      labelNames,
      registers: [registry],
    });
    this.#duration = new Histogram({
      name: 'circlemaker_http_request_duration_seconds',
      help: 'Time from the request to its answer, by route template, method and status',
      labelNames,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
  }

  /** `route` is the router's template, or undefined when none matched. */
  observe(route: string | undefined, method: string, status: number, seconds: number): void {
    const series = this.#series(route ?? UNMATCHED_ROUTE, METHODS.has(method) ? method : 'other', status);
    series.requests.inc();
    series.duration.observe(seconds);
  }

  #series(route: string, method: string, status: number): BoundSeries {
    const key = `${route} ${method} ${status}`;
    let series = this.#bound.get(key);
    if (!series) {
      const labels = { route, method, status: String(status) };
      series = { requests: this.#requests.labels(labels), duration: this.#duration.labels(labels) };
      if (this.#bound.size < MAX_BOUND_SERIES) this.#bound.set(key, series);
    }
    return series;
  }
}
