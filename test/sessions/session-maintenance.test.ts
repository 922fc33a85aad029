/**
 * The periodic task on a real store: the cluster lease (one winner among racing replicas, taken
 * over once lapsed), the stale close, and the retention purge.
 */
import { describe, expect, inject, it } from 'vitest';
import { lookupOf } from '../../src/sessions/accounting-record.js';
import { ClusterLease } from '../../src/sessions/cluster-lease.js';
import { GroupCommit } from '../../src/sessions/group-commit.js';
import { SessionMaintenance } from '../../src/sessions/session-maintenance.js';
import { SessionQuery } from '../../src/sessions/session-query.js';
import { SessionRecorder } from '../../src/sessions/session-recorder.js';
import { openSessionStore } from '../../src/sessions/session-store.js';
import { CouchNodes, storeUrls } from '../../src/store/couch-nodes.js';
import { uniquePrefix } from '../support/service.js';

const T0 = Date.parse('2024-03-01T10:00:00Z');

async function setup(now = () => T0) {
  const store = await openSessionStore(new CouchNodes(storeUrls(inject('storeUrl'))), uniquePrefix());
  const commits = new GroupCommit(store);
  return {
    store,
    recorder: new SessionRecorder(store, commits, { intervalMultiple: 3, defaultIntervalSeconds: 600 }, now),
    query: new SessionQuery(store),
    maintenance: new SessionMaintenance(store, commits),
  };
}

const account = { _id: 'acct1', pvt_tree: [] as string[] };
const start = (id: string, extra: Record<string, string | number> = {}) =>
  lookupOf({
    'Acct-Status-Type': 'Start',
    'Acct-Session-Id': id,
    'User-Name': 'u',
    'NAS-IP-Address': '192.0.2.1',
    'Event-Timestamp': T0 / 1000,
    ...extra,
  });

describe('cluster lease', () => {
  it('of replicas racing for it exactly one wins; it renews; another takes it once it lapsed or was released', async () => {
    const { store } = await setup();
    let clock = T0;
    const replicas = Array.from(
      { length: 8 },
      (_, index) => new ClusterLease(store.db, 'lease:test', `replica-${index}`, 10_000, () => clock),
    );
    const won = await Promise.all(replicas.map((lease) => lease.acquire()));
    expect(won.filter(Boolean)).toHaveLength(1);
    const holder = replicas[won.indexOf(true)]!;
    const other = replicas[(won.indexOf(true) + 1) % replicas.length]!;
    expect(await holder.acquire()).toBe(true);
    expect(await other.acquire()).toBe(false);
    clock += 10_001;
    expect(await other.acquire()).toBe(true);
    expect(await holder.acquire()).toBe(false);
    await other.release();
    expect(await holder.acquire()).toBe(true);
  });
});

describe('stale close and purge', () => {
  it('closes open sessions past the multiple of their interim interval (stop = last update, Lost-Service), leaves fresh ones', async () => {
    const { recorder, query, maintenance } = await setup();
    await recorder.record(account, start('quiet', { 'Acct-Interim-Interval': 60 }));
    await recorder.record(account, start('default-interval'));
    // 3 × 60 s after its start the first is stale; the second (no interval: 600 s) is not.
    expect(await maintenance.closeStale(T0 + 181_000)).toBe(1);
    const sessions = (await query.list('acct1', { includeDescendants: false, order: 'oldest' }, 10, undefined)).items;
    const byId = Object.fromEntries(sessions.map((doc) => [doc.acct_session_id, doc]));
    expect(byId.quiet).toMatchObject({ stop: '2024-03-01T10:00:00.000Z', terminate_cause: 'Lost-Service', pvt_stale: true });
    expect(byId['default-interval']?.stop).toBeNull();
    expect(await maintenance.closeStale(T0 + 1_801_000)).toBe(1);
    expect(await query.openCount('acct1')).toBe(0);
  });

  it('purges closed sessions older than the retention, keeping newer and open ones', async () => {
    const { recorder, query, maintenance } = await setup();
    await recorder.record(account, start('old'));
    await recorder.record(
      account,
      lookupOf({
        'Acct-Status-Type': 'Stop',
        'Acct-Session-Id': 'old',
        'User-Name': 'u',
        'NAS-IP-Address': '192.0.2.1',
        'Event-Timestamp': T0 / 1000 + 10,
      }),
    );
    await recorder.record(account, start('newer', { 'Event-Timestamp': T0 / 1000 + 5 * 86_400 }));
    await recorder.record(
      account,
      lookupOf({
        'Acct-Status-Type': 'Stop',
        'Acct-Session-Id': 'newer',
        'User-Name': 'u',
        'NAS-IP-Address': '192.0.2.1',
        'Event-Timestamp': T0 / 1000 + 5 * 86_400 + 10,
      }),
    );
    await recorder.record(account, start('still-open'));
    const removed = await maintenance.purge(T0 + 10 * 86_400_000, async () => 7);
    expect(removed).toBe(1);
    const left = (await query.list('acct1', { includeDescendants: false, order: 'oldest' }, 10, undefined)).items.map(
      (doc) => doc.acct_session_id,
    );
    expect(left.sort()).toEqual(['newer', 'still-open']);
  });
});
