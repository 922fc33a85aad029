import { AppError, conflict, storeUnreachable, writeNotFinal } from '../errors.js';
import { type CouchAnswer, type CouchNodes, StoreHttpError } from './couch-nodes.js';
import { type Leaf, judgePartialWrite } from './revisions.js';

export { type CouchEndpoint, couchEndpoint } from './couch-nodes.js';

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

/** One entry of a `_changes` response. */
export interface Change<T> {
  id: string;
  deleted: boolean;
  /** The winning leaf, without `_conflicts` (a document carrying it could not be written back). */
  doc: T | undefined;
  /** The document has more than one leaf to settle: live conflicts, or only yielded tombstones. */
  unsettled: boolean;
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

/**
 * A tombstone written by a writer that gave way to a rival (see `judgePartialWrite`). It names the
 * revision the yielded write replaced, so that if every racer gave way the resolvers can bring that
 * revision back instead of leaving a document deleted that nobody deleted.
 */
export const YIELD_MARKER = 'pvt_yielded_restore';

/** Kept in the tombstone a resolver puts on a losing leaf: not a deliberate delete either. */
export const RESOLVED_MARKER = 'pvt_conflict_loser';

export interface YieldTombstone {
  _id: string;
  _rev: string;
  _deleted: true;
  [YIELD_MARKER]: string | null;
}

function withoutConflicts<T>(doc: T): T {
  if (doc && typeof doc === 'object' && '_conflicts' in doc) {
    const { _conflicts: _ignored, ...rest } = doc as T & { _conflicts: unknown };
    return rest as T;
  }
  return doc;
}

/** nano's encoding of view and `_all_docs` parameters: keys as JSON, the rest as text. */
function queryText(query: Record<string, unknown>): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const json = name === 'key' || name === 'keys' || name === 'startkey' || name === 'endkey';
    text[name] = json ? JSON.stringify(value) : String(value);
  }
  return text;
}

function expectOk(answer: CouchAnswer): unknown {
  if (answer.status >= 200 && answer.status < 300) return answer.body;
  throw translateStoreError(StoreHttpError.from(answer));
}

interface AllDocsRow<T> {
  id: string;
  key: unknown;
  value?: unknown;
  doc?: T | null;
  error?: string;
}

/**
 * One CouchDB database, typed by the documents it holds. Store failures surface as AppErrors.
 *
 * Writes are where a cluster differs from one server: see `put` and `remove`.
 */
export class Database<T extends StoredDoc> implements DocumentStore<T> {
  constructor(
    readonly name: string,
    private readonly nodes: CouchNodes,
  ) {}

  private docPath(id: string): string {
    // Design document ids keep their slash; everything else is one path segment.
    const encoded = id.startsWith('_design/') ? `_design/${encodeURIComponent(id.slice(8))}` : encodeURIComponent(id);
    return `/${encodeURIComponent(this.name)}/${encoded}`;
  }

  private async read(path: string, query?: Record<string, string>): Promise<CouchAnswer> {
    return this.nodes.request('GET', path, { query, idempotent: true });
  }

  async get(id: string): Promise<T | undefined> {
    const answer = await this.read(this.docPath(id));
    if (answer.status === 404) return undefined;
    return expectOk(answer) as T;
  }

  getFresh(id: string): Promise<T | undefined> {
    return this.get(id);
  }

