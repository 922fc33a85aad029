import type { StoredDoc, ViewQuery } from '../store/database.js';
import type { GroupCommit } from './group-commit.js';
import { type SessionDoc, closeSession } from './session-doc.js';
import type { SessionStore } from './session-store.js';

/** The cause recorded for sessions closed for want of updates (RFC 2866 Lost-Service). */
export const STALE_CAUSE = 'Lost-Service';
const BATCH = 1_000;

/**
 * Closes stale sessions and purges old ones. Run by whichever replica holds the cluster lease (see
 * ./cluster-lease.ts), so the work is done once per cluster, not once per replica.
 */
export class SessionMaintenance {
  constructor(
    private readonly store: SessionStore,
    private readonly commits: GroupCommit,
  ) {}

  /**
   * Closes every open session whose `pvt_stale_at` (its last update plus the configured multiple
   * of its interim interval) has passed, with stop = its last update (the last time it was known
   * alive) and cause Lost-Service. A Stop arriving later replaces that close with the NAS's own.
   */
  async closeStale(now: number): Promise<number> {
    const cutoff = new Date(now).toISOString();
    let closed = 0;
    for (;;) {
      const rows = await this.store.db.view<string, null>('sessions', 'open_by_stale_at', { endkey: cutoff, limit: BATCH });
      let round = 0;
      await Promise.all(
        rows.map((row) =>
          this.commits.submit(row.id, (current) => {
            if (!current || current.stop !== null || current.pvt_stale_at === null || current.pvt_stale_at > cutoff) return undefined;
            round += 1;
            return closeSession(current, current.last_update, STALE_CAUSE, true);
          }),
        ),
      );
      closed += round;
      if (rows.length < BATCH || round === 0) return closed;
    }
  }

  /** Deletes closed sessions that stopped more than their account's retention ago. */
  async purge(now: number, retentionDaysOf: (accountId: string) => Promise<number>): Promise<number> {
    const grouped: ViewQuery & { group_level: number } = { group_level: 1 };
    const accounts = await this.store.db.view<[string], number>('sessions', 'closed_by_stop', grouped);
    let removed = 0;
    for (const row of accounts) {
      const accountId = row.key[0];
      const cutoff = new Date(now - (await retentionDaysOf(accountId)) * 86_400_000).toISOString();
      for (;;) {
        const range: ViewQuery & { reduce: false } = {
          startkey: [accountId, ''],
          endkey: [accountId, cutoff],
          limit: BATCH,
          reduce: false,
        };
        const old = await this.store.db.view<[string, string], null>('sessions', 'closed_by_stop', range);
        if (old.length === 0) break;
        const docs = await this.store.db.getMany(old.map((entry) => entry.id));
        const tombstones = [...docs.values()]
          .filter((doc): doc is SessionDoc => doc.pvt_type === 'session' && doc.stop !== null && doc.stop <= cutoff)
          .map((doc: StoredDoc) => ({ _id: doc._id, _rev: doc._rev, _deleted: true }));
        const outcomes = await this.store.bulk(tombstones);
        const done = outcomes.filter((outcome) => !outcome.error).length;
        removed += done;
        if (old.length < BATCH || done === 0) break;
      }
    }
    return removed;
  }
}
