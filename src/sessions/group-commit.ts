import { apiError, conflict } from '../errors.js';
import { LruCache } from '../subscribers/lru-cache.js';
import { type SessionDoc, sameSession } from './session-doc.js';
import type { SessionStore } from './session-store.js';

/** A change to one session; undefined leaves it as it is (or absent). */
export type SessionChange = (current: SessionDoc | undefined) => SessionDoc | undefined;

export interface SubmitOptions {
  /**
   * The change most likely creates the session (an Accounting Start): when this replica has no
   * copy of it, write it as new without reading first. If it exists after all, the store refuses
   * the write (409) and the change is applied again to the document read back.
   */
  expectNew?: boolean;
}

interface Waiting {
  change: SessionChange;
  expectNew: boolean;
  resolve: () => void;
  reject: (error: unknown) => void;
  /** Conflicts lost so far (a rival replica wrote the same session between our read and write). */
  conflicts: number;
}

interface Queued {
  waiting: Waiting[];
  /** Read the document from the store before applying: the copy this replica holds (if any) was refused. */
  mustRead: boolean;
}

export interface GroupCommitOptions {
  /** Most documents per round trip. */
  maxBatch?: number;
  /** Conflicts one change may lose before it is refused with 409. */
  maxConflicts?: number;
  /** Sessions this replica keeps its last written copy of (bounded: never the whole store). */
  recentCapacity?: number;
}

/** How long a kept copy is used: a little over the usual interim interval, so updates find it. */
const RECENT_TTL_MS = 15 * 60_000;

/**
 * Group commit of session changes: while one batch is being written, new changes queue; the next
 * batch takes them all, applies every queued change of a document in arrival order and writes the
 * changed ones in one `_bulk_docs`. Each caller's promise resolves only once the store answered for
 * its document (or, the document having been read in this batch, there was nothing to write), so a
 * request is never acknowledged before its record is stored.
 *
 * Reads are skipped where they can be: the change is applied to this replica's last written copy
 * of the session (a bounded LRU), or to nothing for a session a Start creates. Either guess is
 * checked by the store itself: a write on a revision that is no longer the latest, or a create of
 * a document that exists, is refused (409), and the changes are then applied again to the document
 * read back in a later batch. A guess never acknowledges a change that writes nothing: that
 * verdict is only taken on a document just read. Conflicts after a read (a rival replica wrote in
 * between) count towards `maxConflicts`; refused guesses do not.
 */
export class GroupCommit {
  private pending = new Map<string, Queued>();
  private running = false;
  private readonly maxBatch: number;
  private readonly maxConflicts: number;
  private readonly recent: LruCache<SessionDoc>;

  constructor(
    private readonly store: SessionStore,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.maxConflicts = options.maxConflicts ?? 20;
    this.recent = new LruCache<SessionDoc>(options.recentCapacity ?? 10_000, RECENT_TTL_MS);
  }

