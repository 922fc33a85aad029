import fs from 'node:fs/promises';
import nano from 'nano';
import type { AccountDoc } from '../accounts/account-doc.js';
import type { AaaDoc } from '../aaa/aaa-doc.js';
import type { DictionaryDoc } from '../dictionary/dictionary-doc.js';
import { Database, type DocumentStore, type StoredDoc, couchEndpoint, translateStoreError } from './database.js';

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
}

/** The store itself, every read a round trip. */
export interface RemoteStore extends Store {
  accounts: Database<AccountDoc>;
  aaa: Database<AaaDoc>;
  dictionaries: Database<DictionaryDoc>;
  system: Database<SystemDoc>;
}

const designDir = new URL('../../couchdb/design/', import.meta.url);

interface DesignDoc extends StoredDoc {
  views: Record<string, { map: string; reduce?: string }>;
}

async function loadDesign(file: string): Promise<DesignDoc> {
  return JSON.parse(await fs.readFile(new URL(file, designDir), 'utf8')) as DesignDoc;
}

/** Creates a database unless it exists; CouchDB answers 412 when it does. */
async function ensureDatabase(server: nano.ServerScope, name: string): Promise<void> {
  try {
    await server.db.create(name);
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== 412) throw translateStoreError(error);
  }
}

/** Installs or updates a design document; an unchanged one is left alone so its index stays warm. */
async function ensureDesign<T extends StoredDoc>(db: Database<T>, design: DesignDoc): Promise<void> {
  const current = (await db.get(design._id)) as unknown as DesignDoc | undefined;
  if (current && JSON.stringify(current.views) === JSON.stringify(design.views)) return;
  const next = { ...design, ...(current?._rev ? { _rev: current._rev } : {}) };
  try {
    await db.put(next as unknown as T);
  } catch (error) {
    // Another replica installed it at the same moment: theirs is the same file.
    if ((error as { status?: number }).status !== 409) throw error;
  }
}

/** Connects to CouchDB (or the embedded server), creating databases and design documents. */
export async function openStore(url: string, prefix: string): Promise<RemoteStore> {
  // Documents are small and the store is near: compressing every answer only burns CPU on both ends.
  const server = nano({ url, headers: { 'Accept-Encoding': 'identity' } });
  const names = {
    accounts: `${prefix}accounts`,
    aaa: `${prefix}aaa`,
    dictionaries: `${prefix}aaa_dicts`,
    system: `${prefix}system_config`,
  };
  for (const name of Object.values(names)) await ensureDatabase(server, name);
  const endpoint = couchEndpoint(url);
  const store: RemoteStore = {
    url,
    accounts: new Database<AccountDoc>(names.accounts, server.use<AccountDoc>(names.accounts), endpoint),
    aaa: new Database<AaaDoc>(names.aaa, server.use<AaaDoc>(names.aaa), endpoint),
    dictionaries: new Database<DictionaryDoc>(names.dictionaries, server.use<DictionaryDoc>(names.dictionaries), endpoint),
    system: new Database<SystemDoc>(names.system, server.use<SystemDoc>(names.system), endpoint),
    async ping() {
      try {
        await server.info();
      } catch (error) {
        throw translateStoreError(error);
      }
    },
  };
  await ensureDesign(store.accounts, await loadDesign('accounts.json'));
  await ensureDesign(store.aaa, await loadDesign('aaa.json'));
  return store;
}
