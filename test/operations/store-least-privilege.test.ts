import { afterEach, describe, expect, it } from 'vitest';
import { Api } from '../support/api.js';
import { FaultProxy, startStore } from '../support/cluster.js';
import { startTestService, uniquePrefix } from '../support/service.js';

/**
 * A CouchDB user that is admin of its own databases, and not a server admin, may not create
 * databases: CouchDB answers 401 (or 403) to `PUT /db`. The proxy stands for such a user: it
 * refuses every database creation and serves everything else.
 */
let cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups = [];
});

async function leastPrivilegedNode() {
  const store = await startStore();
  cleanups.push(() => store.close());
  const node = new FaultProxy(store.url);
  node.intercept = (request) =>
    request.method === 'PUT' && request.path.split('/').filter(Boolean).length === 1
      ? { status: 401, body: { error: 'unauthorized', reason: 'You are not a server admin.' } }
      : undefined;
  await node.start();
  cleanups.push(() => node.stop());
  return { store, node };
}

describe('a least-privileged CouchDB user', () => {
  it('runs the service when its databases exist (they are looked up, not created)', async () => {
    const { store, node } = await leastPrivilegedNode();
    const prefix = uniquePrefix();
    // As the README says: one start as a server admin creates every database the service uses.
    const first = await startTestService({ COUCHDB_URL: store.url, DB_PREFIX: prefix });
    await first.close();
    const service = await startTestService({ COUCHDB_URL: node.url, DB_PREFIX: prefix });
    cleanups.push(() => service.close());
    const api = new Api(service.url);
    const token = await api.login(service.masterApiKey);
    expect((await api.as(token).put(`/v2/accounts/${service.masterAccountId}/aaa`, { aaa_mode: 'off' })).status).toBe(201);
    expect((await api.get('/readyz')).status).toBe(200);
  });

  it('stops start-up with a message naming the missing database and the right it lacks', async () => {
    const { node } = await leastPrivilegedNode();
    const prefix = uniquePrefix();
    await expect(startTestService({ COUCHDB_URL: node.url, DB_PREFIX: prefix })).rejects.toThrow(
      new RegExp(`401 for database ${prefix}accounts: it does not exist and this user may not create it`),
    );
  });
});
