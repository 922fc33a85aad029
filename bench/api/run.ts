/**
 * API benchmark: GET …/aaa and GET …/aaa/effective of the 10th level of an account tree, side by
 * side with a direct GET of the same AAA document from the store; served from the store cache
 * (the default, STORE_CACHE=true) and, by a second service on the same store, without it
 * (STORE_CACHE=false), all in one run.
 *
 * Metrics overhead (BENCH_METRICS=true): a third service on the same store with METRICS=false
 * (targets f and g, the same requests as a and b), while a and b's service keeps metrics on and
 * is scraped once a second (GET /metrics with its METRICS_TOKEN, from the load generator's
 * process, as Prometheus would be a process of its own) for as long as a or b is under load;
 * ratios a/f and b/g are the throughput kept with metrics on.
 *
 *   BENCH_METRICS=true BENCH_NO_CACHE=false BENCH_ROUNDS=5 npx tsx bench/api/run.ts
 *
 *   npx tsx bench/api/run.ts          (or npm run bench:api)
 *
 * Environment: BENCH_SECONDS (10) per measurement, BENCH_ROUNDS (3), BENCH_CONNECTIONS (10),
 * BENCH_WARMUP_SECONDS (2) per target before the rounds, BENCH_LOADGEN (`child`: autocannon in a
 * child process; `inline`: in this process), BENCH_NO_CACHE (`true`: also measure the service
 * with STORE_CACHE=false, targets d and e; `false`: only a, b, c), BENCH_RESULTS
 * (bench/api/results.json), BENCH_METRICS (`false`; `true`: targets f and g, see above;
 * `control`: f and g's service has metrics on and is scraped too, an A/A run showing the bias of
 * the set-up itself).
 * Prints a Markdown table to stdout, progress to stderr, and writes the raw numbers as JSON.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { type RunningService, startService } from '../../src/service.js';
import { couchEndpoint } from '../../src/store/database.js';
import { type EmbeddedCouch, startEmbeddedCouch } from '../../src/store/embedded.js';
import { type LoadGenerator, childGenerator, inlineGenerator } from './load-generator.js';
import type { LoadSummary } from './loadgen.js';
import { median } from '../support/median.js';
import { runBenchmark } from '../support/run-main.js';
import { sourceInfo } from '../support/source-info.js';
import { expectStatus, login } from '../support/api-call.js';
import { wholeNumber } from '../support/env.js';
import { translations } from '../support/store-docs.js';

// ---------------------------------------------------------------------------------------------
// Settings

type LoadgenMode = 'child' | 'inline';

const SECONDS = wholeNumber('BENCH_SECONDS', 10, 1);
const ROUNDS = wholeNumber('BENCH_ROUNDS', 3, 1);
const CONNECTIONS = wholeNumber('BENCH_CONNECTIONS', 10, 1);
const WARMUP_SECONDS = wholeNumber('BENCH_WARMUP_SECONDS', 2, 0);
const LOADGEN: LoadgenMode = (() => {
  const raw = process.env.BENCH_LOADGEN || 'child';
  if (raw !== 'child' && raw !== 'inline') throw new Error(`BENCH_LOADGEN must be child or inline, got "${raw}"`);
  return raw;
})();
const NO_CACHE_TARGETS = (() => {
  const raw = process.env.BENCH_NO_CACHE || 'true';
  if (raw !== 'true' && raw !== 'false') throw new Error(`BENCH_NO_CACHE must be true or false, got "${raw}"`);
  return raw === 'true';
})();
const METRICS_MODE = (() => {
  const raw = process.env.BENCH_METRICS || 'false';
  if (raw !== 'true' && raw !== 'false' && raw !== 'control') throw new Error(`BENCH_METRICS must be true, false or control, got "${raw}"`);
  return raw;
})();
const METRICS_TARGETS = METRICS_MODE !== 'false';
/** An A/A run: f and g's service has metrics on and is scraped too, so a/f and b/g show the set-up's own bias. */
const METRICS_CONTROL = METRICS_MODE === 'control';
/** The metrics-on service's scrape credential (METRICS_TOKEN). */
const METRICS_TOKEN = crypto.randomBytes(24).toString('hex');
const SCRAPE_INTERVAL_MS = 1000;
const RESULTS_FILE = path.resolve(process.env.BENCH_RESULTS || fileURLToPath(new URL('./results.json', import.meta.url)));
const DB_PREFIX = 'bench_';
const LEVELS = 10;

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// A small JSON client for the set-up

