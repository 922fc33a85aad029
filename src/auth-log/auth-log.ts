import type { BackendStore } from '../subscribers/backend-store.js';
import type { StoredDoc } from '../store/database.js';
import type { Database, ViewQuery, ViewRow } from '../store/database.js';
import { readAheadBatch, scanFilteredPage, type ViewCursor } from '../store/view-paging.js';
import {
  type AuthLogBatchDoc,
  type AuthLogDoc,
  type AuthLogEntry,
  type AuthLogRecord,
  authLogDocId,
  authLogRecords,
  legacyAuthLogRecord,
} from './auth-log-entry.js';

export interface AuthLogFilter {
  username?: string;
  result?: 'accept' | 'reject';
  /** Matches the NAS-IP-Address or the NAS-Identifier. */
  nas?: string;
  since?: string;
  until?: string;
  includeDescendants: boolean;
}

export interface AuthLogPage {
  items: AuthLogRecord[];
  nextStartKey: string | undefined;
}

export interface Retention {
  days: number;
  maxEntries: number;
}

const FLUSH_EVERY_MS = 200;
const FLUSH_AT = 500;
/**
 * Entries held at most while the store does not take them (~30 MB): beyond, new ones are dropped
 * and the count said, rather than memory growing for as long as the store is away.
 */
const MAX_QUEUED = 50_000;
/** How soon documents the store did not take are sent again. */
const RETRY_AFTER_MS = 1_000;
/** Entries removed per round of a purge, per account. */
const PURGE_BATCH = 1_000;
/**
 * Rounds per account per purge run: up to 100,000 entries, so that an account logging faster than
 * one round an interval is still brought back to its retention (lower
 * AUTH_LOG_PURGE_INTERVAL_SECONDS for more).
 */
const PURGE_ROUNDS = 100;
/** `by_account` has a reduce (counts for the purge); reading rows needs it off. */
const withoutReduce: { reduce: false } = { reduce: false };

/** A row of `by_account` or `by_ancestor`: one entry, its value the entry's index in its document. */
type EntryKey = [owner: string, time: string, entryId: string];
type EntryRow = ViewRow<EntryKey, number>;

/** One account's entries of the next flush. */
interface PendingBatch {
  tree: string[];
  entries: AuthLogRecord[];
}

function matches(entry: AuthLogEntry, filter: AuthLogFilter): boolean {
  if (filter.username !== undefined && entry.username.toLowerCase() !== filter.username.toLowerCase()) return false;
  if (filter.result !== undefined && entry.result !== filter.result) return false;
  if (filter.nas !== undefined && entry.nas_ip_address !== filter.nas && entry.nas_identifier !== filter.nas) return false;
  return true;
}

const byTime = (a: AuthLogRecord, b: AuthLogRecord): number => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0);

/** A flush's entries of one account as the one document that stores them, in time order. */
function batchDoc(accountId: string, { tree, entries }: PendingBatch): AuthLogBatchDoc {
  // Recorded in time order unless a caller gave its own times; sort is stable for equal ones.
  if (entries.some((entry, index) => index > 0 && entry.time < entries[index - 1]!.time)) entries.sort(byTime);
  return {
    _id: authLogDocId(accountId, entries[0]!.time),
    pvt_type: 'auth_log_batch',
    account_id: accountId,
    pvt_tree: tree,
    entries,
  };
}

/**
 * The entry a row names, from its document as read (undefined if the document or the entry is
 * gone). The row's value is the entry's index; a batch rewritten by a purge since the view was
 * read has moved its entries, so the id decides.
 */
function entryOf(doc: AuthLogDoc | undefined, row: EntryRow): AuthLogRecord | undefined {
  const id = row.key[2];
  if (doc === undefined) return undefined;
  if (doc.pvt_type !== 'auth_log_batch') return doc._id === id ? legacyAuthLogRecord(doc) : undefined;
  const hinted = doc.entries[row.value];
  return hinted?.id === id ? hinted : doc.entries.find((entry) => entry.id === id);
}

/**
 * The authentication log: writes are buffered and sent in bulk (a decision is answered before its
 * entry is stored; at most ~200 ms of entries are lost if the process dies; while the store does
 * not take them they are kept, up to MAX_QUEUED, and sent again), reads go newest first
 * by time range, and retention is enforced by a periodic purge per account.
 *
 * Each flush stores an account's entries as one document (`AuthLogBatchDoc`), the store's cost
 * per document paid once per account and flush rather than per decision. The views have a row per
 * entry, so reading, paging and counting are by entry; documents of the old one-entry form
 * (`AuthLogEntryDoc`) are read and purged beside the batches.
 */
