/**
 * WORKERS=1 vs WORKERS=2 (issue 9 goal 3): the service as `node src/main.ts` (two copies, one per
 * setting, on their own ports, against one store), a cached GET under the same load, measured in
 * alternating rounds.
 *
 *   npx tsx bench/api/workers.ts
 *
 * Environment: BENCH_SECONDS (10) per measurement, BENCH_ROUNDS (3), BENCH_CONNECTIONS (32),
 * BENCH_WARMUP_SECONDS (3), BENCH_PATH (`effective`: GET /v2/accounts/{ID}/aaa/effective;
 * `account`: GET /v2/accounts/{ID}), BENCH_RESULTS (bench/api/workers-results.json).
 *
 * The store is the embedded one, in this process; the account is the master account, read with
 * its own token. autocannon runs in a child process. CPU is summed over the service's processes
 * (primary and workers) from /proc. On a machine with 2 cores, the load generator competes with
 * the two workers: the figure is what one more core buys here, not a ceiling.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EmbeddedCouch, startEmbeddedCouch } from '../../src/store/embedded.js';
import { processCpuSeconds } from '../support/process-cpu.js';
import { median } from '../support/median.js';
import { runBenchmark } from '../support/run-main.js';
import { sourceInfo } from '../support/source-info.js';
import { type LoadGenerator, childGenerator } from './load-generator.js';
import { wholeNumber } from '../support/env.js';
import { freePort } from '../support/free-port.js';

const SECONDS = wholeNumber('BENCH_SECONDS', 10, 1);
const ROUNDS = wholeNumber('BENCH_ROUNDS', 3, 1);
const CONNECTIONS = wholeNumber('BENCH_CONNECTIONS', 32, 1);
const WARMUP_SECONDS = wholeNumber('BENCH_WARMUP_SECONDS', 3, 0);
const TARGET_PATH = process.env.BENCH_PATH || 'effective';
if (TARGET_PATH !== 'effective' && TARGET_PATH !== 'account') throw new Error('BENCH_PATH must be effective or account');
const RESULTS = path.resolve(process.env.BENCH_RESULTS || fileURLToPath(new URL('./workers-results.json', import.meta.url)));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const progress = (message: string) => process.stderr.write(`[bench:workers] ${message}\n`);
const round1 = (value: number) => Math.round(value * 10) / 10;

interface Cluster {
  workers: number;
  url: string;
  process: ChildProcess;
  /** The primary (when WORKERS > 1) and every process that logged `circlemaker listening`. */
  pids: Set<number>;
  exited: Promise<number | null>;
}

async function startCluster(workers: number, couchUrl: string, dataDir: string, masterApiKey: string): Promise<Cluster> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      WORKERS: String(workers),
      PORT: String(port),
      DATA_DIR: dataDir,
      COUCHDB_URL: couchUrl,
      DB_PREFIX: 'bench_',
      AAA_MASTER_API_KEY: masterApiKey,
      AUTH_FAILURE_LIMIT: '100000',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pids = new Set<number>([child.pid as number]);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let listening = 0;
  await new Promise<void>((resolve, reject) => {
    let pending = '';
    child.once('exit', (code) => reject(new Error(`WORKERS=${workers} exited early (${code})`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const text of lines) {
        if (!text.includes('circlemaker listening')) continue;
        const pid = (JSON.parse(text) as { pid?: number }).pid;
        if (pid !== undefined) pids.add(pid);
        listening += 1;
        if (listening === workers) resolve();
      }
    });
  });
  // Request lines are not needed past start-up; reading them keeps the pipe from filling.
  return { workers, url: `http://127.0.0.1:${port}`, process: child, pids, exited };
}

async function cpuOf(cluster: Cluster): Promise<number> {
  let total = 0;
  for (const pid of cluster.pids) total += await processCpuSeconds(pid).catch(() => 0);
  return total;
}

