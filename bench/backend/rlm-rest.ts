/**
 * The policy backend under FreeRADIUS (issue 11): FreeRADIUS + rlm_rest → the service, against the
 * same FreeRADIUS answering from its `files` module with the same users, and against FreeRADIUS +
 * rlm_rest → a null backend (bench/backend/null-backend.ts: the ceiling of any REST backend here),
 * interleaved in the same run, each user's password verified once before; then the same with
 * BENCH_SUBSCRIBERS subscribers in the store; and the service's resident memory at each
 * step (subscribers are not mirrored: memory should follow the bounded cache, not the store).
 *
 *   npx tsx bench/backend/rlm-rest.ts
 *
 * Environment: BENCH_SUBSCRIBERS (1,000,000), BENCH_USERS (1,000: the users both servers know and
 * the requests cycle through), BENCH_REQUESTS (20,000 per radclient run), BENCH_PARALLEL (64,
 * radclient -p), BENCH_ROUNDS (3 interleaved radclient runs of each contender; medians), BENCH_LATENCY_REQUESTS (5,000, sent by the project's client 64 at a time for
 * p50/p99), BENCH_THREADS (4, FreeRADIUS worker threads), BENCH_RESULTS
 * (bench/backend/results.json).
 *
 * The embedded store runs in this process; the service in a child process (its VmRSS is its own).
 * Subscribers are written straight to the store with one precomputed scrypt hash (the store's size
 * is what matters here, not 10^6 scrypt runs). Prints a Markdown report, writes the numbers as JSON.
 */
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { PacketCode } from '../../src/radius/codec/index.js';
import { RadiusClient } from '../../src/radius/client/index.js';
import { compileDictionaries } from '../../src/radius/dictionary/index.js';
import { couchEndpoint } from '../../src/store/database.js';
import { startEmbeddedCouch } from '../../src/store/embedded.js';
import { hashPassword } from '../../src/subscribers/password-hash.js';
import { nameKey, subscriberDocId } from '../../src/subscribers/subscriber-doc.js';
import { restPolicy } from '../../test/support/freeradius-rest.js';
import { type FreeRadiusServer, startFreeRadius } from '../../test/support/freeradius.js';
import { seed } from '../../test/support/seed.js';
import { median } from '../support/median.js';
import { runBenchmark } from '../support/run-main.js';
import { sourceInfo } from '../support/source-info.js';
import { freePort } from '../support/free-port.js';
import { callService, startServiceChild } from '../support/service-child.js';
import { procMemory } from '../support/proc-memory.js';
import { processCpuSeconds } from '../support/process-cpu.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SUBSCRIBERS = env('BENCH_SUBSCRIBERS', 1_000_000);
const USERS = env('BENCH_USERS', 1_000);
const REQUESTS = env('BENCH_REQUESTS', 20_000);
const ROUNDS = env('BENCH_ROUNDS', 3);
const PARALLEL = env('BENCH_PARALLEL', 64);
const LATENCY_REQUESTS = env('BENCH_LATENCY_REQUESTS', 5_000);
const THREADS = env('BENCH_THREADS', 4);
const RESULTS = process.env.BENCH_RESULTS ?? path.join(ROOT, 'bench/backend/results.json');
const PASSWORD = 'bench-password';
const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

async function rssMedian(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    samples.push(procMemory(pid).rss);
    await sleep(300);
  }
  return median(samples);
}

const username = (index: number) => `user${String(index).padStart(7, '0')}`;

/** Subscribers [from, to) written straight to the store, 5,000 per `_bulk_docs`. */
async function loadSubscribers(storeUrl: string, prefix: string, accountId: string, from: number, to: number, hash: string): Promise<void> {
  const endpoint = couchEndpoint(storeUrl);
  const started = performance.now();
  for (let start = from; start < to; start += 5_000) {
    const docs = [];
    for (let i = start; i < Math.min(to, start + 5_000); i += 1) {
      const name = username(i);
      docs.push({
        _id: subscriberDocId(accountId, nameKey(name)),
        pvt_type: 'subscriber',
        pvt_account_id: accountId,
        username: name,
        enabled: true,
        groups: ['gold'],
        check: {},
        reply: { 'Session-Timeout': 3600 },
        expires: null,
        pvt_password_hash: hash,
        pvt_created: Date.now(),
        pvt_modified: Date.now(),
      });
    }
    const response = await fetch(`${endpoint.base}/${prefix}subscribers/_bulk_docs`, {
      method: 'POST',
      headers: { ...endpoint.headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ docs }),
    });
    if (response.status !== 201) throw new Error(`bulk load: ${response.status} ${await response.text()}`);
    await response.text();
    if ((start - from) % 100_000 === 0)
      progress(`loaded ${start + docs.length - from} of ${to - from} subscribers (${Math.round((performance.now() - started) / 1000)} s)`);
  }
}

