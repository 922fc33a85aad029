/**
 * Where the policy backend's CPU goes without FreeRADIUS in the way: autocannon straight at the
 * rlm_rest endpoints of the service (authorize with a PAP password already verified once,
 * post-auth) beside the same requests to the null backend (bench/backend/null-backend.ts, a bare
 * `node:http` answer) and the service's `GET /healthz` (the HTTP stack with no route work), in
 * interleaved rounds; CPU per request of each process from /proc.
 *
 *   npx tsx bench/backend/rest-direct.ts      BENCH_SECONDS (5), BENCH_ROUNDS (3), BENCH_CONNECTIONS (8)
 *
 * BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) profiles the service. The embedded
 * store runs in this process; the service and the null backend in children.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startEmbeddedCouch } from '../../src/store/embedded.js';
import { wholeNumber } from '../support/env.js';
import { freePort } from '../support/free-port.js';
import { median } from '../support/median.js';
import { processCpuSeconds } from '../support/process-cpu.js';
import { runBenchmark } from '../support/run-main.js';
import { callService, startServiceChild } from '../support/service-child.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECONDS = wholeNumber('BENCH_SECONDS', 5, 1);
const ROUNDS = wholeNumber('BENCH_ROUNDS', 3, 1);
const CONNECTIONS = wholeNumber('BENCH_CONNECTIONS', 8, 1);

interface Target {
  name: string;
  url: string;
  method: 'GET' | 'POST';
  pid: number;
}

const REST_BODY = JSON.stringify({
  'User-Name': { type: 'string', value: ['bob'] },
  'User-Password': { type: 'string', value: ['bench-password'] },
  'NAS-IP-Address': { type: 'ipaddr', value: ['127.0.0.1'] },
});

async function measure(target: Target, authorization: string): Promise<{ rate: number; cpuUs: number }> {
  const before = await processCpuSeconds(target.pid);
  // A variable, not a literal: `body` is an autocannon option bench/types/autocannon.d.ts leaves out.
  const options = {
    url: target.url,
    method: target.method,
    headers: { 'Content-Type': 'application/json', Authorization: authorization },
    ...(target.method === 'POST' ? { body: REST_BODY } : {}),
    connections: CONNECTIONS,
    duration: SECONDS,
  };
  const result = await autocannon(options);
  const after = await processCpuSeconds(target.pid);
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${target.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rate: result.requests.average, cpuUs: ((after - before) / result.requests.total) * 1e6 };
}

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-rest-direct-'));
  const couch = await startEmbeddedCouch({ dataDir: path.join(dir, 'store'), host: '127.0.0.1', port: await freePort() });
  const masterApiKey = crypto.randomBytes(32).toString('hex');
  const { child, url } = await startServiceChild({
    storeUrl: couch.url,
    prefix: 'bench_',
    masterApiKey,
    dataDir: path.join(dir, 'service'),
  });
  const nullBackend = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/backend/null-backend.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const login = await callService(`${url}/v2/api_auth`, 'PUT', undefined, { api_key: masterApiKey });
    const token = String(login.auth_token);
    const tenant = String((await callService(`${url}/v2/accounts/${login.data.account_id}`, 'PUT', token, { name: 'bench' })).data.id);
    const credential = (await callService(`${url}/v2/accounts/${tenant}/aaa/rest_credentials`, 'PUT', token)).data as {
      username: string;
      password: string;
    };
    await callService(`${url}/v2/accounts/${tenant}/aaa/groups`, 'PUT', token, { name: 'gold', reply: { 'Idle-Timeout': 600 } });
    await callService(`${url}/v2/accounts/${tenant}/aaa/subscribers`, 'PUT', token, {
      username: 'bob',
      password: 'bench-password',
      groups: ['gold'],
      reply: { 'Session-Timeout': 3600 },
    });
    const nullPort = await new Promise<number>((resolve) =>
      nullBackend.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
    );
    const authorization = `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
    const service = child.pid as number;
    const rest = `${url}/v2/accounts/${tenant}/aaa/rest`;
    const targets: Target[] = [
      { name: 'service: POST …/rest/authorize', url: `${rest}/authorize`, method: 'POST', pid: service },
      { name: 'service: POST …/rest/post-auth', url: `${rest}/post-auth?result=`, method: 'POST', pid: service },
      { name: 'service: GET /healthz', url: `${url}/healthz`, method: 'GET', pid: service },
      {
        name: 'null backend: POST …/authorize',
        url: `http://127.0.0.1:${nullPort}/rest/authorize`,
        method: 'POST',
        pid: nullBackend.pid as number,
      },
    ];
    // The first authorize pays the scrypt; every later one finds the password remembered.
    await measure({ ...(targets[0] as Target) }, authorization);
    const samples = new Map<string, { rate: number; cpuUs: number }[]>();
    for (let round = 0; round < ROUNDS; round += 1) {
      for (let i = 0; i < targets.length; i += 1) {
        const target = targets[(i + round) % targets.length] as Target;
        const sample = await measure(target, authorization);
        samples.set(target.name, [...(samples.get(target.name) ?? []), sample]);
        process.stderr.write(
          `[bench] round ${round + 1}/${ROUNDS} ${target.name}: ${Math.round(sample.rate)}/s, ${Math.round(sample.cpuUs)} µs CPU\n`,
        );
      }
    }
    const lines = [
      `${CONNECTIONS} connections, ${SECONDS} s × ${ROUNDS} rounds, interleaved; medians`,
      '',
      '| target | req/s | CPU µs per request (its process) |',
      '| --- | ---: | ---: |',
    ];
    for (const target of targets) {
      const runs = samples.get(target.name) ?? [];
      lines.push(`| ${target.name} | ${Math.round(median(runs.map((r) => r.rate)))} | ${Math.round(median(runs.map((r) => r.cpuUs)))} |`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    nullBackend.kill('SIGTERM');
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await couch.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

runBenchmark(main);
