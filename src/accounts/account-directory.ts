import type { Page, PageRequest } from '../pagination.js';
import type { DocumentStore } from '../store/database.js';
import type { DocumentMirror } from '../store/mirror.js';
import type { AccountDoc } from './account-doc.js';

/** Tree and key look-ups over all accounts: from CouchDB views, or from an in-memory index. */
export interface AccountDirectory {
  children(parentId: string, page: PageRequest): Promise<Page<AccountDoc>>;
  descendants(ancestorId: string, page: PageRequest): Promise<Page<AccountDoc>>;
  byApiKeyHash(hash: string): Promise<AccountDoc | undefined>;
}

/** The views in `couchdb/design/accounts.json`: every call a store round trip. */
export class ViewDirectory implements AccountDirectory {
  constructor(private readonly accounts: DocumentStore<AccountDoc>) {}

  children(parentId: string, page: PageRequest): Promise<Page<AccountDoc>> {
    return this.pageOf('by_parent', parentId, page);
  }

  descendants(ancestorId: string, page: PageRequest): Promise<Page<AccountDoc>> {
    return this.pageOf('by_ancestor', ancestorId, page);
  }

  async byApiKeyHash(hash: string): Promise<AccountDoc | undefined> {
    const rows = await this.accounts.viewDocs<string>('accounts', 'by_api_key_hash', { key: hash, limit: 1 });
    return rows[0]?.doc;
  }

  private async pageOf(view: string, owner: string, page: PageRequest): Promise<Page<AccountDoc>> {
    const rows = await this.accounts.viewDocs<[string, string]>('accounts', view, {
      startkey: [owner, page.startKey ?? ''],
      endkey: [owner, '\ufff0'],
      limit: page.pageSize + 1,
    });
    const items = rows.slice(0, page.pageSize).map((row) => row.doc);
    return { items, nextStartKey: rows[page.pageSize]?.key[1] };
  }
}

interface Indexed {
  ancestors: readonly string[];
  hash: string;
}

function addTo(index: Map<string, Set<string>>, key: string, id: string): void {
  let ids = index.get(key);
  if (!ids) index.set(key, (ids = new Set()));
  ids.add(id);
}

/**
 * The same answers from the accounts mirror, kept current by its change events. A key that the
 * mirror does not know yet (an account created through another instance a moment ago) falls back
 * to the view, so a fresh API key works everywhere at once.
 */
export class MirrorDirectory implements AccountDirectory {
  private readonly indexed = new Map<string, Indexed>();
  private readonly childrenOf = new Map<string, Set<string>>();
  private readonly descendantsOf = new Map<string, Set<string>>();
  private readonly byHash = new Map<string, string>();

  constructor(
    private readonly mirror: DocumentMirror<AccountDoc>,
    private readonly fallback: AccountDirectory,
  ) {
    for (const doc of mirror.values()) this.update(doc._id, doc);
    mirror.onChange((id, doc) => this.update(id, doc));
  }

  async children(parentId: string, page: PageRequest): Promise<Page<AccountDoc>> {
    return this.pageOf(this.childrenOf.get(parentId), page);
  }

  async descendants(ancestorId: string, page: PageRequest): Promise<Page<AccountDoc>> {
    return this.pageOf(this.descendantsOf.get(ancestorId), page);
  }

  async byApiKeyHash(hash: string): Promise<AccountDoc | undefined> {
    const id = this.byHash.get(hash);
    const doc = id === undefined ? undefined : this.mirror.get(id);
    return doc ?? this.fallback.byApiKeyHash(hash);
  }

  private pageOf(ids: ReadonlySet<string> | undefined, page: PageRequest): Page<AccountDoc> {
    const start = page.startKey ?? '';
    const sorted = [...(ids ?? [])].filter((id) => id >= start).sort();
    const items = sorted.slice(0, page.pageSize).flatMap((id) => {
      const doc = this.mirror.get(id);
      return doc ? [doc] : [];
    });
    return { items, nextStartKey: sorted[page.pageSize] };
  }

  private update(id: string, doc: AccountDoc | undefined): void {
    const previous = this.indexed.get(id);
    if (previous) {
      const parent = previous.ancestors.at(-1);
      if (parent !== undefined) this.childrenOf.get(parent)?.delete(id);
      for (const ancestor of previous.ancestors) this.descendantsOf.get(ancestor)?.delete(id);
      if (this.byHash.get(previous.hash) === id) this.byHash.delete(previous.hash);
      this.indexed.delete(id);
    }
    if (doc?.pvt_type !== 'account') return;
    const ancestors = [...doc.pvt_tree];
    const parent = ancestors.at(-1);
    if (parent !== undefined) addTo(this.childrenOf, parent, id);
    for (const ancestor of ancestors) addTo(this.descendantsOf, ancestor, id);
    this.byHash.set(doc.pvt_api_key_hash, id);
    this.indexed.set(id, { ancestors, hash: doc.pvt_api_key_hash });
  }
}