/**
 * Waits until the service's subscriber feed has read the store up to `sequence` and is current
 * (caught up): loading 10^6 subscribers sends as many changes down the feed the subscriber cache
 * follows, and timing while it catches up would time that catch-up too.
 */
async function feedCaughtUp(serviceUrl: string, token: string, sequence: number): Promise<number> {
  const started = performance.now();
  const gauge = (text: string, name: string) =>
    Number(new RegExp(`^${name}\\{database="subscribers"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  for (;;) {
    const text = await (await fetch(`${serviceUrl}/metrics`, { headers: { 'X-Auth-Token': token } })).text();
    if (gauge(text, 'circlemaker_changes_feed_last_seq') >= sequence && gauge(text, 'circlemaker_changes_feed_current') === 1)
      return (performance.now() - started) / 1000;
    if (performance.now() - started > 600_000) throw new Error('the subscriber feed did not catch up within 10 minutes');
    await sleep(500);
  }
}

/** The store's update sequence of a database (PouchDB: a number). */
async function updateSeq(storeUrl: string, database: string): Promise<number> {
  const endpoint = couchEndpoint(storeUrl);
  const info = (await (await fetch(`${endpoint.base}/${database}`, { headers: endpoint.headers })).json()) as {
    update_seq: number | string;
  };
  return Number.parseInt(String(info.update_seq), 10);
}

/** A program's output once it exits, whatever its exit status (radclient exits 1 when any request failed). */
function runToEnd(program: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(program, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (_error, stdout, stderr) => resolve({ stdout, stderr }));
  });
}

/** radclient -p PARALLEL over REQUESTS PAP requests cycling through USERS users: requests per second. */
async function radclientRate(
  server: FreeRadiusServer,
  dir: string,
  backendPid?: number,
): Promise<{ rate: number; seconds: number; accepted: number; backend_cpu_us: number | null; store_cpu_us: number; output: string }> {
  const file = path.join(dir, `requests-${server.authPort}.txt`);
  const lines: string[] = [];
  for (let i = 0; i < REQUESTS; i += 1) lines.push(`User-Name = "${username(i % USERS)}", User-Password = "${PASSWORD}"\n`);
  await fs.writeFile(file, lines.join('\n'));
  const cpuBefore = backendPid === undefined ? 0 : await processCpuSeconds(backendPid);
  const storeCpuBefore = process.cpuUsage();
  const started = performance.now();
  // Asynchronous on purpose: the embedded store lives in this process and must keep answering.
  const run = await runToEnd('radclient', [
    '-q',
    '-s',
    '-p',
    String(PARALLEL),
    '-r',
    '1',
    '-t',
    '3',
    '-f',
    file,
    `127.0.0.1:${server.authPort}`,
    'auth',
    server.secret,
  ]);
  const seconds = (performance.now() - started) / 1000;
  const output = `${run.stdout}${run.stderr}`;
  const accepted = Number(/Accepted\s*:\s*(\d+)/.exec(output)?.[1] ?? 0);
  // This process only hosts the embedded store while radclient runs (the auth log's writes).
  const storeCpu = process.cpuUsage(storeCpuBefore);
  const storeCpuUs = Math.round((storeCpu.user + storeCpu.system) / REQUESTS);
  // The backend's CPU per authentication (two HTTP requests: authorize and post-auth).
  const backendCpu = backendPid === undefined ? null : Math.round((((await processCpuSeconds(backendPid)) - cpuBefore) / REQUESTS) * 1e6);
  return { rate: REQUESTS / seconds, seconds, accepted, backend_cpu_us: backendCpu, store_cpu_us: storeCpuUs, output: output.slice(-2000) };
}

/** p50/p99 of Access-Request round trips, PARALLEL in flight, through the project's client. */
async function latencies(server: FreeRadiusServer, count = LATENCY_REQUESTS): Promise<{ p50: number; p99: number; accepted: number }> {
  const client = new RadiusClient();
  const target = {
    address: '127.0.0.1',
    port: server.authPort,
    secret: server.secret,
    dictionary: compileDictionaries([seed('dictionary')]),
    retries: 2,
    timeoutMs: 5_000,
  };
  const times: number[] = [];
  let accepted = 0;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      const result = await client.send(target, {
        code: PacketCode.AccessRequest,
        attributes: { 'User-Name': username(index % USERS), 'User-Password': PASSWORD },
      });
      times.push(result.rttMs);
      if (result.response.code === PacketCode.AccessAccept) accepted += 1;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  await client.close();
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round((times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0) * 100) / 100;
  return { p50: at(0.5), p99: at(0.99), accepted };
}

/** Every user once, so that each one's password is verified (scrypt) before the timed runs. */
async function warm(server: FreeRadiusServer): Promise<void> {
  await latencies(server, USERS);
}

interface Contenders {
  files: FreeRadiusServer;
  ceiling: FreeRadiusServer;
  rest: FreeRadiusServer;
  /** The processes behind `ceiling` and `rest`, whose CPU is measured. */
  pids: { ceiling: number; rest: number };
}

async function compare(label: string, servers: Contenders, dir: string) {
  for (const server of [servers.files, servers.ceiling, servers.rest]) await warm(server);
  // Interleaved rounds, so that the machine's moods fall on all three alike; each figure is the
  // median over the rounds (the run whose rate is the median, for its CPU figures too).
  type Run = Awaited<ReturnType<typeof radclientRate>>;
  const runs: { files: Run; ceiling: Run; rest: Run }[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const files = await radclientRate(servers.files, dir);
    const ceiling = await radclientRate(servers.ceiling, dir, servers.pids.ceiling);
    const rest = await radclientRate(servers.rest, dir, servers.pids.rest);
    runs.push({ files, ceiling, rest });
    progress(
      `${label}, round ${round + 1}/${ROUNDS}: files ${Math.round(files.rate)}/s, null ${Math.round(ceiling.rate)}/s, service ${Math.round(rest.rate)}/s (service/files ${(rest.rate / files.rate).toFixed(2)})`,
    );
  }
  const medianRun = (pick: (round: (typeof runs)[number]) => Run): Run => {
    const sorted = runs.map(pick).sort((a, b) => a.rate - b.rate);
    return sorted[Math.floor(sorted.length / 2)] as Run;
  };
  const filesRate = medianRun((round) => round.files);
  const ceilingRate = medianRun((round) => round.ceiling);
  const restRate = medianRun((round) => round.rest);
  const perRoundRatio = median(runs.map((round) => round.rest.rate / round.files.rate));
  const filesLatency = await latencies(servers.files);
  const ceilingLatency = await latencies(servers.ceiling);
  const restLatency = await latencies(servers.rest);
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const row = {
    label,
    files: { ...filesRate, ...filesLatency },
    ceiling: { ...ceilingRate, ...ceilingLatency },
    rest: { ...restRate, ...restLatency },
    ratio: ratio(restRate.rate, filesRate.rate),
    per_round_ratio: Math.round(perRoundRatio * 100) / 100,
    rounds: runs.map((round) => ({
      files: Math.round(round.files.rate),
      ceiling: Math.round(round.ceiling.rate),
      rest: Math.round(round.rest.rate),
    })),
    ratio_to_ceiling: ratio(restRate.rate, ceilingRate.rate),
    ceiling_ratio: ratio(ceilingRate.rate, filesRate.rate),
  };
  progress(
    `${label}: files ${Math.round(filesRate.rate)}/s, null backend ${Math.round(ceilingRate.rate)}/s, service ${Math.round(restRate.rate)}/s (CPU per authentication: null ${ceilingRate.backend_cpu_us} µs, service ${restRate.backend_cpu_us} µs + store ${restRate.store_cpu_us} µs; service/files ${row.ratio} (per round ${row.per_round_ratio}), service/null ${row.ratio_to_ceiling}); p50/p99 files ${filesLatency.p50}/${filesLatency.p99} ms, null ${ceilingLatency.p50}/${ceilingLatency.p99} ms, service ${restLatency.p50}/${restLatency.p99} ms`,
  );
  for (const round of runs)
    for (const [name, run] of Object.entries(round))
      if (run.accepted !== REQUESTS) progress(`WARNING: ${name} accepted ${run.accepted} of ${REQUESTS}\n${run.output}`);
  return row;
}

/** bench/backend/null-backend.ts in a child process; resolves with its port. */
async function startNullBackend(): Promise<{ port: number; pid: number; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/backend/null-backend.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', (code) => reject(new Error(`the null backend exited with ${code}`)));
  });
  return { port, pid: child.pid as number, stop: () => child.kill('SIGTERM') };
}

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-backend-'));
  const couch = await startEmbeddedCouch({ dataDir: path.join(dir, 'store'), host: '127.0.0.1', port: await freePort() });
  const prefix = `b${crypto.randomBytes(3).toString('hex')}_`;
  const masterApiKey = crypto.randomBytes(32).toString('hex');
  const { child, url } = await startServiceChild({ storeUrl: couch.url, prefix, masterApiKey, dataDir: path.join(dir, 'service') });
  const pid = child.pid as number;
  const servers: FreeRadiusServer[] = [];
  let stopNullBackend = () => {};
  try {
    const login = await callService(`${url}/v2/api_auth`, 'PUT', undefined, { api_key: masterApiKey });
    const token = String(login.auth_token);
    const accountId = String(login.data.account_id);
    const tenant = String((await callService(`${url}/v2/accounts/${accountId}`, 'PUT', token, { name: 'bench tenant' })).data.id);
    await callService(`${url}/v2/accounts/${tenant}/aaa/groups`, 'PUT', token, { name: 'gold', reply: { 'Idle-Timeout': 600 } });
    const credential = (await callService(`${url}/v2/accounts/${tenant}/aaa/rest_credentials`, 'PUT', token)).data as {
      username: string;
      password: string;
    };
    const rssEmpty = await rssMedian(pid);

    const hash = await hashPassword(PASSWORD);
    await loadSubscribers(couch.url, prefix, tenant, 0, USERS, hash);
    const users = Array.from(
      { length: USERS },
      (_, i) => `${username(i)} Cleartext-Password := "${PASSWORD}"\n\tSession-Timeout = 3600,\n\tIdle-Timeout = 600\n`,
    ).join('\n');
    servers.push(await startFreeRadius(users, { threads: THREADS, debug: false }));
    const restServer = (baseUrl: string, credentials: { username: string; password: string }) =>
      startFreeRadius('', {
        threads: THREADS,
        debug: false,
        policy: restPolicy({ baseUrl, ...credentials, connections: THREADS }),
      });
    const nullBackend = await startNullBackend();
    stopNullBackend = nullBackend.stop;
    servers.push(await restServer(`http://127.0.0.1:${nullBackend.port}/rest`, { username: 'null', password: 'null' }));
    servers.push(await restServer(`${url}/v2/accounts/${tenant}/aaa/rest`, credential));
    const [files, ceiling, rest] = servers as [FreeRadiusServer, FreeRadiusServer, FreeRadiusServer];
    const pids = { ceiling: nullBackend.pid, rest: pid };
    const small = await compare(`${USERS} subscribers in the store`, { files, ceiling, rest, pids }, dir);
    const rssSmall = await rssMedian(pid);

    const loadStarted = performance.now();
    await loadSubscribers(couch.url, prefix, tenant, USERS, SUBSCRIBERS, hash);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const catchUpSeconds = await feedCaughtUp(url, token, await updateSeq(couch.url, `${prefix}subscribers`));
    progress(`the service's subscriber feed caught up ${Math.round(catchUpSeconds)} s after the load`);
    const rssLoaded = await rssMedian(pid);
    const large = await compare(`${SUBSCRIBERS.toLocaleString('en')} subscribers in the store`, { files, ceiling, rest, pids }, dir);
    const rssAfter = await rssMedian(pid);
    const mib = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
    const result = {
      source: sourceInfo(),
      settings: { SUBSCRIBERS, USERS, REQUESTS, PARALLEL, LATENCY_REQUESTS, THREADS },
      load_seconds: Math.round(loadSeconds),
      feed_catch_up_seconds: Math.round(catchUpSeconds),
      rss_mib: { empty: mib(rssEmpty), after_small_run: mib(rssSmall), after_loading: mib(rssLoaded), after_large_run: mib(rssAfter) },
      runs: [small, large],
    };
    await fs.writeFile(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    const line = (r: typeof small) =>
      `| ${r.label} | ${Math.round(r.files.rate)} | ${Math.round(r.ceiling.rate)} | ${Math.round(r.rest.rate)} | ${r.ratio} (${r.per_round_ratio}) | ${r.ratio_to_ceiling} | ${r.ceiling.backend_cpu_us} / ${r.rest.backend_cpu_us} + ${r.rest.store_cpu_us} | ${r.files.p50} / ${r.files.p99} | ${r.ceiling.p50} / ${r.ceiling.p99} | ${r.rest.p50} / ${r.rest.p99} |`;
    process.stdout.write(
      [
        `radclient -p ${PARALLEL}, ${REQUESTS} PAP requests over ${USERS} users, median of ${ROUNDS} interleaved rounds; FreeRADIUS ${THREADS} threads; latency: ${LATENCY_REQUESTS} requests, ${PARALLEL} in flight`,
        '',
        '| store | files (req/s) | rlm_rest → null backend (req/s) | rlm_rest → service (req/s) | service / files (median per round) | service / null backend | CPU µs per authentication: null / service + store | files p50 / p99 (ms) | null p50 / p99 (ms) | service p50 / p99 (ms) |',
        '|---|---|---|---|---|---|---|---|---|---|',
        line(small),
        line(large),
        '',
        `Service RSS (MiB): empty ${result.rss_mib.empty}, after the ${USERS}-subscriber run ${result.rss_mib.after_small_run}, after loading ${SUBSCRIBERS.toLocaleString('en')} ${result.rss_mib.after_loading}, after the run over them ${result.rss_mib.after_large_run} (load took ${result.load_seconds} s, the service's feed caught up ${result.feed_catch_up_seconds} s later)`,
        '',
      ].join('\n'),
    );
  } finally {
    for (const server of servers) await server.stop();
    stopNullBackend();
    child.kill('SIGTERM');
    await couch.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

runBenchmark(main);
