/**
 * What the cluster write path costs per write, on the embedded store (one core's worth of
 * sequential writes, so the numbers are latencies, not throughput):
 * - a raw store PUT (fetch, no service code) and `Database.put` answered 201 (the quorum path:
 *   no extra round trip);
 * - `Database.put` answered 202 (through a proxy that rewrites 201 to 202): the write, the quorum
 *   read of every leaf, and the judgement (here `write_not_final`, as no rival exists);
 * - PATCH /v2/accounts/{id}/aaa through the service, with the store answering 201, then 202.
 *
 *   npx tsx bench/store/write-cost.ts [writes per case, default 300]
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startService } from '../../src/service.js';
import { openStore } from '../../src/store/couch.js';
import { couchEndpoint } from '../../src/store/couch-nodes.js';
import { startEmbeddedCouch } from '../../src/store/embedded.js';
import { FaultProxy } from '../../test/support/cluster.js';
import { median } from '../support/median.js';
import { runBenchmark } from '../support/run-main.js';

const writes = Number(process.argv[2] ?? 300);

async function timeEach(run: (index: number) => Promise<void>): Promise<number> {
  for (let i = 0; i < 20; i += 1) await run(-1 - i); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < writes; i += 1) {
    const start = process.hrtime.bigint();
    await run(i);
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return median(samples);
}

async function main(): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'circlemaker-bench-writes-'));
  const couch = await startEmbeddedCouch({ dataDir: path.join(dataDir, 'store'), host: '127.0.0.1', port: 0 });
  const proxy = new FaultProxy(couch.url);
  await proxy.start();
  const results: Record<string, number> = {};
  try {
    const store = await openStore(couch.url, 'bench_');
    const endpoint = couchEndpoint(couch.url);
    let rawRev: string | undefined;
    results['raw store PUT (fetch)'] = await timeEach(async () => {
      const response = await fetch(`${endpoint.base}/bench_system_config/raw`, {
        method: 'PUT',
        headers: { ...endpoint.headers, 'Content-Type': 'application/json' },
        body: JSON.stringify({ n: 1, ...(rawRev ? { _rev: rawRev } : {}) }),
      });
      rawRev = ((await response.json()) as { rev: string }).rev;
    });
    let rev: string | undefined;
    results['Database.put, store answers 201'] = await timeEach(async () => {
      rev = await store.system.put({ _id: 'quorum', n: 1, ...(rev ? { _rev: rev } : {}) });
    });
    proxy.acceptOnly = () => true;
    const viaProxy = await openStore(proxy.url, 'bench_');
    let partialRev: string | undefined;
    results['Database.put, store answers 202 (re-read + judge)'] = await timeEach(async () => {
      try {
        await viaProxy.system.put({ _id: 'partial', n: 1, ...(partialRev ? { _rev: partialRev } : {}) });
      } catch (error) {
        partialRev = String((error as { data?: { revision?: string } }).data?.revision);
      }
    });
    proxy.acceptOnly = () => false;

    const masterApiKey = crypto.randomBytes(32).toString('hex');
    const config = loadConfig({
      PORT: '0',
      DATA_DIR: path.join(dataDir, 'service'),
      COUCHDB_URL: proxy.url,
      DB_PREFIX: 'bench_',
      AAA_MASTER_API_KEY: masterApiKey,
      LOG_LEVEL: 'warn',
    });
    const service = await startService(config, createLogger('warn', new Writable({ write: (_c, _e, done) => done() })));
    try {
      const call = async (method: string, route: string, token?: string, data?: unknown) => {
        const response = await fetch(`${service.url}${route}`, {
          method,
          headers: { 'Content-Type': 'application/json', ...(token ? { 'X-Auth-Token': token } : {}) },
          body: data === undefined ? undefined : JSON.stringify({ data }),
        });
        return { status: response.status, body: (await response.json()) as { data: Record<string, unknown>; auth_token?: string } };
      };
      const token = String((await call('PUT', '/v2/api_auth', undefined, { api_key: masterApiKey })).body.auth_token);
      const aaa = `/v2/accounts/${service.masterAccountId}/aaa`;
      const doc = {
        aaa_mode: 'on',
        servers: [{ name: 'r1', address: '127.0.0.1', secret: 's', dicts: ['dictionary'] }],
        authentication: ['r1'],
        authorization: [],
        accounting: [],
      };
      await call('PUT', aaa, token, doc);
      results['PATCH …/aaa, store answers 201'] = await timeEach(async (i) => {
        const answer = await call('PATCH', aaa, token, { nas_port: String(1000 + (i & 1023)) });
        if (answer.status !== 200) throw new Error(`PATCH answered ${answer.status}`);
      });
      proxy.acceptOnly = (write) => write.path.startsWith('/bench_aaa/');
      results['PATCH …/aaa, store answers 202 (re-read + judge)'] = await timeEach(async (i) => {
        const answer = await call('PATCH', aaa, token, { nas_port: String(2000 + (i & 1023)) });
        if (answer.status !== 202) throw new Error(`PATCH answered ${answer.status}`);
      });
    } finally {
      await service.close();
    }
  } finally {
    await proxy.stop();
    await couch.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  console.log(`median µs per write (${writes} sequential writes per case, embedded store, ${os.cpus().length} cores)`);
  for (const [name, micros] of Object.entries(results)) console.log(`${name.padEnd(52)} ${micros.toFixed(0).padStart(7)}`);
}

runBenchmark(main);
