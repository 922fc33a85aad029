/**
 * End-to-end AAA benchmark: `POST /v2/accounts/{ID}/aaa/authn` over HTTP, the service
 * translating the message into an Access-Request sent to FreeRADIUS 3.2 on loopback, and back.
 *
 *   npx tsx bench/aaa/authn.ts
 *
 * Environment: BENCH_SECONDS (10) per round, BENCH_ROUNDS (3), BENCH_CONNECTIONS (32 HTTP
 * connections), BENCH_WORKERS (32: the AAA document's `workers`, the configuration's concurrent
 * RADIUS requests), BENCH_WARMUP_SECONDS (3), BENCH_FR_THREADS (4 FreeRADIUS worker threads),
 * BENCH_STORE (`child`: the embedded store in its own process, so service CPU is the service's;
 * `inline`: in this process, as before), BENCH_DIRECT (`true`: each round also runs the library
 * client straight at the same FreeRADIUS with BENCH_CONNECTIONS in flight, bench/aaa/direct-child.ts),
 * BENCH_RESULTS (bench/aaa/authn-results.json).
 * Prints a Markdown table on stdout, progress on stderr; exits 1 unless every answer of every
 * round (warm-up included) was HTTP 200 with `result: accept`.
 *
 * Set-up: FreeRADIUS as in bench/radius/freeradius.ts (the test harness's minimal config, one PAP
 * user, not in debug mode, a thread pool); the service in this process with its embedded store in
 * a temporary directory (STORE_CACHE on, LOG_LEVEL warn); one account under the master account
 * whose AAA document (`aaa_mode: on`) names that FreeRADIUS for authentication with the seed
 * `dictionary` and translations for User-Name and User-Password. autocannon runs in a child
 * process (bench/aaa/loadgen-child.ts) with the account's own token and one fixed body.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { type RunningService, startService } from '../../src/service.js';
import { startFreeRadius } from '../../test/support/freeradius.js';
import { processCpuSeconds } from '../support/process-cpu.js';
import type { PostJob, PostSummary } from './loadgen-child.js';
import { expectStatus, login } from '../support/api-call.js';
import {
  BODY,
  check,
  firstAccept,
  type Loadgen,
  type MeasuredRun,
  measureRun,
  runInfo,
  SECRET,
  startLoadgen,
  startStoreChild,
  USERS,
} from './authn-harness.js';
import type { DirectJob, DirectSummary } from './direct-child.js';
import { median } from '../support/median.js';
import { wholeNumber } from '../support/env.js';

const SECONDS = wholeNumber('BENCH_SECONDS', 10, 1);
const ROUNDS = wholeNumber('BENCH_ROUNDS', 3, 1);
const CONNECTIONS = wholeNumber('BENCH_CONNECTIONS', 32, 1);
const WORKERS = wholeNumber('BENCH_WORKERS', 32, 1);
const WARMUP_SECONDS = wholeNumber('BENCH_WARMUP_SECONDS', 3, 0);
const THREADS = wholeNumber('BENCH_FR_THREADS', 4, 1);
/** `child` (default): the embedded store in its own process, out of the service's CPU figure; `inline`: in this one. */
const STORE = process.env.BENCH_STORE || 'child';
if (STORE !== 'child' && STORE !== 'inline') throw new Error('BENCH_STORE must be child or inline');
/** `true` (default): each round also runs the library client straight at FreeRADIUS, as many in flight as connections. */
const DIRECT = (process.env.BENCH_DIRECT || 'true') === 'true';
const RESULTS = path.resolve(process.env.BENCH_RESULTS || fileURLToPath(new URL('./authn-results.json', import.meta.url)));
const log = (message: string): void => void process.stderr.write(`[bench:aaa] ${message}\n`);

// ---------------------------------------------------------------------------------------------
// The service and its set-up over HTTP

const translation = (key: string) => ({ request_key: key, attribute: key, request_value_regexp: '^(.*)$', attr_value_regexp: '^(.*)$' });

async function setUp(service: RunningService, masterApiKey: string, authPort: number): Promise<{ accountId: string; token: string }> {
  const base = service.url;
  const masterToken = await login(base, masterApiKey);
  const created = await expectStatus(201, base, 'PUT', `/v2/accounts/${service.masterAccountId}`, masterToken, { name: 'AAA bench' });
  const accountId = String(created.data?.id);
  const token = await login(base, String(created.data?.api_key));
  await expectStatus(201, base, 'PUT', `/v2/accounts/${accountId}/aaa`, token, {
    aaa_mode: 'on',
    workers: WORKERS,
    servers: [
      { name: 'freeradius', address: '127.0.0.1', port: authPort, secret: SECRET, dicts: ['dictionary'], retries: 2, timeout: 2000 },
    ],
    authentication: ['freeradius'],
    authn_avp_translation: [translation('User-Name'), translation('User-Password')],
    nas_address: '127.0.0.1',
    nas_port: '1',
  });
  await firstAccept(base, accountId, token);
  return { accountId, token };
}

