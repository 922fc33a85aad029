import type { ViewQuery } from '../store/database.js';
import { readAheadBatch, scanFilteredPage, type ViewCursor } from '../store/view-paging.js';
import type { SessionDoc } from './session-doc.js';
import type { SessionStore } from './session-store.js';

export interface SessionFilter {
  /** undefined: open and closed. */
  open?: boolean;
  username?: string;
  /** NAS-IP-Address or NAS-Identifier. */
  nas?: string;
  framedIp?: string;
  callingStation?: string;
  calledStation?: string;
  /** Sessions active at some time in [since, until]: begun by `until`, and open or stopped at `since` or later. */
  since?: string;
  until?: string;
  includeDescendants: boolean;
  /** By start time: newest first (default) or oldest first. */
  order: 'newest' | 'oldest';
}

export interface SessionPage {
  items: SessionDoc[];
  nextStartKey: string | undefined;
}

export interface SessionSummary {
  account: string;
  since: string | null;
  until: string | null;
  /** Sessions begun in the period, and how many of those are still open. */
  sessions: number;
  open: number;
  session_time: number;
  input_octets: number;
  output_octets: number;
  /** Every open session of the account, whatever its start. */
  open_now: number;
}

const HIGH = '\ufff0';

function matches(doc: SessionDoc, filter: SessionFilter): boolean {
  if (filter.username !== undefined && doc.username.toLowerCase() !== filter.username.toLowerCase()) return false;
  if (filter.nas !== undefined && doc.nas_ip_address !== filter.nas && doc.nas_identifier !== filter.nas) return false;
  if (filter.framedIp !== undefined && doc.framed_ip_address !== filter.framedIp) return false;
  if (filter.callingStation !== undefined && doc.calling_station_id?.toLowerCase() !== filter.callingStation.toLowerCase()) return false;
  if (filter.calledStation !== undefined && doc.called_station_id?.toLowerCase() !== filter.calledStation.toLowerCase()) return false;
  if (filter.since !== undefined && doc.stop !== null && doc.stop < filter.since) return false;
  return true;
}

/** Whether rows of the view's range must still be checked against the filter. */
const filtered = (filter: SessionFilter): boolean =>
  [filter.username, filter.nas, filter.framedIp, filter.callingStation, filter.calledStation, filter.since].some(
    (value) => value !== undefined,
  );

/** Reads sessions through the `sessions` views: nothing is held in memory beyond one page. */
export class SessionQuery {
  constructor(private readonly store: SessionStore) {}

  /** A session of the account or of one of its descendants; undefined for anyone else's. */
  async get(accountId: string, id: string): Promise<SessionDoc | undefined> {
    if (!id.includes(':')) return undefined;
    const doc = await this.store.db.get(id);
    return doc && doc.pvt_type === 'session' && doc.pvt_tree.includes(accountId) ? doc : undefined;
  }

  /**
   * One page, ordered by start: a range of `by_account` (or `by_ancestor` with descendants) over
   * `[owner, open|closed|all, start]`; the other filters are applied to the rows read, at most
   * SCAN_LIMIT per page, after which the cursor resumes the scan (a page may then be short).
   */
  async list(accountId: string, filter: SessionFilter, pageSize: number, startKey: string | undefined): Promise<SessionPage> {
    const view = filter.includeDescendants ? 'by_ancestor' : 'by_account';
    const state = filter.open === undefined ? 'all' : filter.open ? 'open' : 'closed';
    const newest = filter.order === 'newest';
    // Started before `until`, so the range of start times is [-, until]; `since` bounds the stop.
    const high = filter.until ?? HIGH;
    const low = '';
    return scanFilteredPage({
      pageSize,
      startKey,
      // Unfiltered, the range is the answer: read one page and the next row (each row carries its
      // document); filtered, read ahead.
      batchSize: filtered(filter) ? readAheadBatch(pageSize) : pageSize + 1,
      read: async (cursor, limit) => {
        const from = cursor ? cursor[0] : newest ? high : low;
        const query: ViewQuery = {
          descending: newest,
          startkey: [accountId, state, from],
          endkey: [accountId, state, newest ? low : high],
          limit,
          ...(cursor ? { startkey_docid: cursor[1] } : {}),
        };
        const rows = await this.rows(view, query);
        return rows.map((row): { cursor: ViewCursor; doc: SessionDoc } => ({ cursor: [row.key[2], row.doc._id], doc: row.doc }));
      },
      matches: (doc) => matches(doc, filter),
    });
  }

  /**
   * A range of rows with their sessions. `by_account` (every list of one account) carries the
   * session as its value: reading documents by id for `include_docs` was two thirds of a page's
   * cost on the embedded store. `by_ancestor` (with descendants, one row per level of the tree)
   * keeps its index small and reads the documents.
   */
  private async rows(view: 'by_account' | 'by_ancestor', query: ViewQuery): Promise<{ key: [string, string, string]; doc: SessionDoc }[]> {
    if (view === 'by_ancestor')
      return (await this.store.db.viewDocs<[string, string, string]>('sessions', view, query)) as {
        key: [string, string, string];
        doc: SessionDoc;
      }[];
    const rows = await this.store.db.view<[string, string, string], SessionDoc>('sessions', view, query);
    return rows.map((row) => ({ key: row.key, doc: row.value }));
  }

  /** Totals of sessions begun in [since, until] (the `totals` view, reduced), and the open count now. */
  async summary(accountId: string, since: string | undefined, until: string | undefined): Promise<SessionSummary> {
    const totals = await this.store.db.view<unknown, number[]>('sessions', 'totals', {
      startkey: [accountId, since ?? ''],
      endkey: [accountId, until ?? HIGH],
    });
    const [sessions = 0, open = 0, sessionTime = 0, input = 0, output = 0] = totals[0]?.value ?? [];
    return {
      account: accountId,
      since: since ?? null,
      until: until ?? null,
      sessions,
      open,
      session_time: sessionTime,
      input_octets: input,
      output_octets: output,
      open_now: await this.openCount(accountId),
    };
  }

  /** Open sessions of the account, or of one user of it (case-insensitively). */
  async openCount(accountId: string, username?: string): Promise<number> {
    const range =
      username === undefined ? { startkey: [accountId, ''], endkey: [accountId, HIGH] } : { key: [accountId, username.toLowerCase()] };
    const rows = await this.store.db.view<unknown, number>('sessions', 'open_by_user', range);
    return rows[0]?.value ?? 0;
  }
}
