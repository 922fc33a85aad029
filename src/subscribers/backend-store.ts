import type { AuthLogDoc } from '../auth-log/auth-log-entry.js';
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
  authLog: Database<AuthLogDoc>;
  /** Writes or deletes many documents in one round trip; per-document failures are returned, not thrown. */
  bulk(database: Database<StoredDoc>, docs: readonly object[]): Promise<{ id: string; error?: string }[]>;
}

/**
 * The log is read newest first per account (`by_account`), per ancestor for "include descendants"
 * (`by_ancestor`), and purged by age and by count (`by_account`, reduced to count per account).
 * Every view has one row per entry, of a batch (`auth_log_batch`, its entries in `entries`) or of a
 * document of the old form (`auth_log`, one entry): keys end with the time and the entry's id, so
 * rows are unique and in time order, and a row's value is the entry's index in its document.
 */
const AUTH_LOG_DESIGN: DesignDoc = {
  _id: '_design/auth_log',
  language: 'javascript',
  views: {
    by_account: {
      map: "function (doc) { if (doc.pvt_type === 'auth_log_batch') { var entries = doc.entries || []; for (var i = 0; i < entries.length; i++) { emit([doc.account_id, entries[i].time, entries[i].id], i); } } else if (doc.pvt_type === 'auth_log') { emit([doc.account_id, doc.time, doc._id], 0); } }",
      reduce: '_count',
    },
    by_ancestor: {
      map: "function (doc) { var tree = doc.pvt_tree || []; var entries = doc.pvt_type === 'auth_log_batch' ? doc.entries || [] : doc.pvt_type === 'auth_log' ? [{ time: doc.time, id: doc._id }] : []; for (var t = 0; t < tree.length; t++) { for (var i = 0; i < entries.length; i++) { emit([tree[t], entries[i].time, entries[i].id], i); } } }",
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
  const authLog = new Database<AuthLogDoc>(names.authLog, nodes);
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
