/**
 * WORKERS=2 (issue 9 goal 3): one port, two worker processes each serving requests, a worker that
 * dies replaced, and SIGTERM to the primary stopping them all. The service runs as it would in
 * production: `node src/main.ts` in its own process, against the suite's store.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/poll.js';
import { inject } from 'vitest';
import { uniquePrefix } from '../support/service.js';

interface LogLine {
  msg?: string;
  pid?: number;
  worker?: number;
  role?: string;
  url?: string;
  status?: number;
}

let child: ChildProcess;
let dataDir: string;
let base: string;
const masterApiKey = crypto.randomBytes(32).toString('hex');
const lines: LogLine[] = [];

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Pids of the workers that logged a request line for `url`. */
const servedBy = (url: string) =>
  new Set(lines.filter((line) => line.msg === 'request' && line.url === url && line.status === 201).map((line) => line.pid));

/** Logins over fresh connections (the primary hands connections round-robin to the workers). */
async function logins(count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const response = await fetch(`${base}/v2/api_auth`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Connection: 'close' },
      body: JSON.stringify({ data: { api_key: masterApiKey } }),
    });
    expect(response.status).toBe(201);
    await response.text();
  }
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'circlemaker-cluster-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      WORKERS: '2',
      PORT: String(port),
      DATA_DIR: dataDir,
      COUCHDB_URL: inject('storeUrl'),
      DB_PREFIX: uniquePrefix(),
      AAA_MASTER_API_KEY: masterApiKey,
      AUTH_FAILURE_LIMIT: '100000',
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const text of complete) {
      try {
        lines.push(JSON.parse(text) as LogLine);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr?.resume();
  expect(await until(() => lines.some((line) => line.msg === 'cluster listening'), 60_000)).toBe(true);
}, 90_000);

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('WORKERS=2', () => {
  it('serves one port from two worker processes, neither of them the primary', async () => {
    const started = lines.filter((line) => line.msg === 'worker started').map((line) => line.pid);
    expect(started).toHaveLength(2);
    await logins(8);
    expect(await until(() => servedBy('/v2/api_auth').size === 2, 5_000)).toBe(true);
    const pids = [...servedBy('/v2/api_auth')] as number[];
    expect(pids.sort()).toEqual([...started].sort());
    expect(pids).not.toContain(child.pid);
  }, 60_000);

  it('replaces a worker that dies, and keeps serving', async () => {
    const victim = lines.find((line) => line.msg === 'worker started')?.pid as number;
    process.kill(victim, 'SIGKILL');
    expect(await until(() => lines.some((line) => line.msg === 'worker died; replacing it' && line.pid === victim), 30_000)).toBe(true);
    expect(await until(() => lines.filter((line) => line.msg === 'worker started').length === 3, 30_000)).toBe(true);
    const replacement = lines.filter((line) => line.msg === 'worker started')[2]?.pid as number;
    expect(await until(() => lines.some((line) => line.msg === 'circlemaker listening' && line.pid === replacement), 30_000)).toBe(true);
    await logins(8);
    expect(await until(() => servedBy('/v2/api_auth').has(replacement), 5_000)).toBe(true);
  }, 60_000);

  it('SIGTERM to the primary stops every worker, then the primary, with exit code 0', async () => {
    const workers = [...new Set(lines.filter((line) => line.msg === 'circlemaker listening').map((line) => line.pid))] as number[];
    const living = workers.filter(alive);
    expect(living).toHaveLength(2);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(living.filter(alive)).toEqual([]);
    // Each worker stopped gracefully rather than being killed.
    for (const pid of living) expect(lines.some((line) => line.msg === 'stopped' && line.pid === pid)).toBe(true);
  }, 60_000);
});
