/**
 * Cache memory benchmark: resident memory of a service whose store mirrors hold 10,000 accounts,
 * their AAA documents and dictionaries, before and after every account's effective configuration
 * (and so every distinct dictionary list) has been computed once; against the same service on an
 * empty store.
 *
 *   npx tsx bench/cache/memory.ts
 *
 * Environment: BENCH_RESELLERS (100), BENCH_CUSTOMERS_PER_RESELLER (99), BENCH_SAMPLES (5),
 * BENCH_SAMPLE_INTERVAL_MS (400), BENCH_CONCURRENCY (16, warming requests in flight),
 * BENCH_RESULTS (bench/cache/results.json), BENCH_SOURCE_LABEL (free text kept in the results).
 *
 * The embedded store runs in this process; each service under measurement runs in a child
 * process (`node --expose-gc --import tsx --import bench/cache/probe.ts src/main.ts`), so its
 * resident set (VmRSS in /proc/<pid>/status) is its own. Prints a Markdown report on stdout,
 * progress on stderr, writes the raw numbers as JSON; exits 1 if any check fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { AccountDoc } from '../../src/accounts/account-doc.js';
import { newAccountId } from '../../src/accounts/api-key.js';
import type { AaaDoc } from '../../src/aaa/aaa-doc.js';
import type { DictionaryDoc } from '../../src/dictionary/dictionary-doc.js';
import { type EmbeddedCouch, startEmbeddedCouch } from '../../src/store/embedded.js';
import type { ProbeReply, ProbeRequest } from './probe.js';
import { median } from '../support/median.js';
import { runBenchmark } from '../support/run-main.js';
import { sourceInfo } from '../support/source-info.js';
import { wholeNumber } from '../support/env.js';
import { freePort } from '../support/free-port.js';
import { procMemory } from '../support/proc-memory.js';
import {
  aaaDoc,
  account,
  bulk,
  createDatabases,
  masterAccount,
  ownedDictionary,
  radiusServer,
  storeRequest,
} from '../support/store-docs.js';

// ---------------------------------------------------------------------------------------------
// Settings

const RESELLERS = wholeNumber('BENCH_RESELLERS', 100, 1);
const CUSTOMERS_PER_RESELLER = wholeNumber('BENCH_CUSTOMERS_PER_RESELLER', 99, 10);
const SAMPLES = wholeNumber('BENCH_SAMPLES', 5, 1);
const SAMPLE_INTERVAL_MS = wholeNumber('BENCH_SAMPLE_INTERVAL_MS', 400, 0);
const CONCURRENCY = wholeNumber('BENCH_CONCURRENCY', 16, 1);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS_FILE = path.resolve(process.env.BENCH_RESULTS || fileURLToPath(new URL('./results.json', import.meta.url)));
const PROBE = fileURLToPath(new URL('./probe.ts', import.meta.url));
/** The goal, 200 MB, in bytes (decimal megabytes: 190.7 MiB, the stricter reading). */
const GOAL_BYTES = 200e6;

/** The system list 90 % of the accounts name; the other lists put an owned dictionary first. */
const SYSTEM_LIST = ['dictionary_3gpp', 'dictionary', 'dictionary_cisco'];
const RESELLER_DICT = 'dictionary_reseller';
const TENANT_DICT = 'dictionary_tenant';
const RESELLER_LIST = [RESELLER_DICT, 'dictionary', 'dictionary_3gpp'];
const TENANT_LIST = [TENANT_DICT, 'dictionary', 'dictionary_cisco'];
/** Of each reseller's customers: index 0 owns a dictionary, 1..9 use the reseller's, the rest the system list. */
const RESELLER_LIST_USERS = 9;

const MIB = 1024 * 1024;
const round1 = (value: number) => Math.round(value * 10) / 10;
const mib = (bytes: number) => round1(bytes / MIB);

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// The data set, in the shapes the service writes (account-service, aaa-service, dictionary-service)

