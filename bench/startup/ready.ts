/**
 * Start-up (issue 9, goal 6): how long the built service (`dist/main.js`) takes to answer
 * `/readyz` with 200, started against a store that already holds its databases and the seed
 * dictionaries (a restart, the usual case).
 *
 *   npm run build && npx tsx bench/startup/ready.ts
 *
 * The store is an embedded one started by this script, reached by the service through a small
 * proxy that notes when the store first answers the new process, so that two spans are reported:
 * from process spawn to ready (Node start-up and module loading included), and from the store's
 * first answer to ready (the goal: under 1 s). The first start, which creates the databases and
 * writes the seed, is run once before and not counted.
 *
 * Environment: BENCH_RUNS (9) starts; BENCH_TRACE=1 prints every store request of each start; BENCH_NODE_FLAGS (extra flags for the service, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`); BENCH_DIST (dist); BENCH_BASELINE_DIST (another build, say
 * of an earlier commit, started alternately with BENCH_DIST against the same store: its own rows).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedCouch } from '../../src/store/embedded.js';
import { median } from '../support/median.js';
import { runBenchmark } from '../support/run-main.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
/** BENCH_TRACE=1: print each store request of a start, with its time after the store's first answer. */
const TRACE = process.env.BENCH_TRACE === '1';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = path.join(path.resolve(ROOT, process.env.BENCH_DIST ?? 'dist'), 'main.js');
const BASELINE = process.env.BENCH_BASELINE_DIST ? path.join(path.resolve(process.env.BENCH_BASELINE_DIST), 'main.js') : undefined;

/** Forwards every request to the store; `firstAnswer` is when the store first answered since `reset`. */
interface StoreProxy {
  url: string;
  firstAnswer: number | undefined;
  reset(): void;
  close(): Promise<void>;
}

async function storeProxy(storeUrl: string): Promise<StoreProxy> {
  const target = new URL(storeUrl);
  const agent = new http.Agent({ keepAlive: true });
  const state: StoreProxy = {
    url: '',
    firstAnswer: undefined,
    reset: () => {
      state.firstAnswer = undefined;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((request, response) => {
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers, agent },
      (answer) => {
        state.firstAnswer ??= performance.now();
        if (TRACE)
          process.stderr.write(
            `  +${(performance.now() - state.firstAnswer).toFixed(0)} ms ${request.method} ${request.url?.slice(0, 100)} → ${answer.statusCode}\n`,
          );
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxied = new URL(storeUrl);
  proxied.port = String((server.address() as AddressInfo).port);
  state.url = proxied.href.replace(/\/$/, '');
  return state;
}

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function ready(port: number, child: ChildProcess, deadline: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    if (performance.now() > deadline) throw new Error('service not ready within the deadline');
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      await response.arrayBuffer();
      if (response.status === 200) return performance.now();
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

interface Start {
  spawnToReadyMs: number;
  storeToReadyMs: number;
}

async function start(env: NodeJS.ProcessEnv, proxy: StoreProxy, main = MAIN): Promise<Start> {
  const port = await freePort();
  proxy.reset();
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const spawned = performance.now();
  const child = spawn(process.execPath, [...flags, main], { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString('utf8');
  });
  try {
    const readyAt = await ready(port, child, spawned + 60_000).catch((error: unknown) => {
      throw new Error(`${main}: ${error instanceof Error ? error.message : String(error)}\n${errors.slice(-2000)}`);
    });
    if (proxy.firstAnswer === undefined) throw new Error('ready without asking the store');
    return { spawnToReadyMs: readyAt - spawned, storeToReadyMs: readyAt - proxy.firstAnswer };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} does not exist: run npm run build first`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-startup-'));
  const store = await startEmbeddedCouch({ dataDir: path.join(dataDir, 'store'), host: '127.0.0.1', port: 0 });
  const proxy = await storeProxy(store.url);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    COUCHDB_URL: proxy.url,
    DB_PREFIX: `bench_${crypto.randomBytes(3).toString('hex')}_`,
    DATA_DIR: path.join(dataDir, 'service'),
    AAA_MASTER_API_KEY: crypto.randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
  };
  try {
    const first = await start(env, proxy);
    process.stderr.write(`first start (creates databases, writes the seed; not counted): ${first.spawnToReadyMs.toFixed(0)} ms\n`);
    const starts: Start[] = [];
    const baseline: Start[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      starts.push(await start(env, proxy));
      if (BASELINE) baseline.push(await start(env, proxy, BASELINE));
      process.stderr.write(`start ${run + 1}/${RUNS}: ${JSON.stringify(starts.at(-1))} ${JSON.stringify(baseline.at(-1) ?? '')}\n`);
    }
    const m = (key: keyof Start, of = starts) => median(of.map((entry) => entry[key])).toFixed(0);
    const range = (key: keyof Start, of = starts) =>
      `${Math.min(...of.map((entry) => entry[key])).toFixed(0)}–${Math.max(...of.map((entry) => entry[key])).toFixed(0)}`;
    const baselineRows = BASELINE
      ? [
          `| baseline ${BASELINE}: process spawn → /readyz 200 | ${m('spawnToReadyMs', baseline)} | ${range('spawnToReadyMs', baseline)} |`,
          `| baseline: store's first answer → /readyz 200 | ${m('storeToReadyMs', baseline)} | ${range('storeToReadyMs', baseline)} |`,
        ]
      : [];
    process.stdout.write(
      [
        `Restart against a seeded store, ${RUNS} starts of ${path.relative(ROOT, MAIN)}; load average ${os
          .loadavg()
          .map((value) => value.toFixed(1))
          .join(' ')}`,
        '',
        '| span | median ms | min–max ms |',
        '| --- | --- | --- |',
        `| process spawn → /readyz 200 | ${m('spawnToReadyMs')} | ${range('spawnToReadyMs')} |`,
        `| store's first answer → /readyz 200 (goal < 1,000) | ${m('storeToReadyMs')} | ${range('storeToReadyMs')} |`,
        ...baselineRows,
        '',
      ].join('\n'),
    );
  } finally {
    await proxy.close();
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

runBenchmark(main);
