import { type ChildProcess, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServiceChildOptions {
  storeUrl: string;
  prefix: string;
  masterApiKey: string;
  dataDir: string;
  /** Extra node flags, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`; by default BENCH_NODE_ARGS, split on spaces. */
  nodeArgs?: readonly string[];
}

const envNodeArgs = (): string[] => (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');

/**
 * The service (src/main.ts) in a child process on a free port, so that its resident memory and CPU
 * are its own; resolves once `/readyz` answers 200, and fails with the child's last output if it
 * exits or is not ready within two minutes.
 */
export async function startServiceChild(options: ServiceChildOptions): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? envNodeArgs()), '--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      COUCHDB_URL: options.storeUrl,
      DB_PREFIX: options.prefix,
      DATA_DIR: options.dataDir,
      AAA_MASTER_API_KEY: options.masterApiKey,
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-10_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-10_000)));
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited:\n${output}`);
    if (performance.now() - started > 120_000) throw new Error(`the service did not become ready:\n${output}`);
    try {
      const response = await fetch(`${url}/readyz`);
      await response.text();
      if (response.status === 200) return { child, url };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
}

/** One API request with a JSON envelope; a status of 300 or more throws with the body. */
export async function callService(url: string, method: string, token: string | undefined, data?: unknown): Promise<Record<string, any>> {
  const response = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { 'X-Auth-Token': token } : {}) },
    body: data === undefined ? undefined : JSON.stringify({ data }),
  });
  const body = (await response.json()) as Record<string, any>;
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}
