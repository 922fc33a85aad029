import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { couchEndpoint } from '../src/store/database.js';
import { startEmbeddedCouch } from '../src/store/embedded.js';
import { uniquePrefix } from './support/service.js';
import { testDatabasesSince } from './support/test-databases.js';

describe('a test run on a shared CouchDB leaves nothing behind', () => {
  it('drops the test databases created since it began, and nothing else', async () => {
    // A store of its own: on the suite's shared store other files create test databases meanwhile.
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cleanup-store-'));
    const store = await startEmbeddedCouch({ dataDir, host: '127.0.0.1', port: 0 });
    try {
      const endpoint = couchEndpoint(store.url);
      const create = (name: string) => fetch(`${endpoint.base}/${name}`, { method: 'PUT', headers: endpoint.headers });
      const exists = async (name: string) => (await fetch(`${endpoint.base}/${name}`, { headers: endpoint.headers })).ok;
      const older = `${uniquePrefix()}accounts`;
      await create(older);
      const dropCreated = await testDatabasesSince(store.url);
      const mine = [`${uniquePrefix()}accounts`, `${uniquePrefix()}aaa`];
      const notATestDatabase = `keep${uniquePrefix()}aaa`;
      for (const name of [...mine, notATestDatabase]) await create(name);

      expect((await dropCreated()).sort()).toEqual([...mine].sort());
      for (const name of mine) expect(await exists(name)).toBe(false);
      expect(await exists(older)).toBe(true);
      expect(await exists(notATestDatabase)).toBe(true);
    } finally {
      await store.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