// ---------------------------------------------------------------------------------------------
// The tree and its documents

function radiusServer(name: string, address: string, port: number, secret: string) {
  return {
    enabled: true,
    name,
    address,
    port,
    secret,
    aaa_engine: 'radius',
    dicts: ['dictionary'],
    avp: 'strict',
    retries: 3,
    timeout: 5000,
  };
}

/** The system document: one server, the last resort of inheritance. */
const systemDoc = {
  aaa_mode: 'on',
  servers: [radiusServer('system-radius', '192.0.2.10', 1812, crypto.randomBytes(12).toString('hex'))],
  authentication: ['system-radius'],
  authorization: ['system-radius'],
  accounting: ['system-radius'],
  workers: 5,
  nas_address: '192.0.2.1',
  nas_port: 1,
  authz_apps: ['circlemaker'],
  authn_avp_translation: translations.slice(0, 2),
  authz_avp_translation: translations.slice(0, 3),
  accounting_avp_translation: translations,
};

/** L1: `on` with two servers; every level below inherits from it. */
const level1Doc = {
  aaa_mode: 'on',
  servers: [
    radiusServer('radius-primary', '198.51.100.11', 1812, crypto.randomBytes(12).toString('hex')),
    radiusServer('radius-secondary', '198.51.100.12', 1812, crypto.randomBytes(12).toString('hex')),
  ],
  authentication: ['radius-primary', 'radius-secondary'],
  authorization: ['radius-primary', 'radius-secondary'],
  accounting: ['radius-primary', 'radius-secondary'],
  workers: 8,
  nas_address: '198.51.100.1',
  nas_port: '2000',
  authz_apps: ['circlemaker', 'jonny5'],
  authn_avp_translation: translations.slice(0, 2),
  authz_avp_translation: translations.slice(0, 3),
  accounting_avp_translation: translations,
  block_accounting: [{ channel: ['inbound', 'internal'] }],
  block_authz: [{ channel: ['outbound', 'internal'] }],
};

/** L2..L10: `inherit` without servers, with their own translations. */
function inheritDoc(level: number) {
  return {
    aaa_mode: 'inherit',
    servers: [],
    workers: 5,
    nas_address: `203.0.113.${level}`,
    authz_apps: ['circlemaker'],
    authn_avp_translation: translations.slice(0, 2),
    authz_avp_translation: translations.slice(0, 3),
    accounting_avp_translation: translations,
  };
}

interface Tree {
  masterId: string;
  /** levels[0] is L1, levels[9] is L10. */
  levels: { id: string; token: string }[];
}

async function buildTree(service: RunningService, masterApiKey: string): Promise<Tree> {
  const base = service.url;
  const masterToken = await login(base, masterApiKey);
  await expectStatus(201, base, 'PUT', '/v1/system_configs/circlemaker', masterToken, systemDoc);
  const levels: Tree['levels'] = [];
  let parent = { id: service.masterAccountId, token: masterToken };
  for (let level = 1; level <= LEVELS; level += 1) {
    // Each level creates its own child with its own token, as a reseller would.
    const created = await expectStatus(201, base, 'PUT', `/v2/accounts/${parent.id}`, parent.token, {
      name: `Bench level ${level}`,
      realm: `l${level}.bench.example.net`,
    });
    const id = String(created.data?.id);
    const apiKey = String(created.data?.api_key);
    const account = { id, token: await login(base, apiKey) };
    const doc = level === 1 ? level1Doc : inheritDoc(level);
    await expectStatus(201, base, 'PUT', `/v2/accounts/${id}/aaa`, account.token, doc);
    levels.push(account);
    parent = account;
  }
  return { masterId: service.masterAccountId, levels };
}

