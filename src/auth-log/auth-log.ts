import { ValidationError } from '../errors.js';
import type { BackendStore } from '../subscribers/backend-store.js';
import type { StoredDoc } from '../store/database.js';
import type { Database, ViewQuery } from '../store/database.js';
import { type AuthLogEntry, type AuthLogEntryDoc, authLogDocId } from './auth-log-entry.js';

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
  items: AuthLogEntryDoc[];
  nextStartKey: string | undefined;
}

export interface Retention {
  days: number;
  maxEntries: number;
}

/** At most this many rows are read to fill one filtered page; the cursor then resumes the scan. */
const SCAN_LIMIT = 5_000;
const FLUSH_EVERY_MS = 200;
const FLUSH_AT = 500;
const PURGE_BATCH = 1_000;
/** `by_account` has a reduce (counts for the purge); reading rows needs it off. */
const withoutReduce: { reduce: false } = { reduce: false };

/** `[time, doc id]` as an opaque cursor. */
const encodeCursor = (time: string, id: string): string => Buffer.from(JSON.stringify([time, id])).toString('base64url');

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string')) return value as [string, string];
  } catch {
    // falls through to the error below
  }
  throw ValidationError.single('start_key', 'invalid', 'start_key must be a next_start_key this API returned');
}

function matches(doc: AuthLogEntryDoc, filter: AuthLogFilter): boolean {
  if (filter.username !== undefined && doc.username.toLowerCase() !== filter.username.toLowerCase()) return false;
  if (filter.result !== undefined && doc.result !== filter.result) return false;
  if (filter.nas !== undefined && doc.nas_ip_address !== filter.nas && doc.nas_identifier !== filter.nas) return false;
  return true;
}

/**
 * The authentication log: writes are buffered and sent in bulk (a decision is answered before its
 * entry is stored; at most ~200 ms of entries are lost if the process dies), reads go newest first
 * by time range, and retention is enforced by a periodic purge per account.
 */
export class AuthLog {
  private pending: AuthLogEntryDoc[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: BackendStore,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Queues an entry; `tree` is the account's ancestors, root first. */
  record(entry: Omit<AuthLogEntry, 'time'> & { time?: string }, tree: readonly string[]): void {
    const time = entry.time ?? new Date().toISOString();
    this.pending.push({
      ...entry,
      time,
      _id: authLogDocId(entry.account_id, time),
      pvt_type: 'auth_log',
      pvt_tree: [...tree, entry.account_id],
    });
    if (this.pending.length >= FLUSH_AT) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS);
  }

  /** Sends what is queued; resolves when it is stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.store.bulk(this.store.authLog as unknown as Database<StoredDoc>, batch);
      } catch (error) {
        this.onError(error);
      }
    });
    return this.flushing;
  }

  async query(accountId: string, filter: AuthLogFilter, pageSize: number, startKey: string | undefined): Promise<AuthLogPage> {
    const view = filter.includeDescendants ? 'by_ancestor' : 'by_account';
    const until = filter.until ?? '\ufff0';
    const since = filter.since ?? '';
    let start: [string, string] | undefined = startKey ? decodeCursor(startKey) : undefined;
    const items: AuthLogEntryDoc[] = [];
    let scanned = 0;
    for (;;) {
      const batchSize = Math.min(SCAN_LIMIT, Math.max(pageSize + 1, 100));
      const rows = await this.store.authLog.viewDocs<[string, string]>('auth_log', view, {
        descending: true,
        startkey: [accountId, start ? start[0] : until],
        ...(start ? { startkey_docid: start[1] } : {}),
        endkey: [accountId, since],
        limit: batchSize + 1,
        ...withoutReduce,
      });
      for (const [index, row] of rows.entries()) {
        if (index === batchSize) break;
        scanned += 1;
        if (!matches(row.doc, filter)) continue;
        if (items.length === pageSize) return { items, nextStartKey: encodeCursor(row.doc.time, row.doc._id) };
        items.push(row.doc);
      }
      const resume = rows[batchSize];
      if (!resume) return { items, nextStartKey: undefined };
      if (scanned >= SCAN_LIMIT) return { items, nextStartKey: encodeCursor(resume.doc.time, resume.doc._id) };
      start = [resume.doc.time, resume.doc._id];
    }
  }

  /**
   * Applies each account's retention: entries older than its days, and the oldest beyond its
   * count. Returns how many entries went. Every replica may run it; a delete that lost a race is
   * simply reported by the store and ignored.
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
      const oldQuery: ViewQuery & { reduce: false } = {
        startkey: [accountId, ''],
        endkey: [accountId, cutoff],
        limit: PURGE_BATCH,
        reduce: false,
      };
      const old = await this.store.authLog.view<[string, string], null>('auth_log', 'by_account', oldQuery);
      const excess = Math.max(0, row.value - old.length - retention.maxEntries);
      const surplus =
        excess > 0
          ? await this.store.authLog.view<[string, string], null>(
              'auth_log',
              'by_account',
              this.oldestQuery(accountId, cutoff, Math.min(excess, PURGE_BATCH)),
            )
          : [];
      removed += await this.remove([...old, ...surplus].map((entry) => entry.id));
    }
    return removed;
  }

  private oldestQuery(accountId: string, from: string, limit: number): ViewQuery & { reduce: false } {
    return { startkey: [accountId, from], endkey: [accountId, '\ufff0'], limit, reduce: false };
  }

  private async remove(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const docs = await this.store.authLog.getMany(ids);
    const tombstones = [...docs.values()].map((doc) => ({ _id: doc._id, _rev: doc._rev, _deleted: true }));
    const results = await this.store.bulk(this.store.authLog as unknown as Database<StoredDoc>, tombstones);
    return results.filter((result) => !result.error).length;
  }
}
