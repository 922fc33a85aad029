import { conflict, notFound } from '../errors.js';
import type { DocumentStore, StoredDoc } from './database.js';

const MAX_ATTEMPTS = 5;

/**
 * Read-modify-write with optimistic concurrency. With `expectedRev` (from If-Match) the write is
 * pinned to that revision, so of many writers holding the same revision exactly one wins and the
 * rest get 409. Without it, a lost race re-reads and re-applies the change.
 */
export async function updateDocument<T extends StoredDoc>(
  db: DocumentStore<T>,
  id: string,
  expectedRev: string | undefined,
  change: (current: T) => T | Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const current = await db.getFresh(id);
    if (!current) throw notFound(id);
    if (expectedRev !== undefined && current._rev !== expectedRev) {
      throw conflict('the document has changed since that revision', { revision: current._rev });
    }
    const next = { ...(await change(current)), _id: id, _rev: expectedRev ?? current._rev };
    try {
      next._rev = await db.put(next);
      return next;
    } catch (error) {
      const lostRace = (error as { status?: number }).status === 409;
      if (!lostRace || expectedRev !== undefined || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}