// ---------------------------------------------------------------------------------------------
// Targets

type TargetKey = 'aaa' | 'effective' | 'store' | 'aaaNoCache' | 'effectiveNoCache' | 'aaaNoMetrics' | 'effectiveNoMetrics';

interface Target {
  key: TargetKey;
  /** What the answer must be: the AAA document, the effective configuration, or the stored document. */
  kind: 'aaa' | 'effective' | 'store';
  label: string;
  url: string;
  headers: Record<string, string>;
  /** Size of one response body, from the sanity check. */
  responseBytes?: number;
  /** `/metrics` of the service under load, scraped once a second while it is measured. */
  scrape?: { url: string; headers: Record<string, string> };
}

/**
 * a, b: the service with its store cache (metrics on); c: the store itself; d, e: a second service
 * without the cache; f, g: a third with METRICS=false.
 */
function targetsFor(
  service: RunningService,
  couch: EmbeddedCouch,
  tree: Tree,
  uncached: RunningService | undefined,
  unmetered: RunningService | undefined,
): Target[] {
  const l10 = tree.levels[LEVELS - 1];
  if (!l10) throw new Error('the tree has no 10th level');
  const auth = { 'X-Auth-Token': l10.token, Accept: 'application/json' };
  const targets: Target[] = [
    {
      key: 'aaa',
      kind: 'aaa',
      label: 'a. GET /v2/accounts/{L10}/aaa (cache)',
      url: `${service.url}/v2/accounts/${l10.id}/aaa`,
      headers: auth,
    },
    {
      key: 'effective',
      kind: 'effective',
      label: 'b. GET /v2/accounts/{L10}/aaa/effective (cache)',
      url: `${service.url}/v2/accounts/${l10.id}/aaa/effective`,
      headers: auth,
    },
    {
      key: 'store',
      kind: 'store',
      label: 'c. GET {store}/bench_aaa/{L10} (direct)',
      // The embedded store admits only its credentials; fetch wants them as a header, not in the URL.
      url: `${couchEndpoint(couch.url).base}/${DB_PREFIX}aaa/${l10.id}`,
      headers: { ...couchEndpoint(couch.url).headers, Accept: 'application/json' },
    },
  ];
  if (uncached) {
    // The same token works on both services: the signing key lives in the shared store.
    targets.push(
      {
        key: 'aaaNoCache',
        kind: 'aaa',
        label: 'd. GET /v2/accounts/{L10}/aaa (STORE_CACHE=false)',
        url: `${uncached.url}/v2/accounts/${l10.id}/aaa`,
        headers: auth,
      },
      {
        key: 'effectiveNoCache',
        kind: 'effective',
        label: 'e. GET /v2/accounts/{L10}/aaa/effective (STORE_CACHE=false)',
        url: `${uncached.url}/v2/accounts/${l10.id}/aaa/effective`,
        headers: auth,
      },
    );
  }
  if (unmetered) {
    // Only while a or b is measured: a deployment with METRICS=false is never scraped.
    const scrape = { url: `${service.url}/metrics`, headers: { Authorization: `Bearer ${METRICS_TOKEN}` } };
    for (const target of targets) if (target.key === 'aaa' || target.key === 'effective') target.scrape = scrape;
    const unmeteredAs = METRICS_CONTROL ? 'control: metrics on and scraped too' : 'METRICS=false';
    const controlScrape = METRICS_CONTROL
      ? { scrape: { url: `${unmetered.url}/metrics`, headers: { Authorization: `Bearer ${METRICS_TOKEN}` } } }
      : {};
    targets.push(
      {
        key: 'aaaNoMetrics',
        kind: 'aaa',
        label: `f. GET /v2/accounts/{L10}/aaa (cache, ${unmeteredAs})`,
        url: `${unmetered.url}/v2/accounts/${l10.id}/aaa`,
        headers: auth,
        ...controlScrape,
      },
      {
        key: 'effectiveNoMetrics',
        kind: 'effective',
        label: `g. GET /v2/accounts/{L10}/aaa/effective (cache, ${unmeteredAs})`,
        url: `${unmetered.url}/v2/accounts/${l10.id}/aaa/effective`,
        headers: auth,
        ...controlScrape,
      },
    );
  }
  return targets;
}

