import { afterEach, describe, expect, it } from 'vitest';
import { Api } from '../support/api.js';
import {
  FaultProxy,
  Replication,
  createDatabases,
  databaseNames,
  leavesOn,
  sameLeaves,
  startStore,
  storeRequest,
  until,
} from '../support/cluster.js';
import { startTestService, uniquePrefix } from '../support/service.js';

let cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups = [];
});

async function store() {
  const started = await startStore();
  cleanups.push(started.close);
  return started;
}

async function proxy(target: string) {
  const started = new FaultProxy(target);
  await started.start();
  cleanups.push(() => started.stop());
  return started;
}

describe('store nodes on a cluster', () => {
  it('two replicas starting on two coordinators elect one master account (the marker has one creator)', async () => {
    const prefix = uniquePrefix();
    const [s1, s2] = await Promise.all([store(), store()]);
    const viaB = await proxy(s2.url);
    const first = await startTestService({ COUCHDB_URL: s1.url, DB_PREFIX: prefix });
    cleanups.push(() => first.close());
    await createDatabases(s2.url, databaseNames(prefix));
    // The second replica's writes answer 202 once replication has shown its store the first's leaves.
    const replication = new Replication(s1.url, s2.url, databaseNames(prefix));
    cleanups.push(() => replication.pause());
    viaB.acceptOnly = () => true;
    viaB.beforeAccepted = async (write) => {
      replication.start();
      const [db, ...rest] = write.path.split('/').filter(Boolean).map(decodeURIComponent) as [string, ...string[]];
      const id = rest.join('/');
      await until(() => sameLeaves(s1.url, s2.url, db, id));
    };
    const second = await startTestService({ COUCHDB_URL: viaB.url, DB_PREFIX: prefix, AAA_MASTER_API_KEY: first.masterApiKey });
    cleanups.push(() => second.close());
    expect(second.masterAccountId).toBe(first.masterAccountId);
    const marker = `${prefix}system_config`;
    expect(await until(() => sameLeaves(s1.url, s2.url, marker, 'master_account'))).toBe(true);
    expect((await leavesOn(s2.url, marker, 'master_account')).filter((leaf) => !leaf.deleted)).toHaveLength(1);
  });

  it('with several store URLs, reads, writes and the changes feed carry on through another node when one is down', async () => {
    const s1 = await store();
    const nodeOne = await proxy(s1.url);
    const nodeTwo = await proxy(s1.url);
    const service = await startTestService({ COUCHDB_URL: `${nodeOne.url},${nodeTwo.url}` });
    cleanups.push(() => service.close());
    const api = new Api(service.url);
    const master = api.as(await api.login(service.masterApiKey));
    await nodeOne.stop();
    const created = await master.put(`/v2/accounts/${service.masterAccountId}`, { name: 'after-failover' });
    expect(created.status).toBe(201);
    expect((await master.get(`/v2/accounts/${created.body.data.id}`)).status).toBe(200);
    // A change made behind the service's back reaches its mirror: the feed resumed on the other node.
    const db = `${service.dbPrefix}accounts`;
    const stored = (await storeRequest(s1.url, 'GET', `/${db}/${created.body.data.id}`)).body;
    await storeRequest(s1.url, 'PUT', `/${db}/${created.body.data.id}`, { ...stored, name: 'renamed-behind' });
    expect(await until(async () => (await master.get(`/v2/accounts/${created.body.data.id}`)).body.data?.name === 'renamed-behind')).toBe(
      true,
    );
    expect((await api.get('/readyz')).status).toBe(200);
  });

  it('a replica whose changes feed has been down past the bound answers /readyz 503 with the reason, and recovers', async () => {
    const s1 = await store();
    const node = await proxy(s1.url);
    const service = await startTestService({ COUCHDB_URL: node.url, STORE_STALE_AFTER_SECONDS: '1' });
    cleanups.push(() => service.close());
    const api = new Api(service.url);
    expect((await api.get('/readyz')).status).toBe(200);
    node.blockChanges(true);
    const became = await until(async () => (await api.get('/readyz')).status === 503);
    if (!became) console.log(service.logs.filter((line) => line.includes('feed')).join(''));
    expect(became).toBe(true);
    const stale = await api.get('/readyz');
    expect(stale.body).toMatchObject({ message: 'store_view_stale' });
    expect(String(stale.body.data.reasons[0])).toContain('changes feed');
    node.blockChanges(false);
    expect(await until(async () => (await api.get('/readyz')).status === 200, 15_000)).toBe(true);
  });

  it('a conflict seen in the feed is resolved by CouchDB rule; the losing content goes to the conflicts database, the log names only revisions', async () => {
    const s1 = await store();
    const service = await startTestService({ COUCHDB_URL: s1.url });
    cleanups.push(() => service.close());
    const db = `${service.dbPrefix}system_config`;
    const leaf = (hash: string, secret: string) => ({ _id: 'contested', _rev: `1-${hash}`, pvt_key: secret });
    const written = await storeRequest(s1.url, 'POST', `/${db}/_bulk_docs`, {
      docs: [leaf('a'.repeat(32), 'loser-secret'), leaf('f'.repeat(32), 'winner-secret')],
      new_edits: false,
    });
    expect(written.status).toBe(201);
    const resolved = async () => (await leavesOn(s1.url, db, 'contested')).filter((entry) => !entry.deleted).length === 1;
    expect(await until(resolved, 15_000)).toBe(true);
    const winner = await storeRequest(s1.url, 'GET', `/${db}/contested?conflicts=true`);
    expect(winner.body).toMatchObject({ _rev: `1-${'f'.repeat(32)}`, pvt_key: 'winner-secret' });
    expect(winner.body._conflicts).toBeUndefined();
    const records = await storeRequest(s1.url, 'GET', `/${service.dbPrefix}conflicts/_all_docs?include_docs=true`);
    const record = records.body.rows.map((row: any) => row.doc).find((doc: any) => doc.doc_id === 'contested');
    expect(record).toMatchObject({
      losing_rev: `1-${'a'.repeat(32)}`,
      winning_rev: `1-${'f'.repeat(32)}`,
      losing_doc: { pvt_key: 'loser-secret' },
    });
    const logged = service.logs.join('');
    expect(logged).toContain(`1-${'a'.repeat(32)}`);
    expect(logged).not.toContain('loser-secret');
  });
});