// ---------------------------------------------------------------------------------------------
// The library client child

/** A forked helper answering `{ id, job }` with `{ id, summary }` (bench/aaa/direct-child.ts). */
async function startDirect(): Promise<{ run(job: DirectJob): Promise<DirectSummary>; close(): Promise<void> }> {
  const child = fork(fileURLToPath(new URL('./direct-child.ts', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`direct client exited with ${code}`)));
  });
  let nextId = 0;
  const waiting = new Map<number, (reply: { summary?: DirectSummary; error?: string }) => void>();
  child.on('message', (message: { id: number; summary?: DirectSummary; error?: string }) => waiting.get(message.id)?.(message));
  return {
    run(job) {
      const id = (nextId += 1);
      return new Promise((resolve, reject) => {
        waiting.set(id, (reply) => {
          waiting.delete(id);
          if (reply.summary) resolve(reply.summary);
          else reject(new Error(reply.error ?? 'direct client failed'));
        });
        child.send({ id, job });
      });
    },
    async close() {
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.disconnect();
      });
    },
  };
}

interface Round extends MeasuredRun {
  /** The library client straight at FreeRADIUS in the same round, when measured. */
  direct?: DirectSummary;
  directFreeradiusCpuCores?: number;
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'circlemaker-aaa-bench-'));
  const masterApiKey = (await import('node:crypto')).randomBytes(32).toString('hex');
  const freeradius = await startFreeRadius(USERS, { secret: SECRET, threads: THREADS, debug: false });
  let service: RunningService | undefined;
  let loadgen: Loadgen | undefined;
  let store: Awaited<ReturnType<typeof startStoreChild>> | undefined;
  let direct: Awaited<ReturnType<typeof startDirect>> | undefined;
  const rounds: Round[] = [];
  let warmup: PostSummary | undefined;
  try {
    if (STORE === 'child') store = await startStoreChild(path.join(dataDir, 'store'));
    const config = loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      EMBEDDED_COUCHDB_PORT: '0',
      ...(store ? { COUCHDB_URL: store.url } : {}),
      AAA_MASTER_API_KEY: masterApiKey,
      LOG_LEVEL: 'warn',
      AAA_TENANT_DESTINATIONS_ALLOW: '127.0.0.0/8',
    });
    service = await startService(config, createLogger(config.logLevel));
    const { accountId, token } = await setUp(service, masterApiKey, freeradius.authPort);
    log(
      `service ${service.url}, FreeRADIUS pid ${freeradius.pid} on 127.0.0.1:${freeradius.authPort} (${THREADS} threads), account ${accountId}, workers ${WORKERS}`,
    );
    loadgen = await startLoadgen();
    if (DIRECT) direct = await startDirect();
    const directJob = (seconds: number): DirectJob => ({ port: freeradius.authPort, secret: SECRET, inFlight: CONNECTIONS, seconds });
    if (direct && WARMUP_SECONDS > 0) await direct.run(directJob(WARMUP_SECONDS));
    const job = (title: string, duration: number): PostJob => ({
      title,
      url: `${service?.url}/v2/accounts/${accountId}/aaa/authn`,
      headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token },
      body: JSON.stringify({ data: BODY }),
      connections: CONNECTIONS,
      duration,
    });
    if (WARMUP_SECONDS > 0) {
      warmup = await loadgen.run(job('warm-up', WARMUP_SECONDS));
      check(warmup);
      log(`warm-up: ${Math.round(warmup.requestsPerSecond)} req/s`);
    }
    for (let round = 1; round <= ROUNDS; round += 1) {
      const measured: Round = await measureRun(loadgen, job(`round ${round}`, SECONDS), freeradius.pid);
      const { summary } = measured;
      rounds.push(measured);
      log(
        `round ${round}/${ROUNDS}: ${Math.round(summary.requestsPerSecond)} req/s, p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms, ${summary.completed} answers, all 200 accept, service ${Math.round((measured.serviceCpuCores * 1e6) / summary.requestsPerSecond)} µs CPU per authn`,
      );
      if (direct) {
        const radiusBeforeDirect = await processCpuSeconds(freeradius.pid);
        measured.direct = await direct.run(directJob(SECONDS));
        measured.directFreeradiusCpuCores = ((await processCpuSeconds(freeradius.pid)) - radiusBeforeDirect) / SECONDS;
        if (measured.direct.failed > 0 || measured.direct.other > 0) throw new Error(`direct client: ${JSON.stringify(measured.direct)}`);
        log(
          `round ${round}/${ROUNDS} library client direct, ${CONNECTIONS} in flight: ${Math.round(measured.direct.requestsPerSecond)} replies/s`,
        );
      }
    }
  } finally {
    await loadgen?.close();
    await direct?.close();
    await service?.close();
    await store?.close();
    await freeradius.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }

  const rps = median(rounds.map((r) => r.summary.requestsPerSecond));
  const p50 = median(rounds.map((r) => r.summary.latencyMs.p50));
  const p99 = median(rounds.map((r) => r.summary.latencyMs.p99));
  const info = runInfo();
  const version = info.freeradius;
  const fmt = (value: number): string => Math.round(value).toLocaleString('en-US');
  console.log(
    `POST /v2/accounts/{ID}/aaa/authn → ${version} on 127.0.0.1 (PAP user bob/hello), ${CONNECTIONS} HTTP connections, workers ${WORKERS}, FreeRADIUS ${THREADS} threads`,
  );
  console.log(
    `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}; ${ROUNDS} rounds of ${SECONDS} s after ${WARMUP_SECONDS} s warm-up; run of ${startedAt}`,
  );
  console.log('');
  console.log(
    '| | req/s | p50 ms | p90 ms | p99 ms | max ms | answers (all 200 accept) | service CPU (cores) | FreeRADIUS CPU (cores) | loadgen CPU (cores) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [index, r] of rounds.entries()) {
    const s = r.summary;
    console.log(
      `| round ${index + 1} | ${fmt(s.requestsPerSecond)} | ${s.latencyMs.p50} | ${s.latencyMs.p90} | ${s.latencyMs.p99} | ${s.latencyMs.max} | ${s.completed.toLocaleString('en-US')} | ${r.serviceCpuCores.toFixed(2)} | ${r.freeradiusCpuCores.toFixed(2)} | ${s.loadgenCpu.toFixed(2)} |`,
    );
  }
  console.log(`| **median** | **${fmt(rps)}** | **${p50}** | | **${p99}** | | | | | |`);
  const serviceMicros = median(rounds.map((r) => (r.serviceCpuCores * 1e6) / r.summary.requestsPerSecond));
  console.log('');
  console.log(
    `Service CPU per authn (median over rounds): ${Math.round(serviceMicros)} µs${STORE === 'child' ? ' (the store in its own process, not counted)' : ' (the embedded store in the same process, counted)'}.`,
  );
  let directMedian: number | undefined;
  if (DIRECT) {
    directMedian = median(rounds.map((r) => r.direct?.requestsPerSecond ?? Number.NaN));
    const perRound = rounds.map((r) => (r.summary.requestsPerSecond / (r.direct?.requestsPerSecond ?? Number.NaN)).toFixed(2));
    console.log(
      `Library client direct, ${CONNECTIONS} in flight, same FreeRADIUS, same rounds: ${fmt(directMedian)} replies/s (per round ${rounds.map((r) => fmt(r.direct?.requestsPerSecond ?? Number.NaN)).join(' / ')}); HTTP / direct: ${(rps / directMedian).toFixed(2)} (per round ${perRound.join(' / ')}).`,
    );
  }
  await fs.writeFile(
    RESULTS,
    `${JSON.stringify(
      {
        startedAt,
        ...info,
        settings: {
          seconds: SECONDS,
          rounds: ROUNDS,
          connections: CONNECTIONS,
          workers: WORKERS,
          warmupSeconds: WARMUP_SECONDS,
          freeradiusThreads: THREADS,
        },
        medians: {
          requestsPerSecond: rps,
          p50Ms: p50,
          p99Ms: p99,
          serviceCpuMicrosPerAuthn: serviceMicros,
          directRequestsPerSecond: directMedian,
          httpOverDirect: directMedian ? rps / directMedian : undefined,
        },
        store: STORE,
        warmup,
        rounds,
      },
      null,
      2,
    )}\n`,
  );
  log(`wrote ${RESULTS}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench:aaa] FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
