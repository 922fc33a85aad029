import type nano from 'nano';
import { conflict, storeUnreachable } from '../errors.js';

export interface StoredDoc {
  _id: string;
  _rev?: string;
}

export interface ViewRow<K, V> {
  id: string;
  key: K;
  value: V;
}

export interface ViewQuery {
  key?: unknown;
  keys?: unknown[];
  startkey?: unknown;
  endkey?: unknown;
  startkey_docid?: string;
  limit?: number;
  skip?: number;
  descending?: boolean;
}

interface NanoFailure {
  statusCode?: number;
  error?: string;
}

function isNanoFailure(value: unknown): value is NanoFailure {
  return typeof value === 'object' && value !== null;
}

/**
 * Turns store failures into the errors the API speaks: a conflict stays a conflict, anything that
 * is not an answer from the store (refused, reset, timed out, 5xx) means the store is unreachable.
 */
export function translateStoreError(error: unknown): Error {
  if (isNanoFailure(error)) {
    if (error.statusCode === 409) return conflict('the document was changed by someone else; fetch it and retry');
    if (error.statusCode === undefined || error.statusCode >= 500) return storeUnreachable();
  }
  return error instanceof Error ? error : new Error(String(error));
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateStoreError(error);
  }
}

/** One CouchDB database, typed by the documents it holds. Store failures surface as AppErrors. */
export class Database<T extends StoredDoc> {
  constructor(
    readonly name: string,
    private readonly scope: nano.DocumentScope<T>,
  ) {}

  async get(id: string): Promise<T | undefined> {
    try {
      return (await this.scope.get(id)) as T;
    } catch (error) {
      if (isNanoFailure(error) && error.statusCode === 404) return undefined;
      throw translateStoreError(error);
    }
  }

  /** Fetches several documents in one round trip; missing or deleted ones are absent from the map. */
  async getMany(ids: readonly string[]): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    if (ids.length === 0) return found;
    const response = await guarded(() => this.scope.fetch({ keys: [...ids] }));
    for (const row of response.rows) {
      if ('doc' in row && row.doc) found.set(row.id, row.doc as T);
    }
    return found;
  }

  /** Writes a document; `_rev` decides between create and update. Returns the new revision. */
  async put(doc: T): Promise<string> {
    const result = await guarded(() => this.scope.insert(doc));
    return result.rev;
  }

  async remove(id: string, rev: string): Promise<void> {
    await guarded(() => this.scope.destroy(id, rev));
  }

  async view<K, V>(design: string, view: string, query: ViewQuery = {}): Promise<ViewRow<K, V>[]> {
    const response = await guarded(() => this.scope.view<V>(design, view, query as nano.DocumentViewParams));
    return response.rows.map((row) => ({ id: row.id, key: row.key as K, value: row.value }));
  }

  async viewDocs<K>(design: string, view: string, query: ViewQuery = {}): Promise<{ key: K; doc: T }[]> {
    const response = await guarded(() =>
      this.scope.view(design, view, { ...(query as nano.DocumentViewParams), include_docs: true }),
    );
    return response.rows.flatMap((row) => (row.doc ? [{ key: row.key as K, doc: row.doc as T }] : []));
  }

  async listDocs(query: { startkey?: string; endkey?: string; limit?: number }): Promise<T[]> {
    const response = await guarded(() => this.scope.list({ ...query, include_docs: true }));
    return response.rows.flatMap((row) => (row.doc ? [row.doc as T] : []));
  }
}
