/**
 * CouchDB's revision model, as pure functions. A document is a tree of revisions; its leaves are
 * the current versions. More than one live leaf is a conflict. Every node, and PouchDB, shows the
 * same winning leaf: live before deleted, then the deepest, then the highest revision id. Using the
 * same rule here means every replica decides every conflict the same way without talking to others.
 */

/** One leaf of a document's revision tree, with its body (`_deleted` for a tombstone). */
export interface Leaf<T> {
  rev: string;
  deleted: boolean;
  doc: T;
}

/** The generation of a CouchDB revision (`3-abc` → 3): later writes have higher generations. */
export function revisionGeneration(rev: string | undefined): number {
  if (!rev) return 0;
  const dash = rev.indexOf('-');
  return dash > 0 ? Number(rev.slice(0, dash)) : 0;
}

function revisionHash(rev: string): string {
  return rev.slice(rev.indexOf('-') + 1);
}

/** Orders leaves best first by CouchDB's rule. */
export function compareLeaves<T>(a: Leaf<T>, b: Leaf<T>): number {
  if (a.deleted !== b.deleted) return a.deleted ? 1 : -1;
  const depth = revisionGeneration(b.rev) - revisionGeneration(a.rev);
  if (depth !== 0) return depth;
  const [hashA, hashB] = [revisionHash(a.rev), revisionHash(b.rev)];
  return hashA === hashB ? 0 : hashA > hashB ? -1 : 1;
}

export function winningLeaf<T>(leaves: readonly Leaf<T>[]): Leaf<T> | undefined {
  return [...leaves].sort(compareLeaves)[0];
}

/** Live leaves other than the winner: what `_conflicts` lists. */
export function losingLiveLeaves<T>(leaves: readonly Leaf<T>[]): Leaf<T>[] {
  return [...leaves]
    .sort(compareLeaves)
    .slice(1)
    .filter((leaf) => !leaf.deleted);
}

/**
 * What a write the store took on fewer copies than its quorum (CouchDB's 202) amounts to, judged
 * from the leaves a quorum read shows afterwards:
 * - `lost`: our leaf is gone already (a rival's writer or a resolver removed it);
 * - `yield`: a rival leaf at least as new as ours is live. That rival may hold a quorum (a 201):
 *   two writers of one revision cannot both reach a quorum, because every copy accepts only one
 *   child of a leaf and two quorums share a copy; and a quorum read always sees a quorum write. So
 *   the minority writer always gives way, and the quorum writer never has to;
 * - `not_final`: ours is the only live leaf we can see, but with fewer copies than a quorum a rival
 *   on the copies we cannot reach may still exist (quorum lost): the outcome is not known yet.
 */
export type PartialWriteOutcome = 'lost' | 'yield' | 'not_final';

export function judgePartialWrite<T>(ourRev: string, leaves: readonly Leaf<T>[]): PartialWriteOutcome {
  const ours = leaves.find((leaf) => leaf.rev === ourRev);
  if (!ours || ours.deleted) return 'lost';
  const generation = revisionGeneration(ourRev);
  const rival = leaves.some((leaf) => leaf.rev !== ourRev && !leaf.deleted && revisionGeneration(leaf.rev) >= generation);
  return rival ? 'yield' : 'not_final';
}
