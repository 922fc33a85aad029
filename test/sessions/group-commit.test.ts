/**
 * The group commit on a real store: reads skipped where this replica's copy (or a Start's "new")
 * can stand in, and every guess checked by the store, so replicas writing the same session lose
 * nothing and a change that writes nothing is only acknowledged on a document just read.
 */
import { describe, expect, inject, it } from 'vitest';
import { lookupOf } from '../../src/sessions/accounting-record.js';
import { GroupCommit } from '../../src/sessions/group-commit.js';
import type { SessionDoc } from '../../src/sessions/session-doc.js';
import { SessionRecorder } from '../../src/sessions/session-recorder.js';
import { type SessionStore, openSessionStore } from '../../src/sessions/session-store.js';
import { CouchNodes, storeUrls } from '../../src/store/couch-nodes.js';
import { uniquePrefix } from '../support/service.js';

const T0 = Date.parse('2024-03-01T10:00:00Z');
const account = { _id: 'acct1', pvt_tree: [] as string[] };
const policy = { intervalMultiple: 3, defaultIntervalSeconds: 600 };

const packet = (status: string, session: string, minute: number, extra: Record<string, string | number> = {}) =>
  lookupOf({
    'Acct-Status-Type': status,
    'Acct-Session-Id': session,
    'User-Name': 'u',
    'NAS-IP-Address': '192.0.2.1',
    'Event-Timestamp': T0 / 1000 + minute * 60,
    'Acct-Session-Time': minute * 60,
    ...extra,
  });

/** A replica: its own group commit (and so its own copies) over the shared store, counting round trips. */
function replica(store: SessionStore) {
  const calls = { reads: 0, writes: 0 };
  const db = Object.create(store.db) as SessionStore['db'];
  db.getMany = (ids) => {
    calls.reads += 1;
    return store.db.getMany(ids);
  };
  const counted: SessionStore = {
    db,
    bulk: (docs) => {
      calls.writes += 1;
      return store.bulk(docs);
    },
  };
  return { calls, recorder: new SessionRecorder(counted, new GroupCommit(counted), policy, () => T0) };
}

const read = async (store: SessionStore, id: string) => (await store.db.getMany([id])).get(id) as SessionDoc | undefined;

describe('group commit', () => {
  it('one replica: a Start and its Interim-Updates are one write each and no read', async () => {
    const store = await openSessionStore(new CouchNodes(storeUrls(inject('storeUrl'))), uniquePrefix());
    const { calls, recorder } = replica(store);
    const record = await recorder.record(account, packet('Start', 'a', 0));
    for (let minute = 1; minute <= 5; minute += 1)
      await recorder.record(account, packet('Interim-Update', 'a', minute, { 'Acct-Output-Octets': minute * 100 }));
    expect(calls).toEqual({ reads: 0, writes: 6 });
    const doc = await read(store, `acct1:${record.sessionId}`);
    expect(doc).toMatchObject({ session_time: 300, output_octets: 500, stop: null });
  });

  it('two replicas taking turns on one session: stale copies are refused by the store, read again, and nothing is lost', async () => {
    const store = await openSessionStore(new CouchNodes(storeUrls(inject('storeUrl'))), uniquePrefix());
    const one = replica(store);
    const two = replica(store);
    // The Start reaches the second replica too (a retransmission): it guessed "new", the store said it exists.
    const record = await one.recorder.record(account, packet('Start', 'b', 0));
    await two.recorder.record(account, packet('Interim-Update', 'b', 1, { 'Acct-Input-Octets': 10 }));
    await one.recorder.record(account, packet('Interim-Update', 'b', 2, { 'Acct-Output-Octets': 20 }));
    await two.recorder.record(account, packet('Start', 'b', 0, { 'Framed-IP-Address': '10.0.0.7' }));
    await one.recorder.record(account, packet('Stop', 'b', 3, { 'Acct-Terminate-Cause': 'User-Request' }));
    await Promise.all([
      two.recorder.record(account, packet('Interim-Update', 'b', 2, { 'Acct-Input-Octets': 30 })),
      one.recorder.record(account, packet('Interim-Update', 'b', 2, { 'Acct-Output-Octets': 40 })),
    ]);
    const doc = await read(store, `acct1:${record.sessionId}`);
    expect(doc).toMatchObject({
      session_time: 180,
      input_octets: 30,
      output_octets: 40,
      framed_ip_address: '10.0.0.7',
      terminate_cause: 'User-Request',
    });
    expect(doc?.stop).not.toBeNull();
  });

  it("a change that writes nothing on this replica's copy is acknowledged only after reading the document", async () => {
    const store = await openSessionStore(new CouchNodes(storeUrls(inject('storeUrl'))), uniquePrefix());
    const { calls, recorder } = replica(store);
    const record = await recorder.record(account, packet('Start', 'c', 0));
    await recorder.record(account, packet('Stop', 'c', 5));
    const id = `acct1:${record.sessionId}`;
    // Removed behind this replica's back (as the retention purge does): its copy says "already there".
    const stored = await read(store, id);
    expect(await store.bulk([{ _id: id, _rev: stored?._rev, _deleted: true }])).toEqual([expect.objectContaining({ id })]);
    const before = { ...calls };
    await recorder.record(account, packet('Stop', 'c', 5));
    expect(calls.reads).toBe(before.reads + 1);
    // Recorded again, as the always-read path did: a guess never turns a write into "nothing to do".
    const again = await read(store, id);
    expect(again).toMatchObject({ session_time: 300 });
    expect(again?.stop).not.toBeNull();
  });
});
