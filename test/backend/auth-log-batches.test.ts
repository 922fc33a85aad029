/**
 * The authentication log's storage: one document per account per flush (`auth_log_batch`), read,
 * paged and purged entry by entry, beside documents of the old one-entry form (`auth_log`).
 * `AuthLog` is driven directly against the suite's store, with the entries' times given.
 */
import { describe, expect, inject, it, vi } from 'vitest';
import { AuthLog, type AuthLogFilter, type Retention } from '../../src/auth-log/auth-log.js';
import type { AuthLogBatchDoc, AuthLogDoc, AuthLogEntryDoc, AuthLogRecord } from '../../src/auth-log/auth-log-entry.js';
import { CouchNodes, storeUrls } from '../../src/store/couch-nodes.js';
import type { ViewQuery } from '../../src/store/database.js';
import { type BackendStore, openBackendStore } from '../../src/subscribers/backend-store.js';
import { uniquePrefix } from '../support/service.js';

const ROOT = 'f'.repeat(32);
const ACME = 'a'.repeat(32);
const GLOBEX = 'b'.repeat(32);
const NOW = Date.parse('2030-06-15T12:00:00.000Z');
const DAY = 86_400_000;
const all: AuthLogFilter = { includeDescendants: false };

async function setUp(): Promise<{ store: BackendStore; log: AuthLog }> {
  const store = await openBackendStore(new CouchNodes(storeUrls(inject('storeUrl'))), uniquePrefix());
  return { store, log: new AuthLog(store) };
}

const at = (ms: number): string => new Date(ms).toISOString();

function record(log: AuthLog, account: string, time: string, username: string): void {
  log.record({ time, account_id: account, username, result: 'reject', reason: 'unknown_user', reply: {}, source: 'rlm_rest' }, [ROOT]);
}

/** A document of the old form, written as a replica running the previous version would have. */
async function putLegacy(store: BackendStore, account: string, time: string, username: string): Promise<string> {
  const doc: AuthLogEntryDoc = {
    _id: `${account}:${time}:old`,
    pvt_type: 'auth_log',
    pvt_tree: [ROOT, account],
    account_id: account,
    time,
    username,
    result: 'reject',
    reason: 'unknown_user',
    reply: {},
    source: 'rlm_rest',
  };
  await store.authLog.put(doc);
  return doc._id;
}

async function stored(store: BackendStore): Promise<AuthLogDoc[]> {
  return (await store.authLog.allDocs()).sort((a, b) => (a._id < b._id ? -1 : 1));
}

/** Every entry, page by page as a client would, with the page size given. */
async function pageThrough(log: AuthLog, account: string, pageSize: number, filter = all): Promise<AuthLogRecord[]> {
  const seen: AuthLogRecord[] = [];
  let startKey: string | undefined;
  for (let pages = 0; pages < 100; pages += 1) {
    const page = await log.query(account, filter, pageSize, startKey);
    expect(page.items.length).toBeLessThanOrEqual(pageSize);
    seen.push(...page.items);
    if (page.nextStartKey === undefined) return seen;
    startKey = page.nextStartKey;
  }
  throw new Error('paging did not end');
}

const usernames = (entries: readonly { username: string }[]): string[] => entries.map((entry) => entry.username);
function retain(retention: Retention): () => Promise<Retention> {
  return async () => retention;
}

