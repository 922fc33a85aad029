/**
 * Depth benchmark (issue 9, goal 5): cached `GET /v2/accounts/{ID}/aaa/effective` of an account at
 * depth 1 and of one at depth 50 of the same tree, beside a raw store GET of one AAA document.
 *
 *   npx tsx bench/aaa/effective-depth.ts
 *
 * Environment: BENCH_SECONDS (10) per measurement, BENCH_ROUNDS (3), BENCH_CONNECTIONS (10),
 * BENCH_WARMUP_SECONDS (2) per target, BENCH_DEPTH (50), BENCH_TARGETS (d1,dN,store: a subset, e.g.
 * under a profiler), BENCH_RESULTS (bench/aaa/effective-depth-results.json).
 *
 * Set-up as bench/api/run.ts: the embedded store and the service (STORE_CACHE on, LOG_LEVEL warn)
 * in this process, autocannon in a child process. The tree is master → L1 → … → L50, each level
 * created by its parent's token; the system document and L1 are `on` with servers, every level
 * below `inherit` without servers, so L50's answer walks 50 links up to L1 and L1's stops at
 * itself. Targets, rotated each round: d1 (L1's effective, L1's token), dN (L50's, L50's token),
 * store (GET {store}/bench_aaa/{L50}, the store's own credentials). Medians over rounds.
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
import { type LoadGenerator, childGenerator } from '../api/load-generator.js';
import type { LoadSummary } from '../api/loadgen.js';
import { median } from '../support/median.js';
import { runBenchmark } from '../support/run-main.js';
import { sourceInfo } from '../support/source-info.js';
import { expectStatus, login } from '../support/api-call.js';
import { wholeNumber } from '../support/env.js';

const SECONDS = wholeNumber('BENCH_SECONDS', 10, 1);
const ROUNDS = wholeNumber('BENCH_ROUNDS', 3, 1);
const CONNECTIONS = wholeNumber('BENCH_CONNECTIONS', 10, 1);
const WARMUP_SECONDS = wholeNumber('BENCH_WARMUP_SECONDS', 2, 0);
const DEPTH = wholeNumber('BENCH_DEPTH', 50, 2);
const RESULTS = path.resolve(process.env.BENCH_RESULTS || fileURLToPath(new URL('./effective-depth-results.json', import.meta.url)));
const DB_PREFIX = 'bench_';
const progress = (message: string) => process.stderr.write(`[bench:depth] ${message}\n`);
const round1 = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;

const server = (name: string, address: string) => ({
  enabled: true,
  name,
  address,
  port: 1812,
  secret: crypto.randomBytes(12).toString('hex'),
  dicts: ['dictionary'],
});

function onDoc(names: [string, string][]) {
  return {
    aaa_mode: 'on',
    servers: names.map(([name, address]) => server(name, address)),
    authentication: names.map(([name]) => name),
    authorization: names.map(([name]) => name),
    accounting: names.map(([name]) => name),
    workers: 8,
    authn_avp_translation: [
      { attribute: 'User-Name', request_key: 'User-Name', request_value_regexp: '^(.*)$', attr_value_regexp: '^(.*)$' },
    ],
  };
}

const inheritDoc = (level: number) => ({ aaa_mode: 'inherit', servers: [], nas_address: `203.0.113.${level % 250}` });

interface Level {
  id: string;
  token: string;
}

async function buildTree(service: RunningService, masterApiKey: string): Promise<Level[]> {
  const base = service.url;
  const masterToken = await login(base, masterApiKey);
  await expectStatus(201, base, 'PUT', '/v1/system_configs/circlemaker', masterToken, onDoc([['system-radius', '192.0.2.10']]));
  const levels: Level[] = [];
  let parent: Level = { id: service.masterAccountId, token: masterToken };
  for (let level = 1; level <= DEPTH; level += 1) {
    const created = await expectStatus(201, base, 'PUT', `/v2/accounts/${parent.id}`, parent.token, {
      name: `Depth ${level}`,
      realm: `d${level}.bench.example.net`,
    });
    const account = { id: String(created.data?.id), token: await login(base, String(created.data?.api_key)) };
    const doc =
      level === 1
        ? onDoc([
            ['radius-primary', '198.51.100.11'],
            ['radius-secondary', '198.51.100.12'],
          ])
        : inheritDoc(level);
    await expectStatus(201, base, 'PUT', `/v2/accounts/${account.id}/aaa`, account.token, doc);
    levels.push(account);
    parent = account;
  }
  return levels;
}

interface Target {
  key: 'd1' | 'dN' | 'store';
  label: string;
  url: string;
  headers: Record<string, string>;
  /** Links the answer's chain must have (effective targets only). */
  chainLength?: number;
  bytes?: number;
}

