import type { Change, StoredDoc } from './database.js';
import { revisionGeneration } from './revisions.js';

export { revisionGeneration };

export type MirrorListener<T> = (id: string, doc: T | undefined) => void;

/** Documents whose ids are `<owner>~<name>` are also indexed by owner, for per-owner listings. */
function ownerOf(id: string): string | undefined {
  const tilde = id.indexOf('~');
  return tilde > 0 ? id.slice(0, tilde) : undefined;
}

const MAX_TOMBSTONES = 100_000;

/**
 * An in-memory copy of one database. Each change is applied as a whole document in one
 * synchronous step, so a reader never sees half of an update; a change older than what is held
 * (a long poll answered before a write-through) is ignored by revision generation.
 */
export class DocumentMirror<T extends StoredDoc> {
  private docs = new Map<string, T>();
  private byOwner = new Map<string, Set<string>>();
  private readonly tombstones = new Map<string, number>();
  private readonly listeners: MirrorListener<T>[] = [];

  get size(): number {
    return this.docs.size;
  }

  get(id: string): T | undefined {
    return this.docs.get(id);
  }

  values(): IterableIterator<T> {
    return this.docs.values();
  }

  /** Documents whose id starts with `<owner>~`, in id order. */
  ownedBy(owner: string): T[] {
    const ids = [...(this.byOwner.get(owner) ?? [])].sort();
    return ids.flatMap((id) => {
      const doc = this.docs.get(id);
      return doc ? [doc] : [];
    });
  }

  onChange(listener: MirrorListener<T>): void {
    this.listeners.push(listener);
  }

  /** Applies one change of the store's feed (design documents are not mirrored). */
  applyChange(change: Change<T>): void {
    if (change.deleted) this.applyDeletion(change.id, change.doc?._rev);
    else if (change.doc && !change.id.startsWith('_design/')) this.applyDoc(change.doc);
  }

  /** Applies a document if it is not older than the copy held. Returns whether anything changed. */
  applyDoc(doc: T): boolean {
    const generation = revisionGeneration(doc._rev);
    const held = this.docs.get(doc._id);
    if (held && (revisionGeneration(held._rev) > generation || held._rev === doc._rev)) return false;
    if ((this.tombstones.get(doc._id) ?? 0) > generation) return false;
    this.tombstones.delete(doc._id);
    this.docs.set(doc._id, doc);
    const owner = ownerOf(doc._id);
    if (owner !== undefined) {
      let ids = this.byOwner.get(owner);
      if (!ids) this.byOwner.set(owner, (ids = new Set()));
      ids.add(doc._id);
    }
    this.notify(doc._id, doc);
    return true;
  }

  /** Removes a document; `rev` is the deletion's revision when known. */
  applyDeletion(id: string, rev?: string): boolean {
    const held = this.docs.get(id);
    const generation = rev ? revisionGeneration(rev) : revisionGeneration(held?._rev) + 1;
    if (held && revisionGeneration(held._rev) > generation) return false;
    if (this.tombstones.size >= MAX_TOMBSTONES) this.tombstones.clear();
    this.tombstones.set(id, generation);
    if (!held) return false;
    this.docs.delete(id);
    const owner = ownerOf(id);
    if (owner !== undefined) this.byOwner.get(owner)?.delete(id);
    this.notify(id, undefined);
    return true;
  }

  /** Replaces the whole content (a full reload) and says which ids changed. */
  replaceAll(docs: readonly T[]): string[] {
    const next = new Map(docs.map((doc) => [doc._id, doc]));
    const changed = new Set<string>();
    for (const [id, doc] of next) if (this.docs.get(id)?._rev !== doc._rev) changed.add(id);
    for (const id of this.docs.keys()) if (!next.has(id)) changed.add(id);
    const byOwner = new Map<string, Set<string>>();
    for (const id of next.keys()) {
      const owner = ownerOf(id);
      if (owner === undefined) continue;
      let ids = byOwner.get(owner);
      if (!ids) byOwner.set(owner, (ids = new Set()));
      ids.add(id);
    }
    this.docs = next;
    this.byOwner = byOwner;
    this.tombstones.clear();
    for (const id of changed) this.notify(id, next.get(id));
    return [...changed];
  }

  private notify(id: string, doc: T | undefined): void {
    for (const listener of this.listeners) listener(id, doc);
  }
}