interface Population {
  prefix: string;
  masterId: string;
  masterApiKey: string;
  accountIds: string[];
  counts: { accounts: number; aaaDocs: number; ownedDictionaries: number; expectedLists: number };
  /** Which list each account's servers name, to check the answers against. */
  listOf: Map<string, string[]>;
}

/** An account's AAA document: `on`, a primary and a secondary server naming the same list. */
function tenantAaaDoc(accountId: string, index: number, dicts: string[], now: number): AaaDoc {
  const a = (index >> 8) & 255;
  const b = index & 255;
  const servers = [radiusServer('radius-primary', `10.${a}.${b}.11`, dicts), radiusServer('radius-secondary', `10.${a}.${b}.12`, dicts)];
  return aaaDoc(accountId, servers, now, { nas_address: `10.${a}.${b}.1` });
}

// ---------------------------------------------------------------------------------------------
// The store, straight over HTTP

/** Documents in a database, design documents (the service installs its views) not counted. */
async function docCount(couch: EmbeddedCouch, db: string): Promise<number> {
  const info = (await storeRequest(`${couch.url}/${db}`, 'GET')) as { doc_count: number };
  const designs = (await storeRequest(`${couch.url}/${db}/_all_docs?startkey=%22_design%2F%22&endkey=%22_design0%22`, 'GET')) as {
    rows: unknown[];
  };
  return info.doc_count - designs.rows.length;
}

/** master → RESELLERS resellers → CUSTOMERS_PER_RESELLER customers each, all with AAA documents. */
async function populate(couch: EmbeddedCouch, prefix: string): Promise<Population> {
  const now = Date.now();
  const { masterId, masterApiKey, doc: master, marker } = masterAccount(now);
  const accounts: AccountDoc[] = [master];
  const aaa: AaaDoc[] = [];
  const dictionaries: DictionaryDoc[] = [];
  const listOf = new Map<string, string[]>();
  const accountIds: string[] = [];
  const add = (doc: AccountDoc, dicts: string[]) => {
    accounts.push(doc);
    accountIds.push(doc._id);
    listOf.set(doc._id, dicts);
    aaa.push(tenantAaaDoc(doc._id, accountIds.length, dicts, now));
  };
  for (let r = 0; r < RESELLERS; r += 1) {
    const resellerId = newAccountId();
    add(account(resellerId, `Reseller ${r}`, [masterId], false, now, `r${r}.example.net`), SYSTEM_LIST);
    dictionaries.push(ownedDictionary(resellerId, RESELLER_DICT, 60_000 + r, `Reseller${r}`, now));
    for (let c = 0; c < CUSTOMERS_PER_RESELLER; c += 1) {
      const customerId = newAccountId();
      const tree = [masterId, resellerId];
      const doc = account(customerId, `Customer ${r}.${c}`, tree, false, now, `c${c}.r${r}.example.net`);
      if (c === 0) {
        dictionaries.push(ownedDictionary(customerId, TENANT_DICT, 70_000 + r, `Tenant${r}`, now));
        add(doc, TENANT_LIST);
      } else if (c <= RESELLER_LIST_USERS) {
        add(doc, RESELLER_LIST);
      } else {
        add(doc, SYSTEM_LIST);
      }
    }
  }
  // The system AAA document, the last resort of `inherit` (no account here inherits).
  const systemAaa = { ...tenantAaaDoc('circlemaker', 0, SYSTEM_LIST, now), pvt_account_id: 'system' };
  await createDatabases(couch.url, prefix);
  await bulk(couch.url, `${prefix}system_config`, [marker, systemAaa]);
  await bulk(couch.url, `${prefix}accounts`, accounts);
  await bulk(couch.url, `${prefix}aaa_dicts`, dictionaries);
  await bulk(couch.url, `${prefix}aaa`, aaa);
  return {
    prefix,
    masterId,
    masterApiKey,
    accountIds,
    counts: {
      accounts: accounts.length,
      aaaDocs: aaa.length,
      ownedDictionaries: dictionaries.length,
      // The system list, one per reseller dictionary, one per tenant dictionary.
      expectedLists: 1 + 2 * RESELLERS,
    },
    listOf,
  };
}

