import { AppError, conflict } from '../errors.js';
import { type SessionDoc, sameSession } from './session-doc.js';
import type { SessionStore } from './session-store.js';

/** A change to one session; undefined leaves it as it is (or absent). */
export type SessionChange = (current: SessionDoc | undefined) => SessionDoc | undefined;

interface Waiting {
  change: SessionChange;
  resolve: () => void;
  reject: (error: unknown) => void;
  /** Conflicts lost so far (a rival replica wrote the same session between our read and write). */
  conflicts: number;
}

export interface GroupCommitOptions {
  /** Most documents per round trip. */
  maxBatch?: number;
  /** Conflicts one change may lose before it is refused with 409. */
  maxConflicts?: number;
}

/**
 * Group commit of session changes: while one batch is being written, new changes queue; the next
 * batch takes them all, reads their documents in one `_all_docs`, applies every queued change of
 * a document in arrival order and writes the changed ones in one `_bulk_docs`. Each caller's
 * promise resolves only once the store answered for its document (or there was nothing to write),
 * so a request is never acknowledged before its record is stored. A document a rival wrote in
 * between (409) is read again and its changes re-applied in a later batch.
 */
export class GroupCommit {
  private pending = new Map<string, Waiting[]>();
  private running = false;
  private readonly maxBatch: number;
  private readonly maxConflicts: number;

  constructor(
    private readonly store: SessionStore,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxConflicts = options.maxConflicts ?? 20;
  }

  submit(id: string, change: SessionChange): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.enqueue(id, [{ change, resolve, reject, conflicts: 0 }]);
      this.kick();
    });
  }

  private enqueue(id: string, waiting: Waiting[]): void {
    const list = this.pending.get(id);
    if (list) list.unshift(...waiting);
    else this.pending.set(id, waiting);
  }

  private kick(): void {
    if (this.running || this.pending.size === 0) return;
    this.running = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const batch = new Map<string, Waiting[]>();
        for (const [id, list] of this.pending) {
          if (batch.size === this.maxBatch) break;
          batch.set(id, list);
        }
        for (const id of batch.keys()) this.pending.delete(id);
        await this.commit(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async commit(batch: Map<string, Waiting[]>): Promise<void> {
    const rejectAll = (lists: Iterable<Waiting[]>, error: unknown) => {
      for (const list of lists) for (const waiting of list) waiting.reject(error);
    };
    let current: Map<string, SessionDoc>;
    try {
      current = (await this.store.db.getMany([...batch.keys()])) as Map<string, SessionDoc>;
    } catch (error) {
      rejectAll(batch.values(), error);
      return;
    }
    const writes: SessionDoc[] = [];
    for (const [id, list] of batch) {
      const before = current.get(id);
      let next = before;
      try {
        for (const waiting of list) next = waiting.change(next) ?? next;
      } catch (error) {
        rejectAll([list], error);
        continue;
      }
      if (next === undefined || sameSession(before, next)) {
        for (const waiting of list) waiting.resolve();
        continue;
      }
      const doc: SessionDoc = { ...next, _id: id };
      if (before?._rev) doc._rev = before._rev;
      else delete doc._rev;
      writes.push(doc);
    }
    let outcomes;
    try {
      outcomes = await this.store.bulk(writes);
    } catch (error) {
      rejectAll(
        writes.map((doc) => batch.get(doc._id) ?? []),
        error,
      );
      return;
    }
    const answered = new Set<string>();
    for (const outcome of outcomes) {
      const list = batch.get(outcome.id);
      if (!list || answered.has(outcome.id)) continue;
      answered.add(outcome.id);
      if (!outcome.error) {
        for (const waiting of list) waiting.resolve();
      } else if (outcome.error === 'conflict') {
        const retry = list.filter((waiting) => {
          waiting.conflicts += 1;
          if (waiting.conflicts <= this.maxConflicts) return true;
          waiting.reject(conflict('the session kept changing under concurrent writers; send the record again', { cause: outcome.id }));
          return false;
        });
        if (retry.length > 0) this.enqueue(outcome.id, retry);
      } else {
        rejectAll([list], new AppError(503, 'datastore_unreachable', `the store did not take session ${outcome.id}: ${outcome.error}`));
      }
    }
    // A store that left a document out of its answer did not confirm it: never acknowledge that.
    for (const doc of writes) {
      if (!answered.has(doc._id)) rejectAll([batch.get(doc._id) ?? []], new AppError(503, 'datastore_unreachable', `the store did not confirm session ${doc._id}`));
    }
  }
}
