import { forbidden, inUse, notFound } from '../errors.js';
import { type Page, type PageRequest, readWholeList, UNPAGINATED_LIMITS } from '../pagination.js';
import type { SchemaValidator } from '../schema/validator.js';
import type { Store } from '../store/couch.js';
import { updateDocument } from '../store/update.js';
import { internalPart, publicPart } from '../store/visibility.js';
import { type AccountDirectory, ViewDirectory } from './account-directory.js';
import { type AccountDoc, type AccountFields, childTree, tokenGeneration } from './account-doc.js';
import { type AccountName, type AccountTreeNode, ancestorsVisibleTo, nestDescendants } from './account-tree.js';
import { apiKeyMatches, generateApiKey, hashApiKey, newAccountId } from './api-key.js';
import { RealmClaims, sameRealm } from './realm-claims.js';

/** Where an account stands for authentication: may it act, and which token generation is current. */
export interface Standing {
  /** Enabled, and so is every ancestor: disabling a reseller shuts out its whole subtree. */
  active: boolean;
  /** What a token of this account must carry (see `tokenGeneration`). */
  generation: number;
}

/** Something that reports every account change it applies (the accounts mirror does). */
interface AccountChanges {
  onChange(listener: (id: string) => void): void;
}

/** Standings held at most; past it they are all dropped and computed again. */
const MAX_STANDINGS = 100_000;

/** The account tree in the store: creation under a parent, edits, keys and tree queries. */
export class AccountService {
  /**
   * Standings by account id, from the mirror, while no account has changed: each one walks every
   * ancestor, on every authenticated request (see memoiseStandings).
   */
  private standings: Map<string, { rev: string | undefined; standing: Standing }> | undefined;
  /** Bumped by every account change, so a standing computed across one is not kept. */
  private standingsEpoch = 0;

