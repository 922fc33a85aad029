/**
 * Sessions (issue 12): durable accounting ingest through HTTP (rlm_rest's accounting endpoint, as
 * FreeRADIUS sends it) with BENCH_SENDERS concurrent senders for BENCH_SECONDS; a burst of
 * BENCH_BURST Starts (BENCH_BURST_IN_FLIGHT at a time); then session records loaded into the store
 * in steps up to BENCH_RECORDS (or BENCH_STEPS, comma-separated) and, at each step, the
 * open-sessions query of one account (p50/p99 of BENCH_QUERIES requests) and both processes' RSS.
 *
 *   npx tsx bench/sessions/ingest.ts
 *
 * The embedded store (PouchDB Server) runs in this process, the service in a child process, the
 * senders in a third (bench/sessions/senders.ts), as FreeRADIUS would be. Every acknowledged
 * record is stored (the group commit answers after `_bulk_docs`). Also reported: CPU milliseconds
 * per record of each process and the store requests per record, which the machine's load changes
 * far less than records/s. Results are written to bench/sessions/results.json after every step.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { couchEndpoint } from '../../src/store/database.js';
import { startEmbeddedCouch } from '../../src/store/embedded.js';
import { freePort } from '../support/free-port.js';
import { procMemory } from '../support/proc-memory.js';
import { processCpuSeconds } from '../support/process-cpu.js';
import { runBenchmark } from '../support/run-main.js';
import { callService, startServiceChild } from '../support/service-child.js';
import { sourceInfo } from '../support/source-info.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SENDERS = env('BENCH_SENDERS', 64);
const SECONDS = env('BENCH_SECONDS', 20);
const BURST = env('BENCH_BURST', 10_000);
const RECORDS = env('BENCH_RECORDS', 1_000_000);
/** Every OPEN_EVERY-th loaded record is an open session of the queried account (2,000 in 10⁶). */
const OPEN_EVERY = env('BENCH_OPEN_EVERY', 500);
const QUERIES = env('BENCH_QUERIES', 500);
const BURST_IN_FLIGHT = env('BENCH_BURST_IN_FLIGHT', 256);
const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

interface SendersTask {
  mode: 'sustained' | 'burst';
  endpoint: string;
  authorization: string;
  senders: number;
  seconds?: number;
  count?: number;
  prefix: string;
}

interface SendersRun {
  acknowledged: number;
  failed: number;
  failures: Record<string, number>;
  seconds: number;
  cpu_seconds: number;
}

/** Runs bench/sessions/senders.ts in its own process (as FreeRADIUS would be) and reads its answer. */
function runSenders(task: SendersTask): Promise<SendersRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/sessions/senders.ts'], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '', BENCH_SENDERS_TASK: JSON.stringify(task) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`the senders exited with ${code}`));
      resolve(JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as SendersRun);
    });
  });
}

/**
 * Every request the embedded store (in this process) serves, by `METHOD database/kind`: what the
 * service asks of the store per record, whichever of its store clients asks.
 */
const storeRequests: Record<string, number> = {};
function countStoreRequests(): void {
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === 'request') {
      const request = args[0] as http.IncomingMessage;
      const [database = '', second = ''] = (request.url ?? '').split('?')[0]!.split('/').slice(1);
      const kind = second.startsWith('_') ? second : second === '' ? '' : 'doc';
      const key = `${request.method} ${database.replace(/^bench_/, '')}${kind ? `/${kind}` : ''}`;
      storeRequests[key] = (storeRequests[key] ?? 0) + 1;
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as typeof emit;
}

function perRecordCalls(before: Record<string, number>, after: Record<string, number>, records: number): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [key, count] of Object.entries(after)) {
    const delta = count - (before[key] ?? 0);
    if (delta > 0) result[key] = Number((delta / Math.max(1, records)).toFixed(3));
  }
  return result;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;

