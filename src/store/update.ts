import { setTimeout as sleep } from 'node:timers/promises';
import { conflict, notFound } from '../errors.js';
import type { DocumentStore, StoredDoc } from './database.js';

/**
 * How long a change without `If-Match` keeps re-applying itself after lost races. Each round
 * some writer wins, so only a burst of more writers than rounds fit in this budget can exhaust
 * it; the answer is then 409 as with `If-Match`.
 */
export const DEFAULT_RETRY_BUDGET_MS = 10_000;

/** Backoff before a retry: full jitter over an exponential ceiling, so racers spread out. */
const FIRST_BACKOFF_MS = 2;
const MAX_BACKOFF_MS = 100;

export interface UpdateOptions {
  retryBudgetMs?: number;
}

function backoff(lostRaces: number): number {
  return Math.random() * Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** lostRaces);
}

const isConflict = (error: unknown): boolean => (error as { status?: number }).status === 409;

/**
 * Read-modify-write with optimistic concurrency, in as few store round trips as correctness needs.
 *
 * The first attempt starts from the copy `db.get` holds (the mirror, when there is one) and writes
 * on top of its revision: the store takes a write only on the current revision, so a stale copy
 * costs a 409 and a re-read, never someone else's update. Only a conflict (or a copy that
 * disagrees with `If-Match`, or is missing) sends a read to the store.
 *
 * With `expectedRev` (from If-Match) the write is pinned to that revision, so of many writers
 * holding it exactly one wins and the rest get 409. Without it, a lost race re-reads and
 * re-applies the change, with jittered backoff, until `retryBudgetMs` has passed.
 */
export async function updateDocument<T extends StoredDoc>(
  db: DocumentStore<T>,
  id: string,
  expectedRev: string | undefined,
  change: (current: T) => T | Promise<T>,
  options: UpdateOptions = {},
): Promise<T> {
  const giveUpAt = Date.now() + (options.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS);
  let current = await db.get(id);
  let fresh = false;
  for (let lostRaces = 0; ; ) {
    // A copy that is missing or disagrees with If-Match may only be behind: ask the store.
    if (!fresh && (current === undefined || (expectedRev !== undefined && current._rev !== expectedRev))) {
      current = await db.getFresh(id);
      fresh = true;
    }
    if (!current) throw notFound(id);
    if (expectedRev !== undefined && current._rev !== expectedRev) {
      throw conflict('the document has changed since that revision', { revision: current._rev });
    }
    const next = { ...(await change(current)), _id: id, _rev: current._rev };
    try {
      next._rev = await db.put(next);
      return next;
    } catch (error) {
      if (!isConflict(error) || expectedRev !== undefined || Date.now() >= giveUpAt) throw error;
    }
    // A write from a stale copy lost to the past, not to a racer: re-read at once.
    if (fresh) {
      lostRaces += 1;
      await sleep(backoff(lostRaces));
    }
    current = await db.getFresh(id);
    fresh = true;
  }
}