/** One request per target before any load: 200, and the answer is the one meant. */
async function sanityCheck(targets: Target[], tree: Tree): Promise<void> {
  const l1 = tree.levels[0]?.id;
  const l10 = tree.levels[LEVELS - 1]?.id;
  for (const target of targets) {
    const response = await fetch(target.url, { headers: target.headers });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${target.label}: status ${response.status} ${text}`);
    target.responseBytes = Buffer.byteLength(text);
    const body = JSON.parse(text) as Record<string, unknown>;
    if (target.kind === 'store') {
      if (body._id !== l10 || body.aaa_mode !== 'inherit') throw new Error(`store GET returned another document: ${text}`);
    } else if (target.kind === 'aaa') {
      const data = body.data as Record<string, unknown> | undefined;
      if (data?.aaa_mode !== 'inherit') throw new Error(`GET …/aaa returned an unexpected document: ${text}`);
    } else {
      const data = body.data as Record<string, { source?: string; chain?: unknown[]; servers?: unknown[] }> | undefined;
      for (const operation of ['authentication', 'authorization', 'accounting']) {
        const answer = data?.[operation];
        if (answer?.source !== l1 || answer?.chain?.length !== LEVELS || answer?.servers?.length !== 2) {
          throw new Error(`effective ${operation} did not resolve to L1's two servers after ${LEVELS} links: ${text}`);
        }
      }
      if (text.includes(String(level1Doc.servers[0]?.secret))) throw new Error('effective configuration shows a secret');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Measurement extends LoadSummary {
  target: TargetKey;
  round: number;
  /** Event-loop utilisation of this process's main thread (service + store) during the run. */
  serverEventLoopUtilization: number;
  /** CPU of this process (all threads: service, store, LevelDB, GC), in cores. */
  serverProcessCpu: number;
}

async function measure(generator: LoadGenerator, target: Target, round: number, seconds: number): Promise<Measurement> {
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const wall = process.hrtime.bigint();
  const summary = await generator.run({
    title: target.key,
    url: target.url,
    headers: target.headers,
    connections: CONNECTIONS,
    duration: seconds,
    ...(target.scrape ? { scrape: { ...target.scrape, intervalMs: SCRAPE_INTERVAL_MS } } : {}),
  });
  if (summary.scrapeFailure) throw new Error(summary.scrapeFailure);
  const cpuUsed = process.cpuUsage(cpu);
  const wallMicros = Number(process.hrtime.bigint() - wall) / 1000;
  return {
    ...summary,
    target: target.key,
    round,
    serverEventLoopUtilization: performance.eventLoopUtilization(elu).utilization,
    serverProcessCpu: (cpuUsed.user + cpuUsed.system) / wallMicros,
  };
}

