import type { AccountDoc } from '../accounts/account-doc.js';
import type { AaaDoc } from '../aaa/aaa-doc.js';
import type { DictionaryDoc } from '../dictionary/dictionary-doc.js';
import type { ConflictRecord } from './conflict-resolver.js';
import { CouchNodes, type CouchNodesOptions, StoreHttpError, storeUrls } from './couch-nodes.js';
import { Database, type DocumentStore, type StoredDoc, translateStoreError } from './database.js';
import { ensureDesign, loadDesign } from './design.js';
import { ensureDatabase } from './ensure-database.js';

/** Documents in `system_config` other than the AAA document: bootstrap markers and keys. */
export interface SystemDoc extends StoredDoc {
  [field: string]: unknown;
}

/** The four databases as the domain sees them: straight from CouchDB, or through a mirror. */
export interface Store {
  url: string;
  accounts: DocumentStore<AccountDoc>;
  aaa: DocumentStore<AaaDoc>;
  dictionaries: DocumentStore<DictionaryDoc>;
  system: DocumentStore<SystemDoc>;
  /** Resolves when the store answers; rejects with `datastore_unreachable` otherwise. */
  ping(): Promise<void>;
  /** Why this replica's view of the store is stale (a changes feed down past the bound); empty when it is not. */
  staleness?(): string[];
}

/** The store itself, every read a round trip. */
export interface RemoteStore extends Store {
  accounts: Database<AccountDoc>;
  aaa: Database<AaaDoc>;
  dictionaries: Database<DictionaryDoc>;
  system: Database<SystemDoc>;
  /** Losing revisions of resolved conflicts (see conflict-resolver.ts). */
  conflicts: Database<ConflictRecord>;
  /**
   * The store's nodes, for the databases opened beside these four (the policy backend's, the
   * sessions'): one node set per process, so every store call shares its deadline, metrics and
   * failover.
   */
  nodes: CouchNodes;
}

/** `/readyz` must answer quickly, even when the store does not: its ping has its own deadline. */
export const DEFAULT_PING_TIMEOUT_MS = 2_000;

export interface StoreOptions extends CouchNodesOptions {
  /** Deadline of a readiness ping over every node; default the shorter of 2 s and `timeoutMs`. */
  pingTimeoutMs?: number;
}

/**
 * Connects to CouchDB (or the embedded server), creating missing databases and design documents.
 * `url` may list several nodes of one cluster, comma-separated: requests fail over between them.
 */
export async function openStore(url: string, prefix: string, options: StoreOptions = {}): Promise<RemoteStore> {
  const nodes = new CouchNodes(storeUrls(url), options);
  const pingTimeoutMs = options.pingTimeoutMs ?? Math.min(DEFAULT_PING_TIMEOUT_MS, nodes.timeoutMs);
  const names = {
    accounts: `${prefix}accounts`,
    aaa: `${prefix}aaa`,
    dictionaries: `${prefix}aaa_dicts`,
    system: `${prefix}system_config`,
    conflicts: `${prefix}conflicts`,
  };
  for (const name of Object.values(names)) await ensureDatabase(nodes, name);
  const store: RemoteStore = {
    url,
    accounts: new Database<AccountDoc>(names.accounts, nodes),
    aaa: new Database<AaaDoc>(names.aaa, nodes),
    dictionaries: new Database<DictionaryDoc>(names.dictionaries, nodes),
    system: new Database<SystemDoc>(names.system, nodes),
    conflicts: new Database<ConflictRecord>(names.conflicts, nodes),
    nodes,
    async ping() {
      const answer = await nodes.request('GET', '/', { idempotent: true }, AbortSignal.timeout(pingTimeoutMs));
      if (answer.status !== 200) throw translateStoreError(StoreHttpError.from(answer));
    },
  };
  await ensureDesign(store.accounts, await loadDesign('accounts.json'));
  await ensureDesign(store.aaa, await loadDesign('aaa.json'));
  return store;
}
