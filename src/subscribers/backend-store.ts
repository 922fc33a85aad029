import type { AuthLogEntryDoc } from '../auth-log/auth-log-entry.js';
import { type CouchNodes, StoreHttpError } from '../store/couch-nodes.js';
import { Database, type StoredDoc, translateStoreError } from '../store/database.js';
import { type DesignDoc, ensureDesign } from '../store/design.js';
// Looked up before created, so a user that is admin of its own databases only can run the service.
import { ensureDatabase } from '../store/ensure-database.js';
import type { BackendDoc } from './subscriber-doc.js';

/**
 * The policy backend's two databases, beside the four of the configuration service and never
 * mirrored: an account may have millions of subscribers, so they are read by deterministic id
 * (with a bounded cache in front), and the authentication log only ever by range.
 */
export interface BackendStore {
  /** Subscribers, groups, settings, REST credentials and batch records, ids prefixed by account. */
  subscribers: Database<BackendDoc>;
  authLog: Database<AuthLogEntryDoc>;
  /** Writes or deletes many documents in one round trip; per-document failures are returned, not thrown. */
  bulk(database: Database<StoredDoc>, docs: readonly object[]): Promise<{ id: string; error?: string }[]>;
}

/**
 * The log is read newest first per account (`by_account`), per ancestor for "include descendants"
 * (`by_ancestor`), and purged by age (`by_time`) and by count (`by_account` reduced).
 */
const AUTH_LOG_DESIGN: DesignDoc = {
  _id: '_design/auth_log',
  language: 'javascript',
  views: {
    by_account: {
      map: "function (doc) { if (doc.pvt_type === 'auth_log') { emit([doc.account_id, doc.time], null); } }",
      reduce: '_count',
    },
    by_ancestor: {
      map: "function (doc) { if (doc.pvt_type === 'auth_log') { var tree = doc.pvt_tree || []; for (var i = 0; i < tree.length; i++) { emit([tree[i], doc.time], null); } } }",
    },
    by_time: {
      map: "function (doc) { if (doc.pvt_type === 'auth_log') { emit(doc.time, null); } }",
    },
  },
};

/**
 * Opens (creating when missing) `<prefix>subscribers` and `<prefix>auth_log` on the store's own
 * nodes (`RemoteStore.nodes`), so their calls share its deadline, metrics and failover.
 */
export async function openBackendStore(nodes: CouchNodes, prefix: string): Promise<BackendStore> {
  const names = { subscribers: `${prefix}subscribers`, authLog: `${prefix}auth_log` };
  for (const name of Object.values(names)) await ensureDatabase(nodes, name);
  const authLog = new Database<AuthLogEntryDoc>(names.authLog, nodes);
  await ensureDesign(authLog, AUTH_LOG_DESIGN);
  return {
    subscribers: new Database<BackendDoc>(names.subscribers, nodes),
    authLog,
    async bulk(database, docs) {
      if (docs.length === 0) return [];
      const answer = await nodes.request('POST', `/${encodeURIComponent(database.name)}/_bulk_docs`, { body: { docs }, idempotent: false });
      if (answer.status < 200 || answer.status >= 300) throw translateStoreError(StoreHttpError.from(answer));
      return answer.body as { id: string; error?: string }[];
    },
  };
}
