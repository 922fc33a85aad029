/**
 * The library client vs `radclient` (FreeRADIUS's own C client) sending the same N Access-Requests
 * to the same FreeRADIUS 3.2 on loopback, 256 in flight each: requests per second (N / wall time).
 *
 *   npx tsx bench/radius/freeradius.ts
 *
 * Environment: BENCH_REQUESTS (20000) per measurement, BENCH_ROUNDS (3) rounds alternating
 * radclient and the library (a b, b a, a b, …), BENCH_IN_FLIGHT (256), BENCH_FR_THREADS (4:
 * FreeRADIUS worker threads, start = max), BENCH_WARMUP (2000 requests per client, not reported),
 * BENCH_RESULTS (output file, default bench/radius/freeradius-results.json).
 * Prints a Markdown table on stdout, progress on stderr; exits 1 if any answer is not an
 * Access-Accept.
 *
 * FreeRADIUS runs as in test/support/freeradius.ts (same minimal config, one user, PAP) except:
 * not in debug mode (`-f -l stdout` instead of `-X`, which is single-threaded and logs every
 * packet), a thread pool of BENCH_FR_THREADS workers, and max_requests raised so the requests kept
 * for cleanup_delay (5 s) across back-to-back measurements never hit the limit. The config is a
 * copy of the harness's, kept here so the test harness stays untouched.
 *
 * Same requests on both sides: User-Name = bob, User-Password = hello (hidden), and a
 * Message-Authenticator (the library always adds one to an Access-Request; radclient is told to
 * with `Message-Authenticator = 0x00` in its request file). radclient's wall time includes its
 * process start and reading the file (measured separately with N = 1 and printed as a note); the
 * library's is from the first send to the last answer, the client already created.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { PacketCode } from '../../src/radius/codec/index.js';
import { RadiusClient, type RadiusTarget } from '../../src/radius/client/index.js';
import { type FreeRadiusServer, startFreeRadius } from '../../test/support/freeradius.js';
import { processCpuSeconds } from '../support/process-cpu.js';
import { seedDictionary } from './responder-child.js';
import { median } from '../support/median.js';
import { sourceInfo } from '../support/source-info.js';
import { wholeNumber } from '../support/env.js';

const N = wholeNumber('BENCH_REQUESTS', 20_000);
const ROUNDS = wholeNumber('BENCH_ROUNDS', 3);
const IN_FLIGHT = wholeNumber('BENCH_IN_FLIGHT', 256);
const THREADS = wholeNumber('BENCH_FR_THREADS', 4);
const WARMUP = wholeNumber('BENCH_WARMUP', 2000);
const RESULTS = process.env.BENCH_RESULTS || fileURLToPath(new URL('./freeradius-results.json', import.meta.url));
const SECRET = 'testing123';
const USERS = `bob	Cleartext-Password := "hello"
	Reply-Message = "Hello, bob"
`;
const log = (message: string): void => void process.stderr.write(`${message}\n`);

// ---------------------------------------------------------------------------------------------
// The two clients.

interface Measurement {
  client: 'radclient' | 'library';
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  accepted: number;
  rejected: number;
  lost: number;
  serverCpuCores: number;
}

async function requestFile(count: number): Promise<string> {
  const file = path.join(os.tmpdir(), `radclient-bench-${process.pid}-${count}.txt`);
  const block = 'User-Name = "bob"\nUser-Password = "hello"\nMessage-Authenticator = 0x00\n\n';
  await fs.writeFile(file, block.repeat(count));
  return file;
}

function summaryCount(output: string, label: string): number {
  const match = new RegExp(`${label}\\s*:\\s*(\\d+)`).exec(output);
  return match === null ? Number.NaN : Number(match[1]);
}

async function runRadclient(file: string, count: number, server: FreeRadiusServer): Promise<Measurement> {
  const cpuBefore = await processCpuSeconds(server.pid);
  const started = performance.now();
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(
      'radclient',
      ['-p', String(IN_FLIGHT), '-q', '-s', '-r', '3', '-t', '2', '-f', file, `127.0.0.1:${server.authPort}`, 'auth', SECRET],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('error', reject);
    // radclient exits non-zero when a request failed; the summary says which.
    child.once('exit', () => resolve(text));
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = (await processCpuSeconds(server.pid)) - cpuBefore;
  const accepted = summaryCount(output, 'Accepted');
  const rejected = summaryCount(output, 'Rejected');
  const lost = summaryCount(output, 'Lost');
  if (Number.isNaN(accepted)) throw new Error(`radclient printed no summary:\n${output}`);
  return {
    client: 'radclient',
    requests: count,
    seconds,
    requestsPerSecond: count / seconds,
    accepted,
    rejected,
    lost,
    serverCpuCores: cpu / seconds,
  };
}

async function runLibrary(client: RadiusClient, target: RadiusTarget, count: number, server: FreeRadiusServer): Promise<Measurement> {
  let next = 0;
  let accepted = 0;
  let rejected = 0;
  let lost = 0;
  const cpuBefore = await processCpuSeconds(server.pid);
  const started = performance.now();
  const loop = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      try {
        const { response } = await client.send(target, {
          code: PacketCode.AccessRequest,
          attributes: { 'User-Name': 'bob', 'User-Password': 'hello' },
        });
        if (response.code === PacketCode.AccessAccept) accepted += 1;
        else rejected += 1;
      } catch {
        lost += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count) }, loop));
  const seconds = (performance.now() - started) / 1000;
  const cpu = (await processCpuSeconds(server.pid)) - cpuBefore;
  return {
    client: 'library',
    requests: count,
    seconds,
    requestsPerSecond: count / seconds,
    accepted,
    rejected,
    lost,
    serverCpuCores: cpu / seconds,
  };
}

const fmt = (value: number): string => Math.round(value).toLocaleString('en-US');

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const server = await startFreeRadius(USERS, { secret: SECRET, threads: THREADS, debug: false });
  const client = new RadiusClient({ bindAddress: '127.0.0.1' });
  const target: RadiusTarget = {
    address: '127.0.0.1',
    port: server.authPort,
    secret: SECRET,
    dictionary: seedDictionary(),
    retries: 3,
    timeoutMs: 2000,
  };
  const file = await requestFile(N);
  const warmFile = await requestFile(WARMUP);
  const oneFile = await requestFile(1);
  const measurements: Measurement[] = [];
  let radclientStartup: Measurement[] = [];
  let serverLog = '';
  try {
    log(`FreeRADIUS pid ${server.pid} on 127.0.0.1:${server.authPort}, ${THREADS} worker threads; warm-up ${WARMUP} requests per client`);
    await runRadclient(warmFile, WARMUP, server);
    await runLibrary(client, target, WARMUP, server);
    // radclient's fixed cost (process start, dictionaries, file) with a single request.
    radclientStartup = [];
    for (let index = 0; index < 3; index += 1) radclientStartup.push(await runRadclient(oneFile, 1, server));
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? (['radclient', 'library'] as const) : (['library', 'radclient'] as const);
      for (const which of order) {
        const result = which === 'radclient' ? await runRadclient(file, N, server) : await runLibrary(client, target, N, server);
        measurements.push(result);
        log(
          `round ${round + 1}/${ROUNDS} ${which}: ${fmt(result.requestsPerSecond)} req/s (${result.seconds.toFixed(3)} s), accepted ${result.accepted}, rejected ${result.rejected}, lost ${result.lost}`,
        );
      }
    }
  } finally {
    serverLog = server.output();
    await client.close();
    await server.stop();
    await Promise.all([file, warmFile, oneFile].map((name) => fs.rm(name, { force: true })));
  }

  const of = (which: Measurement['client']) => measurements.filter((m) => m.client === which);
  const radclient = of('radclient');
  const library = of('library');
  const radclientRps = median(radclient.map((m) => m.requestsPerSecond));
  const libraryRps = median(library.map((m) => m.requestsPerSecond));
  const perRoundRatios = library.map((m, index) => m.requestsPerSecond / (radclient[index] as Measurement).requestsPerSecond);
  const ratio = libraryRps / radclientRps;
  const startupSeconds = median(radclientStartup.map((m) => m.seconds));
  const allAccepted = measurements.every((m) => m.accepted === m.requests && m.rejected === 0 && m.lost === 0);
  const version = execFileSync('freeradius', ['-v']).toString().split('\n')[0] ?? '';

  const row = (name: string, rows: readonly Measurement[], rps: number): string =>
    `| ${name} | ${fmt(rps)} | ${rows.map((m) => fmt(m.requestsPerSecond)).join(' / ')} | ${median(rows.map((m) => m.seconds)).toFixed(3)} | ${median(rows.map((m) => m.serverCpuCores)).toFixed(2)} | ${rows.reduce((s, m) => s + m.accepted, 0)} / ${rows.reduce((s, m) => s + m.rejected, 0)} / ${rows.reduce((s, m) => s + m.lost, 0)} |`;
  console.log(
    `Library client vs radclient → ${version.trim()} on 127.0.0.1, ${N.toLocaleString('en-US')} Access-Requests (bob/hello, PAP, Message-Authenticator) per measurement, ${IN_FLIGHT} in flight`,
  );
  console.log(
    `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}; FreeRADIUS ${THREADS} worker threads; ${ROUNDS} rounds alternating (a b, b a, …); median round; run of ${startedAt}`,
  );
  console.log('');
  console.log(
    '| client | req/s (median) | req/s per round | wall s (median) | FreeRADIUS CPU (cores, median) | accepted / rejected / lost (all rounds) |',
  );
  console.log('| --- | ---: | --- | ---: | ---: | --- |');
  console.log(row(`a. radclient -p ${IN_FLIGHT}`, radclient, radclientRps));
  console.log(row(`b. library RadiusClient, ${IN_FLIGHT} in flight`, library, libraryRps));
  console.log('');
  console.log(`| ratio | median | per round |`);
  console.log(`| --- | ---: | --- |`);
  console.log(`| b / a req/s (goal ≥ 1.0) | ${ratio.toFixed(2)} | ${perRoundRatios.map((r) => r.toFixed(2)).join(' / ')} |`);
  console.log('');
  console.log(
    `radclient with 1 request (process start, dictionaries, file): median ${(startupSeconds * 1000).toFixed(1)} ms of its wall time; all answers Access-Accept: ${allAccepted ? 'yes' : 'NO'}`,
  );
  console.log(`library client stats: ${JSON.stringify(client.stats)}`);
  const serverNotes = serverLog.split('\n').filter((line) => /Error|WARNING|Warning|conflicting|Dropping|Discarding/i.test(line));
  console.log(
    `FreeRADIUS log: ${serverNotes.length} error/warning/drop lines${serverNotes.length > 0 ? `, first: ${serverNotes[0]?.trim()}` : ''}`,
  );

  await fs.writeFile(
    RESULTS,
    `${JSON.stringify(
      {
        startedAt,
        ...sourceInfo(),
        node: process.version,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        freeradius: version.trim(),
        settings: { requests: N, rounds: ROUNDS, inFlight: IN_FLIGHT, freeradiusThreads: THREADS, warmup: WARMUP },
        medians: {
          radclientRequestsPerSecond: radclientRps,
          libraryRequestsPerSecond: libraryRps,
          ratioLibraryOverRadclient: ratio,
          perRoundRatios,
        },
        radclientOneRequestSeconds: radclientStartup.map((m) => m.seconds),
        allAccepted,
        measurements,
        libraryClientStats: client.stats,
        freeradiusLogNotes: serverLog
          .split('\n')
          .filter((line) => /Error|WARNING|Warning|conflicting|Dropping|Discarding/i.test(line))
          .slice(0, 50),
      },
      null,
      2,
    )}\n`,
  );
  log(`wrote ${RESULTS}`);
  if (!allAccepted) process.exit(1);
}

await main();
