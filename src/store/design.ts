import fs from 'node:fs/promises';
import { isConflict, isWriteNotFinal } from '../errors.js';
import type { Database, StoredDoc } from './database.js';

/** A CouchDB design document: its views are what the service queries. */
export interface DesignDoc extends StoredDoc {
  language?: string;
  views: Record<string, { map: string; reduce?: string }>;
}

const designDir = new URL('../../couchdb/design/', import.meta.url);

/** Reads one of the design documents shipped in `couchdb/design/` (e.g. `accounts.json`). */
export async function loadDesign(file: string): Promise<DesignDoc> {
  return JSON.parse(await fs.readFile(new URL(file, designDir), 'utf8')) as DesignDoc;
}

/** Installs or updates a design document; an unchanged one is left alone so its index stays warm. */
export async function ensureDesign<T extends StoredDoc>(db: Database<T>, design: DesignDoc): Promise<void> {
  const current = (await db.get(design._id)) as unknown as DesignDoc | undefined;
  if (current && JSON.stringify(current.views) === JSON.stringify(design.views)) return;
  const next = { ...design, ...(current?._rev ? { _rev: current._rev } : {}) };
  try {
    await db.put(next as unknown as T);
  } catch (error) {
    // Another replica installed it at the same moment (409), or a minority of nodes took ours
    // (write_not_final): either way the copies converge on the same file.
    if (!isConflict(error) && !isWriteNotFinal(error)) throw error;
  }
}
