import type { ChangesFollower } from './changes-follower.js';
import type { Database, DocumentStore, StoredDoc, ViewQuery, ViewRow } from './database.js';
import type { DocumentMirror } from './mirror.js';

/**
 * A database read from its mirror and written through to the store. The mirror holds every
 * document, so a miss means "does not exist"; writes update it at once, so this instance reads
 * its own writes, and other instances' writes arrive through the changes feed.
 */
export class CachedDatabase<T extends StoredDoc> implements DocumentStore<T> {
  constructor(
    readonly remote: Database<T>,
    readonly mirror: DocumentMirror<T>,
    readonly follower: ChangesFollower<T>,
  ) {}

  get name(): string {
    return this.remote.name;
  }

  async get(id: string): Promise<T | undefined> {
    return this.mirror.get(id);
  }

  async getFresh(id: string): Promise<T | undefined> {
    const doc = await this.remote.get(id);
    if (doc) this.mirror.applyDoc(doc);
    else this.mirror.applyDeletion(id);
    return doc;
  }

  async getMany(ids: readonly string[]): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    for (const id of ids) {
      const doc = this.mirror.get(id);
      if (doc) found.set(id, doc);
    }
    return found;
  }

  async put(doc: T): Promise<string> {
    const rev = await this.remote.put(doc);
    this.mirror.applyDoc({ ...doc, _rev: rev });
    return rev;
  }

  async remove(id: string, rev: string): Promise<void> {
    await this.remote.remove(id, rev);
    this.mirror.applyDeletion(id);
  }

  view<K, V>(design: string, view: string, query?: ViewQuery): Promise<ViewRow<K, V>[]> {
    return this.remote.view<K, V>(design, view, query);
  }

  viewDocs<K>(design: string, view: string, query?: ViewQuery): Promise<{ key: K; doc: T }[]> {
    return this.remote.viewDocs<K>(design, view, query);
  }

  /** Owner-prefix listings (`<owner>~` … `<owner>~\ufff0`) come from the mirror's owner index. */
  async listDocs(query: { startkey?: string; endkey?: string; limit?: number }): Promise<T[]> {
    const { startkey, endkey } = query;
    if (startkey?.endsWith('~') && endkey === `${startkey}\ufff0`) {
      const docs = this.mirror.ownedBy(startkey.slice(0, -1));
      return query.limit === undefined ? docs : docs.slice(0, query.limit);
    }
    return this.remote.listDocs(query);
  }
}
