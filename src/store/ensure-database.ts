import { type CouchNodes, StoreHttpError } from './couch-nodes.js';
import { translateStoreError } from './database.js';

/** The store refused what the service needs of a database: the operator's to fix, so say how. */
export class StoreRightsError extends Error {
  constructor(database: string, status: number, needed: string) {
    super(`the store answered ${status} for database ${database}: ${needed} (see README, "Rights on CouchDB")`);
    this.name = 'StoreRightsError';
  }
}

const refused = (status: number): boolean => status === 401 || status === 403;

/**
 * Makes sure a database exists. It is looked up first and created only when missing, so a CouchDB
 * user that is admin of its own (already created) databases and nothing more can run the
 * service; creating one takes server-admin rights. A create that loses to another replica (412)
 * or that fewer nodes than a quorum made (202) is fine.
 */
export async function ensureDatabase(nodes: CouchNodes, name: string): Promise<void> {
  const path = `/${encodeURIComponent(name)}`;
  const found = await nodes.request('GET', path, { idempotent: true });
  if (found.status === 200) return;
  if (refused(found.status)) throw new StoreRightsError(name, found.status, 'the user must be an admin (or member) of this database');
  if (found.status !== 404) throw translateStoreError(StoreHttpError.from(found));
  const created = await nodes.request('PUT', path, { idempotent: true });
  if (created.status === 412 || (created.status >= 200 && created.status < 300)) return;
  if (refused(created.status)) {
    throw new StoreRightsError(
      name,
      created.status,
      'it does not exist and this user may not create it; create it as a server admin, or run the service once with a server-admin user',
    );
  }
  throw translateStoreError(StoreHttpError.from(created));
}