export class AuthLog {
  /** Per account, in the order first recorded; `pendingCount` entries in all. */
  private pending = new Map<string, PendingBatch>();
  private pendingCount = 0;
  /** Documents the store did not take (it failed or did not answer), sent again first; `unsentCount` entries. */
  private unsent: AuthLogBatchDoc[] = [];
  private unsentCount = 0;
  /** Entries refused since the last report: the queue was full while the store was not taking them. */
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The flush running now, if any: one at a time, going round again while more was asked for. */
  private running: Promise<void> | undefined;
  private again = false;

  private readonly onError: (error: unknown) => void;
  private readonly purgeBatch: number;
  private readonly maxQueued: number;

  constructor(
    private readonly store: BackendStore,
    options: {
      /** Told of entries the store did not take (kept and sent again) or that were dropped. */
      onError?: (error: unknown) => void;
      purgeBatch?: number;
      maxQueued?: number;
    } = {},
  ) {
    this.onError = options.onError ?? (() => undefined);
    this.purgeBatch = options.purgeBatch ?? PURGE_BATCH;
    this.maxQueued = options.maxQueued ?? MAX_QUEUED;
  }

  private get db(): Database<StoredDoc> {
    return this.store.authLog as unknown as Database<StoredDoc>;
  }

  /** Queues an entry; `tree` is the account's ancestors, root first. */
  record(entry: Omit<AuthLogEntry, 'time'> & { time?: string }, tree: readonly string[]): void {
    if (this.pendingCount + this.unsentCount >= this.maxQueued) {
      this.dropped += 1;
      return;
    }
    const time = entry.time ?? new Date().toISOString();
    // Object.assign, not `{ ...entry, time, … }`: V8 builds a literal that opens with a spread and
    // then adds properties ~5× slower (5 µs here), once per authentication.
    const record: AuthLogRecord = Object.assign({ id: authLogDocId(entry.account_id, time) }, entry, { time });
    let batch = this.pending.get(entry.account_id);
    if (batch === undefined) {
      batch = { tree: [...tree, entry.account_id], entries: [] };
      this.pending.set(entry.account_id, batch);
    }
    batch.entries.push(record);
    this.pendingCount += 1;
    if (this.pendingCount >= FLUSH_AT) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS);
  }

  /**
   * Sends what is queued (first what an earlier flush could not send), one document per account;
   * resolves when it is stored, or when the store failed, said through `onError` (the documents
   * are then kept, up to MAX_QUEUED entries, and sent again within RETRY_AFTER_MS).
   */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.again = true;
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    while (this.again) {
      this.again = false;
      if (this.dropped > 0) {
        this.onError(new Error(`${this.dropped} auth log entries were dropped: the queue was full while the store did not take them`));
        this.dropped = 0;
      }
      const docs = [...this.unsent, ...Array.from(this.pending, ([accountId, batch]) => batchDoc(accountId, batch))];
      this.unsent = [];
      this.unsentCount = 0;
      this.pending = new Map();
      this.pendingCount = 0;
      if (docs.length === 0) continue;
      let results: { id: string; error?: string }[];
      try {
        results = await this.store.bulk(this.db, docs);
      } catch (error) {
        this.onError(error);
        this.keepForRetry(docs);
        return;
      }
      // `conflict` is a document sent again that the store had taken before its answer was lost.
      const refused = results.filter((result) => result.error !== undefined && result.error !== 'conflict');
      if (refused.length > 0) {
        this.onError(new Error(`the store refused ${refused.length} auth log documents (${refused[0]?.error})`));
      }
    }
  }

  /** Documents to send again, the oldest first, however many were queued since. */
  private keepForRetry(docs: AuthLogBatchDoc[]): void {
    this.unsent = docs;
    this.unsentCount = docs.reduce((count, doc) => count + doc.entries.length, 0);
    this.timer ??= setTimeout(() => void this.flush(), RETRY_AFTER_MS);
  }

  /**
   * One page, newest first. The cursor is a row's time and entry id (the key's tail, unique), so
   * pages meet exactly across documents and equal times; a `next_start_key` handed out before
   * batches (a one-entry document's time and id) names the same row.
   */
  async query(accountId: string, filter: AuthLogFilter, pageSize: number, startKey: string | undefined): Promise<AuthLogPage> {
    const view = filter.includeDescendants ? 'by_ancestor' : 'by_account';
    const until = filter.until ?? '\ufff0';
    const since = filter.since ?? '';
    // Each document is read once per query, however many of its entries the page's reads cover.
    const docs = new Map<string, AuthLogDoc | undefined>();
    const page = await scanFilteredPage<AuthLogRecord | undefined>({
      pageSize,
      startKey,
      batchSize: readAheadBatch(pageSize),
      read: async (cursor, limit) => {
        const rows = await this.store.authLog.view<EntryKey, number>('auth_log', view, {
          descending: true,
          // `{}` sorts after every id: all of `until`'s entries are in range.
          startkey: cursor ? [accountId, cursor[0], cursor[1]] : [accountId, until, {}],
          endkey: [accountId, since],
          limit,
          ...withoutReduce,
        });
        await this.readDocs(docs, rows);
        // A row whose entry has gone since stays, unmatched: the scan's count of rows is the view's.
        return rows.map((row): { cursor: ViewCursor; doc: AuthLogRecord | undefined } => ({
          cursor: [row.key[1], row.key[2]],
          doc: entryOf(docs.get(row.id), row),
        }));
      },
      matches: (entry) => entry !== undefined && matches(entry, filter),
    });
    return { items: page.items.filter((entry) => entry !== undefined), nextStartKey: page.nextStartKey };
  }

  private async readDocs(docs: Map<string, AuthLogDoc | undefined>, rows: readonly EntryRow[]): Promise<void> {
    const wanted = [...new Set(rows.map((row) => row.id))].filter((id) => !docs.has(id));
    const found = await this.store.authLog.getMany(wanted);
    for (const id of wanted) docs.set(id, found.get(id));
  }

  /**
   * Applies each account's retention: entries older than its days, and the oldest beyond its
   * count, in rounds of PURGE_BATCH, at most PURGE_ROUNDS an account a run. A document all of whose entries go is deleted; a batch
   * straddling the line is rewritten with the entries it keeps. Returns how many entries went.
   * Every replica may run it; a delete or rewrite that lost a race (409) is skipped until the next run.
   */
  async purge(retentionOf: (accountId: string) => Promise<Retention>, now = Date.now()): Promise<number> {
    await this.flush();
    const grouped: ViewQuery & { group_level: number } = { group_level: 1 };
    const counts = await this.store.authLog.view<[string], number>('auth_log', 'by_account', grouped);
    let removed = 0;
    for (const row of counts) {
      const accountId = row.key[0];
      const retention = await retentionOf(accountId);
      const cutoff = new Date(now - retention.days * 86_400_000).toISOString();
      let held = row.value;
      for (let round = 0; round < PURGE_ROUNDS; round += 1) {
        const old = await this.oldest([accountId], [accountId, cutoff, {}], this.purgeBatch);
        // The oldest go first either way: beyond the count only once none is older than the days.
        const excess = held - old.length - retention.maxEntries;
        const room = this.purgeBatch - old.length;
        const surplus = excess > 0 && room > 0 ? await this.oldest([accountId, cutoff, {}], [accountId, {}], Math.min(excess, room)) : [];
        const rows = [...old, ...surplus];
        const gone = await this.remove(rows);
        removed += gone;
        held -= gone;
        // Done when a round found less than a full batch; stopped when one removed nothing (lost races).
        if (rows.length < this.purgeBatch || gone === 0) break;
      }
    }
    return removed;
  }

  /** The oldest rows of a `by_account` range. */
  private oldest(startkey: unknown[], endkey: unknown[], limit: number): Promise<EntryRow[]> {
    return this.store.authLog.view<EntryKey, number>('auth_log', 'by_account', { startkey, endkey, limit, ...withoutReduce });
  }

  /** Removes the rows' entries from their documents; returns how many went. */
  private async remove(rows: readonly EntryRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const going = new Set(rows.map((row) => row.key[2]));
    const docs = await this.store.authLog.getMany([...new Set(rows.map((row) => row.id))]);
    const writes: object[] = [];
    const removing: number[] = [];
    for (const doc of docs.values()) {
      const entries = authLogRecords(doc);
      const kept = entries.filter((entry) => !going.has(entry.id));
      if (kept.length === entries.length) continue;
      writes.push(
        doc.pvt_type === 'auth_log_batch' && kept.length > 0 ? { ...doc, entries: kept } : { _id: doc._id, _rev: doc._rev, _deleted: true },
      );
      removing.push(entries.length - kept.length);
    }
    const results = await this.store.bulk(this.db, writes);
    return results.reduce((total, result, index) => total + (result.error ? 0 : (removing[index] ?? 0)), 0);
  }
}
