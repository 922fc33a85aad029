/**
 * PATCH …/aaa through the service vs a raw store PUT, side by side (issue 9, goal 4: ≥ 0.5×).
 *
 * One process holds the embedded store, the service (store cache on, as by default) and the load:
 * `BENCH_CONNECTIONS` (10) loops, each writing its own document, so writers do not race each other
 * (a race is a 409 for the raw PUT and a re-read for the PATCH, not what is measured here):
 * - raw: `PUT {store}/bench_system_config/raw_<i>` with the revision it got last (fetch, no service);
 * - patch: `PATCH /v2/accounts/{child i}/aaa` with `{ nas_port }`, the master's token, no If-Match.
 * The two targets alternate for `BENCH_ROUNDS` (5) rounds of `BENCH_SECONDS` (5) each, the order
 * swapped every round; writes per second are reported per round and as medians, with the ratio.
 * Then, on a second service reached through a counting proxy, the store requests one PATCH makes.
 *
 *   npx tsx bench/store/patch-vs-put.ts
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { type RunningService, startService } from '../../src/service.js';
import { couchEndpoint } from '../../src/store/couch-nodes.js';
import { startEmbeddedCouch } from '../../src/store/embedded.js';
import { FaultProxy } from '../../test/support/cluster.js';
import { median } from '../support/median.js';
import { runBenchmark } from '../support/run-main.js';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

interface Client {
  call(method: string, route: string, data?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
}

function client(service: RunningService, token?: string): Client {
  return {
    async call(method, route, data) {
      const response = await fetch(`${service.url}${route}`, {
        method,
        headers: { 'Content-Type': 'application/json', ...(token ? { 'X-Auth-Token': token } : {}) },
        body: data === undefined ? undefined : JSON.stringify({ data }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
  };
}

async function login(service: RunningService, apiKey: string): Promise<Client> {
  const answer = await client(service).call('PUT', '/v2/api_auth', { api_key: apiKey });
  return client(service, String(answer.body.auth_token));
}

/** `connections` loops running `write` for `seconds`; writes per second. */
async function run(write: (connection: number, n: number) => Promise<void>): Promise<number> {
  const stopAt = Date.now() + seconds * 1000;
  let count = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: connections }, async (_, connection) => {
      while (Date.now() < stopAt) {
        await write(connection, count);
        count += 1;
      }
    }),
  );
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function main(): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'circlemaker-bench-patch-'));
  const couch = await startEmbeddedCouch({ dataDir: path.join(dataDir, 'store'), host: '127.0.0.1', port: 0 });
  const masterApiKey = crypto.randomBytes(32).toString('hex');
  const quiet = createLogger('warn', new Writable({ write: (_c, _e, done) => done() }));
  const startOn = (url: string, dir: string) =>
    startService(
      loadConfig({
        PORT: '0',
        DATA_DIR: path.join(dataDir, dir),
        COUCHDB_URL: url,
        DB_PREFIX: 'bench_',
        AAA_MASTER_API_KEY: masterApiKey,
        LOG_LEVEL: 'warn',
      }),
      quiet,
    );
  const service = await startOn(couch.url, 'service');
  const proxy = new FaultProxy(couch.url);
  await proxy.start();
  try {
    const admin = await login(service, masterApiKey);
    const children: string[] = [];
    for (let i = 0; i < connections; i += 1) {
      const child = await admin.call('PUT', `/v2/accounts/${service.masterAccountId}`, { name: `bench child ${i}` });
      const id = String((child.body.data as { id: string }).id);
      const aaa = await admin.call('PUT', `/v2/accounts/${id}/aaa`, { aaa_mode: 'off' });
      if (aaa.status !== 201) throw new Error(`PUT …/aaa answered ${aaa.status}`);
      children.push(id);
    }
    const endpoint = couchEndpoint(couch.url);
    const revs: (string | undefined)[] = children.map(() => undefined);
    const raw = async (connection: number) => {
      const response = await fetch(`${endpoint.base}/bench_system_config/raw_${connection}`, {
        method: 'PUT',
        headers: { ...endpoint.headers, 'Content-Type': 'application/json' },
        body: JSON.stringify({ nas_port: 1, ...(revs[connection] ? { _rev: revs[connection] } : {}) }),
      });
      if (response.status !== 201) throw new Error(`raw PUT answered ${response.status}`);
      revs[connection] = ((await response.json()) as { rev: string }).rev;
    };
    const patch = async (connection: number, n: number) => {
      const answer = await admin.call('PATCH', `/v2/accounts/${children[connection]}/aaa`, { nas_port: 1 + (n % 60_000) });
      if (answer.status !== 200) throw new Error(`PATCH answered ${answer.status}`);
    };
    progress('warm-up (200 sequential writes of each kind, not reported)');
    for (const target of [raw, patch]) for (let i = 0; i < 200; i += 1) await target(i % connections, i);
    const perRound: { raw: number; patch: number }[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const result = { raw: 0, patch: 0 };
      const order: ('raw' | 'patch')[] = round % 2 === 0 ? ['raw', 'patch'] : ['patch', 'raw'];
      for (const name of order) result[name] = await run(name === 'raw' ? raw : patch);
      perRound.push(result);
      progress(`round ${round + 1}: raw ${result.raw.toFixed(0)}/s, PATCH ${result.patch.toFixed(0)}/s`);
    }

    // Store requests per PATCH, counted at a proxy in front of the store (sequential, after warm-up).
    const counted = await startOn(proxy.url, 'counted');
    let requests = 0;
    let counting = false;
    proxy.intercept = (request) => {
      if (counting && !request.path.includes('/_changes')) requests += 1;
      return undefined;
    };
    try {
      const countedAdmin = await login(counted, masterApiKey);
      const route = `/v2/accounts/${children[0]}/aaa`;
      for (let i = 0; i < 20; i += 1) await countedAdmin.call('PATCH', route, { nas_port: 100 + i });
      counting = true;
      const patches = 100;
      for (let i = 0; i < patches; i += 1) await countedAdmin.call('PATCH', route, { nas_port: 200 + i });
      counting = false;
      const medians = { raw: median(perRound.map((r) => r.raw)), patch: median(perRound.map((r) => r.patch)) };
      console.log(
        `PATCH …/aaa vs raw store PUT: ${connections} connections, ${rounds} interleaved rounds of ${seconds} s, embedded store, ${os.cpus().length} cores`,
      );
      console.log('| round | raw store PUT/s | PATCH …/aaa/s | ratio |');
      console.log('| ---: | ---: | ---: | ---: |');
      for (const [i, r] of perRound.entries()) {
        console.log(`| ${i + 1} | ${r.raw.toFixed(0)} | ${r.patch.toFixed(0)} | ${(r.patch / r.raw).toFixed(2)} |`);
      }
      console.log(
        `| median | ${medians.raw.toFixed(0)} | ${medians.patch.toFixed(0)} | ${median(perRound.map((r) => r.patch / r.raw)).toFixed(2)} (of medians: ${(medians.patch / medians.raw).toFixed(2)}) |`,
      );
      console.log(`store requests per sequential PATCH (changes feed excluded): ${(requests / patches).toFixed(2)}`);
    } finally {
      await counted.close();
    }
  } finally {
    await service.close();
    await proxy.stop();
    await couch.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

runBenchmark(main);
