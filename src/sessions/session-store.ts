import { apiError } from '../errors.js';
import { type CouchNodes, StoreHttpError } from '../store/couch-nodes.js';
import { Database, type StoredDoc, translateStoreError } from '../store/database.js';
import { ensureDesign, loadDesign } from '../store/design.js';
import { ensureDatabase } from '../store/ensure-database.js';
import type { SessionDoc } from './session-doc.js';

/** A session's coordination documents (the stale-task lease) live beside the sessions. */
export interface LeaseDoc extends StoredDoc {
  pvt_type: 'lease';
  holder: string;
  expires_at: string;
}

export type SessionsDbDoc = SessionDoc | LeaseDoc;

/** One document's outcome in a bulk write. */
export interface BulkOutcome {
  id: string;
  rev?: string;
  error?: string;
}

/**
 * The sessions database: never mirrored (an account may have millions of sessions), read by id
 * and through the `sessions` design document's views, written in bulk by the group commit.
 */
export interface SessionStore {
  db: Database<SessionsDbDoc>;
  /**
   * Writes documents in one round trip. Resolves only when the store answered 201 (a quorum of
   * copies has them); a 202 (fewer copies: nodes down) is refused as `write_not_durable` (503), so the
   * NAS retries, which the idempotent merge makes harmless.
   */
  bulk(docs: readonly object[]): Promise<BulkOutcome[]>;
}

/**
 * Opens (creating when missing) `<prefix>sessions`, looked up first like every database of the
 * service, on the store's own nodes (`RemoteStore.nodes`): its calls share their deadline,
 * metrics and failover.
 */
export async function openSessionStore(nodes: CouchNodes, prefix: string): Promise<SessionStore> {
  const name = `${prefix}sessions`;
  await ensureDatabase(nodes, name);
  const db = new Database<SessionsDbDoc>(name, nodes);
  await ensureDesign(db, await loadDesign('sessions.json'));
  return {
    db,
    async bulk(docs) {
      if (docs.length === 0) return [];
      const answer = await nodes.request('POST', `/${encodeURIComponent(name)}/_bulk_docs`, { body: { docs }, idempotent: false });
      if (answer.status === 202) {
        throw apiError('write_not_durable', 'the store took the session records on fewer copies than its quorum; send them again', {
          durability: 'partial',
        });
      }
      if (answer.status < 200 || answer.status >= 300) throw translateStoreError(StoreHttpError.from(answer));
      return answer.body as BulkOutcome[];
    },
  };
}
