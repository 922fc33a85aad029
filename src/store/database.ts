import type nano from 'nano';
import { AppError, conflict, storeUnreachable } from '../errors.js';

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
  if (error instanceof AppError) return error;
  if (isNanoFailure(error)) {
    if (error.statusCode === 409) return conflict('the document was changed by someone else; fetch it and retry');
    if (error.statusCode === undefined || error.statusCode >= 500) return storeUnreachable();
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * A store that accepts a connection and then says nothing must not hang a request forever (nano
 * sets no timeout, and its promise can miss a connection dropped mid-body): past this, the store
 * counts as unreachable.
 */
const STORE_TIMEOUT_MS = 15_000;

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(storeUnreachable()), STORE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work(), timeout]);
  } catch (error) {
    throw translateStoreError(error);
  } finally {
    clearTimeout(timer);
  }
}

/** One entry of a `_changes` response. */
export interface Change<T> {
  id: string;
  deleted: boolean;
  doc: T | undefined;
}

export interface ChangesBatch<T> {
  changes: Change<T>[];
  /** Opaque: PouchDB answers numbers, CouchDB strings. */
  lastSeq: string | number;
}

/** What the domain needs of a database; served by the store itself or by a mirror of it. */
export interface DocumentStore<T extends StoredDoc> {
  readonly name: string;
  get(id: string): Promise<T | undefined>;
  /** Always asks the store (for read-modify-write, where a cached copy could be stale). */
  getFresh(id: string): Promise<T | undefined>;
  getMany(ids: readonly string[]): Promise<Map<string, T>>;
  put(doc: T): Promise<string>;
  remove(id: string, rev: string): Promise<void>;
  view<K, V>(design: string, view: string, query?: ViewQuery): Promise<ViewRow<K, V>[]>;
  viewDocs<K>(design: string, view: string, query?: ViewQuery): Promise<{ key: K; doc: T }[]>;
  listDocs(query: { startkey?: string; endkey?: string; limit?: number }): Promise<T[]>;
}

/** One CouchDB database, typed by the documents it holds. Store failures surface as AppErrors. */
export class Database<T extends StoredDoc> implements DocumentStore<T> {
  constructor(
    readonly name: string,
    private readonly scope: nano.DocumentScope<T>,
    private readonly endpoint: CouchEndpoint,
  ) {}

  async get(id: string): Promise<T | undefined> {
    try {
      return (await this.scope.get(id)) as T;
    } catch (error) {
      if (isNanoFailure(error) && error.statusCode === 404) return undefined;
      throw translateStoreError(error);
    }
  }

  getFresh(id: string): Promise<T | undefined> {
    return this.get(id);
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

  /**
   * Every document (design documents excluded), for loading a mirror, read in pages so neither
   * side holds one giant response and each page stays well inside the store deadline.
   */
  async allDocs(pageSize = 2_000): Promise<T[]> {
    const docs: T[] = [];
    let startkey: string | undefined;
    for (;;) {
      const query = { include_docs: true, limit: pageSize + 1, ...(startkey === undefined ? {} : { startkey }) };
      const response = await guarded(() => this.scope.list(query));
      const rows = response.rows;
      for (const row of rows.slice(0, pageSize)) {
        if (row.doc && !row.id.startsWith('_design/')) docs.push(row.doc as T);
      }
      if (rows.length <= pageSize) return docs;
      startkey = rows[pageSize]?.id;
    }
  }

  /** The sequence to follow changes from, taken before a full load so nothing falls between. */
  async updateSeq(): Promise<string | number> {
    const info = await guarded(() => this.scope.info());
    return info.update_seq as string | number;
  }

  /**
   * Waits up to `waitMs` for changes after `since` (a long poll); `signal` ends the wait early.
   * Plain fetch rather than nano: nano's request promise never settles when a long poll is
   * aborted while its body is still streaming, which would hang shutdown.
   */
  async changesSince(since: string | number, waitMs: number, signal?: AbortSignal): Promise<ChangesBatch<T>> {
    const query = new URLSearchParams({ since: String(since), feed: 'longpoll', include_docs: 'true', timeout: String(waitMs) });
    const url = `${this.endpoint.base}/${encodeURIComponent(this.name)}/_changes?${query}`;
    // Abort on the caller's signal or when the store overruns its own timeout; and race the abort,
    // because a fetch aborted while its body streams does not always settle.
    const deadline = AbortSignal.any([AbortSignal.timeout(waitMs + STORE_TIMEOUT_MS), ...(signal ? [signal] : [])]);
    const aborted = new Promise<never>((_, reject) => {
      const stop = () => reject(storeUnreachable());
      if (deadline.aborted) stop();
      else deadline.addEventListener('abort', stop, { once: true });
    });
    const request = (async () => {
      const response = await fetch(url, { headers: this.endpoint.headers, signal: deadline });
      if (!response.ok) throw Object.assign(new Error(`changes feed answered ${response.status}`), { statusCode: response.status });
      return (await response.json()) as { last_seq: string | number; results: { id: string; deleted?: boolean; doc?: T }[] };
    })();
    request.catch(() => undefined);
    let body: Awaited<typeof request>;
    try {
      body = await Promise.race([request, aborted]);
    } catch (error) {
      throw translateStoreError(error);
    }
    return {
      lastSeq: body.last_seq,
      changes: body.results.map((row) => ({ id: row.id, deleted: row.deleted === true, doc: row.doc })),
    };
  }
}

/** Where a database lives, for the requests made without nano: the URL without credentials, and an auth header. */
export interface CouchEndpoint {
  base: string;
  headers: Record<string, string>;
}

export function couchEndpoint(url: string): CouchEndpoint {
  const parsed = new URL(url);
  const headers: Record<string, string> = {};
  if (parsed.username) {
    const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    headers.Authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  parsed.username = '';
  parsed.password = '';
  return { base: parsed.toString().replace(/\/$/, ''), headers };
}
