import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { testDatabasesSince } from './test-databases.js';

declare module 'vitest' {
  export interface ProvidedContext {
    storeUrl: string;
    storeKind: string;
  }
}

type Stop = () => Promise<void>;

/** A CouchDB 3 container, if a container runtime answers within a few seconds. */
async function tryContainer(): Promise<{ url: string; stop: Stop } | undefined> {
  try {
    const { getContainerRuntimeClient, GenericContainer, Wait } = await import('testcontainers');
    const probe = getContainerRuntimeClient();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no runtime')), 5_000);
    });
    try {
      await Promise.race([probe, timeout]);
    } finally {
      clearTimeout(timer);
    }
    const container = await new GenericContainer('couchdb:3')
      .withEnvironment({ COUCHDB_USER: 'admin', COUCHDB_PASSWORD: 'admin' })
      .withExposedPorts(5984)
      .withWaitStrategy(Wait.forHttp('/_up', 5984))
      .start();
    const url = `http://admin:admin@${container.getHost()}:${container.getMappedPort(5984)}`;
    return { url, stop: async () => void (await container.stop()) };
  } catch {
    return undefined;
  }
}

/**
 * Picks the store every test file shares (each file uses its own database prefix):
 * COUCHDB_URL if set, else a CouchDB 3 container, else the embedded server.
 */
export default async function setup(project: TestProject): Promise<Stop> {
  if (process.env.COUCHDB_URL) {
    project.provide('storeUrl', process.env.COUCHDB_URL);
    project.provide('storeKind', 'couchdb (COUCHDB_URL)');
    // Someone else's CouchDB: leave it as it was found, less nothing of theirs.
    const dropCreated = await testDatabasesSince(process.env.COUCHDB_URL);
    return async () => void (await dropCreated());
  }
  const container = process.env.CI_SKIP_CONTAINERS ? undefined : await tryContainer();
  if (container) {
    project.provide('storeUrl', container.url);
    project.provide('storeKind', 'couchdb:3 (testcontainers)');
    return container.stop;
  }
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'circlemaker-store-'));
  // Its URL carries the store's credentials: raw requests go through couchEndpoint.
  const embedded = await startStoreProcess(dataDir);
  project.provide('storeUrl', embedded.url);
  project.provide('storeKind', 'embedded');
  return async () => {
    await embedded.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  };
}

/** The embedded store in a child process (why: test/support/store-process.ts), once it listens. */
async function startStoreProcess(dataDir: string): Promise<{ url: string; stop: Stop }> {
  const script = fileURLToPath(new URL('./store-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = output.split('\n')[0];
      if (output.includes('\n') && line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`the test store exited with ${code} before listening`)));
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