describe('authentication log storage', () => {
  it("stores a flush's entries of one account as one document, one per account", async () => {
    const { store, log } = await setUp();
    const bulk = vi.spyOn(store, 'bulk');
    // Out of order on purpose: a batch holds its entries in time order.
    for (const [i, minute] of [3, 1, 2, 4, 0].entries()) record(log, ACME, at(NOW + minute * 60_000), `acme${i}`);
    record(log, GLOBEX, at(NOW), 'globex0');
    record(log, GLOBEX, at(NOW + 1), 'globex1');
    await log.flush();
    expect(bulk).toHaveBeenCalledTimes(1);
    expect(bulk.mock.calls[0]?.[1]).toHaveLength(2);
    const docs = (await stored(store)) as AuthLogBatchDoc[];
    expect(docs.map((doc) => [doc.pvt_type, doc.account_id, doc.entries.length])).toEqual([
      ['auth_log_batch', ACME, 5],
      ['auth_log_batch', GLOBEX, 2],
    ]);
    const [acme] = docs;
    expect(usernames(acme!.entries)).toEqual(['acme4', 'acme1', 'acme2', 'acme0', 'acme3']);
    expect(acme!.pvt_tree).toEqual([ROOT, ACME]);
    expect(acme!._id.startsWith(`${ACME}:${at(NOW)}:`)).toBe(true);
    expect(new Set(acme!.entries.map((entry) => entry.id)).size).toBe(5);
    for (const entry of acme!.entries) expect(entry.id.startsWith(`${ACME}:${entry.time}:`)).toBe(true);
    // Read and counted by entry.
    const page = await log.query(ACME, all, 10, undefined);
    expect(usernames(page.items)).toEqual(['acme3', 'acme0', 'acme2', 'acme1', 'acme4']);
    expect(page.items[0]).toEqual({
      id: acme!.entries[4]!.id,
      time: at(NOW + 4 * 60_000),
      account_id: ACME,
      username: 'acme3',
      result: 'reject',
      reason: 'unknown_user',
      reply: {},
      source: 'rlm_rest',
    });
    const grouped: ViewQuery & { group_level: number } = { group_level: 1 };
    const counts = await store.authLog.view<[string], number>('auth_log', 'by_account', grouped);
    expect(counts.map((row) => [row.key[0], row.value])).toEqual([
      [ACME, 5],
      [GLOBEX, 2],
    ]);
  });

  it('pages exactly across batches, equal times and old-form documents, newest first', async () => {
    const { store, log } = await setUp();
    const t = (second: number) => at(NOW + second * 1000);
    const flushes = [
      ['a', 'b', 'c'].map((name) => [t(1), name]),
      [
        [t(1), 'd'],
        [t(1), 'e'],
        [t(2), 'f'],
        [t(2), 'g'],
      ],
      [
        [t(2), 'h'],
        [t(3), 'i'],
      ],
      [[t(3), 'j']],
    ];
    for (const flush of flushes) {
      for (const [time, name] of flush) record(log, ACME, time!, name!);
      await log.flush();
    }
    await putLegacy(store, ACME, t(2), 'old2');
    await putLegacy(store, ACME, t(0), 'old0');
    const names = 'abcdefghij'.split('').concat('old2', 'old0');
    const everything = await log.query(ACME, all, 50, undefined);
    expect(everything.nextStartKey).toBeUndefined();
    const order = usernames(everything.items);
    expect([...order].sort()).toEqual([...names].sort());
    const times = everything.items.map((entry) => entry.time);
    expect(times).toEqual([...times].sort().reverse());
    for (const pageSize of [1, 2, 3]) {
      expect(usernames(await pageThrough(log, ACME, pageSize)), `page_size ${pageSize}`).toEqual(order);
      // With descendants (by_ancestor), from the root.
      const family = await pageThrough(log, ROOT, pageSize, { includeDescendants: true });
      expect(usernames(family), `descendants, page_size ${pageSize}`).toEqual(order);
    }
    // Filtered, the pages still meet exactly.
    const filtered = await pageThrough(log, ACME, 1, { includeDescendants: false, since: t(1), until: t(2) });
    expect(usernames(filtered)).toEqual(order.filter((name) => !['i', 'j', 'old0'].includes(name)));
  });

  it('count retention keeps exactly the newest maxEntries, rewriting the batch that straddles the line', async () => {
    const { store, log } = await setUp();
    for (const flush of [['a', 'b', 'c'], ['d', 'e', 'f'], ['g']]) {
      for (const name of flush) record(log, ACME, at(NOW - DAY + name.charCodeAt(0) * 1000), name);
      await log.flush();
    }
    expect(await log.purge(retain({ days: 30, maxEntries: 5 }), NOW)).toBe(2);
    expect(usernames((await log.query(ACME, all, 50, undefined)).items)).toEqual(['g', 'f', 'e', 'd', 'c']);
    const docs = (await stored(store)) as AuthLogBatchDoc[];
    expect(docs.map((doc) => usernames(doc.entries))).toEqual([['c'], ['d', 'e', 'f'], ['g']]);
    // Down to one: two whole batches go and the last one stays as it was.
    expect(await log.purge(retain({ days: 30, maxEntries: 1 }), NOW)).toBe(4);
    expect((await stored(store)).map((doc) => usernames((doc as AuthLogBatchDoc).entries))).toEqual([['g']]);
    expect(await log.purge(retain({ days: 30, maxEntries: 1 }), NOW)).toBe(0);
  });

  it('one run keeps going in rounds until the account is back to its retention', async () => {
    const store = await openBackendStore(new CouchNodes(storeUrls(inject('storeUrl'))), uniquePrefix());
    // Rounds of 3 entries: 10 old entries and 8 beyond the count take several rounds of one run.
    const log = new AuthLog(store, { purgeBatch: 3 });
    for (let i = 0; i < 10; i += 1) {
      record(log, ACME, at(NOW - 40 * DAY + i * 1000), `old${i}`);
      await log.flush();
    }
    for (let i = 0; i < 10; i += 1) record(log, ACME, at(NOW - DAY + i * 1000), `new${i}`);
    await log.flush();
    expect(await log.purge(retain({ days: 30, maxEntries: 2 }), NOW)).toBe(18);
    expect(usernames((await log.query(ACME, all, 50, undefined)).items)).toEqual(['new9', 'new8']);
  });

  it('day retention removes exactly the old entries of a batch that straddles the cutoff', async () => {
    const { store, log } = await setUp();
    const days = [10, 9, 1, 0];
    for (const ago of days) record(log, ACME, at(NOW - ago * DAY), `d${ago}`);
    await log.flush();
    record(log, ACME, at(NOW - 20 * DAY), 'd20');
    await log.flush();
    record(log, GLOBEX, at(NOW - 8 * DAY), 'g8');
    await log.flush();
    const retentions: Record<string, Retention> = { [ACME]: { days: 7, maxEntries: 100 }, [GLOBEX]: { days: 30, maxEntries: 100 } };
    expect(await log.purge(async (account) => retentions[account]!, NOW)).toBe(3);
    expect(usernames((await log.query(ACME, all, 50, undefined)).items)).toEqual(['d0', 'd1']);
    const docs = (await stored(store)) as AuthLogBatchDoc[];
    expect(docs.map((doc) => [doc.account_id, usernames(doc.entries)])).toEqual([
      [ACME, ['d1', 'd0']],
      [GLOBEX, ['g8']],
    ]);
    expect(await log.purge(async (account) => retentions[account]!, NOW)).toBe(0);
  });

  it('lists and purges old-form documents beside batches', async () => {
    const { store, log } = await setUp();
    const legacyOld = await putLegacy(store, ACME, at(NOW - 40 * DAY), 'legacy-40');
    await putLegacy(store, ACME, at(NOW - 3 * DAY), 'legacy-3');
    await putLegacy(store, ACME, at(NOW - 1 * DAY), 'legacy-1');
    record(log, ACME, at(NOW - 2 * DAY), 'new-2');
    record(log, ACME, at(NOW), 'new-0');
    await log.flush();
    const listed = (await log.query(ACME, all, 50, undefined)).items;
    expect(usernames(listed)).toEqual(['new-0', 'legacy-1', 'new-2', 'legacy-3', 'legacy-40']);
    // Shown as before: the document's id, no private fields.
    expect(listed[4]).toEqual({
      id: legacyOld,
      account_id: ACME,
      time: at(NOW - 40 * DAY),
      username: 'legacy-40',
      result: 'reject',
      reason: 'unknown_user',
      reply: {},
      source: 'rlm_rest',
    });
    expect(usernames((await log.query(ACME, { includeDescendants: false, username: 'legacy-3' }, 50, undefined)).items)).toEqual([
      'legacy-3',
    ]);
    // 30 days take legacy-40; a count of 2 then takes legacy-3 and new-2 (the batch is rewritten).
    expect(await log.purge(retain({ days: 30, maxEntries: 2 }), NOW)).toBe(3);
    expect(usernames((await log.query(ACME, all, 50, undefined)).items)).toEqual(['new-0', 'legacy-1']);
    expect((await stored(store)).map((doc) => doc.pvt_type).sort()).toEqual(['auth_log', 'auth_log_batch']);
  });
});

