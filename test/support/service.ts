import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { type RunningService, startService } from '../../src/service.js';
import { couchEndpoint } from '../../src/store/database.js';

export interface TestService extends RunningService {
  dataDir: string;
  masterApiKey: string;
  dbPrefix: string;
  /** Every log line the service wrote, as text. */
  logs: string[];
}

/** A fresh database prefix per service, so test files sharing one store never see each other. */
export function uniquePrefix(): string {
  return `t${crypto.randomBytes(5).toString('hex')}_`;
}

/** Starts the service on a random port against the shared test store (or its own embedded one). */
export async function startTestService(env: Record<string, string> = {}): Promise<TestService> {
  const dataDir = env.DATA_DIR ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'circlemaker-test-')));
  const masterApiKey = env.AAA_MASTER_API_KEY ?? crypto.randomBytes(32).toString('hex');
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    COUCHDB_URL: inject('storeUrl'),
    DB_PREFIX: env.DB_PREFIX ?? uniquePrefix(),
    AAA_MASTER_API_KEY: masterApiKey,
    AUTH_FAILURE_LIMIT: '100000',
    // The suite's responders and FreeRADIUS listen on loopback, and some documents name 10.x
    // addresses that are never answered: both are denied to tenants by default, so the suite lifts
    // them (a test of the default passes AAA_TENANT_DESTINATIONS_ALLOW: '').
    AAA_TENANT_DESTINATIONS_ALLOW: '127.0.0.0/8,::1/128,10.0.0.0/8',
    LOG_LEVEL: 'info',
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const service = await startService(config, createLogger(config.logLevel, sink));
  return { ...service, dataDir, masterApiKey, dbPrefix: config.dbPrefix, logs };
}

/** Reads straight from the store, bypassing the service: to check what is really stored. */
export async function storeGet(service: TestService, pathInStore: string): Promise<Record<string, any>> {
  const endpoint = couchEndpoint(service.storeUrl);
  const response = await fetch(`${endpoint.base}/${service.dbPrefix}${pathInStore}`, { headers: endpoint.headers });
  return (await response.json()) as Record<string, any>;
}