// ---------------------------------------------------------------------------------------------
// The service under measurement, in a child process

interface Child {
  process: ChildProcess;
  pid: number;
  url: string;
  output: () => string;
  probe(gc: boolean): Promise<ProbeReply>;
  stop(): Promise<void>;
}

async function startChild(couch: EmbeddedCouch, prefix: string, masterApiKey: string, dataDir: string): Promise<Child> {
  // LOG_LEVEL=warn hides the info line "circlemaker listening", so the port is chosen here and the
  // service is ready when /readyz answers 200.
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--import', PROBE, 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      COUCHDB_URL: couch.url,
      DB_PREFIX: prefix,
      DATA_DIR: dataDir,
      AAA_MASTER_API_KEY: masterApiKey,
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: '',
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const pending = new Map<number, (reply: ProbeReply) => void>();
  let nextId = 1;
  child.on('message', (message: ProbeReply) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    waiter?.(message);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (child.pid === undefined) throw new Error('the service did not start');
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}):\n${output}`);
    if (performance.now() - started > 120_000) throw new Error(`the service did not become ready in 120 s:\n${output}`);
    try {
      const response = await fetch(`${url}/readyz`);
      await response.text();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  progress(`service pid ${child.pid} (prefix ${prefix}) ready in ${Math.round(performance.now() - started)} ms`);
  return {
    process: child,
    pid: child.pid,
    url,
    output: () => output,
    probe(gc) {
      return new Promise((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => reject(new Error('the probe did not answer')), 30_000);
        pending.set(id, (reply) => {
          clearTimeout(timer);
          resolve(reply);
        });
        const request: ProbeRequest = { type: 'sample', id, gc };
        child.send(request);
      });
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await Promise.race([exited, sleep(15_000).then(() => 'timeout' as const)]);
      if (code === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

interface PhaseSample {
  phase: string;
  /** Median of SAMPLES reads of VmRSS, no GC forced (what `ps` would show). */
  rss: number;
  rssSamples: number[];
  /** Median of SAMPLES reads of VmRSS, each right after a forced full GC. */
  rssAfterGc: number;
  rssAfterGcSamples: number[];
  /** Medians, after a forced full GC, as the process itself reports them. */
  heapUsedAfterGc: number;
  heapTotalAfterGc: number;
  externalAfterGc: number;
  arrayBuffersAfterGc: number;
  /** Peak resident set so far (VmHWM). */
  peakRss: number;
}

async function sample(child: Child, phase: string): Promise<PhaseSample> {
  const plain: number[] = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    await sleep(SAMPLE_INTERVAL_MS);
    plain.push(procMemory(child.pid).rss);
  }
  const afterGc: number[] = [];
  const probes: ProbeReply[] = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    await sleep(SAMPLE_INTERVAL_MS);
    const reply = await child.probe(true);
    if (!reply.gcRan) throw new Error('the probe could not run a GC (is --expose-gc passed?)');
    afterGc.push(procMemory(child.pid).rss);
    probes.push(reply);
  }
  const result: PhaseSample = {
    phase,
    rss: median(plain),
    rssSamples: plain,
    rssAfterGc: median(afterGc),
    rssAfterGcSamples: afterGc,
    heapUsedAfterGc: median(probes.map((p) => p.heapUsed)),
    heapTotalAfterGc: median(probes.map((p) => p.heapTotal)),
    externalAfterGc: median(probes.map((p) => p.external)),
    arrayBuffersAfterGc: median(probes.map((p) => p.arrayBuffers)),
    peakRss: procMemory(child.pid).hwm,
  };
  progress(
    `${phase}: RSS ${mib(result.rss)} MiB (after GC ${mib(result.rssAfterGc)}), heap used after GC ${mib(result.heapUsedAfterGc)} MiB, ` +
      `peak ${mib(result.peakRss)} MiB`,
  );
  return result;
}

// ---------------------------------------------------------------------------------------------
// Warming: every account's effective configuration once, with the master's token

async function login(url: string, apiKey: string): Promise<{ token: string; accountId: string }> {
  const response = await fetch(`${url}/v2/api_auth`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ data: { api_key: apiKey } }),
  });
  const body = (await response.json()) as { auth_token?: string; data?: { account_id?: string } };
  if (response.status !== 201 || typeof body.auth_token !== 'string' || typeof body.data?.account_id !== 'string') {
    throw new Error(`login: ${response.status} ${JSON.stringify(body)}`);
  }
  return { token: body.auth_token, accountId: body.data.account_id };
}

interface EffectiveServer {
  name: string;
  secret?: unknown;
  dictionaries: { name: string; id: string; owner: string; revision: string }[];
  missing_dictionaries: string[];
  dictionary_warnings: string[];
}

interface PassResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  distinctLists: number;
  statusCodes: Record<string, number>;
}

/** GETs …/aaa/effective of every account, CONCURRENCY at a time; checks each answer. */
async function effectivePass(child: Child, token: string, population: Population, title: string): Promise<PassResult> {
  const ids = population.accountIds;
  const lists = new Set<string>();
  const statusCodes: Record<string, number> = {};
  const problems: string[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= ids.length) return;
      const id = ids[index] as string;
      const response = await fetch(`${child.url}/v2/accounts/${id}/aaa/effective`, { headers: { 'X-Auth-Token': token } });
      const text = await response.text();
      statusCodes[response.status] = (statusCodes[response.status] ?? 0) + 1;
      if (response.status !== 200) {
        if (problems.length < 5) problems.push(`${id}: ${response.status} ${text.slice(0, 200)}`);
        continue;
      }
      const data = (JSON.parse(text) as { data: Record<string, { source: string | null; servers: EffectiveServer[] }> }).data;
      const expected = population.listOf.get(id) ?? [];
      for (const operation of ['authentication', 'authorization', 'accounting']) {
        const answer = data[operation];
        if (answer?.source !== id || answer.servers.length !== 2) {
          if (problems.length < 5) problems.push(`${id} ${operation}: source ${String(answer?.source)}, ${answer?.servers.length} servers`);
          continue;
        }
        for (const s of answer.servers) {
          const names = s.dictionaries.map((d) => d.name);
          if (s.secret !== undefined || s.missing_dictionaries.length > 0 || names.join() !== expected.join()) {
            if (problems.length < 5)
              problems.push(`${id} ${operation} ${s.name}: dictionaries ${names.join()}, missing ${s.missing_dictionaries.join()}`);
          }
          lists.add(JSON.stringify(s.dictionaries.map((d) => [d.id, d.revision])));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  if (problems.length > 0) throw new Error(`${title}: unexpected answers:\n${problems.join('\n')}`);
  const result = {
    requests: ids.length,
    seconds: round1(seconds),
    requestsPerSecond: round1(ids.length / seconds),
    distinctLists: lists.size,
    statusCodes,
  };
  progress(
    `${title}: ${ids.length} effective configurations in ${result.seconds} s (${result.requestsPerSecond} req/s), ${lists.size} distinct lists`,
  );
  return result;
}

/** The empty store's service gets the same number of requests on the same route (the master's own chain). */
async function exerciseEmpty(child: Child, token: string, masterId: string, requests: number): Promise<PassResult> {
  const statusCodes: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next++ < requests) {
      const response = await fetch(`${child.url}/v2/accounts/${masterId}/aaa/effective`, { headers: { 'X-Auth-Token': token } });
      await response.text();
      statusCodes[response.status] = (statusCodes[response.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  if (Object.keys(statusCodes).some((code) => code !== '200')) throw new Error(`empty store: statuses ${JSON.stringify(statusCodes)}`);
  return { requests, seconds: round1(seconds), requestsPerSecond: round1(requests / seconds), distinctLists: 0, statusCodes };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const machine = {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cpuCount: os.cpus().length,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    totalMemoryMiB: Math.round(os.totalmem() / MIB),
    loadAverageAtStart: os
      .loadavg()
      .map((v) => Math.round(v * 100) / 100)
      .join(' '),
  };
  const source = sourceInfo();
  if (source.uncommittedSrcChanges?.length) {
    progress(`note: src/ has uncommitted changes, measured as they are: ${source.uncommittedSrcChanges.map((l) => l.trim()).join(', ')}`);
  }
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'circlemaker-cache-bench-'));
  let couch: EmbeddedCouch | undefined;
  const children: Child[] = [];
  try {
    couch = await startEmbeddedCouch({ dataDir: path.join(tmp, 'store'), host: '127.0.0.1', port: 0 });

    // 1. Empty store: the service's own start-up writes (master, system dictionaries, signing key) only.
    const emptyKey = crypto.randomBytes(32).toString('hex');
    const empty = await startChild(couch, 'empty_', emptyKey, path.join(tmp, 'empty'));
    children.push(empty);
    const emptyStartup = await sample(empty, 'empty store, after start-up');
    const emptyMaster = await login(empty.url, emptyKey);
    const requests = RESELLERS * (CUSTOMERS_PER_RESELLER + 1);
    const emptyPass = await exerciseEmpty(empty, emptyMaster.token, emptyMaster.accountId, requests);
    progress(`empty store: ${requests} GET …/aaa/effective of the master in ${emptyPass.seconds} s`);
    const emptyExercised = await sample(empty, `empty store, after ${requests} requests`);
    await empty.stop();

    // 2. The populated store.
    const populateStarted = performance.now();
    const population = await populate(couch, 'mem_');
    const populateSeconds = round1((performance.now() - populateStarted) / 1000);
    progress(
      `populated ${population.counts.accounts} accounts, ${population.counts.aaaDocs} AAA documents, ` +
        `${population.counts.ownedDictionaries} account dictionaries in ${populateSeconds} s`,
    );
    const full = await startChild(couch, 'mem_', population.masterApiKey, path.join(tmp, 'full'));
    children.push(full);
    const storeCounts = {
      accounts: await docCount(couch, 'mem_accounts'),
      aaa: await docCount(couch, 'mem_aaa'),
      dictionaries: await docCount(couch, 'mem_aaa_dicts'),
      systemConfig: await docCount(couch, 'mem_system_config'),
    };
    const fullStartup = await sample(full, 'populated store, after start-up (mirrors loaded)');
    const { token, accountId } = await login(full.url, population.masterApiKey);
    if (accountId !== population.masterId) throw new Error(`logged in as ${accountId}, not the master ${population.masterId}`);
    const warmPass = await effectivePass(full, token, population, 'warming pass (compiles every list)');
    const fullWarm = await sample(full, 'populated store, after every effective configuration once');
    const secondPass = await effectivePass(full, token, population, 'second pass (all compiled)');
    const fullSecond = await sample(full, 'populated store, after a second pass');
    await full.stop();

    if (warmPass.distinctLists !== population.counts.expectedLists) {
      throw new Error(`expected ${population.counts.expectedLists} distinct lists, saw ${warmPass.distinctLists}`);
    }

    const share = (phase: PhaseSample, base: PhaseSample) => ({
      rss: phase.rss - base.rss,
      rssAfterGc: phase.rssAfterGc - base.rssAfterGc,
      heapUsedAfterGc: phase.heapUsedAfterGc - base.heapUsedAfterGc,
    });
    const cacheShare = share(fullWarm, emptyExercised);
    const mirrorsShare = share(fullStartup, emptyStartup);
    const compiledShare = share(fullWarm, fullStartup);
    const report = {
      date: new Date().toISOString(),
      command: 'npx tsx bench/cache/memory.ts',
      settings: {
        resellers: RESELLERS,
        customersPerReseller: CUSTOMERS_PER_RESELLER,
        samples: SAMPLES,
        sampleIntervalMs: SAMPLE_INTERVAL_MS,
        concurrency: CONCURRENCY,
      },
      machine,
      source,
      dataSet: {
        counts: population.counts,
        storeDocCounts: storeCounts,
        lists: { system: SYSTEM_LIST, reseller: RESELLER_LIST, tenant: TENANT_LIST },
        populateSeconds,
      },
      phases: { emptyStartup, emptyExercised, fullStartup, fullWarm, fullSecond },
      passes: { empty: emptyPass, warm: warmPass, second: secondPass },
      shares: { mirrors: mirrorsShare, compiledLists: compiledShare, cache: cacheShare },
      goalBytes: GOAL_BYTES,
    };
    await fs.writeFile(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);

    const row = (label: string, p: PhaseSample) =>
      `| ${label} | ${mib(p.rss)} | ${mib(p.rssAfterGc)} | ${mib(p.heapUsedAfterGc)} | ${mib(p.heapTotalAfterGc)} | ${mib(p.externalAfterGc)} | ${mib(p.peakRss)} |`;
    const lines = [
      `### ${report.date} — ${population.accountIds.length} accounts with AAA documents (master → ${RESELLERS} resellers → ${CUSTOMERS_PER_RESELLER} customers each)`,
      '',
      `Store: ${storeCounts.accounts} account documents, ${storeCounts.aaa} AAA documents, ${storeCounts.dictionaries} dictionaries ` +
        `(${population.counts.ownedDictionaries} owned by accounts, the rest system), ${storeCounts.systemConfig} system_config documents ` +
        '(design documents not counted). ' +
        `Distinct dictionary lists seen in the answers: ${warmPass.distinctLists} (expected ${population.counts.expectedLists}).`,
      '',
      '| phase | RSS MiB (median) | RSS MiB after forced GC (median) | V8 heap used after GC | V8 heap total after GC | external after GC | peak RSS (VmHWM) |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      row('empty store, after start-up', emptyStartup),
      row(`empty store, after ${requests} GET …/effective`, emptyExercised),
      row('populated, after start-up (mirrors loaded, nothing compiled)', fullStartup),
      row('populated, after every …/effective once (all lists compiled)', fullWarm),
      row('populated, after a second pass', fullSecond),
      '',
      `Warming pass: ${warmPass.requests} requests in ${warmPass.seconds} s (${warmPass.requestsPerSecond} req/s, ${CONCURRENCY} in flight); ` +
        `second pass: ${secondPass.seconds} s (${secondPass.requestsPerSecond} req/s); empty-store pass: ${emptyPass.seconds} s (${emptyPass.requestsPerSecond} req/s).`,
      '',
      `Cache share (warm − exercised empty): RSS ${mib(cacheShare.rss)} MiB, RSS after GC ${mib(cacheShare.rssAfterGc)} MiB, ` +
        `V8 heap used ${mib(cacheShare.heapUsedAfterGc)} MiB — goal under 200 MB (${mib(GOAL_BYTES)} MiB): ${cacheShare.rss < GOAL_BYTES ? 'met' : 'NOT met'}.`,
      `Mirrors alone (populated start-up − empty start-up): RSS ${mib(mirrorsShare.rss)} MiB, RSS after GC ${mib(mirrorsShare.rssAfterGc)} MiB, heap used ${mib(mirrorsShare.heapUsedAfterGc)} MiB.`,
      `Compiled lists and what warming left (warm − populated start-up): RSS ${mib(compiledShare.rss)} MiB, RSS after GC ${mib(compiledShare.rssAfterGc)} MiB, ` +
        `heap used ${mib(compiledShare.heapUsedAfterGc)} MiB (${Math.round(compiledShare.heapUsedAfterGc / 1024 / warmPass.distinctLists)} KiB of heap per distinct list).`,
      '',
      `Machine: ${machine.cpuModel}, ${machine.cpuCount} CPUs, ${machine.totalMemoryMiB} MiB, Node ${machine.node}, ${machine.platform}, load average at start ${machine.loadAverageAtStart}.`,
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
    progress(`wrote ${path.relative(process.cwd(), RESULTS_FILE)}`);
  } finally {
    for (const child of children) await child.stop().catch(() => undefined);
    await couch?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

runBenchmark(main);
