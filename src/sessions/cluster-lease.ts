import type { Database } from '../store/database.js';
import type { LeaseDoc, SessionsDbDoc } from './session-store.js';

/**
 * A lease held by one replica of a cluster at a time, kept in the store as one document with a
 * deterministic id. Taking it is a create (no `_rev`) or a write on the revision read (If-Match):
 * of replicas racing for it the store lets exactly one write win (409 for the rest; a 202 judged by
 * the store layer, see `Database.put`). The holder renews it on each run; when it stops renewing,
 * the lease lapses after `ttlMs` and another replica takes it.
 */
export class ClusterLease {
  constructor(
    private readonly db: Database<SessionsDbDoc>,
    readonly id: string,
    private readonly holder: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True if this replica holds the lease now (taken or renewed); false if another does, or lost the race. */
  async acquire(): Promise<boolean> {
    const current = (await this.db.getFresh(this.id)) as LeaseDoc | undefined;
    const now = this.now();
    if (current && current.holder !== this.holder && Date.parse(current.expires_at) > now) return false;
    const next: LeaseDoc = {
      _id: this.id,
      ...(current?._rev ? { _rev: current._rev } : {}),
      pvt_type: 'lease',
      holder: this.holder,
      expires_at: new Date(now + this.ttlMs).toISOString(),
    };
    try {
      await this.db.put(next);
      return true;
    } catch (error) {
      const status = (error as { status?: number }).status;
      // 409: another replica created or renewed it first. 202: not final on a quorum; not ours to act on.
      if (status === 409 || status === 202) return false;
      throw error;
    }
  }

  /** Lets the lease go at once (on shutdown), so another replica need not wait for it to lapse. */
  async release(): Promise<void> {
    const current = (await this.db.getFresh(this.id)) as LeaseDoc | undefined;
    if (!current?._rev || current.holder !== this.holder) return;
    try {
      await this.db.put({ ...current, expires_at: new Date(0).toISOString() });
    } catch {
      // Someone took it meanwhile, or the store is away: it lapses by itself either way.
    }
  }
}
