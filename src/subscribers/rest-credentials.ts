import crypto from 'node:crypto';
import { invalidCredentials } from '../errors.js';
import type { BackendStore } from './backend-store.js';
import type { ChangeSink } from '../store/changes-follower.js';
import type { Change } from '../store/database.js';
import { FollowedCache } from './followed-cache.js';
import { type BackendDoc, type RestCredentialDoc, restCredentialDocId } from './subscriber-doc.js';

const USERNAME = /^rest-([0-9a-f]{32})$/;

/** How long a replica may still accept a credential rotated through another replica while its feed is down. */
export const REST_CREDENTIAL_CACHE_TTL_MS = 5_000;
/** While the feed is live, the longest a credential is trusted without reading it again (a safety net). */
export const REST_CREDENTIAL_FOLLOWED_TTL_MS = 60_000;

// One-shot: every rlm_rest request hashes the presented credential, and `createHash` costs twice as much.
const sha256 = (text: string): Buffer => crypto.hash('sha256', text, 'buffer');

/**
 * The credential FreeRADIUS's rlm_rest presents (HTTP Basic, `auth = 'basic'`): one per account,
 * good for the rlm_rest endpoints of the account and its subtree only, rotated by issuing a new
 * one. The username names the account (`rest-<account id>`), so a check is one read by id; the
 * password is 256 random bits, so its SHA-256 is enough and no request pays for a slow hash.
 */
export class RestCredentials implements ChangeSink<BackendDoc> {
  /**
   * Its own cache, not the subscribers': anyone can present a username naming any account, and
   * those reads must not push hot subscribers out. No stale answers: a rotated credential is refused
   * as soon as the feed delivers the rotation, or within 5 s while the feed is down.
   */
  private readonly cache: FollowedCache<BackendDoc>;

  constructor(
    private readonly store: BackendStore,
    options: { feedLive?: () => boolean } = {},
  ) {
    this.cache = new FollowedCache((id) => store.subscribers.get(id), {
      capacity: 10_000,
      ttlMs: REST_CREDENTIAL_CACHE_TTL_MS,
      staleMs: 0,
      followedTtlMs: REST_CREDENTIAL_FOLLOWED_TTL_MS,
      ...(options.feedLive ? { feedLive: options.feedLive } : {}),
    });
  }

  /** A change the feed delivered: a rotated credential is forgotten, so the next request reads it again. */
  applyChange(change: Change<BackendDoc>): void {
    this.cache.applyChange(change);
  }

  async issue(accountId: string): Promise<{ username: string; password: string }> {
    const id = restCredentialDocId(accountId);
    const username = `rest-${accountId}`;
    const password = crypto.randomBytes(32).toString('base64url');
    const current = await this.store.subscribers.get(id);
    const doc: RestCredentialDoc = {
      _id: id,
      ...(current?._rev ? { _rev: current._rev } : {}),
      pvt_type: 'rest_credential',
      pvt_account_id: accountId,
      username,
      pvt_password_sha256: sha256(password).toString('hex'),
      pvt_created: Date.now(),
    };
    await this.cache.writing(id, () => this.store.subscribers.put(doc));
    return { username, password };
  }

  /** The account an `Authorization: Basic` header proves, or a 401. */
  async verify(authorization: string): Promise<string> {
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
    if (!basic?.[1]) throw invalidCredentials('missing', "the rlm_rest endpoints take the account's REST credential (HTTP Basic)");
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const accountId = USERNAME.exec(colon < 0 ? '' : decoded.slice(0, colon))?.[1];
    const presented = sha256(colon < 0 ? '' : decoded.slice(colon + 1));
    const doc = accountId ? await this.read(accountId) : undefined;
    // Compare even without a document, so an unknown username costs what a wrong password does.
    const expected = doc ? Buffer.from(doc.pvt_password_sha256, 'hex') : crypto.randomBytes(32);
    const same = expected.length === presented.length && crypto.timingSafeEqual(expected, presented);
    if (!doc || !same || !accountId) throw invalidCredentials('wrong_credentials', 'the REST credential is not valid');
    return accountId;
  }

  private async read(accountId: string): Promise<RestCredentialDoc | undefined> {
    const doc = await this.cache.read(restCredentialDocId(accountId));
    return doc?.pvt_type === 'rest_credential' ? doc : undefined;
  }
}
