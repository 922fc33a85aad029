import { ValidationError, conflict, forbidden, notFound } from '../errors.js';
import type { Page, PageRequest } from '../pagination.js';
import type { SchemaValidator } from '../schema/validator.js';
import type { Store } from '../store/couch.js';
import { updateDocument } from '../store/update.js';
import { internalPart, publicPart } from '../store/visibility.js';
import { type AccountDirectory, ViewDirectory } from './account-directory.js';
import { type AccountDoc, type AccountFields, childTree } from './account-doc.js';
import { apiKeyMatches, generateApiKey, hashApiKey, newAccountId } from './api-key.js';

/** The account tree in the store: creation under a parent, edits, keys and tree queries. */
export class AccountService {
  constructor(
    private readonly store: Store,
    private readonly schemas: SchemaValidator,
    private readonly directory: AccountDirectory = new ViewDirectory(store.accounts),
    private readonly now: () => number = Date.now,
  ) {}

  async get(id: string): Promise<AccountDoc> {
    const doc = await this.find(id);
    if (!doc) throw notFound(id);
    return doc;
  }

  async find(id: string): Promise<AccountDoc | undefined> {
    const doc = await this.store.accounts.get(id);
    return doc?.pvt_type === 'account' ? doc : undefined;
  }

  /** Enabled, and so is every ancestor: disabling a reseller shuts out its whole subtree. */
  async isActive(account: AccountDoc): Promise<boolean> {
    if (account.enabled === false) return false;
    const ancestors = await this.getMany(account.pvt_tree);
    return [...ancestors.values()].every((ancestor) => ancestor.enabled !== false);
  }

  /** Accounts by id in one round trip (for walking the tree); missing ones are left out. */
  async getMany(ids: readonly string[]): Promise<Map<string, AccountDoc>> {
    return this.store.accounts.getMany(ids);
  }

  async createChild(parent: AccountDoc, input: unknown): Promise<{ account: AccountDoc; apiKey: string }> {
    const fields = this.schemas.validate<AccountFields>('account', input);
    await this.assertRealmFree(fields.realm, undefined);
    const apiKey = generateApiKey();
    const now = this.now();
    const account: AccountDoc = {
      ...fields,
      _id: newAccountId(),
      pvt_type: 'account',
      pvt_tree: childTree(parent),
      pvt_api_key_hash: hashApiKey(apiKey),
      pvt_superduper_admin: false,
      pvt_created: now,
      pvt_modified: now,
    };
    account._rev = await this.store.accounts.put(account);
    return { account, apiKey };
  }

  /** POST: the public fields become exactly `input`. */
  async replace(id: string, input: unknown, expectedRev: string | undefined): Promise<AccountDoc> {
    const fields = this.schemas.validate<AccountFields>('account', input);
    await this.assertRealmFree(fields.realm, id);
    return updateDocument(this.store.accounts, id, expectedRev, (current) => this.withFields(current, fields));
  }

  /** PATCH: top-level keys of `input` are merged over the current fields, then the whole is validated. */
  async patch(id: string, input: Record<string, unknown>, expectedRev: string | undefined): Promise<AccountDoc> {
    if (typeof input.realm === 'string') await this.assertRealmFree(input.realm, id);
    return updateDocument(this.store.accounts, id, expectedRev, (current) => {
      const merged = this.schemas.validate<AccountFields>('account', { ...publicPart(current), ...input });
      return this.withFields(current, merged);
    });
  }

  async remove(account: AccountDoc): Promise<void> {
    if (account.pvt_superduper_admin && account.pvt_tree.length === 0) {
      throw forbidden('the master account cannot be deleted');
    }
    const children = await this.children(account._id, { pageSize: 1, startKey: undefined });
    if (children.items.length > 0) {
      throw conflict('the account has child accounts; delete them first', { cause: account._id });
    }
    const aaa = await this.store.aaa.getFresh(account._id);
    if (aaa?._rev) await this.store.aaa.remove(aaa._id, aaa._rev);
    // The account's own dictionaries go with it: no path could reach them afterwards.
    const owned = await this.store.dictionaries.listDocs({ startkey: `${account._id}~`, endkey: `${account._id}~\ufff0` });
    for (const dictionary of owned) await this.store.dictionaries.remove(dictionary._id, dictionary._rev ?? '');
    await this.store.accounts.remove(account._id, account._rev ?? '');
  }

  async rotateApiKey(id: string): Promise<{ account: AccountDoc; apiKey: string }> {
    const apiKey = generateApiKey();
    const account = await updateDocument(this.store.accounts, id, undefined, (current) => ({
      ...current,
      pvt_api_key_hash: hashApiKey(apiKey),
      pvt_modified: this.now(),
    }));
    return { account, apiKey };
  }

  /** The account holding this API key, if any, enabled or not. */
  async findByApiKey(apiKey: string): Promise<AccountDoc | undefined> {
    const account = await this.directory.byApiKeyHash(hashApiKey(apiKey));
    return account && apiKeyMatches(apiKey, account.pvt_api_key_hash) ? account : undefined;
  }

  children(parentId: string, page: PageRequest): Promise<Page<AccountDoc>> {
    return this.directory.children(parentId, page);
  }

  descendants(ancestorId: string, page: PageRequest): Promise<Page<AccountDoc>> {
    return this.directory.descendants(ancestorId, page);
  }

  private withFields(current: AccountDoc, fields: AccountFields): AccountDoc {
    return { ...internalPart(current), ...fields, pvt_modified: this.now() } as AccountDoc;
  }

  private async assertRealmFree(realm: string | undefined, ownId: string | undefined): Promise<void> {
    if (realm === undefined) return;
    const rows = await this.store.accounts.view<string, null>('accounts', 'by_realm', { key: realm.toLowerCase() });
    if (rows.some((row) => row.id !== ownId)) {
      throw ValidationError.single('realm', 'unique', `the realm ${realm} is already used by another account`);
    }
  }
}
