import { Counter, Histogram, type Registry } from 'prom-client';

/** Seconds: from a cached read (~1 ms) to the AAA deadline's order (10 s). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Methods Node's parser accepts are a fixed list already; the rare ones are folded to keep series few. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The label of a request that matched no route: its URL is never a label. */
export const UNMATCHED_ROUTE = 'unmatched';

/** HTTP requests by route template (`/v2/accounts/:id/aaa`, never the URL), method and status. */
export class HttpMetrics {
  readonly #requests: Counter<'route' | 'method' | 'status'>;
  readonly #duration: Histogram<'route' | 'method' | 'status'>;

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
    const labels = { route: route ?? UNMATCHED_ROUTE, method: METHODS.has(method) ? method : 'other', status: String(status) };
    this.#requests.inc(labels);
    this.#duration.observe(labels, seconds);
  }
}