describe('authentication log while the store does not take it', () => {
  it('keeps what the store failed to take and sends it again; a document it had taken is not stored twice', async () => {
    const store = await openBackendStore(new CouchNodes(storeUrls(inject('storeUrl'))), uniquePrefix());
    const errors: unknown[] = [];
    const log = new AuthLog(store, { onError: (error) => errors.push(error) });
    const realBulk = store.bulk.bind(store);
    // First call: the store is away. Second: it takes the documents but the answer is lost.
    const bulk = vi
      .spyOn(store, 'bulk')
      .mockRejectedValueOnce(new Error('the document store did not answer'))
      .mockImplementationOnce(async (database, docs) => {
        await realBulk(database, docs);
        throw new Error('the answer was lost');
      });
    record(log, ACME, at(NOW - 2000), 'a');
    record(log, GLOBEX, at(NOW - 1000), 'b');
    await log.flush();
    expect(await stored(store)).toEqual([]);
    record(log, ACME, at(NOW), 'c');
    await log.flush();
    await log.flush();
    expect(bulk).toHaveBeenCalledTimes(3);
    // The third call sent the two kept documents again (conflicts: already stored) and c's.
    expect(usernames((await log.query(ACME, all, 50, undefined)).items)).toEqual(['c', 'a']);
    expect(usernames((await log.query(GLOBEX, all, 50, undefined)).items)).toEqual(['b']);
    expect(errors.map(String)).toEqual(['Error: the document store did not answer', 'Error: the answer was lost']);
  });

  it('holds at most maxQueued entries while the store is away, and says how many it dropped', async () => {
    const store = await openBackendStore(new CouchNodes(storeUrls(inject('storeUrl'))), uniquePrefix());
    const errors: unknown[] = [];
    const log = new AuthLog(store, { onError: (error) => errors.push(error), maxQueued: 3 });
    vi.spyOn(store, 'bulk').mockRejectedValueOnce(new Error('the document store did not answer'));
    for (const name of ['a', 'b']) record(log, ACME, at(NOW - 10_000 + name.charCodeAt(0)), name);
    await log.flush();
    for (const name of ['c', 'd', 'e']) record(log, ACME, at(NOW - 5_000 + name.charCodeAt(0)), name);
    await log.flush();
    expect(usernames((await log.query(ACME, all, 50, undefined)).items)).toEqual(['c', 'b', 'a']);
    expect(errors.map(String)).toEqual([
      'Error: the document store did not answer',
      'Error: 2 auth log entries were dropped: the queue was full while the store did not take them',
    ]);
  });
});
