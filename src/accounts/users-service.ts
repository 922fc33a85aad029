import { type AppError, ValidationError, conflict, isConflict, notFound } from '../errors.js';
import type { SchemaValidator } from '../schema/validator.js';
import type { Store, SystemDoc } from '../store/couch.js';
import { updateDocument } from '../store/update.js';
import { writablePart } from '../store/visibility.js';
import type { AccountDoc } from './account-doc.js';
import type { AccountService } from './account-service.js';
import { realmClaimId, sameRealm } from './realm-claims.js';
import { type UserDoc, type UserFields, isUserDoc, userDocId, userDocRange, userIdFor } from './users-doc.js';
import { hashOperatorPassword, operatorPasswordMatches, spendOnePasswordCheck } from './users-password.js';

/** What a client sends: the user's fields, and a password on create or to change it. */
type UserInput = UserFields & { password?: string };

/** `PUT /v2/user_auth`'s data once validated. */
export interface UserLogin {
  username: string;
  password: string;
  account_name?: string;
  account_realm?: string;
}

/** Accounts named alike are tried in turn, each with a password check: a bound keeps a login cheap. */
const MAX_NAMESAKES = 5;
const ACCOUNT_SCAN_PAGE = 1_000;

const READ_ONLY = ['id', 'account_id', 'created', 'modified'];

/** Operator users of accounts: people who log in with a username and password instead of the account's key. */
export class UserService {
  constructor(
    private readonly store: Store,
    private readonly schemas: SchemaValidator,
    private readonly accounts: AccountService,
    private readonly now: () => number = Date.now,
  ) {}

  async list(account: AccountDoc): Promise<UserDoc[]> {
    const docs = await this.store.system.listDocs(userDocRange(account._id));
    return docs.filter(isUserDoc).filter((doc) => doc.pvt_account_id === account._id);
  }

  async get(account: AccountDoc, userId: string): Promise<UserDoc> {
    const doc = await this.read(userDocId(account._id, userId));
    if (!isUserDoc(doc) || doc.pvt_account_id !== account._id) throw notFound(userId);
    return doc;
  }

  async create(account: AccountDoc, body: Record<string, unknown>): Promise<UserDoc> {
    const input = this.validate(body);
    if (input.password === undefined) throw ValidationError.single('password', 'required', 'A new user needs a password');
    const { password, ...fields } = input;
    const now = this.now();
    const doc: UserDoc = {
      ...fields,
      _id: userDocId(account._id, userIdFor(fields.username)),
      pvt_type: 'user',
      pvt_account_id: account._id,
      pvt_password_hash: await hashOperatorPassword(password),
      pvt_created: now,
      pvt_modified: now,
    };
    try {
      doc._rev = await this.store.system.put(doc);
    } catch (error) {
      if (isConflict(error)) {
        throw ValidationError.single('username', 'unique', 'The account already has a user of this name', { value: fields.username });
      }
      throw error;
    }
    return doc;
  }

  /** POST (`merge` false: the fields become exactly the input) or PATCH (`merge` true). The username cannot change. */
  async update(
    account: AccountDoc,
    userId: string,
    body: Record<string, unknown>,
    expectedRev: string | undefined,
    merge: boolean,
  ): Promise<UserDoc> {
    const current = await this.get(account, userId);
    const input = this.validate(merge ? { ...this.publicFields(current), ...writablePart(body, READ_ONLY) } : body);
    if (userIdFor(input.username) !== userId) {
      throw ValidationError.single('username', 'immutable', 'A username cannot change: create a new user and delete this one');
    }
    const { password, ...fields } = input;
    const passwordHash = password === undefined ? undefined : await hashOperatorPassword(password);
    const written = await updateDocument(this.store.system, current._id, expectedRev, (stored) => {
      if (!isUserDoc(stored)) throw notFound(userId);
      return {
        ...fields,
        _id: stored._id,
        ...(stored._rev ? { _rev: stored._rev } : {}),
        pvt_type: 'user',
        pvt_account_id: stored.pvt_account_id,
        pvt_password_hash: passwordHash ?? stored.pvt_password_hash,
        pvt_created: stored.pvt_created,
        pvt_modified: this.now(),
      } satisfies UserDoc;
    });
    if (!isUserDoc(written)) throw notFound(userId);
    return written;
  }

