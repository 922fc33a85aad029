import { AppError, ValidationError } from '../errors.js';
import type { Store, SystemDoc } from '../store/couch.js';
import type { AccountDoc } from './account-doc.js';

/**
 * How long a claim is respected while its account does not hold the realm. Between creating the
 * claim and writing the account a claimer is bounded by the store deadline (a few round trips of
 * at most 15 s each, retried at most five times), so a claim this old whose account still does
 * not hold the realm was left behind by a crash and may be taken over. Generous on purpose: it
 * also absorbs clock skew between replicas, since the claim time is the claimer's clock.
 */
export const ABANDONED_CLAIM_MS = 5 * 60_000;

/** A few rounds cover a claim released or taken over while we were looking at it. */
const CLAIM_ATTEMPTS = 5;

/**
 * The store's lock on a realm: one document per realm in `system_config` (never in the accounts
 * database, so no listing or mirror of accounts ever sees one), with an id derived from the
 * realm. CouchDB lets exactly one create of an id succeed, so of any number of parallel claimers,
 * on any number of replicas, exactly one gets the realm.
 */
export interface RealmClaimDoc extends SystemDoc {
  pvt_type: 'realm_claim';
  pvt_account_id: string;
  /** When the claim was made, by the claimer's clock (ms). */
  pvt_claimed_at: number;
  /** The realm as the claimer spelled it; the id holds the normal form. */
  realm: string;
}

/** Realms are host names: unique regardless of case. */
export function normalRealm(realm: string): string {
  return realm.toLowerCase();
}

export function realmClaimId(realm: string): string {
  return `realm:${normalRealm(realm)}`;
}

export function sameRealm(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && normalRealm(a) === normalRealm(b);
}

function isRealmClaim(doc: SystemDoc | undefined): doc is RealmClaimDoc {
  return doc?.pvt_type === 'realm_claim' && typeof doc.pvt_account_id === 'string' && typeof doc.pvt_claimed_at === 'number';
}

/**
 * A claim may be taken over only when the account it names does not hold the realm (gone, or moved
 * to another realm without releasing it) and it is older than any claimer could still be busy
 * writing that account. A claim that is not a well-formed claim document counts as abandoned.
 */
export function isAbandoned(claim: SystemDoc, holder: AccountDoc | undefined, realm: string, now: number): boolean {
  if (!isRealmClaim(claim)) return true;
  const holds = holder?.pvt_type === 'account' && sameRealm(holder.realm, realm);
  return !holds && now - claim.pvt_claimed_at >= ABANDONED_CLAIM_MS;
}

/** `fresh`: this call made the claim, so a write that then fails should give it back. */
export interface RealmClaim {
  fresh: boolean;
}

function status(error: unknown): number | undefined {
  if (error instanceof AppError) return error.status;
  const failure = error as { status?: number; statusCode?: number };
  return failure.statusCode ?? failure.status;
}

export function realmTaken(realm: string): ValidationError {
  return ValidationError.single('realm', 'unique', `the realm ${realm} is already used by another account`);
}

/** Claims and releases realms through their claim documents. */
export class RealmClaims {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** Makes `accountId` the holder of `realm`, or throws a 400 `unique` on `realm`. */
  async claim(realm: string, accountId: string): Promise<RealmClaim> {
    const id = realmClaimId(realm);
    for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt += 1) {
      const claim: RealmClaimDoc = { _id: id, pvt_type: 'realm_claim', pvt_account_id: accountId, pvt_claimed_at: this.now(), realm };
      if (await this.write(claim)) return this.afterClaiming(claim, realm, accountId);
      const existing = await this.store.system.getFresh(id);
      if (!existing) continue; // released in between: try the create again
      if (existing.pvt_account_id === accountId) return { fresh: false };
      const holderId = existing.pvt_account_id;
      const holder = typeof holderId === 'string' ? await this.store.accounts.getFresh(holderId) : undefined;
      if (!isAbandoned(existing, holder, realm, this.now())) throw realmTaken(realm);
      // Taking over is an update pinned to the revision we judged: of several takers one wins.
      if (existing._rev && (await this.write({ ...claim, _rev: existing._rev }))) return this.afterClaiming(claim, realm, accountId);
    }
    throw realmTaken(realm);
  }

  /** Gives the realm up if `accountId` holds its claim; a claim since taken over is left alone. */
  async release(realm: string, accountId: string): Promise<void> {
    const existing = await this.store.system.getFresh(realmClaimId(realm));
    if (!existing?._rev || existing.pvt_account_id !== accountId) return;
    try {
      await this.store.system.remove(existing._id, existing._rev);
    } catch (error) {
      // Changed or removed under us: whoever did it now owns the outcome.
      if (status(error) !== 409 && status(error) !== 404) throw error;
    }
  }

  /**
   * Release after the account write is done: a failure here must not fail a write that happened.
   * What it leaves behind is a claim naming an account that does not hold the realm, which
   * `isAbandoned` lets the next claimer take over.
   */
  async releaseQuietly(realm: string, accountId: string): Promise<void> {
    try {
      await this.release(realm, accountId);
    } catch {
      // See above: the claim becomes abandoned and is taken over later.
    }
  }

  /** Creates (or, with `_rev`, replaces) the claim; false when someone else's write came first. */
  private async write(claim: RealmClaimDoc): Promise<boolean> {
    try {
      await this.store.system.put(claim);
      return true;
    } catch (error) {
      if (status(error) === 409) return false;
      throw error;
    }
  }

  /**
   * Accounts given a realm before claims existed hold it without a claim document. If one of them
   * holds this realm, the claim is handed to it and the claimer is refused.
   */
  private async afterClaiming(claim: RealmClaimDoc, realm: string, accountId: string): Promise<RealmClaim> {
    const rows = await this.store.accounts.view<string, null>('accounts', 'by_realm', { key: normalRealm(realm) });
    const holder = rows.find((row) => row.id !== accountId);
    if (!holder) return { fresh: true };
    const written = await this.store.system.getFresh(claim._id);
    if (written?._rev && written.pvt_account_id === accountId) {
      await this.write({ ...claim, _rev: written._rev, pvt_account_id: holder.id });
    }
    throw realmTaken(realm);
  }
}