  submit(id: string, change: SessionChange, options: SubmitOptions = {}): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.enqueue(id, [{ change, expectNew: options.expectNew === true, resolve, reject, conflicts: 0 }], false);
      this.kick();
    });
  }

  /** Requeued changes go before those that arrived meanwhile, so a session's changes keep their order. */
  private enqueue(id: string, waiting: Waiting[], requeue: boolean, mustRead = false): void {
    const queued = this.pending.get(id);
    if (!queued) this.pending.set(id, { waiting, mustRead });
    else {
      if (requeue) queued.waiting.unshift(...waiting);
      else queued.waiting.push(...waiting);
      queued.mustRead ||= mustRead;
    }
  }

  private kick(): void {
    if (this.running || this.pending.size === 0) return;
    this.running = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const batch = new Map<string, Queued>();
        for (const [id, queued] of this.pending) {
          if (batch.size === this.maxBatch) break;
          batch.set(id, queued);
        }
        for (const id of batch.keys()) this.pending.delete(id);
        await this.commit(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private rejectAll(lists: Iterable<Waiting[]>, error: unknown): void {
    for (const list of lists) for (const waiting of list) waiting.reject(error);
  }

  /** The documents to apply changes to: read from the store, or this replica's guess (`verified: false`). */
  private async bases(batch: Map<string, Queued>): Promise<Map<string, { doc: SessionDoc | undefined; verified: boolean }>> {
    const bases = new Map<string, { doc: SessionDoc | undefined; verified: boolean }>();
    const toRead: string[] = [];
    for (const [id, queued] of batch) {
      const recent = queued.mustRead ? undefined : this.recent.get(id);
      if (recent) bases.set(id, { doc: recent, verified: false });
      else if (!queued.mustRead && queued.waiting[0]?.expectNew) bases.set(id, { doc: undefined, verified: false });
      else toRead.push(id);
    }
    if (toRead.length > 0) {
      const read = (await this.store.db.getMany(toRead)) as Map<string, SessionDoc>;
      for (const id of toRead) bases.set(id, { doc: read.get(id), verified: true });
    }
    return bases;
  }

  private async commit(batch: Map<string, Queued>): Promise<void> {
    let bases: Awaited<ReturnType<GroupCommit['bases']>>;
    try {
      bases = await this.bases(batch);
    } catch (error) {
      this.rejectAll(
        [...batch.values()].map((queued) => queued.waiting),
        error,
      );
      return;
    }
    const writes: SessionDoc[] = [];
    const guessed = new Set<string>();
    for (const [id, { waiting: list }] of batch) {
      const base = bases.get(id);
      const before = base?.doc;
      let next = before;
      try {
        for (const waiting of list) next = waiting.change(next) ?? next;
      } catch (error) {
        this.rejectAll([list], error);
        continue;
      }
      if (next === undefined || sameSession(before, next)) {
        if (base?.verified) for (const waiting of list) waiting.resolve();
        else this.enqueue(id, list, true, true);
        continue;
      }
      if (!base?.verified) guessed.add(id);
      const doc: SessionDoc = { ...next, _id: id };
      if (before?._rev) doc._rev = before._rev;
      else delete doc._rev;
      writes.push(doc);
    }
    let outcomes: Awaited<ReturnType<typeof this.store.bulk>>;
    try {
      outcomes = await this.store.bulk(writes);
    } catch (error) {
      for (const doc of writes) this.recent.delete(doc._id);
      this.rejectAll(
        writes.map((doc) => batch.get(doc._id)?.waiting ?? []),
        error,
      );
      return;
    }
    const written = new Map(writes.map((doc) => [doc._id, doc]));
    const answered = new Set<string>();
    for (const outcome of outcomes) {
      const list = batch.get(outcome.id)?.waiting;
      if (!list || answered.has(outcome.id)) continue;
      answered.add(outcome.id);
      if (!outcome.error) {
        const doc = written.get(outcome.id);
        if (doc && outcome.rev) this.recent.set(outcome.id, { ...doc, _rev: outcome.rev });
        for (const waiting of list) waiting.resolve();
        continue;
      }
      this.recent.delete(outcome.id);
      if (outcome.error === 'conflict') {
        // A refused guess is no rival's win: read the document and apply the changes again.
        const retry = guessed.has(outcome.id)
          ? list
          : list.filter((waiting) => {
              waiting.conflicts += 1;
              if (waiting.conflicts <= this.maxConflicts) return true;
              waiting.reject(conflict('the session kept changing under concurrent writers; send the record again', { cause: outcome.id }));
              return false;
            });
        if (retry.length > 0) this.enqueue(outcome.id, retry, true, true);
      } else {
        this.rejectAll([list], apiError('datastore_unreachable', `the store did not take session ${outcome.id}: ${outcome.error}`));
      }
    }
    // A store that left a document out of its answer did not confirm it: never acknowledge that.
    for (const doc of writes) {
      if (answered.has(doc._id)) continue;
      this.recent.delete(doc._id);
      this.rejectAll(
        [batch.get(doc._id)?.waiting ?? []],
        apiError('datastore_unreachable', `the store did not confirm session ${doc._id}`),
      );
    }
  }
}
