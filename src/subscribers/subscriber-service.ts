import type { AccountDoc } from '../accounts/account-doc.js';
import { ownerChain } from '../accounts/owner-chain.js';
import type { DictionaryResolver } from '../dictionary/dictionary-resolver.js';
import { type AppError, type FieldErrors, ValidationError, apiError, isConflict, notFound } from '../errors.js';
import type { Page, PageRequest } from '../pagination.js';
import type { SchemaValidator } from '../schema/validator.js';
import type { ChangeSink } from '../store/changes-follower.js';
import type { Change } from '../store/database.js';
import type { BackendStore } from './backend-store.js';
import { attributeErrors } from './attribute-validation.js';
import { FollowedCache } from './followed-cache.js';
import { ntHash } from './md4.js';
import { hashPassword } from './password-hash.js';
import {
  type AttributeMap,
  type BackendDoc,
  DEFAULT_SETTINGS,
  type GroupDoc,
  type SubscriberDoc,
  type SubscriberSettingsDoc,
  groupDocId,
  kindRange,
  nameKey,
  normalName,
  settingsDocId,
  subscriberDocId,
} from './subscriber-doc.js';

export type SubscriberSettings = Omit<SubscriberSettingsDoc, '_id' | '_rev' | 'pvt_type' | 'pvt_account_id'>;

interface SubscriberInput {
  username: string;
  password?: string;
  nt_password?: string;
  enabled: boolean;
  groups: string[];
  check: AttributeMap;
  reply: AttributeMap;
  expires?: string | null;
}

interface GroupInput {
  name: string;
  check: AttributeMap;
  reply: AttributeMap;
}

/** How long a cached document is fresh while the subscribers' changes feed is not live. */
export const SUBSCRIBER_CACHE_TTL_MS = 5_000;
/**
 * How long past that it may still answer while one background read refreshes it, so that a user
 * who logs in every few seconds never waits for the store. Together they bound how long a replica
 * may answer from its cache after a change made through another replica while the feed is down:
 * 10 s.
 */
export const SUBSCRIBER_CACHE_STALE_MS = 5_000;
/** While the feed is live, the longest a cached document answers (see FollowedCacheOptions). */
export const SUBSCRIBER_CACHE_FOLLOWED_TTL_MS = 60_000;

export interface SubscriberServiceOptions {
  cacheEntries?: number;
  /** How long a cached document is fresh while the feed is not live (SUBSCRIBER_CACHE_TTL_MS). */
  cacheTtlMs?: number;
  now?: () => number;
  /** See FollowedCacheOptions.feedLive. Never, by default: every entry then keeps the 5 s rule. */
  feedLive?: () => boolean;
}

/**
 * Subscribers, groups and their settings, per account. Never mirrored: reads go by deterministic
 * id through a FollowedCache, which, as the sink of a follower of the database's changes feed (ids
 * only), forgets each document that changes.
 */
export class SubscriberService implements ChangeSink<BackendDoc> {
  private readonly cache: FollowedCache<BackendDoc>;

