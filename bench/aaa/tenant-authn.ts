/**
 * Tenant-scale authn benchmark (issue 9, goal 1: authn over 10,000 tenants with distinct lists at
 * ≥ 0.8× the 10-tenant rate): `POST /v2/accounts/{ID}/aaa/authn` over HTTP to FreeRADIUS 3.2 on
 * loopback, the requests spread round-robin over the first 10 tenants, and over all BENCH_TENANTS
 * tenants, of one service, side by side in one run: interleaved rounds, the order alternating.
 *
 *   npx tsx bench/aaa/tenant-authn.ts
 *   node --expose-gc --import tsx bench/aaa/tenant-authn.ts    (memory after a full GC)
 *
 * Environment: BENCH_TENANTS (10000, at least 10), BENCH_SECONDS (10) per round and mode,
 * BENCH_ROUNDS (3), BENCH_CONNECTIONS (32 HTTP connections), BENCH_WARMUP_SECONDS (5, per mode,
 * after a pass of one request to every tenant), BENCH_WORKERS (32: each AAA document's `workers`),
 * BENCH_FR_THREADS (4 FreeRADIUS worker threads), BENCH_RESULTS (bench/aaa/tenant-authn-results.json);
 * EFFECTIVE_CACHE_MB and DICTIONARY_CACHE_MB are passed on to the service when set.
 * Prints a Markdown table on stdout, progress on stderr; exits 1 unless every answer (warm-up
 * included) was HTTP 200 with `result: accept`.
 *
 * Set-up: FreeRADIUS as in bench/aaa/authn.ts (one PAP user bob/hello, not in debug mode). The
 * embedded store runs in a child process (bench/aaa/store-child.ts) and is filled before the
 * service starts, with `_bulk_docs` in the service's own document shapes (bench/support/store-docs.ts,
 * as bench/cache/memory.ts does): the master account (its key then given as AAA_MASTER_API_KEY),
 * BENCH_TENANTS tenants under it, each owning a vendor dictionary of its own (`dictionary_tenant`:
 * vendor `Tenant<i>-Vendor`, id 100000 + i, 40 attributes, 20 values) and an AAA document `on`
 * with one server, that FreeRADIUS, naming [its own dictionary, `dictionary`, `dictionary_cisco`]:
 * one distinct list per tenant. The service (in this process, STORE_CACHE on, LOG_LEVEL warn,
 * AAA_TENANT_DESTINATIONS_ALLOW 127.0.0.0/8 so tenants may send to loopback) then loads it all into
 * its mirrors at start. autocannon runs in a child (bench/aaa/loadgen-child.ts) with the master's
 * token (an ancestor acts on its descendants) and one body, the k-th request going to tenant
 * k mod n. Both modes run against the same service holding every tenant: what differs is how many
 * tenants' configurations, lists and pools the requests go through. Service CPU is this process's
 * (the store, the load generator and FreeRADIUS are other processes); the RSS reported is this
 * process's too, and so includes the benchmark's own small bookkeeping but not the store.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { AccountDoc } from '../../src/accounts/account-doc.js';
import { newAccountId } from '../../src/accounts/api-key.js';
import type { AaaDoc } from '../../src/aaa/aaa-doc.js';
import { loadConfig } from '../../src/config.js';
import type { DictionaryDoc } from '../../src/dictionary/dictionary-doc.js';
import { createLogger } from '../../src/log.js';
import { type RunningService, startService } from '../../src/service.js';
import { startFreeRadius } from '../../test/support/freeradius.js';
import { wholeNumber } from '../support/env.js';
import { median } from '../support/median.js';
import { runBenchmark } from '../support/run-main.js';
import { aaaDoc, account, bulk, createDatabases, masterAccount, ownedDictionary, radiusServer } from '../support/store-docs.js';
import { login } from '../support/api-call.js';
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
import type { PostJob, PostSummary } from './loadgen-child.js';

const TENANTS = wholeNumber('BENCH_TENANTS', 10_000, 10);
const FEW = 10;
const SECONDS = wholeNumber('BENCH_SECONDS', 10, 1);
const ROUNDS = wholeNumber('BENCH_ROUNDS', 3, 1);
const CONNECTIONS = wholeNumber('BENCH_CONNECTIONS', 32, 1);
const WARMUP_SECONDS = wholeNumber('BENCH_WARMUP_SECONDS', 5, 0);
const WORKERS = wholeNumber('BENCH_WORKERS', 32, 1);
const THREADS = wholeNumber('BENCH_FR_THREADS', 4, 1);
const RESULTS = path.resolve(process.env.BENCH_RESULTS || fileURLToPath(new URL('./tenant-authn-results.json', import.meta.url)));
/** The goal: the many-tenant rate at least this share of the 10-tenant rate. */
const GOAL = 0.8;
const TENANT_DICT = 'dictionary_tenant';
const VENDOR_BASE = 100_000;
const log = (message: string): void => void process.stderr.write(`[bench:tenant-authn] ${message}\n`);