/** Every response 200, no connection errors or timeouts; otherwise the run is worthless. */
function failures(m: Measurement): string[] {
  const problems: string[] = [];
  const other = Object.entries(m.statusCodes).filter(([code]) => code !== '200');
  if (m.non2xx > 0 || other.length > 0) {
    problems.push(`${m.target} round ${m.round}: ${m.non2xx} non-2xx, status codes ${JSON.stringify(m.statusCodes)}`);
  }
  if (m.errors > 0 || m.timeouts > 0) problems.push(`${m.target} round ${m.round}: ${m.errors} errors, ${m.timeouts} timeouts`);
  if (m.completed === 0) problems.push(`${m.target} round ${m.round}: no request completed`);
  return problems;
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;

// ---------------------------------------------------------------------------------------------

interface TargetResult {
  key: TargetKey;
  label: string;
  url: string;
  responseBytes: number | undefined;
  medianRequestsPerSecond: number;
  medianP99Ms: number;
  medianP50Ms: number;
  medianServerEventLoopUtilization: number;
  medianServerProcessCpu: number;
  medianLoadgenCpu: number | null;
  rounds: Measurement[];
}

function summarise(targets: Target[], measurements: Measurement[]): TargetResult[] {
  return targets.map((target) => {
    const rounds = measurements.filter((m) => m.target === target.key);
    return {
      key: target.key,
      label: target.label,
      url: target.url.replace(/\/v2\/accounts\/[0-9a-f]{32}/, '/v2/accounts/{L10}'),
      responseBytes: target.responseBytes,
      medianRequestsPerSecond: median(rounds.map((m) => m.requestsPerSecond)),
      medianP99Ms: median(rounds.map((m) => m.latencyMs.p99)),
      medianP50Ms: median(rounds.map((m) => m.latencyMs.p50)),
      medianServerEventLoopUtilization: median(rounds.map((m) => m.serverEventLoopUtilization)),
      medianServerProcessCpu: median(rounds.map((m) => m.serverProcessCpu)),
      medianLoadgenCpu: LOADGEN === 'inline' ? null : median(rounds.map((m) => m.loadgenCpu ?? Number.NaN)),
      rounds,
    };
  });
}

interface Ratio {
  label: string;
  requestsPerSecond: number;
  p99: number;
  /** The median over rounds of each round's own ratio (both targets ran in the same round). */
  perRoundRequestsPerSecond: number;
  /** CPU per request of the bottom target ÷ the top's (this process's CPU ÷ requests, medians): below 1 when the top costs more. */
  cpuPerRequest: number;
}

function ratiosOf(results: TargetResult[]): Ratio[] {
  const by = (key: TargetKey) => results.find((r) => r.key === key);
  const pairs: [TargetKey, TargetKey, string][] = [
    ['aaa', 'store', 'a/c (…/aaa, cache, vs store)'],
    ['effective', 'store', 'b/c (…/aaa/effective, cache, vs store)'],
    ['aaaNoCache', 'store', 'd/c (…/aaa, no cache, vs store)'],
    ['effectiveNoCache', 'store', 'e/c (…/aaa/effective, no cache, vs store)'],
    ['aaa', 'aaaNoCache', 'a/d (…/aaa: cache vs no cache)'],
    ['effective', 'effectiveNoCache', 'b/e (…/aaa/effective: cache vs no cache)'],
    ['aaa', 'aaaNoMetrics', 'a/f (…/aaa: metrics on and scraped every second vs METRICS=false)'],
    ['effective', 'effectiveNoMetrics', 'b/g (…/aaa/effective: metrics on and scraped every second vs METRICS=false)'],
  ];
  return pairs.flatMap(([top, bottom, label]) => {
    const x = by(top);
    const y = by(bottom);
    if (!x || !y) return [];
    const perRound = x.rounds.flatMap((m) => {
      const other = y.rounds.find((n) => n.round === m.round);
      return other ? [m.requestsPerSecond / other.requestsPerSecond] : [];
    });
    const cpuPerRequest = (r: TargetResult) => median(r.rounds.map((m) => m.serverProcessCpu / m.requestsPerSecond));
    return [
      {
        label,
        requestsPerSecond: x.medianRequestsPerSecond / y.medianRequestsPerSecond,
        p99: x.medianP99Ms / y.medianP99Ms,
        perRoundRequestsPerSecond: median(perRound),
        cpuPerRequest: cpuPerRequest(y) / cpuPerRequest(x),
      },
    ];
  });
}

function markdown(results: TargetResult[], ratios: Ratio[], machine: Record<string, unknown>): string {
  const lines = [
    `### ${new Date().toISOString()} — ${CONNECTIONS} connections, ${SECONDS} s × ${ROUNDS} rounds per target, load generator: ${LOADGEN}`,
    '',
    '| target | req/s (median) | p99 ms (median) | p50 ms (median) | req/s per round | p99 ms per round | body bytes | service+store thread busy | service+store process CPU (cores) | load generator CPU (cores) |',
    '| --- | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.label} | ${round1(r.medianRequestsPerSecond)} | ${r.medianP99Ms} | ${r.medianP50Ms} | ${r.rounds
        .map((m) => round1(m.requestsPerSecond))
        .join(' / ')} | ${r.rounds.map((m) => m.latencyMs.p99).join(' / ')} | ${r.responseBytes ?? '?'} | ${Math.round(
        r.medianServerEventLoopUtilization * 100,
      )} % | ${round2(r.medianServerProcessCpu)} | ${r.medianLoadgenCpu === null ? 'n/a (same process)' : round2(r.medianLoadgenCpu)} |`,
    );
  }
  lines.push(
    '',
    '| ratio | req/s (ratio of medians) | req/s (median of per-round ratios) | CPU per request (bottom ÷ top) | p99 |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...ratios.map(
      (r) =>
        `| ${r.label} | ${round2(r.requestsPerSecond)} (${r.requestsPerSecond.toFixed(3)}) | ${r.perRoundRequestsPerSecond.toFixed(3)} | ${r.cpuPerRequest.toFixed(3)} | ${round2(r.p99)} |`,
    ),
    '',
    `Machine: ${String(machine.cpuModel)}, ${String(machine.cpuCount)} CPUs, Node ${String(machine.node)}, ${String(machine.platform)}, load average at start ${String(machine.loadAverageAtStart)}.`,
    'Rounds alternate the targets (order rotates each round); medians are over rounds; every response was 200.',
  );
  if (LOADGEN === 'inline') lines.push('Load generator inline: the thread and process figures include autocannon itself.');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const machine = {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cpuCount: os.cpus().length,
    availableParallelism: os.availableParallelism(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    totalMemoryMiB: Math.round(os.totalmem() / 1024 / 1024),
    loadAverageAtStart: os.loadavg().map(round2).join(' '),
  };
  const source = sourceInfo();
  if (source.uncommittedSrcChanges?.length) {
    progress(
      `note: src/ has uncommitted changes, measured as they are: ${source.uncommittedSrcChanges.map((line) => line.trim()).join(', ')}`,
    );
  }
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'circlemaker-bench-'));
  let couch: EmbeddedCouch | undefined;
  let service: RunningService | undefined;
  let uncached: RunningService | undefined;
  let unmetered: RunningService | undefined;
  let generator: LoadGenerator | undefined;
  try {
    couch = await startEmbeddedCouch({ dataDir: path.join(tmp, 'store'), host: '127.0.0.1', port: 0 });
    const masterApiKey = crypto.randomBytes(32).toString('hex');
    service = await startService(
      loadConfig({
        PORT: '0',
        DATA_DIR: path.join(tmp, 'service'),
        COUCHDB_URL: couch.url,
        DB_PREFIX,
        AAA_MASTER_API_KEY: masterApiKey,
        METRICS_TOKEN,
        LOG_LEVEL: 'warn',
      }),
      createLogger('warn'),
    );
    progress(`service ${service.url}, store ${new URL(couch.url).host}, data in ${tmp}`);

    const setupStarted = performance.now();
    const tree = await buildTree(service, masterApiKey);
    progress(`built master → L1 … L${LEVELS} with AAA documents in ${Math.round(performance.now() - setupStarted)} ms`);
    if (NO_CACHE_TARGETS) {
      // A second instance on the same store and database prefix, reading the store on every request.
      uncached = await startService(
        loadConfig({
          PORT: '0',
          DATA_DIR: path.join(tmp, 'service-no-cache'),
          COUCHDB_URL: couch.url,
          DB_PREFIX,
          AAA_MASTER_API_KEY: masterApiKey,
          STORE_CACHE: 'false',
          LOG_LEVEL: 'warn',
        }),
        createLogger('warn'),
      );
      progress(`service without the store cache (STORE_CACHE=false) ${uncached.url}`);
    }
    if (METRICS_TARGETS) {
      unmetered = await startService(
        loadConfig({
          PORT: '0',
          DATA_DIR: path.join(tmp, 'service-no-metrics'),
          COUCHDB_URL: couch.url,
          DB_PREFIX,
          AAA_MASTER_API_KEY: masterApiKey,
          METRICS: METRICS_CONTROL ? 'true' : 'false',
          METRICS_TOKEN,
          LOG_LEVEL: 'warn',
        }),
        createLogger('warn'),
      );
      progress(
        `service ${METRICS_CONTROL ? 'with metrics too (A/A control)' : 'without metrics (METRICS=false)'} ${unmetered.url}; ${service.url}/metrics scraped every ${SCRAPE_INTERVAL_MS} ms while a or b runs`,
      );
    }
    const targets = targetsFor(service, couch, tree, uncached, unmetered);
    await sanityCheck(targets, tree);

    generator = LOADGEN === 'child' ? await childGenerator() : inlineGenerator();
    if (WARMUP_SECONDS > 0) {
      for (const target of targets) {
        const warm = await measure(generator, target, 0, WARMUP_SECONDS);
        const problems = failures(warm);
        if (problems.length > 0) throw new Error(`warm-up failed:\n${problems.join('\n')}`);
      }
      progress(`warmed up (${WARMUP_SECONDS} s per target)`);
    }

    const measurements: Measurement[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      // Rotate the order, so no target always runs first or after the same neighbour.
      const order = targets.map((_, i) => targets[(i + round - 1) % targets.length] as Target);
      for (const target of order) {
        const m = await measure(generator, target, round, SECONDS);
        progress(
          `round ${round}/${ROUNDS} ${target.key}: ${round1(m.requestsPerSecond)} req/s, p99 ${m.latencyMs.p99} ms, ` +
            `statuses ${JSON.stringify(m.statusCodes)}, service thread ${Math.round(m.serverEventLoopUtilization * 100)} % busy` +
            (m.scrapes > 0 ? `, ${m.scrapes} scrapes of ${m.scrapeBytes} bytes` : ''),
        );
        const problems = failures(m);
        if (problems.length > 0) throw new Error(`responses other than 200:\n${problems.join('\n')}`);
        measurements.push(m);
      }
    }

    const results = summarise(targets, measurements);
    const ratios = ratiosOf(results);
    process.stdout.write(`\n${markdown(results, ratios, machine)}\n`);
    const report = {
      date: new Date().toISOString(),
      command: `${METRICS_TARGETS ? `BENCH_METRICS=${METRICS_MODE} ` : ''}npx tsx bench/api/run.ts`,
      settings: {
        seconds: SECONDS,
        rounds: ROUNDS,
        connections: CONNECTIONS,
        warmupSeconds: WARMUP_SECONDS,
        loadgen: LOADGEN,
        noCacheTargets: NO_CACHE_TARGETS,
        metricsTargets: METRICS_TARGETS,
        scrapeIntervalMs: METRICS_TARGETS ? SCRAPE_INTERVAL_MS : null,
      },
      machine,
      source,
      tree: { levels: LEVELS, master: tree.masterId, accounts: tree.levels.map((l) => l.id) },
      results,
      ratios,
    };
    await fs.writeFile(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
    progress(`wrote ${path.relative(process.cwd(), RESULTS_FILE)}`);
  } finally {
    await generator?.close();
    await uncached?.close();
    await unmetered?.close();
    await service?.close();
    await couch?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

runBenchmark(main);
