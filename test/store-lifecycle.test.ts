import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject, describe, expect, it } from 'vitest';
import { Api, createAccount } from './support/api.js';
import { until } from './support/poll.js';
import { SwitchableProxy, spawnService } from './support/process.js';
import { couchEndpoint } from '../src/store/database.js';
import { startTestService } from './support/service.js';

describe('restart on the embedded store', () => {
  it('data written before a restart of the service is there after it', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'circlemaker-restart-'));
    const env = {
      PORT: '0',
      DATA_DIR: dataDir,
      COUCHDB_URL: '',
      EMBEDDED_COUCHDB_PORT: '0',
      AAA_MASTER_API_KEY: crypto.randomBytes(32).toString('hex'),
      LOG_LEVEL: 'info',
    };
    const first = await spawnService(env);
    let api = new Api(first.url);
    const token = await api.login(env.AAA_MASTER_API_KEY);
    const masterId = String((await api.put('/v2/api_auth', { api_key: env.AAA_MASTER_API_KEY })).body.data.account_id);
    api = api.as(token);
    const child = await createAccount(api, masterId, 'survivor');
    const put = await api.put(`/v2/accounts/${child.id}/aaa`, { aaa_mode: 'inherit' });
    expect(put.status).toBe(201);
    expect(await first.stop()).toBe(0);

    const second = await spawnService(env);
    try {
      const again = new Api(second.url);
      const newToken = await again.login(env.AAA_MASTER_API_KEY);
      const account = await again.as(newToken).get(`/v2/accounts/${child.id}`);
      expect(account.body.data.name).toBe('survivor');
      const aaa = await again.as(newToken).get(`/v2/accounts/${child.id}/aaa`);
      expect(aaa.body.revision).toBe(put.body.revision);
      // The child's key and a token issued before the restart both still work: the signing key was kept.
      await expect(again.login(child.apiKey)).resolves.toBeTruthy();
      expect((await again.as(child.token).get(`/v2/accounts/${child.id}`)).status).toBe(200);
    } finally {
      await second.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('store outage', () => {
  it('writes answer 503 datastore_unreachable while the store is away, reads are served from the mirror, and it recovers by itself', async () => {
    const store = new URL(inject('storeUrl'));
    const proxy = new SwitchableProxy({ host: store.hostname, port: Number(store.port) });
    await proxy.start();
    const auth = store.username ? `${store.username}:${store.password}@` : '';
    const service = await startTestService({ COUCHDB_URL: `http://${auth}127.0.0.1:${proxy.port}` });
    try {
      const api = new Api(service.url);
      const token = await api.login(service.masterApiKey);
      const account = `/v2/accounts/${service.masterAccountId}`;
      expect((await api.as(token).get(account)).status).toBe(200);

      await proxy.stop();
      const down = await api.as(token).patch(account, { language: 'de' });
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ status: 'error', error: '503', message: 'datastore_unreachable' });
      expect((await api.get('/readyz')).status).toBe(503);
      expect((await api.get('/healthz')).status).toBe(200);
      expect((await api.as(token).get(account)).status).toBe(200);

      // A change made while this instance cannot see the store arrives once it can.
      const endpoint = couchEndpoint(inject('storeUrl'));
      const directUrl = `${endpoint.base}/${service.dbPrefix}accounts/${service.masterAccountId}`;
      const direct = (await (await fetch(directUrl, { headers: endpoint.headers })).json()) as Record<string, unknown>;
      const written = await fetch(directUrl, {
        method: 'PUT',
        headers: { ...endpoint.headers, 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...direct, timezone: 'Europe/Berlin' }),
      });
      expect(written.status).toBe(201);

      await proxy.start();
      const recovered = await eventually(async () => (await api.as(token).patch(account, { language: 'en' })).status, 200);
      expect(recovered).toBe(200);
      expect((await api.get('/readyz')).status).toBe(200);
      const seen = await eventually(async () => (await api.as(token).get(account)).body.data.timezone, 'Europe/Berlin');
      expect(seen).toBe('Europe/Berlin');
    } finally {
      await service.close();
      await proxy.stop();
    }
  });
});

/** Polls `probe` until it returns `expected` or about 10 seconds pass; returns the last value. */
async function eventually<T>(probe: () => Promise<T>, expected: T): Promise<T> {
  let last: T | undefined;
  await until(async () => (last = await probe()) === expected, 10_000, 100);
  return last as T;
}