async function main(): Promise<void> {
  countStoreRequests();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-sessions-'));
  const store = await startEmbeddedCouch({ dataDir, host: '127.0.0.1', port: await freePort() });
  const masterApiKey = crypto.randomBytes(32).toString('hex');
  const prefix = 'bench_';
  const { child, url } = await startServiceChild({
    storeUrl: store.url,
    prefix,
    masterApiKey,
    dataDir,
  });
  const rss: Record<string, string> = {};
  try {
    const login = await callService(`${url}/v2/api_auth`, 'PUT', undefined, { api_key: masterApiKey });
    const token = String(login.auth_token);
    const accountId = String(login.data.account_id);
    const credential = (await callService(`${url}/v2/accounts/${accountId}/aaa/rest_credentials`, 'PUT', token)).data;
    const authorization = `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
    const endpoint = `${url}/v2/accounts/${accountId}/aaa/rest/accounting`;
    rss.start = mib(procMemory(child.pid!).rss);

    // 1. Sustained: each sender runs its own sessions, Start then Interim-Updates (new counters each time).
    progress(`sustained ingest: ${SENDERS} senders for ${SECONDS} s`);
    const loadBefore = os.loadavg()[0]!;
    const cpuBefore = { service: await processCpuSeconds(child.pid!), store: await processCpuSeconds(process.pid) };
    const callsBefore = { ...storeRequests };
    const sustainedRun = await runSenders({ mode: 'sustained', endpoint, authorization, senders: SENDERS, seconds: SECONDS, prefix: 's' });
    const sustained = sustainedRun.acknowledged / sustainedRun.seconds;
    // CPU per record: what the machine's load does not change much, unlike records/s.
    const perRecord = (seconds: number) => Number(((seconds * 1000) / Math.max(1, sustainedRun.acknowledged)).toFixed(3));
    const cpuMsPerRecord = {
      service: perRecord((await processCpuSeconds(child.pid!)) - cpuBefore.service),
      store: perRecord((await processCpuSeconds(process.pid)) - cpuBefore.store),
      senders: perRecord(sustainedRun.cpu_seconds),
    };
    const callsAfterSustained = { ...storeRequests };
    const sustainedCalls = perRecordCalls(callsBefore, callsAfterSustained, sustainedRun.acknowledged);
    rss.after_sustained = mib(procMemory(child.pid!).rss);
    progress(
      `sustained: ${sustained.toFixed(0)} records/s acknowledged (${sustainedRun.acknowledged}, ${sustainedRun.failed} failed ${JSON.stringify(sustainedRun.failures)})`,
    );

    // 2. Burst: a NAS reboot's Starts, all at once (BENCH_BURST_IN_FLIGHT requests in flight).
    progress(`burst of ${BURST} Starts, ${BURST_IN_FLIGHT} in flight`);
    const burstRun = await runSenders({ mode: 'burst', endpoint, authorization, senders: BURST_IN_FLIGHT, count: BURST, prefix: 'burst-' });
    const burstSeconds = burstRun.seconds;
    const burstCalls = perRecordCalls(callsAfterSustained, storeRequests, burstRun.acknowledged);
    rss.after_burst = mib(procMemory(child.pid!).rss);
    progress(
      `burst: ${burstSeconds.toFixed(1)} s (${(BURST / burstSeconds).toFixed(0)}/s, ${burstRun.failed} failed ${JSON.stringify(burstRun.failures)})`,
    );
    const loadAfterIngest = os.loadavg()[0]!;

    // 3. Records straight into the store, in steps: other accounts' closed sessions, and every
    //    OPEN_EVERY-th one an open session of ours. At each step: the index brought up to date
    //    (straight to the store: the first build may outlast the service's store deadline), then
    //    QUERIES open-sessions pages through the service, and both processes' RSS.
    const couch = couchEndpoint(store.url);
    const db = `${couch.base}/${prefix}sessions`;
    const docCount = async () => ((await (await fetch(db, { headers: couch.headers })).json()) as { doc_count: number }).doc_count;
    const iso = (ms: number) => new Date(ms).toISOString();
    const query = `${url}/v2/accounts/${accountId}/aaa/sessions?open=true&page_size=50`;
    const steps = (process.env.BENCH_STEPS ?? [RECORDS / 10, RECORDS / 4, RECORDS / 2, RECORDS].join(','))
      .split(',')
      .map(Number)
      .filter((step) => step > 0);
    const scale: Record<string, unknown>[] = [];
    const result = {
      source: sourceInfo(),
      cpus: os.cpus().length,
      load_average_1m: { before_ingest: Number(loadBefore.toFixed(1)), after_ingest: Number(loadAfterIngest.toFixed(1)), at_end: 0 },
      sustained: {
        senders: SENDERS,
        seconds: Number(sustainedRun.seconds.toFixed(1)),
        acknowledged: sustainedRun.acknowledged,
        failed: sustainedRun.failed,
        failures: sustainedRun.failures,
        records_per_second: Math.round(sustained),
        cpu_ms_per_record: cpuMsPerRecord,
        store_requests_per_record: sustainedCalls,
      },
      burst: {
        starts: BURST,
        in_flight: BURST_IN_FLIGHT,
        seconds: Number(burstSeconds.toFixed(2)),
        per_second: Math.round(BURST / burstSeconds),
        failed: burstRun.failed,
        failures: burstRun.failures,
        store_requests_per_record: burstCalls,
      },
      open_sessions_query: scale,
      rss,
    };
    const save = async () => {
      result.load_average_1m.at_end = Number(os.loadavg()[0]!.toFixed(1));
      await fs.writeFile(path.join(ROOT, 'bench/sessions/results.json'), `${JSON.stringify(result, null, 2)}\n`);
    };
    await save();
    for (const target of steps) {
      const existing = await docCount();
      progress(`loading ${Math.max(0, target - existing)} records (${existing} already there)`);
      const loadStarted = performance.now();
      for (let from = existing; from < target; from += 5_000) {
        const docs = [];
        for (let i = from; i < Math.min(target, from + 5_000); i += 1) {
          const open = i % OPEN_EVERY === 0;
          const owner = open ? accountId : `other${i % 100}`;
          const start = Date.parse('2024-01-01T00:00:00Z') + i * 1000;
          docs.push({
            _id: `${owner}:load-${i}`,
            pvt_type: 'session',
            account_id: owner,
            pvt_tree: [owner],
            session_id: `load-${i}`,
            username: `u${i}`,
            acct_session_id: `load-${i}`,
            nas_ip_address: '192.0.2.9',
            start: iso(start),
            pvt_start_seen: true,
            last_update: iso(start),
            stop: open ? null : iso(start + 600_000),
            session_time: open ? 0 : 600,
            input_octets: 1000,
            output_octets: 2000,
            terminate_cause: open ? null : 'User-Request',
            pvt_stale_at: open ? iso(start + 1_800_000) : null,
          });
        }
        const response = await fetch(`${db}/_bulk_docs`, {
          method: 'POST',
          headers: { ...couch.headers, 'Content-Type': 'application/json' },
          body: JSON.stringify({ docs }),
        });
        await response.arrayBuffer();
        if (response.status !== 201) throw new Error(`bulk load: ${response.status}`);
        if ((from / 5_000) % 20 === 0) progress(`  ${from} stored`);
      }
      const loadSeconds = (performance.now() - loadStarted) / 1000;
      progress('bringing the index up to date');
      const indexStarted = performance.now();
      await (await fetch(`${db}/_design/sessions/_view/by_account?limit=1`, { headers: couch.headers })).arrayBuffer();
      await callService(query, 'GET', token);
      const indexSeconds = (performance.now() - indexStarted) / 1000;
      progress(`querying ${QUERIES} times`);
      const latencies: number[] = [];
      const queryCpu = { service: await processCpuSeconds(child.pid!), store: await processCpuSeconds(process.pid) };
      for (let i = 0; i < QUERIES; i += 1) {
        const at = performance.now();
        const page = await callService(query, 'GET', token);
        latencies.push(performance.now() - at);
        if (page.data.length !== 50) throw new Error(`expected a full page, got ${page.data.length}`);
      }
      // CPU per query: the query's own cost, which the machine's load does not inflate as it does latency.
      const queryCpuMs = {
        service: Number(((((await processCpuSeconds(child.pid!)) - queryCpu.service) * 1000) / QUERIES).toFixed(2)),
        store_and_client: Number(((((await processCpuSeconds(process.pid)) - queryCpu.store) * 1000) / QUERIES).toFixed(2)),
      };
      latencies.sort((a, b) => a - b);
      // The same number of the cheapest authenticated request (the account, from the service's
      // memory): on a loaded machine, the part of the latency that is the machine's, not the query's.
      const baseline: number[] = [];
      for (let i = 0; i < QUERIES; i += 1) {
        const at = performance.now();
        await callService(`${url}/v2/accounts/${accountId}`, 'GET', token);
        baseline.push(performance.now() - at);
      }
      baseline.sort((a, b) => a - b);
      const step = {
        records: await docCount(),
        load_seconds: Number(loadSeconds.toFixed(0)),
        index_update_seconds: Number(indexSeconds.toFixed(1)),
        p50_ms: Number(percentile(latencies, 50).toFixed(1)),
        p99_ms: Number(percentile(latencies, 99).toFixed(1)),
        max_ms: Number(latencies.at(-1)!.toFixed(1)),
        cpu_ms_per_query: queryCpuMs,
        baseline_account_get_p50_ms: Number(percentile(baseline, 50).toFixed(1)),
        baseline_account_get_p99_ms: Number(percentile(baseline, 99).toFixed(1)),
        service_rss: mib(procMemory(child.pid!).rss),
        store_rss: mib(procMemory(process.pid).rss),
        load_average_1m: Number(os.loadavg()[0]!.toFixed(1)),
      };
      scale.push(step);
      progress(JSON.stringify(step));
      await save();
    }
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await store.close();
    // PouchDB does not close its LevelDB files with the listener: a compaction still running would
    // fail on the removed directory after the results are written. That is not the bench's failure.
    process.on('unhandledRejection', (error) => {
      if (!String(error).includes(dataDir)) throw error;
    });
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

runBenchmark(main);