  constructor(
    private readonly store: Store,
    private readonly schemas: SchemaValidator,
    private readonly directory: AccountDirectory = new ViewDirectory(store.accounts),
    private readonly now: () => number = Date.now,
    private readonly realms: RealmClaims = new RealmClaims(store, now),
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

  /**
   * The account's standing from the copy this instance holds (a mirror may lag behind another
   * replica's write by the change feed's latency); `fromStore` reads the store instead.
   */
  async standing(account: AccountDoc, fromStore = false): Promise<Standing> {
    const memo = fromStore ? undefined : this.standings;
    const held = memo?.get(account._id);
    if (held && held.rev === account._rev) return held.standing;
    const epoch = this.standingsEpoch;
    const ancestors = await this.ancestorsOf(account, fromStore);
    const standing = {
      active: account.enabled !== false && ancestors.every((ancestor) => ancestor.enabled !== false),
      generation: tokenGeneration(account, ancestors),
    };
    if (memo && epoch === this.standingsEpoch) {
      if (memo.size >= MAX_STANDINGS) memo.clear();
      memo.set(account._id, { rev: account._rev, standing });
    }
    return standing;
  }

  /**
   * Keeps standings computed from the mirror until `changes` reports any account change (a change
   * to an ancestor alters its descendants' standings, and account changes are rare next to the
   * requests that ask). Without it (no store cache) every standing is computed.
   */
  memoiseStandings(changes: AccountChanges): void {
    this.standings = new Map();
    changes.onChange(() => {
      this.standingsEpoch += 1;
      this.standings?.clear();
    });
  }

  /** The account and its standing as the store has them now, if it still exists. */
  async freshStanding(id: string): Promise<{ account: AccountDoc; standing: Standing } | undefined> {
    const account = await this.store.accounts.getFresh(id);
    if (account?.pvt_type !== 'account') return undefined;
    return { account, standing: await this.standing(account, true) };
  }

  /**
   * Ancestors cannot be deleted while they have children, so one missing from a mirror is one
   * created through another replica a moment ago: it is read from the store rather than skipped.
   */
  private async ancestorsOf(account: AccountDoc, fromStore: boolean): Promise<AccountDoc[]> {
    const known = fromStore ? new Map<string, AccountDoc>() : await this.getMany(account.pvt_tree);
    const ancestors: AccountDoc[] = [];
    for (const id of account.pvt_tree) {
      const ancestor = known.get(id) ?? (await this.store.accounts.getFresh(id));
      if (ancestor) ancestors.push(ancestor);
    }
    return ancestors;
  }

  /** Accounts by id in one round trip (for walking the tree); missing ones are left out. */
  async getMany(ids: readonly string[]): Promise<Map<string, AccountDoc>> {
    return this.store.accounts.getMany(ids);
  }

  async createChild(parent: AccountDoc, input: unknown): Promise<{ account: AccountDoc; apiKey: string }> {
    const fields = this.schemas.validate<AccountFields>('account', input);
    const apiKey = generateApiKey();
    const now = this.now();
    const account: AccountDoc = {
      ...fields,
      _id: newAccountId(),
      pvt_type: 'account',
      pvt_tree: childTree(parent),
      pvt_api_key_hash: hashApiKey(apiKey),
      pvt_superduper_admin: false,
      pvt_key_generation: 0,
      pvt_disable_generation: 0,
      pvt_created: now,
      pvt_modified: now,
    };
    await this.writeHoldingRealm(account._id, fields.realm, async () => {
      account._rev = await this.store.accounts.put(account);
      return { before: undefined, written: account };
    });
    return { account, apiKey };
  }

  /** POST: the public fields become exactly `input`. */
  async replace(id: string, input: unknown, expectedRev: string | undefined): Promise<AccountDoc> {
    const fields = this.schemas.validate<AccountFields>('account', input);
    return this.writeHoldingRealm(id, fields.realm, () => this.update(id, expectedRev, () => fields));
  }

  /** PATCH: top-level keys of `input` are merged over the current fields, then the whole is validated. */
  async patch(id: string, input: Record<string, unknown>, expectedRev: string | undefined): Promise<AccountDoc> {
    const merge = (current: AccountDoc) => this.schemas.validate<AccountFields>('account', { ...publicPart(current), ...input });
    let realm: string | undefined;
    if ('realm' in input) {
      // Validated before claiming, so a malformed realm never takes a claim.
      const current = await this.store.accounts.getFresh(id);
      if (current?.pvt_type !== 'account') throw notFound(id);
      realm = merge(current).realm;
    }
    return this.writeHoldingRealm(id, realm, () => this.update(id, expectedRev, merge));
  }

  async remove(account: AccountDoc): Promise<void> {
    if (account.pvt_superduper_admin && account.pvt_tree.length === 0) {
      throw forbidden('the master account cannot be deleted');
    }
    const children = await this.children(account._id, { pageSize: 1, startKey: undefined });
    if (children.items.length > 0) {
      throw inUse('the account has child accounts; delete them first', { cause: account._id });
    }
    const aaa = await this.store.aaa.getFresh(account._id);
    if (aaa?._rev) await this.store.aaa.remove(aaa._id, aaa._rev);
    // The account's own dictionaries go with it: no path could reach them afterwards.
    const owned = await this.store.dictionaries.listDocs({ startkey: `${account._id}~`, endkey: `${account._id}~\ufff0` });
    for (const dictionary of owned) await this.store.dictionaries.remove(dictionary._id, dictionary._rev ?? '');
    await this.store.accounts.remove(account._id, account._rev ?? '');
    if (account.realm !== undefined) await this.realms.releaseQuietly(account.realm, account._id);
  }

  async rotateApiKey(id: string): Promise<{ account: AccountDoc; apiKey: string }> {
    const apiKey = generateApiKey();
    const account = await updateDocument(this.store.accounts, id, undefined, (current) => ({
      ...current,
      pvt_api_key_hash: hashApiKey(apiKey),
      // The old key's tokens end with it.
      pvt_key_generation: (current.pvt_key_generation ?? 0) + 1,
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

  /**
   * The account's ancestors, root first, as `{id, name}` (Crossbar's `parents`): from `viewerId`'s
   * account down, or all of them when `viewerId` is undefined (see `ancestorsVisibleTo`).
   */
  async parents(account: AccountDoc, viewerId: string | undefined): Promise<AccountName[]> {
    const found = await Promise.all(ancestorsVisibleTo(account.pvt_tree, viewerId).map((id) => this.find(id)));
    return found.filter((doc): doc is AccountDoc => doc !== undefined).map((doc) => ({ id: doc._id, name: doc.name }));
  }

  /**
   * Every account below this one, nested under its parent; as long as an unpaginated
   * `descendants` may be (a 400 naming `tree` beyond that: page through `descendants` instead).
   */
  async tree(account: AccountDoc): Promise<AccountTreeNode[]> {
    const all = await readWholeList(undefined, (page) => this.descendants(account._id, page), { ...UNPAGINATED_LIMITS, field: 'tree' });
    return nestDescendants(account._id, all);
  }

  /** Read-modify-write of the public fields; says what the account was before the write that won. */
  private async update(
    id: string,
    expectedRev: string | undefined,
    fieldsFor: (current: AccountDoc) => AccountFields,
  ): Promise<{ before: AccountDoc; written: AccountDoc }> {
    let before: AccountDoc | undefined;
    const written = await updateDocument(this.store.accounts, id, expectedRev, (current) => {
      if (current.pvt_type !== 'account') throw notFound(id);
      before = current;
      return this.withFields(current, fieldsFor(current));
    });
    return { before: before ?? written, written };
  }

  private withFields(current: AccountDoc, fields: AccountFields): AccountDoc {
    const disabling = current.enabled !== false && fields.enabled === false;
    return {
      ...internalPart(current),
      ...fields,
      // Disabling ends every token of the account and its subtree; enabling again does not revive them.
      pvt_disable_generation: (current.pvt_disable_generation ?? 0) + (disabling ? 1 : 0),
      pvt_modified: this.now(),
    } as AccountDoc;
  }

  /**
   * Claims `realm` for the account before the write, so the store decides between parallel
   * claimers; a claim made here is given back if the write fails. After the write, a realm the
   * account held before and no longer does is released.
   */
  private async writeHoldingRealm(
    accountId: string,
    realm: string | undefined,
    write: () => Promise<{ before: AccountDoc | undefined; written: AccountDoc }>,
  ): Promise<AccountDoc> {
    const claim = realm === undefined ? undefined : await this.realms.claim(realm, accountId);
    let result: { before: AccountDoc | undefined; written: AccountDoc };
    try {
      result = await write();
    } catch (error) {
      if (realm !== undefined && claim?.fresh) await this.realms.releaseQuietly(realm, accountId);
      throw error;
    }
    const previous = result.before?.realm;
    if (previous !== undefined && !sameRealm(previous, result.written.realm)) {
      await this.realms.releaseQuietly(previous, accountId);
    }
    return result.written;
  }
}
