/** Seconds: from a cached read (~1 ms) to the AAA deadline's order (10 s). */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

/** Methods Node's parser accepts are a fixed list already; the rare ones are folded to keep series few. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The label of a request that matched no route: its URL is never a label. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Label sets kept; routes, methods and statuses are few, so this is never reached in practice.
 * Beyond it, requests are still counted under `route="overflow"`, never dropped.
 */
const MAX_SERIES = 4_096;
const OVERFLOW = 'overflow';

const REQUESTS = 'circlemaker_http_requests_total';
const DURATION = 'circlemaker_http_request_duration_seconds';

interface Series {
  /** `route="…",method="…",status="…"`, escaped once. */
  labels: string;
  /** Per bucket, not cumulative (summed at scrape); the last slot is beyond the last bound. */
  buckets: Float64Array;
  count: number;
  sum: number;
}

/** The text format's label-value escaping: backslash, double quote, newline. */
const escapeLabel = (value: string): string => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** A number as the text format writes it (`+Inf`, not `Infinity`). */
const formatNumber = (value: number): string => (value === Number.POSITIVE_INFINITY ? '+Inf' : String(value));

/**
 * HTTP requests by route template (`/v2/accounts/:id/aaa`, never the URL), method and status: a
 * counter and a latency histogram.
 *
 * Every request takes this path, so it is plain arithmetic on a series found by one map look-up;
 * prom-client validates and hashes a label object on every `inc`/`observe`, even on a bound child,
 * which measured several per cent of a cached GET (BENCHMARKS.md). The exposition is written here
 * in prom-client's format and appended to its registry's (ServiceMetrics.scrape); a test holds the
 * two to the same samples.
 */
export class HttpMetrics {
  readonly #series = new Map<string, Series>();

  /** `route` is the router's template, or undefined when none matched. */
  observe(route: string | undefined, method: string, status: number, seconds: number): void {
    const series = this.#find(route ?? UNMATCHED_ROUTE, METHODS.has(method) ? method : 'other', status);
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS.length && seconds > (LATENCY_BUCKETS[bucket] as number)) bucket += 1;
    series.buckets[bucket] = (series.buckets[bucket] as number) + 1;
    series.count += 1;
    series.sum += seconds;
  }

  #find(route: string, method: string, status: number): Series {
    const key = `${route} ${method} ${status}`;
    const found = this.#series.get(key);
    if (found) return found;
    if (this.#series.size >= MAX_SERIES) return this.#find(OVERFLOW, method, status);
    const series: Series = {
      labels: `route="${escapeLabel(route)}",method="${escapeLabel(method)}",status="${status}"`,
      buckets: new Float64Array(LATENCY_BUCKETS.length + 1),
      count: 0,
      sum: 0,
    };
    this.#series.set(key, series);
    return series;
  }

  /** The Prometheus text exposition of both metrics. */
  exposition(): string {
    const lines = [`# HELP ${REQUESTS} HTTP requests answered, by route template, method and status`, `# TYPE ${REQUESTS} counter`];
    for (const series of this.#series.values()) lines.push(`${REQUESTS}{${series.labels}} ${series.count}`);
    lines.push(
      `# HELP ${DURATION} Time from the request to its answer, by route template, method and status`,
      `# TYPE ${DURATION} histogram`,
    );
    for (const series of this.#series.values()) {
      let cumulative = 0;
      for (let bucket = 0; bucket <= LATENCY_BUCKETS.length; bucket += 1) {
        cumulative += series.buckets[bucket] as number;
        const bound = formatNumber(LATENCY_BUCKETS[bucket] ?? Number.POSITIVE_INFINITY);
        lines.push(`${DURATION}_bucket{le="${bound}",${series.labels}} ${cumulative}`);
      }
      lines.push(`${DURATION}_sum{${series.labels}} ${series.sum}`, `${DURATION}_count{${series.labels}} ${series.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