  /** Fetches several documents in one round trip; missing or deleted ones are absent from the map. */
  async getMany(ids: readonly string[]): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    if (ids.length === 0) return found;
    const answer = await this.nodes.request('POST', `/${encodeURIComponent(this.name)}/_all_docs`, {
      query: { include_docs: 'true' },
      body: { keys: ids },
      idempotent: true,
    });
    const { rows } = expectOk(answer) as { rows: AllDocsRow<T>[] };
    for (const row of rows) if (row.doc) found.set(row.id, row.doc);
    return found;
  }

  /**
   * Writes a document; `_rev` decides between create and update. Returns the new revision.
   *
   * A 201 means a quorum of copies took the write: no rival writer of the same revision can have
   * a quorum too, so the write stands. A 202 means fewer copies took it; it is then judged from a
   * quorum read of every leaf (`judgePartialWrite`): it gives way to a rival (409), or, with no
   * rival in sight, is reported as not final (`write_not_final`), never as plain success.
   */
  async put(doc: T): Promise<string> {
    const answer = await this.nodes.request('PUT', this.docPath(doc._id), { body: doc, idempotent: false });
    const { rev } = expectOk(answer) as { rev: string };
    if (answer.status !== 202) return rev;
    return this.settlePartialWrite(doc._id, rev, doc._rev);
  }

  private async settlePartialWrite(id: string, rev: string, replacedRev: string | undefined): Promise<never> {
    const leaves = await this.leaves(id);
    const outcome = judgePartialWrite(rev, leaves);
    if (outcome === 'not_final') throw writeNotFinal(id, rev);
    if (outcome === 'yield') await this.yieldLeaf(id, rev, replacedRev);
    throw conflict('a concurrent change to this document won; fetch it and retry', { cause: id });
  }

  /** Ends our losing leaf with a tombstone that remembers what it replaced (see `YIELD_MARKER`). */
  private async yieldLeaf(id: string, rev: string, replacedRev: string | undefined): Promise<void> {
    const tombstone = { _id: id, _rev: rev, _deleted: true, [YIELD_MARKER]: replacedRev ?? null };
    const answer = await this.nodes.request('PUT', this.docPath(id), { body: tombstone, idempotent: false });
    // 409: a resolver or the rival's writer removed it first, which is the same outcome.
    if (answer.status !== 409) expectOk(answer);
  }

  /**
   * Deletes a document: the revision named (409 if it is not current), then every other live leaf,
   * so that no losing leaf of a conflict is promoted to winner and brings the document back.
   */
  async remove(id: string, rev: string): Promise<void> {
    const answer = await this.nodes.request('DELETE', this.docPath(id), { query: { rev }, idempotent: false });
    expectOk(answer);
    await this.removeLiveLeaves(id);
  }

  /** Tombstones every live leaf; a leaf someone else ended meanwhile (409) is already what we want. */
  async removeLiveLeaves(id: string): Promise<void> {
    for (let round = 0; round < 3; round += 1) {
      const live = (await this.leaves(id)).filter((leaf) => !leaf.deleted);
      if (live.length === 0) return;
      for (const leaf of live) await this.removeLeaf(id, leaf.rev);
    }
  }

  /**
   * Tombstones one leaf; true if this call did it, false if it was no longer a live leaf. `note`
   * is kept in the tombstone (to tell a resolver's removal from a deliberate delete).
   */
  async removeLeaf(id: string, rev: string, note?: Record<string, unknown>): Promise<boolean> {
    const answer = note
      ? await this.nodes.request('PUT', this.docPath(id), { body: { ...note, _id: id, _rev: rev, _deleted: true }, idempotent: false })
      : await this.nodes.request('DELETE', this.docPath(id), { query: { rev }, idempotent: false });
    if (answer.status === 409 || answer.status === 404) return false;
    expectOk(answer);
    return true;
  }

  /** Writes on top of a given leaf (a live one, or a tombstone to bring a document back). */
  async putOnLeaf(doc: T): Promise<boolean> {
    const answer = await this.nodes.request('PUT', this.docPath(doc._id), { body: doc, idempotent: false });
    if (answer.status === 409) return false;
    expectOk(answer);
    return true;
  }

  /** An old revision's body, while the store still keeps it (until compaction). */
  async getRevision(id: string, rev: string): Promise<T | undefined> {
    const answer = await this.read(this.docPath(id), { rev });
    if (answer.status === 404) return undefined;
    return expectOk(answer) as T;
  }

  /**
   * Every leaf of a document, live and deleted, with bodies: what a quorum of copies knows (`r`
   * defaults to a quorum on CouchDB). Empty if the document never existed.
   */
  async leaves(id: string): Promise<Leaf<T>[]> {
    const answer = await this.read(this.docPath(id), { open_revs: 'all' });
    if (answer.status === 404) return [];
    const rows = expectOk(answer) as { ok?: T & { _rev: string; _deleted?: boolean } }[];
    return rows.flatMap((row) => (row.ok ? [{ rev: row.ok._rev, deleted: row.ok._deleted === true, doc: row.ok as T }] : []));
  }

  async view<K, V>(design: string, view: string, query: ViewQuery = {}): Promise<ViewRow<K, V>[]> {
    const rows = await this.queryView<K, V>(design, view, query);
    return rows.map((row) => ({ id: row.id, key: row.key, value: row.value as V }));
  }

  async viewDocs<K>(design: string, view: string, query: ViewQuery = {}): Promise<{ key: K; doc: T }[]> {
    const rows = await this.queryView<K, unknown>(design, view, { ...query, include_docs: true });
    return rows.flatMap((row) => (row.doc ? [{ key: row.key, doc: row.doc }] : []));
  }

  private async queryView<K, V>(
    design: string,
    view: string,
    query: ViewQuery & { include_docs?: boolean },
  ): Promise<{ id: string; key: K; value: V; doc?: T | null }[]> {
    const path = `/${encodeURIComponent(this.name)}/_design/${encodeURIComponent(design)}/_view/${encodeURIComponent(view)}`;
    const { keys, ...rest } = query;
    const answer =
      keys === undefined
        ? await this.read(path, queryText(rest))
        : await this.nodes.request('POST', path, { query: queryText(rest), body: { keys }, idempotent: true });
    return (expectOk(answer) as { rows: { id: string; key: K; value: V; doc?: T | null }[] }).rows;
  }

  private async listRows(query: Record<string, unknown>): Promise<AllDocsRow<T>[]> {
    const answer = await this.read(`/${encodeURIComponent(this.name)}/_all_docs`, queryText(query));
    return (expectOk(answer) as { rows: AllDocsRow<T>[] }).rows;
  }

  async listDocs(query: { startkey?: string; endkey?: string; limit?: number }): Promise<T[]> {
    const rows = await this.listRows({ ...query, include_docs: true });
    return rows.flatMap((row) => (row.doc ? [row.doc] : []));
  }

  /**
   * Every document (design documents excluded), for loading a mirror, read in pages so neither
   * side holds one giant response and each page stays well inside the store deadline.
   */
  async allDocs(pageSize = 2_000): Promise<T[]> {
    const docs: T[] = [];
    let startkey: string | undefined;
    for (;;) {
      const rows = await this.listRows({ include_docs: true, limit: pageSize + 1, startkey });
      for (const row of rows.slice(0, pageSize)) {
        if (row.doc && !row.id.startsWith('_design/')) docs.push(row.doc);
      }
      if (rows.length <= pageSize) return docs;
      startkey = rows[pageSize]?.id;
    }
  }

  /** The sequence to follow changes from, taken before a full load so nothing falls between. */
  async updateSeq(): Promise<string | number> {
    const info = expectOk(await this.read(`/${encodeURIComponent(this.name)}`)) as { update_seq: string | number };
    return info.update_seq;
  }

  /**
   * Waits for changes after `since` (a long poll); `signal` ends the wait early. `conflicts=true`
   * flags documents with more than one live leaf, for the resolvers. With `wait` false it answers
   * at once (a feed that has just come back confirms it without waiting).
   *
   * The long poll asks for heartbeats (a newline every third of the store deadline): PouchDB
   * Server ignores `timeout` and keeps a long poll open until a change, and CouchDB does the same
   * once heartbeats are asked for. Such a wait is healthy as long as the heartbeats arrive, so the
   * deadline is one of silence (restarted by every chunk, each reported to `onAlive`), and a feed
   * is lost only when the store really stops talking. `waitMs` is still sent as `timeout` for a
   * store that honours it without heartbeats.
   *
   * `limit` bounds the changes one answer carries; `last_seq` is then that of the last one carried.
   * With `includeDocs` false only ids come (no documents, no `conflicts`): for a follower that
   * only needs to know what changed. Each change's `doc` is then undefined and `unsettled` false.
   */
  async changesSince(
    since: string | number,
    waitMs: number,
    signal?: AbortSignal,
    wait = true,
    onAlive?: () => void,
    options: { includeDocs?: boolean; limit?: number } = {},
  ): Promise<ChangesBatch<T>> {
    const query: Record<string, string> = {
      since: String(since),
      feed: wait ? 'longpoll' : 'normal',
      ...(options.includeDocs === false ? {} : { include_docs: 'true', conflicts: 'true' }),
      ...(options.limit === undefined ? {} : { limit: String(options.limit) }),
    };
    if (wait) {
      query.timeout = String(waitMs);
      query.heartbeat = String(Math.max(50, Math.floor(this.nodes.timeoutMs / 3)));
    }
    const answer = await this.nodes.request(
      'GET',
      `/${encodeURIComponent(this.name)}/_changes`,
      { query, idempotent: true, ...(wait ? { stream: { onData: () => onAlive?.() } } : {}) },
      signal,
    );
    type Row = { id: string; deleted?: boolean; doc?: T & { _conflicts?: string[]; _deleted?: boolean } };
    const body = expectOk(answer) as { last_seq: string | number; results: Row[] };
    return {
      lastSeq: body.last_seq,
      changes: body.results.map((row) => ({
        id: row.id,
        deleted: row.deleted === true,
        doc: row.doc ? withoutConflicts(row.doc) : undefined,
        unsettled: (row.doc?._conflicts?.length ?? 0) > 0 || (row.deleted === true && row.doc !== undefined && YIELD_MARKER in row.doc),
      })),
    };
  }
}