  async remove(account: AccountDoc, userId: string, expectedRev: string | undefined): Promise<void> {
    const current = await this.get(account, userId);
    const rev = expectedRev ?? current._rev ?? '';
    try {
      await this.store.system.remove(current._id, rev);
    } catch (error) {
      if (isConflict(error)) throw conflict('the user changed since it was read', { cause: userId });
      throw error;
    }
  }

  /**
   * The account and user a login names, if the password is right and both may act. Every refusal
   * costs one password check, found user or not, so timing does not reveal which names exist.
   */
  async login(login: UserLogin): Promise<{ account: AccountDoc; user: UserDoc } | undefined> {
    const candidates = await this.accountsNamedBy(login);
    const userId = userIdFor(login.username);
    let checked = false;
    for (const account of candidates) {
      const doc = await this.read(userDocId(account._id, userId));
      if (!isUserDoc(doc) || doc.pvt_account_id !== account._id) continue;
      checked = true;
      if (doc.enabled === false) {
        await spendOnePasswordCheck(login.password);
        continue;
      }
      if (await operatorPasswordMatches(login.password, doc.pvt_password_hash)) return { account, user: doc };
    }
    if (!checked) await spendOnePasswordCheck(login.password);
    return undefined;
  }

  private async accountsNamedBy(login: UserLogin): Promise<AccountDoc[]> {
    if (login.account_realm !== undefined) {
      const claim = await this.read(realmClaimId(login.account_realm));
      const accountId = typeof claim?.pvt_account_id === 'string' ? claim.pvt_account_id : undefined;
      const account = accountId === undefined ? undefined : await this.accounts.find(accountId);
      return account && sameRealm(account.realm, login.account_realm) ? [account] : [];
    }
    return this.accountsNamed(login.account_name ?? '');
  }

  /**
   * Account names are not unique and have no index: the accounts are read in pages. A login by
   * realm is one read; the README recommends it for large trees.
   */
  private async accountsNamed(name: string): Promise<AccountDoc[]> {
    const wanted = name.trim().toLowerCase();
    const found: AccountDoc[] = [];
    let startkey: string | undefined;
    for (;;) {
      const page = await this.store.accounts.listDocs({ ...(startkey === undefined ? {} : { startkey }), limit: ACCOUNT_SCAN_PAGE + 1 });
      for (const doc of page.slice(0, ACCOUNT_SCAN_PAGE)) {
        if (doc.pvt_type === 'account' && typeof doc.name === 'string' && doc.name.trim().toLowerCase() === wanted) found.push(doc);
        if (found.length >= MAX_NAMESAKES) return found;
      }
      const next = page[ACCOUNT_SCAN_PAGE];
      if (!next) return found;
      startkey = next._id;
    }
  }

  /**
   * The mirror's copy, or the store's when the mirror has none: a user created through this or
   * another replica a moment ago may not have reached the mirror yet, and must log in at once.
   */
  private async read(id: string): Promise<SystemDoc | undefined> {
    return (await this.store.system.get(id)) ?? (await this.store.system.getFresh(id));
  }

  private validate(body: Record<string, unknown>): UserInput {
    return this.schemas.validate<UserInput>('user', writablePart(body, READ_ONLY));
  }

  private publicFields(doc: UserDoc): Record<string, unknown> {
    const { username, first_name, last_name, email, enabled } = doc;
    return Object.fromEntries(
      Object.entries({ username, first_name, last_name, email, enabled }).filter(([, value]) => value !== undefined),
    );
  }
}

/** Kazoo's `credentials` (an MD5 or SHA-1 of `username:password`) can only be checked against a stored weak hash, which is not kept. */
export const kazooCredentialsRefused = (): AppError =>
  ValidationError.single(
    'credentials',
    'unsupported',
    'Hashed credentials are not accepted: checking them would need a stored MD5/SHA-1 of the password. Send username and password (over TLS).',
  );