// ---------------------------------------------------------------------------------------------
// The data set, straight into the store before the service starts

interface Population {
  masterApiKey: string;
  tenantIds: string[];
  counts: { accounts: number; aaaDocs: number; ownedDictionaries: number };
  seconds: number;
}

async function populate(storeUrl: string, authPort: number): Promise<Population> {
  const started = performance.now();
  const now = Date.now();
  const master = masterAccount(now);
  const accounts: AccountDoc[] = [master.doc];
  const dictionaries: DictionaryDoc[] = [];
  const aaa: AaaDoc[] = [];
  const tenantIds: string[] = [];
  for (let i = 0; i < TENANTS; i += 1) {
    const id = newAccountId();
    tenantIds.push(id);
    accounts.push(account(id, `Tenant ${i}`, [master.masterId], false, now));
    dictionaries.push(ownedDictionary(id, TENANT_DICT, VENDOR_BASE + i, `Tenant${i}`, now));
    const server = radiusServer('freeradius', '127.0.0.1', [TENANT_DICT, 'dictionary', 'dictionary_cisco'], {
      port: authPort,
      secret: SECRET,
      retries: 2,
      timeout: 2000,
    });
    aaa.push(aaaDoc(id, [server], now, { workers: WORKERS, nas_address: '127.0.0.1', nas_port: '1' }));
  }
  await createDatabases(storeUrl, '');
  await bulk(storeUrl, 'system_config', [master.marker]);
  await bulk(storeUrl, 'accounts', accounts);
  await bulk(storeUrl, 'aaa_dicts', dictionaries);
  await bulk(storeUrl, 'aaa', aaa);
  return {
    masterApiKey: master.masterApiKey,
    tenantIds,
    counts: { accounts: accounts.length, aaaDocs: aaa.length, ownedDictionaries: dictionaries.length },
    seconds: (performance.now() - started) / 1000,
  };
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Mode {
  key: 'few' | 'many';
  label: string;
  paths: string[];
}

interface Measured extends MeasuredRun {
  serviceCpuMicrosPerAuthn: number;
}

interface Round {
  round: number;
  order: Mode['key'][];
  few: Measured;
  many: Measured;
  /** many / few, req/s. */
  ratio: number;
}

type MemoryReading = Pick<NodeJS.MemoryUsage, 'rss' | 'heapUsed' | 'heapTotal' | 'external' | 'arrayBuffers'>;

/**
 * This process's memory; after a full GC when run with `--expose-gc` (node --expose-gc --import
 * tsx …), so that what is reported is what is held, not what V8 has not collected yet.
 */
function cacheBounds(): Record<string, string> {
  const bounds: Record<string, string> = {};
  for (const name of ['EFFECTIVE_CACHE_MB', 'DICTIONARY_CACHE_MB']) {
    const value = process.env[name];
    if (value) bounds[name] = value;
  }
  return bounds;
}

function memory(): MemoryReading {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external, arrayBuffers };
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'circlemaker-tenant-authn-'));
  const freeradius = await startFreeRadius(USERS, { secret: SECRET, threads: THREADS, debug: false });
  let store: Awaited<ReturnType<typeof startStoreChild>> | undefined;
  let service: RunningService | undefined;
  let loadgen: Loadgen | undefined;
  const rounds: Round[] = [];
  const warmups: PostSummary[] = [];
  let population: Population | undefined;
  let serviceStartSeconds = 0;
  const rss: Record<'afterStart' | 'afterEveryTenant' | 'afterRounds', MemoryReading | undefined> = {
    afterStart: undefined,
    afterEveryTenant: undefined,
    afterRounds: undefined,
  };
  try {
    store = await startStoreChild(path.join(dataDir, 'store'));
    population = await populate(store.url, freeradius.authPort);
    log(
      `store: ${population.counts.accounts} accounts, ${population.counts.aaaDocs} AAA documents, ${population.counts.ownedDictionaries} tenant dictionaries in ${population.seconds.toFixed(1)} s`,
    );
    const config = loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      EMBEDDED_COUCHDB_PORT: '0',
      COUCHDB_URL: store.url,
      AAA_MASTER_API_KEY: population.masterApiKey,
      LOG_LEVEL: 'warn',
      AAA_TENANT_DESTINATIONS_ALLOW: '127.0.0.0/8',
      // The service's cache bounds, when the run sets them (defaults otherwise).
      ...cacheBounds(),
    });
    const serviceStarted = performance.now();
    service = await startService(config, createLogger(config.logLevel));
    serviceStartSeconds = (performance.now() - serviceStarted) / 1000;
    rss.afterStart = memory();
    const base = service.url;
    const token = await login(base, population.masterApiKey);
    const ids = population.tenantIds;
    await firstAccept(base, ids[0] ?? '', token);
    await firstAccept(base, ids[ids.length - 1] ?? '', token);
    log(
      `service ${base} started in ${serviceStartSeconds.toFixed(1)} s, FreeRADIUS pid ${freeradius.pid} on 127.0.0.1:${freeradius.authPort} (${THREADS} threads), workers ${WORKERS}`,
    );

    const pathOf = (id: string) => `/v2/accounts/${id}/aaa/authn`;
    const few: Mode = { key: 'few', label: `${FEW} tenants`, paths: ids.slice(0, FEW).map(pathOf) };
    const many: Mode = { key: 'many', label: `${TENANTS.toLocaleString('en-US')} tenants`, paths: ids.map(pathOf) };
    const job = (mode: Mode, title: string, duration: number, amount?: number): PostJob => ({
      title,
      url: base + (mode.paths[0] ?? ''),
      headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token },
      body: JSON.stringify({ data: BODY }),
      connections: Math.min(CONNECTIONS, amount ?? CONNECTIONS),
      duration,
      paths: mode.paths,
      ...(amount === undefined ? {} : { amount }),
    });
    loadgen = await startLoadgen();

    // Warm-up: one request to every tenant (so every list is compiled before timing), then each mode for a while.
    const passStarted = performance.now();
    const pass = await loadgen.run(job(many, 'warm-up: every tenant once', SECONDS, TENANTS));
    check(pass);
    if (pass.completed !== TENANTS) throw new Error(`the warm-up pass answered ${pass.completed} of ${TENANTS} tenants`);
    warmups.push(pass);
    rss.afterEveryTenant = memory();
    log(`warm-up: every tenant once, ${TENANTS} authn in ${((performance.now() - passStarted) / 1000).toFixed(1)} s, all 200 accept`);
    if (WARMUP_SECONDS > 0) {
      for (const mode of [few, many]) {
        const summary = await loadgen.run(job(mode, `warm-up, ${mode.label}`, WARMUP_SECONDS));
        check(summary);
        warmups.push(summary);
        log(`warm-up, ${mode.label}: ${Math.round(summary.requestsPerSecond)} req/s`);
      }
    }

    const measure = async (mode: Mode, title: string): Promise<Measured> => {
      const run = await measureRun(loadgen as Loadgen, job(mode, title, SECONDS), freeradius.pid);
      const { summary } = run;
      const measured: Measured = { ...run, serviceCpuMicrosPerAuthn: (run.serviceCpuCores * 1e6) / summary.requestsPerSecond };
      log(
        `${title}: ${Math.round(summary.requestsPerSecond)} req/s, p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms, ${summary.completed} answers, all 200 accept, service ${Math.round(measured.serviceCpuMicrosPerAuthn)} µs CPU per authn`,
      );
      return measured;
    };
    for (let round = 1; round <= ROUNDS; round += 1) {
      const order = round % 2 === 1 ? [few, many] : [many, few];
      const results: Partial<Record<Mode['key'], Measured>> = {};
      for (const mode of order) results[mode.key] = await measure(mode, `round ${round}/${ROUNDS}, ${mode.label}`);
      const fewResult = results.few as Measured;
      const manyResult = results.many as Measured;
      rounds.push({
        round,
        order: order.map((mode) => mode.key),
        few: fewResult,
        many: manyResult,
        ratio: manyResult.summary.requestsPerSecond / fewResult.summary.requestsPerSecond,
      });
    }
    rss.afterRounds = memory();
    // BENCH_HEAP_SNAPSHOT: a file to write this process's heap to after the rounds (who holds what).
    if (process.env.BENCH_HEAP_SNAPSHOT) v8.writeHeapSnapshot(process.env.BENCH_HEAP_SNAPSHOT);
  } finally {
    await loadgen?.close();
    await service?.close();
    await store?.close();
    await freeradius.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }

  // ---------------------------------------------------------------------------------------------
  // Report

  const of = (key: Mode['key']) => rounds.map((r) => r[key]);
  const medians = (key: Mode['key']) => ({
    requestsPerSecond: median(of(key).map((m) => m.summary.requestsPerSecond)),
    p50Ms: median(of(key).map((m) => m.summary.latencyMs.p50)),
    p99Ms: median(of(key).map((m) => m.summary.latencyMs.p99)),
    serviceCpuMicrosPerAuthn: median(of(key).map((m) => m.serviceCpuMicrosPerAuthn)),
    freeradiusCpuCores: median(of(key).map((m) => m.freeradiusCpuCores)),
  });
  const fewMedians = medians('few');
  const manyMedians = medians('many');
  const ratioOfMedians = manyMedians.requestsPerSecond / fewMedians.requestsPerSecond;
  const medianRatio = median(rounds.map((r) => r.ratio));
  const cpuRatio = manyMedians.serviceCpuMicrosPerAuthn / fewMedians.serviceCpuMicrosPerAuthn;
  const fmt = (value: number): string => Math.round(value).toLocaleString('en-US');
  const mib = (bytes: number | undefined): string => (bytes === undefined ? '?' : (bytes / 1024 / 1024).toFixed(0));
  const manyLabel = `${TENANTS.toLocaleString('en-US')} tenants`;
  const info = runInfo();
  const version = info.freeradius;
  const cells = (m: Measured): string =>
    `${fmt(m.summary.requestsPerSecond)} | ${m.summary.latencyMs.p99} | ${Math.round(m.serviceCpuMicrosPerAuthn)}`;
  const lines = [
    `POST /v2/accounts/{ID}/aaa/authn → ${version} on 127.0.0.1 (PAP user bob/hello), requests round-robin over the first ${FEW} tenants or over all ${manyLabel} of one service (${TENANTS.toLocaleString('en-US')} distinct lists: own vendor dictionary + dictionary + dictionary_cisco)`,
    `${CONNECTIONS} HTTP connections, workers ${WORKERS}, FreeRADIUS ${THREADS} threads; node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}; ${ROUNDS} round${ROUNDS === 1 ? '' : 's'} of ${SECONDS} s per mode, order alternating, after one request to every tenant and ${WARMUP_SECONDS} s per mode; run of ${startedAt}`,
    '',
    `| round (first) | ${FEW} tenants req/s | p99 ms | service µs CPU / authn | ${manyLabel} req/s | p99 ms | service µs CPU / authn | ${manyLabel} / ${FEW} |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rounds.map(
      (r) =>
        `| ${r.round} (${r.order[0] === 'few' ? FEW : TENANTS.toLocaleString('en-US')}) | ${cells(r.few)} | ${cells(r.many)} | ${r.ratio.toFixed(2)} |`,
    ),
    `| **median** | **${fmt(fewMedians.requestsPerSecond)}** | **${fewMedians.p99Ms}** | **${Math.round(fewMedians.serviceCpuMicrosPerAuthn)}** | **${fmt(manyMedians.requestsPerSecond)}** | **${manyMedians.p99Ms}** | **${Math.round(manyMedians.serviceCpuMicrosPerAuthn)}** | **${medianRatio.toFixed(2)}** |`,
    '',
    `${manyLabel} / ${FEW} tenants: ${ratioOfMedians.toFixed(2)} as the ratio of the medians, ${medianRatio.toFixed(2)} as the median of the per-round ratios (goal ≥ ${GOAL}: ${ratioOfMedians >= GOAL && medianRatio >= GOAL ? 'met' : 'not met'}); service CPU per authn ${cpuRatio.toFixed(2)}× (the store in its own process, not counted).`,
    `Every answer 200 accept: ${rounds.reduce((sum, r) => sum + r.few.summary.completed + r.many.summary.completed, 0).toLocaleString('en-US')} timed, ${warmups.reduce((sum, w) => sum + w.completed, 0).toLocaleString('en-US')} in warm-up. FreeRADIUS CPU (median, cores): ${fewMedians.freeradiusCpuCores.toFixed(2)} / ${manyMedians.freeradiusCpuCores.toFixed(2)}.`,
    `Service process RSS (this process; the store is a child, not counted): ${mib(rss.afterStart?.rss)} MiB after start with ${TENANTS.toLocaleString('en-US')} tenants in the mirrors, ${mib(rss.afterEveryTenant?.rss)} MiB after one authn per tenant, ${mib(rss.afterRounds?.rss)} MiB after the rounds (V8 heap used ${mib(rss.afterRounds?.heapUsed)} of ${mib(rss.afterRounds?.heapTotal)} MiB committed, external ${mib(rss.afterRounds?.external)} MiB of which array buffers ${mib(rss.afterRounds?.arrayBuffers)} MiB); service start ${serviceStartSeconds.toFixed(1)} s.`,
  ];
  console.log(lines.join('\n'));
  await fs.writeFile(
    RESULTS,
    `${JSON.stringify(
      {
        startedAt,
        command: 'npx tsx bench/aaa/tenant-authn.ts',
        ...info,
        settings: {
          tenants: TENANTS,
          fewTenants: FEW,
          seconds: SECONDS,
          rounds: ROUNDS,
          connections: CONNECTIONS,
          warmupSeconds: WARMUP_SECONDS,
          workers: WORKERS,
          freeradiusThreads: THREADS,
        },
        dataSet: {
          counts: population?.counts,
          populateSeconds: population?.seconds,
          list: [TENANT_DICT, 'dictionary', 'dictionary_cisco'],
        },
        serviceStartSeconds,
        medians: { few: fewMedians, many: manyMedians },
        ratios: { ofMedians: ratioOfMedians, medianOfRounds: medianRatio, serviceCpuPerAuthn: cpuRatio, goal: GOAL },
        memory: rss,
        warmups,
        rounds,
      },
      null,
      2,
    )}\n`,
  );
  log(`wrote ${RESULTS}`);
}

runBenchmark(main);