async function sanityCheck(target: Target, l1: string): Promise<void> {
  const response = await fetch(target.url, { headers: target.headers });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${target.label}: ${response.status} ${text}`);
  target.bytes = Buffer.byteLength(text);
  if (target.chainLength === undefined) return;
  const data = (JSON.parse(text) as { data: Record<string, { source: string; chain: unknown[]; servers: unknown[] }> }).data;
  for (const operation of ['authentication', 'authorization', 'accounting']) {
    const answer = data[operation];
    if (answer?.source !== l1 || answer.chain.length !== target.chainLength || answer.servers.length !== 2) {
      throw new Error(`${target.label}: ${operation} did not resolve to L1 through ${target.chainLength} links: ${text.slice(0, 400)}`);
    }
  }
}

interface Measurement extends LoadSummary {
  target: Target['key'];
  round: number;
  serverEventLoopUtilization: number;
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
  });
  const used = process.cpuUsage(cpu);
  const measurement = {
    ...summary,
    target: target.key,
    round,
    serverEventLoopUtilization: performance.eventLoopUtilization(elu).utilization,
    serverProcessCpu: (used.user + used.system) / (Number(process.hrtime.bigint() - wall) / 1000),
  };
  const other = Object.keys(summary.statusCodes).filter((code) => code !== '200');
  if (summary.non2xx > 0 || other.length > 0 || summary.errors > 0 || summary.timeouts > 0 || summary.completed === 0) {
    throw new Error(
      `${target.key} round ${round}: statuses ${JSON.stringify(summary.statusCodes)}, ${summary.errors} errors, ${summary.timeouts} timeouts`,
    );
  }
  return measurement;
}

async function main(): Promise<void> {
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    node: process.version,
    loadAverageAtStart: os.loadavg().map(round2).join(' '),
  };
  const source = sourceInfo();
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'circlemaker-bench-depth-'));
  let couch: EmbeddedCouch | undefined;
  let service: RunningService | undefined;
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
        LOG_LEVEL: 'warn',
      }),
      createLogger('warn'),
    );
    const started = performance.now();
    const levels = await buildTree(service, masterApiKey);
    progress(`built master → L1 … L${DEPTH} in ${Math.round(performance.now() - started)} ms`);
    const l1 = levels[0] as Level;
    const deepest = levels[DEPTH - 1] as Level;
    const store = couchEndpoint(couch.url);
    const targets: Target[] = [
      {
        key: 'd1',
        label: 'GET /v2/accounts/{L1}/aaa/effective (depth 1)',
        url: `${service.url}/v2/accounts/${l1.id}/aaa/effective`,
        headers: { 'X-Auth-Token': l1.token },
        chainLength: 1,
      },
      {
        key: 'dN',
        label: `GET /v2/accounts/{L${DEPTH}}/aaa/effective (depth ${DEPTH})`,
        url: `${service.url}/v2/accounts/${deepest.id}/aaa/effective`,
        headers: { 'X-Auth-Token': deepest.token },
        chainLength: DEPTH,
      },
      {
        key: 'store',
        label: `GET {store}/bench_aaa/{L${DEPTH}} (raw store GET)`,
        url: `${store.base}/${DB_PREFIX}aaa/${deepest.id}`,
        headers: { ...store.headers, Accept: 'application/json' },
      },
    ];
    for (const target of targets) await sanityCheck(target, l1.id);
    // BENCH_TARGETS=dN (say) measures only some, e.g. under a profiler.
    const only = process.env.BENCH_TARGETS?.split(',');
    if (only) targets.splice(0, targets.length, ...targets.filter((target) => only.includes(target.key)));
    generator = await childGenerator();
    for (const target of targets) if (WARMUP_SECONDS > 0) await measure(generator, target, 0, WARMUP_SECONDS);
    const measurements: Measurement[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      const order = targets.map((_, i) => targets[(i + round - 1) % targets.length] as Target);
      for (const target of order) {
        const m = await measure(generator, target, round, SECONDS);
        progress(
          `round ${round}/${ROUNDS} ${target.key}: ${round1(m.requestsPerSecond)} req/s, p99 ${m.latencyMs.p99} ms, thread ${Math.round(m.serverEventLoopUtilization * 100)} % busy`,
        );
        measurements.push(m);
      }
    }
    const results = targets.map((target) => {
      const rounds = measurements.filter((m) => m.target === target.key);
      return {
        key: target.key,
        label: target.label,
        bytes: target.bytes,
        medianRequestsPerSecond: median(rounds.map((m) => m.requestsPerSecond)),
        medianP99Ms: median(rounds.map((m) => m.latencyMs.p99)),
        medianServerProcessCpu: median(rounds.map((m) => m.serverProcessCpu)),
        // Less sensitive than req/s to what else the shared machine runs: CPU of this process per answer.
        medianCpuMicrosPerRequest: median(rounds.map((m) => (m.serverProcessCpu * 1e6) / m.requestsPerSecond)),
        perRound: rounds.map((m) => round1(m.requestsPerSecond)),
      };
    });
    const rate = (key: Target['key']) => results.find((r) => r.key === key)?.medianRequestsPerSecond ?? Number.NaN;
    const cpu = (key: Target['key']) => results.find((r) => r.key === key)?.medianCpuMicrosPerRequest ?? Number.NaN;
    // Per-round ratios too: rounds share the machine's moment, so they are the fairer comparison.
    const perRound = (top: Target['key'], bottom: Target['key']) =>
      Array.from({ length: ROUNDS }, (_, i) => {
        const at = (key: Target['key']) => measurements.find((m) => m.target === key && m.round === i + 1)?.requestsPerSecond ?? Number.NaN;
        return round2(at(top) / at(bottom));
      });
    const ratios = {
      depthNOverDepth1: round2(rate('dN') / rate('d1')),
      depthNOverDepth1PerRound: perRound('dN', 'd1'),
      depthNOverStore: round2(rate('dN') / rate('store')),
      depth1OverStore: round2(rate('d1') / rate('store')),
      cpuPerRequestDepth1OverDepthN: round2(cpu('d1') / cpu('dN')),
      cpuPerRequestStoreOverDepthN: round2(cpu('store') / cpu('dN')),
    };
    const lines = [
      `### ${new Date().toISOString()}: depth 1 vs depth ${DEPTH} vs raw store GET; ${CONNECTIONS} connections, ${SECONDS} s × ${ROUNDS} rounds`,
      '',
      '| target | req/s (median) | p99 ms | req/s per round | body bytes | service+store CPU (cores) | CPU µs per request (median) |',
      '| --- | ---: | ---: | --- | ---: | ---: | ---: |',
      ...results.map(
        (r) =>
          `| ${r.label} | ${round1(r.medianRequestsPerSecond)} | ${r.medianP99Ms} | ${r.perRound.join(' / ')} | ${r.bytes} | ${round2(r.medianServerProcessCpu)} | ${Math.round(r.medianCpuMicrosPerRequest)} |`,
      ),
      '',
      `depth ${DEPTH} / depth 1: ${ratios.depthNOverDepth1} (per round ${ratios.depthNOverDepth1PerRound.join(' / ')}); depth ${DEPTH} / store: ${ratios.depthNOverStore}; depth 1 / store: ${ratios.depth1OverStore}`,
      `CPU per request: depth 1 / depth ${DEPTH} ${ratios.cpuPerRequestDepth1OverDepthN} (≥ 0.9 means depth costs under 11 % more); store / depth ${DEPTH} ${ratios.cpuPerRequestStoreOverDepthN}`,
      `Load average at start: ${machine.loadAverageAtStart}.`,
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
    await fs.writeFile(
      RESULTS,
      `${JSON.stringify({ date: new Date().toISOString(), command: 'npx tsx bench/aaa/effective-depth.ts', settings: { SECONDS, ROUNDS, CONNECTIONS, DEPTH }, machine, source, results, ratios, measurements }, null, 2)}\n`,
    );
  } finally {
    await generator?.close();
    await service?.close();
    await couch?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

runBenchmark(main);