async function main(): Promise<void> {
  const machine = {
    cpus: os.cpus().length,
    node: process.version,
    loadAverageAtStart: os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join(' '),
  };
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'circlemaker-bench-workers-'));
  const masterApiKey = crypto.randomBytes(32).toString('hex');
  let couch: EmbeddedCouch | undefined;
  const clusters: Cluster[] = [];
  let generator: LoadGenerator | undefined;
  try {
    couch = await startEmbeddedCouch({ dataDir: path.join(tmp, 'store'), host: '127.0.0.1', port: 0 });
    // One after the other: the first bootstraps the store (master account, dictionaries, key).
    clusters.push(await startCluster(1, couch.url, path.join(tmp, 'one'), masterApiKey));
    clusters.push(await startCluster(2, couch.url, path.join(tmp, 'two'), masterApiKey));
    progress(`WORKERS=1 at ${clusters[0]?.url}, WORKERS=2 at ${clusters[1]?.url} (pids ${[...(clusters[1]?.pids ?? [])].join(', ')})`);
    const login = await fetch(`${clusters[0]?.url}/v2/api_auth`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ data: { api_key: masterApiKey } }),
    });
    const body = (await login.json()) as { auth_token: string; data: { account_id: string } };
    const urlPath =
      TARGET_PATH === 'effective' ? `/v2/accounts/${body.data.account_id}/aaa/effective` : `/v2/accounts/${body.data.account_id}`;
    const headers = { 'X-Auth-Token': body.auth_token };
    for (const cluster of clusters) {
      const check = await fetch(cluster.url + urlPath, { headers });
      if (check.status !== 200) throw new Error(`WORKERS=${cluster.workers}: ${check.status} ${await check.text()}`);
    }
    generator = await childGenerator();
    const measurements: { workers: number; round: number; requestsPerSecond: number; p99: number; cpuCores: number }[] = [];
    for (let round = 0; round <= ROUNDS; round += 1) {
      const order = round % 2 === 0 ? clusters : [...clusters].reverse();
      for (const cluster of order) {
        const seconds = round === 0 ? WARMUP_SECONDS : SECONDS;
        if (seconds === 0) continue;
        const cpuBefore = await cpuOf(cluster);
        const wall = Date.now();
        const summary = await generator.run({
          title: `workers-${cluster.workers}`,
          url: cluster.url + urlPath,
          headers,
          connections: CONNECTIONS,
          duration: seconds,
        });
        const cpuCores = (await cpuOf(cluster)) - cpuBefore;
        if (summary.non2xx > 0 || summary.errors > 0)
          throw new Error(`WORKERS=${cluster.workers}: ${JSON.stringify(summary.statusCodes)}, ${summary.errors} errors`);
        if (round === 0) continue;
        const m = {
          workers: cluster.workers,
          round,
          requestsPerSecond: summary.requestsPerSecond,
          p99: summary.latencyMs.p99,
          cpuCores: cpuCores / ((Date.now() - wall) / 1000),
        };
        measurements.push(m);
        progress(
          `round ${round} WORKERS=${cluster.workers}: ${round1(m.requestsPerSecond)} req/s, p99 ${m.p99} ms, service CPU ${m.cpuCores.toFixed(2)} cores`,
        );
      }
    }
    const of = (workers: number) => measurements.filter((m) => m.workers === workers);
    const rows = [1, 2].map((workers) => ({
      workers,
      medianRequestsPerSecond: median(of(workers).map((m) => m.requestsPerSecond)),
      medianP99: median(of(workers).map((m) => m.p99)),
      medianCpuCores: median(of(workers).map((m) => m.cpuCores)),
      perRound: of(workers).map((m) => round1(m.requestsPerSecond)),
    }));
    const ratio = (rows[1]?.medianRequestsPerSecond ?? Number.NaN) / (rows[0]?.medianRequestsPerSecond ?? Number.NaN);
    const lines = [
      `### ${new Date().toISOString()}: WORKERS=1 vs 2, GET ${urlPath.replace(/[0-9a-f]{32}/, '{master}')}, ${CONNECTIONS} connections, ${SECONDS} s × ${ROUNDS} rounds`,
      '',
      '| WORKERS | req/s (median) | p99 ms | req/s per round | service CPU (cores, all processes) |',
      '| ---: | ---: | ---: | --- | ---: |',
      ...rows.map(
        (r) =>
          `| ${r.workers} | ${round1(r.medianRequestsPerSecond)} | ${r.medianP99} | ${r.perRound.join(' / ')} | ${r.medianCpuCores.toFixed(2)} |`,
      ),
      '',
      `2 workers / 1: ${ratio.toFixed(2)}. ${machine.cpus} CPUs, load average at start ${machine.loadAverageAtStart}.`,
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
    await fs.writeFile(
      RESULTS,
      `${JSON.stringify({ date: new Date().toISOString(), command: 'npx tsx bench/api/workers.ts', settings: { SECONDS, ROUNDS, CONNECTIONS, TARGET_PATH }, machine, source: sourceInfo(), rows, ratio, measurements }, null, 2)}\n`,
    );
  } finally {
    await generator?.close();
    for (const cluster of clusters) {
      cluster.process.kill('SIGTERM');
      await cluster.exited;
    }
    await couch?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

runBenchmark(main);
