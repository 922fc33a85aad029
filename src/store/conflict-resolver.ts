import type { Logger } from '../log.js';
import { type Database, RESOLVED_MARKER, type StoredDoc, YIELD_MARKER } from './database.js';
import { type Leaf, losingLiveLeaves, revisionGeneration, winningLeaf } from './revisions.js';

/** The content of a losing leaf, kept in the `conflicts` database where an operator can find it. */
export interface ConflictRecord extends StoredDoc {
  pvt_type: 'conflict';
  db: string;
  doc_id: string;
  winning_rev: string;
  losing_rev: string;
  /** The losing leaf as it was stored (it may hold secrets: the record is as private as the document). */
  losing_doc: unknown;
  resolved_at: number;
}

/** One record per losing revision: every replica resolving the same conflict writes the same id. */
export function conflictRecordId(db: string, docId: string, losingRev: string): string {
  return `${db}~${docId}~${losingRev}`;
}

function withoutRevisionKeys(doc: object): Record<string, unknown> {
  const {
    _rev: _r,
    _deleted: _d,
    _revisions: _v,
    _conflicts: _c,
    [YIELD_MARKER]: _y,
    [RESOLVED_MARKER]: _l,
    ...rest
  } = doc as Record<string, unknown>;
  return rest;
}

/**
 * Settles documents with more than one leaf, by CouchDB's own winner rule, so every replica that
 * sees a conflict in its change feed does the same thing and they converge without coordination:
 * each losing live leaf is recorded, then tombstoned. And when every leaf of a document is a
 * writer's yield (racers that all gave way, see `judgePartialWrite`), the revision they raced to
 * replace is brought back: nobody deleted that document.
 */
export class ConflictResolver<T extends StoredDoc> {
  constructor(
    private readonly db: Database<T>,
    private readonly records: Database<ConflictRecord>,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async resolve(id: string): Promise<void> {
    const leaves = await this.db.leaves(id);
    const winner = winningLeaf(leaves);
    if (!winner) return;
    if (winner.deleted) {
      await this.reviveYielded(id, leaves, winner);
      return;
    }
    for (const loser of losingLiveLeaves(leaves)) {
      const recordId = conflictRecordId(this.db.name, id, loser.rev);
      await this.record(recordId, id, winner.rev, loser);
      if (await this.db.removeLeaf(id, loser.rev, { [RESOLVED_MARKER]: winner.rev })) {
        // Revisions and ids only: the content may hold secrets and stays in the record.
        this.logger.warn(
          { db: this.db.name, doc_id: id, winning_rev: winner.rev, losing_rev: loser.rev, record: recordId },
          'conflict resolved: the losing revision was removed and its content kept in the conflicts database',
        );
      }
    }
  }

  private async record(recordId: string, docId: string, winningRev: string, loser: Leaf<T>): Promise<void> {
    const record: ConflictRecord = {
      _id: recordId,
      pvt_type: 'conflict',
      db: this.db.name,
      doc_id: docId,
      winning_rev: winningRev,
      losing_rev: loser.rev,
      losing_doc: loser.doc,
      resolved_at: this.now(),
    };
    try {
      // A plain write: the record's id is deterministic, so a 409 means another replica recorded
      // this very revision first, and a partly replicated record needs no settling.
      await this.records.putOnLeaf(record);
    } catch (error) {
      if ((error as { status?: number }).status !== 409) throw error;
    }
  }

  private async reviveYielded(id: string, leaves: readonly Leaf<T>[], winner: Leaf<T>): Promise<void> {
    const restoreRev = (winner.doc as Record<string, unknown>)[YIELD_MARKER];
    if (typeof restoreRev !== 'string') return;
    // A deliberate delete after the revision the racers replaced stays a delete.
    const deliberate = leaves.some(
      (leaf) =>
        leaf.deleted &&
        !(YIELD_MARKER in (leaf.doc as object)) &&
        !(RESOLVED_MARKER in (leaf.doc as object)) &&
        revisionGeneration(leaf.rev) > revisionGeneration(restoreRev),
    );
    if (deliberate) return;
    const body = await this.db.getRevision(id, restoreRev);
    if (!body) {
      this.logger.error(
        { db: this.db.name, doc_id: id, revision: restoreRev },
        'every racing writer gave way, but the revision they replaced is compacted away; the document stays deleted',
      );
      return;
    }
    const revived = { ...withoutRevisionKeys(body), _id: id, _rev: winner.rev } as unknown as T;
    if (await this.db.putOnLeaf(revived)) {
      this.logger.warn(
        { db: this.db.name, doc_id: id, restored_rev: restoreRev },
        'every racing writer gave way: the revision they replaced was restored',
      );
    }
  }
}
