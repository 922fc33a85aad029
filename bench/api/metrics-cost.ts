/**
 * The cost of metrics in isolation, CPU time on one thread, so it can be read against the noisy
 * end-to-end comparison in run.ts (BENCH_METRICS=true): what the request path pays per HTTP
 * request, per store call and per RADIUS exchange, and what one scrape of `/metrics` costs with
 * many series held (every route × method × a few statuses, 64 RADIUS servers × 3 operations, the
 * store's databases).
 *
 *   npx tsx bench/api/metrics-cost.ts       (BENCH_ITERATIONS=200000, BENCH_SCRAPES=200)
 */
import { performance } from 'node:perf_hooks';
import { WorkerPools } from '../../src/aaa/worker-pool.js';
import { AuthFailureLimiter } from '../../src/accounts/auth-failures.js';
import { DictionaryCompiler } from '../../src/dictionary/dictionary-compiler.js';
import { ServiceMetrics } from '../../src/metrics/service-metrics.js';
import { ServerHealth } from '../../src/radius/server-health.js';
import { median } from '../support/median.js';
import { runBenchmark } from '../support/run-main.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS || 200_000);
const SCRAPES = Number(process.env.BENCH_SCRAPES || 200);

/** Nanoseconds per call of `fn`, median of 5 runs of ITERATIONS. */
function perCall(fn: (i: number) => void): number {
  const runs: number[] = [];
  for (let run = 0; run < 5; run += 1) {
    const started = performance.now();
    for (let i = 0; i < ITERATIONS; i += 1) fn(i);
    runs.push(((performance.now() - started) * 1e6) / ITERATIONS);
  }
  return median(runs);
}

async function main(): Promise<void> {
  const metrics = new ServiceMetrics('bench_');
  metrics.watch({
    pools: new WorkerPools(),
    health: new ServerHealth({ prober: async () => true }),
    dictionaryCompiler: new DictionaryCompiler(),
    effective: { memoStats: () => ({ entries: 0, bytes: 0, maxBytes: 16 * 1024 * 1024 }) },
    logins: new AuthFailureLimiter(10, 60_000),
    feeds: {},
  });
  const routes = Array.from({ length: 40 }, (_, i) => `/v2/accounts/:accountId/route${i}`);
  const statuses = [200, 201, 404];
  const databases = ['accounts', 'aaa', 'aaa_dicts', 'system_config', 'conflicts'];
  const servers = Array.from({ length: 64 }, (_, i) => `192.0.2.${i}:1812`);
  const operations = ['authentication', 'authorization', 'accounting'] as const;

  const http = perCall((i) => metrics.http.observe(routes[i % routes.length], 'GET', statuses[i % 3] as number, 0.002));
  const store = perCall((i) => metrics.store.observer('GET', `/bench_${databases[i % databases.length]}/doc${i}`, 200, 0.001));
  const radius = perCall((i) =>
    metrics.radius.exchanged(operations[i % 3] as (typeof operations)[number], servers[i % servers.length] as string, 'accept', 1.5, 1),
  );

  const scrapeMs: number[] = [];
  let bytes = 0;
  for (let i = 0; i < SCRAPES; i += 1) {
    const started = performance.now();
    bytes = Buffer.byteLength(await metrics.scrape());
    scrapeMs.push(performance.now() - started);
  }
  const scrape = median(scrapeMs);
  const lines = [
    `| what | cost (median) |`,
    `| --- | ---: |`,
    `| HTTP request observed (counter + histogram, ${routes.length * statuses.length} series) | ${http.toFixed(0)} ns |`,
    `| store call observed (histogram; ${databases.length} databases) | ${store.toFixed(0)} ns |`,
    `| RADIUS exchange observed (counter, transmissions, RTT histogram; ${servers.length} servers × 3 operations) | ${radius.toFixed(0)} ns |`,
    `| one scrape of /metrics (${bytes} bytes) | ${scrape.toFixed(2)} ms |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  process.stdout.write(
    `\nAt 4,000 req/s with one store call each and a scrape a second: ${(((http + store) * 4000) / 1e7 + scrape / 10).toFixed(2)} % of one core.\n`,
  );
}

runBenchmark(main);