  constructor(
    private readonly store: BackendStore,
    private readonly schemas: SchemaValidator,
    private readonly dictionaries: DictionaryResolver,
    options: SubscriberServiceOptions = {},
  ) {
    this.cache = new FollowedCache((id) => store.subscribers.get(id), {
      capacity: options.cacheEntries ?? 50_000,
      ttlMs: options.cacheTtlMs ?? SUBSCRIBER_CACHE_TTL_MS,
      staleMs: SUBSCRIBER_CACHE_STALE_MS,
      followedTtlMs: SUBSCRIBER_CACHE_FOLLOWED_TTL_MS,
      ...(options.feedLive ? { feedLive: options.feedLive } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  get cachedEntries(): number {
    return this.cache.size;
  }

  /** A document by id through the cache (see FollowedCache.read). */
  read(id: string): Promise<BackendDoc | undefined> {
    return this.cache.read(id);
  }

  /** A change the feed delivered: the document is forgotten, so the next read sees the change. */
  applyChange(change: Change<BackendDoc>): void {
    this.cache.applyChange(change);
  }

  private async write(doc: BackendDoc): Promise<BackendDoc> {
    const rev = await this.cache.writing(doc._id, () => this.store.subscribers.put(doc));
    return { ...doc, _rev: rev };
  }

  private erase(doc: BackendDoc): Promise<void> {
    return this.cache.writing(doc._id, () => this.store.subscribers.remove(doc._id, doc._rev ?? ''));
  }

  // -- settings ---------------------------------------------------------------------------------

  async settings(accountId: string): Promise<SubscriberSettings> {
    const doc = await this.read(settingsDocId(accountId));
    if (doc?.pvt_type !== 'subscriber_settings') return { ...DEFAULT_SETTINGS, dicts: [...DEFAULT_SETTINGS.dicts] };
    return {
      dicts: doc.dicts,
      reversible_credentials: doc.reversible_credentials,
      auth_log_retention_days: doc.auth_log_retention_days,
      auth_log_max_entries: doc.auth_log_max_entries,
      ...(doc.session_retention_days === undefined ? {} : { session_retention_days: doc.session_retention_days }),
    };
  }

  async replaceSettings(account: AccountDoc, input: Record<string, unknown>): Promise<SubscriberSettings> {
    const fields = this.schemas.validate<SubscriberSettings>('subscriber_settings', input);
    const { missing } = await this.dictionaries.resolve(fields.dicts, ownerChain(account));
    if (missing.length > 0) {
      const errors: FieldErrors = {};
      for (const name of missing)
        errors[`dicts.${fields.dicts.indexOf(name)}`] = {
          unknown_dictionary: { message: `no dictionary named ${name} is visible to the account` },
        };
      throw new ValidationError(errors);
    }
    const id = settingsDocId(account._id);
    const current = await this.store.subscribers.get(id);
    await this.write({
      _id: id,
      ...(current?._rev ? { _rev: current._rev } : {}),
      pvt_type: 'subscriber_settings',
      pvt_account_id: account._id,
      ...fields,
    });
    return fields;
  }

  // -- validation -------------------------------------------------------------------------------

  private async checkAttributes(
    account: AccountDoc,
    fields: { check: AttributeMap; reply: AttributeMap },
    settings: SubscriberSettings,
  ): Promise<void> {
    const { compiled } = await this.dictionaries.compile(settings.dicts, ownerChain(account));
    const errors = { ...attributeErrors(fields.check, compiled, 'check'), ...attributeErrors(fields.reply, compiled, 'reply') };
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  }

  private async checkGroups(accountId: string, groups: readonly string[]): Promise<void> {
    const found = await this.store.subscribers.getMany(groups.map((name) => groupDocId(accountId, nameKey(name))));
    const errors: FieldErrors = {};
    groups.forEach((name, index) => {
      if (!found.has(groupDocId(accountId, nameKey(name))))
        errors[`groups.${index}`] = { unknown_group: { message: `the account has no group named ${name}` } };
    });
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  }

  private validateSubscriber(input: Record<string, unknown>): SubscriberInput {
    const fields = this.schemas.validate<SubscriberInput>('subscriber', input);
    if (fields.expires && !Number.isFinite(Date.parse(fields.expires))) {
      throw ValidationError.single('expires', 'format', 'not a valid RFC 3339 time');
    }
    return fields;
  }

  /** The stored credential forms of a new password, as the account's settings allow. */
  private async credentials(fields: SubscriberInput, settings: SubscriberSettings): Promise<Partial<SubscriberDoc>> {
    const stored: Partial<SubscriberDoc> = {};
    if (fields.password !== undefined) {
      stored.pvt_password_hash = await hashPassword(fields.password);
      if (settings.reversible_credentials !== 'none') stored.pvt_nt_hash = ntHash(fields.password).toString('hex');
      if (settings.reversible_credentials === 'cleartext') stored.pvt_cleartext = fields.password;
    }
    if (fields.nt_password !== undefined) {
      if (settings.reversible_credentials === 'none') {
        throw ValidationError.single(
          'nt_password',
          'not_allowed',
          'the account does not keep reversible credentials (subscriber_settings.reversible_credentials is none)',
        );
      }
      stored.pvt_nt_hash = fields.nt_password.toLowerCase();
    }
    return stored;
  }

  // -- subscribers ------------------------------------------------------------------------------

  async list(accountId: string, page: PageRequest): Promise<Page<SubscriberDoc>> {
    return this.pageOf<SubscriberDoc>(accountId, 'sub', page);
  }

  private async pageOf<T extends BackendDoc>(accountId: string, kind: 'sub' | 'grp', page: PageRequest): Promise<Page<T>> {
    const range = kindRange(accountId, kind);
    const docs = (await this.store.subscribers.listDocs({
      startkey: page.startKey ? `${range.startkey}${page.startKey}` : range.startkey,
      endkey: range.endkey,
      limit: page.pageSize + 1,
    })) as T[];
    const next = docs[page.pageSize];
    return { items: docs.slice(0, page.pageSize), nextStartKey: next ? next._id.slice(range.startkey.length) : undefined };
  }

  async get(accountId: string, id: string): Promise<SubscriberDoc> {
    const doc = /^[0-9a-f]{32}$/.test(id) ? await this.store.subscribers.get(subscriberDocId(accountId, id)) : undefined;
    if (doc?.pvt_type !== 'subscriber') throw notFound(id);
    return doc;
  }

  /** The subscriber with this username in this account, if any (through the cache). */
  async findByUsername(accountId: string, username: string): Promise<SubscriberDoc | undefined> {
    const doc = await this.read(subscriberDocId(accountId, nameKey(username)));
    return doc?.pvt_type === 'subscriber' ? doc : undefined;
  }

  async create(account: AccountDoc, input: Record<string, unknown>, extra: Partial<SubscriberDoc> = {}): Promise<SubscriberDoc> {
    const fields = this.validateSubscriber(input);
    const settings = await this.settings(account._id);
    await this.checkAttributes(account, fields, settings);
    await this.checkGroups(account._id, fields.groups);
    const now = Date.now();
    const doc: SubscriberDoc = {
      _id: subscriberDocId(account._id, nameKey(fields.username)),
      pvt_type: 'subscriber',
      pvt_account_id: account._id,
      ...this.publicFields(fields),
      ...(await this.credentials(fields, settings)),
      ...extra,
      pvt_created: now,
      pvt_modified: now,
    };
    try {
      return (await this.write(doc)) as SubscriberDoc;
    } catch (error) {
      if (isConflict(error)) throw usernameTaken(fields.username);
      throw error;
    }
  }

  private publicFields(fields: SubscriberInput): Pick<SubscriberDoc, 'username' | 'enabled' | 'groups' | 'check' | 'reply' | 'expires'> {
    return {
      username: fields.username,
      enabled: fields.enabled,
      groups: fields.groups,
      check: fields.check,
      reply: fields.reply,
      expires: fields.expires ?? null,
    };
  }

  /**
   * Replaces the public fields. A password left out keeps the stored one (it is never returned, so
   * a read-modify-write could not send it back). A new username moves the document: the new id is
   * created first (409 if taken), then the old one removed.
   */
  async replace(account: AccountDoc, id: string, input: Record<string, unknown>, expectedRev: string | undefined): Promise<SubscriberDoc> {
    const current = await this.get(account._id, id);
    if (expectedRev && expectedRev !== current._rev) throw staleRevision(id);
    const fields = this.validateSubscriber(input);
    const settings = await this.settings(account._id);
    await this.checkAttributes(account, fields, settings);
    await this.checkGroups(account._id, fields.groups);
    const credentials =
      fields.password !== undefined || fields.nt_password !== undefined ? await this.credentials(fields, settings) : undefined;
    const { _rev: _unused, ...kept } = current;
    const next: SubscriberDoc = {
      ...kept,
      ...this.publicFields(fields),
      ...(credentials ? { pvt_password_hash: undefined, pvt_nt_hash: undefined, pvt_cleartext: undefined, ...credentials } : {}),
      pvt_modified: Date.now(),
    };
    for (const key of ['pvt_password_hash', 'pvt_nt_hash', 'pvt_cleartext'] as const) if (next[key] === undefined) delete next[key];
    const newId = subscriberDocId(account._id, nameKey(fields.username));
    if (newId === current._id) return (await this.write({ ...next, _rev: current._rev })) as SubscriberDoc;
    let moved: SubscriberDoc;
    try {
      moved = (await this.write({ ...next, _id: newId })) as SubscriberDoc;
    } catch (error) {
      if (isConflict(error)) throw usernameTaken(fields.username);
      throw error;
    }
    await this.erase(current);
    return moved;
  }

  async patch(account: AccountDoc, id: string, input: Record<string, unknown>, expectedRev: string | undefined): Promise<SubscriberDoc> {
    const current = await this.get(account._id, id);
    const base = {
      username: current.username,
      enabled: current.enabled,
      groups: current.groups,
      check: current.check,
      reply: current.reply,
      expires: current.expires ?? null,
    };
    return this.replace(account, id, { ...base, ...input }, expectedRev ?? current._rev);
  }

  async remove(accountId: string, id: string): Promise<void> {
    await this.erase(await this.get(accountId, id));
  }

  // -- groups -----------------------------------------------------------------------------------

  async listGroups(accountId: string, page: PageRequest): Promise<Page<GroupDoc>> {
    return this.pageOf<GroupDoc>(accountId, 'grp', page);
  }

  async getGroup(accountId: string, id: string): Promise<GroupDoc> {
    const doc = /^[0-9a-f]{32}$/.test(id) ? await this.store.subscribers.get(groupDocId(accountId, id)) : undefined;
    if (doc?.pvt_type !== 'subscriber_group') throw notFound(id);
    return doc;
  }

  /** The groups a subscriber names, in its order; a group deleted since is skipped. */
  async groupsOf(subscriber: SubscriberDoc): Promise<GroupDoc[]> {
    const docs = await Promise.all(subscriber.groups.map((name) => this.read(groupDocId(subscriber.pvt_account_id, nameKey(name)))));
    return docs.filter((doc): doc is GroupDoc => doc?.pvt_type === 'subscriber_group');
  }

  async createGroup(account: AccountDoc, input: Record<string, unknown>): Promise<GroupDoc> {
    const fields = this.schemas.validate<GroupInput>('subscriber_group', input);
    await this.checkAttributes(account, fields, await this.settings(account._id));
    const now = Date.now();
    const doc: GroupDoc = {
      _id: groupDocId(account._id, nameKey(fields.name)),
      pvt_type: 'subscriber_group',
      pvt_account_id: account._id,
      name: fields.name,
      check: fields.check,
      reply: fields.reply,
      pvt_created: now,
      pvt_modified: now,
    };
    try {
      return (await this.write(doc)) as GroupDoc;
    } catch (error) {
      if (isConflict(error)) throw ValidationError.single('name', 'unique', `this account already has a group named ${fields.name}`);
      throw error;
    }
  }

  /** Replaces a group's attributes; its name is its identity (subscribers refer to it by name). */
  async replaceGroup(account: AccountDoc, id: string, input: Record<string, unknown>, expectedRev: string | undefined): Promise<GroupDoc> {
    const current = await this.getGroup(account._id, id);
    if (expectedRev && expectedRev !== current._rev) throw staleRevision(id);
    const fields = this.schemas.validate<GroupInput>('subscriber_group', input);
    if (normalName(fields.name) !== normalName(current.name)) {
      throw ValidationError.single('name', 'immutable', 'a group keeps its name (subscribers name it); create a new group instead');
    }
    await this.checkAttributes(account, fields, await this.settings(account._id));
    return (await this.write({
      ...current,
      name: fields.name,
      check: fields.check,
      reply: fields.reply,
      pvt_modified: Date.now(),
    })) as GroupDoc;
  }

  async patchGroup(account: AccountDoc, id: string, input: Record<string, unknown>, expectedRev: string | undefined): Promise<GroupDoc> {
    const current = await this.getGroup(account._id, id);
    return this.replaceGroup(
      account,
      id,
      { name: current.name, check: current.check, reply: current.reply, ...input },
      expectedRev ?? current._rev,
    );
  }

  async removeGroup(accountId: string, id: string): Promise<void> {
    await this.erase(await this.getGroup(accountId, id));
  }
}

function usernameTaken(username: string): ValidationError {
  return ValidationError.single('username', 'unique', `this account already has a subscriber named ${username}`);
}

function staleRevision(id: string): AppError {
  return apiError('datastore_conflict', 'the document changed since the If-Match revision; fetch it and retry', { cause: id });
}
