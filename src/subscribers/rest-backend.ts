import type { AccountDoc } from '../accounts/account-doc.js';
import type { AccountService } from '../accounts/account-service.js';
import { realmClaimId, sameRealm } from '../accounts/realm-claims.js';
import type { AuthLog } from '../auth-log/auth-log.js';
import type { Store } from '../store/couch.js';
import { type AccountingSink, simultaneousUseLimit } from '../sessions/accounting-sink.js';
import { VerifiedPasswords } from './verified-passwords.js';
import { type AuthorizeOutcome, type RejectReason, authorizeSubscriber } from './policy.js';
import { type RestAttributes, firstValue, restResponse } from './rlm-rest-format.js';
import type { SubscriberService, SubscriberSettings } from './subscriber-service.js';
import type { AttributeMap, SubscriberDoc } from './subscriber-doc.js';

/** What an rlm_rest endpoint answers: the status decides the module's rcode, the body sets attributes. */
export interface RestAnswer {
  status: 200 | 204 | 401 | 404;
  body?: Record<string, unknown>;
}

/** The tenant a request belongs to and the name its subscriber is stored under. */
interface Located {
  account: AccountDoc;
  username: string;
  subscriber: SubscriberDoc | undefined;
}

type Method = 'pap' | 'chap' | 'mschap' | 'other';

function methodOf(request: RestAttributes): Method {
  if (request.has('User-Password')) return 'pap';
  if (request.has('CHAP-Password')) return 'chap';
  if (request.has('MS-CHAP2-Response') || request.has('MS-CHAP-Response')) return 'mschap';
  return 'other';
}

const REJECT: RestAnswer = { status: 401 };
const NOT_FOUND: RestAnswer = { status: 404 };

/**
 * The policy backend behind FreeRADIUS's rlm_rest: authorize (find the subscriber, apply groups,
 * expiry and check items, hand FreeRADIUS what it needs to authenticate), authenticate (PAP against
 * the scrypt hash), post-auth (record the decision) and accounting.
 *
 * The route's account may be a reseller: a subscriber not found there under the full User-Name is
 * looked for, by the realm after the last `@`, in the descendant that holds that realm; never in
 * an account outside the route account's subtree.
 */
export class RestBackend {
  private readonly passwords = new VerifiedPasswords();

  constructor(
    private readonly store: Store,
    private readonly accounts: AccountService,
    private readonly subscribers: SubscriberService,
    private readonly authLog: AuthLog,
    /** Sessions (issue 12): accounting is stored there, and Simultaneous-Use counted from it. */
    private readonly sessions: AccountingSink | undefined = undefined,
    private readonly now: () => number = Date.now,
  ) {}

  private async locate(routeAccount: AccountDoc, userName: string): Promise<Located> {
    const own = await this.subscribers.findByUsername(routeAccount._id, userName);
    if (own) return { account: routeAccount, username: userName, subscriber: own };
    const at = userName.lastIndexOf('@');
    if (at <= 0 || at === userName.length - 1) return { account: routeAccount, username: userName, subscriber: undefined };
    const realm = userName.slice(at + 1);
    const local = userName.slice(0, at);
    const tenant = await this.tenantOfRealm(routeAccount, realm);
    if (!tenant) return { account: routeAccount, username: userName, subscriber: undefined };
    const subscriber =
      (await this.subscribers.findByUsername(tenant._id, local)) ??
      (tenant === routeAccount ? undefined : await this.subscribers.findByUsername(tenant._id, userName));
    return { account: tenant, username: local, subscriber };
  }

  /** The route account or one of its descendants, whichever holds the realm now; else none. */
  private async tenantOfRealm(routeAccount: AccountDoc, realm: string): Promise<AccountDoc | undefined> {
    if (sameRealm(routeAccount.realm, realm)) return routeAccount;
    const claim = await this.store.system.get(realmClaimId(realm));
    const holderId = typeof claim?.pvt_account_id === 'string' ? claim.pvt_account_id : undefined;
    const holder = holderId ? await this.accounts.find(holderId) : undefined;
    if (!holder || !sameRealm(holder.realm, realm) || !holder.pvt_tree.includes(routeAccount._id)) return undefined;
    if (holder.enabled === false) return undefined;
    return holder;
  }

  private async decide(located: Located, request: RestAttributes): Promise<AuthorizeOutcome> {
    const groups = located.subscriber ? await this.subscribers.groupsOf(located.subscriber) : [];
    return authorizeSubscriber(located.subscriber, groups, request, this.now());
  }

  /** What FreeRADIUS must do to authenticate this request, or why it cannot. */
  private credentialControl(subscriber: SubscriberDoc, request: RestAttributes, settings: SubscriberSettings): AttributeMap | RejectReason {
    switch (methodOf(request)) {
      case 'pap':
        return subscriber.pvt_password_hash ? { 'Auth-Type': 'Accept' } : 'no_password';
      case 'chap':
        // CHAP needs the password itself; FreeRADIUS's chap module checks the response with it.
        return settings.reversible_credentials === 'cleartext' && subscriber.pvt_cleartext !== undefined
          ? { 'Cleartext-Password': subscriber.pvt_cleartext }
          : 'no_reversible_credential';
      case 'mschap':
        return settings.reversible_credentials !== 'none' && subscriber.pvt_nt_hash !== undefined
          ? { 'NT-Password': `0x${subscriber.pvt_nt_hash}` }
          : 'no_reversible_credential';
      default:
        return {};
    }
  }

  async authorize(routeAccount: AccountDoc, request: RestAttributes): Promise<RestAnswer> {
    const userName = firstValue(request, 'User-Name');
    if (!userName) return REJECT;
    const located = await this.locate(routeAccount, userName);
    const outcome = await this.decide(located, request);
    if (outcome.result === 'reject' || !located.subscriber)
      return outcome.result === 'reject' && outcome.reason === 'unknown_user' ? NOT_FOUND : REJECT;
    const control = this.credentialControl(located.subscriber, request, await this.subscribers.settings(located.account._id));
    if (typeof control === 'string') return REJECT;
    // PAP is decided here: rlm_rest 3.2's authenticate sends the user's own name and password as
    // its HTTP Basic credentials instead of the REST credential, so it cannot reach this service.
    const password = firstValue(request, 'User-Password');
    if (password !== undefined && !(await this.checkPassword(located.subscriber, password))) return REJECT;
    if (await this.overSimultaneousUse(located, userName, outcome.check)) return REJECT;
    return { status: 200, body: restResponse({ reply: outcome.reply, control }) };
  }

  /**
   * PAP on its own: the User-Password (decrypted by FreeRADIUS) against the scrypt hash, for
   * clients that present the REST credential here. The documented FreeRADIUS configuration checks
   * PAP in authorize instead (see there).
   */
  async authenticate(routeAccount: AccountDoc, request: RestAttributes): Promise<RestAnswer> {
    const userName = firstValue(request, 'User-Name');
    const password = firstValue(request, 'User-Password');
    if (!userName || password === undefined) return REJECT;
    const located = await this.locate(routeAccount, userName);
    const outcome = await this.decide(located, request);
    const hash = located.subscriber?.pvt_password_hash;
    if (outcome.result === 'reject' || !hash) return REJECT;
    return (await this.checkPassword(located.subscriber as SubscriberDoc, password)) ? { status: 204 } : REJECT;
  }

  private checkPassword(subscriber: SubscriberDoc, password: string): Promise<boolean> {
    return this.passwords.verify(subscriber._id, subscriber._rev, password, subscriber.pvt_password_hash ?? '');
  }

  /**
   * Records FreeRADIUS's final decision. `result` is the request's Post-Auth-Type (`Reject` in the
   * REJECT section, empty otherwise). The reason of a reject is derived again from the same rules
   * authorize applied; a request they let through was rejected for its credentials.
   */
  async postAuth(routeAccount: AccountDoc, request: RestAttributes, result: string): Promise<RestAnswer> {
    const userName = firstValue(request, 'User-Name') ?? '';
    const located = await this.locate(routeAccount, userName);
    const outcome = await this.decide(located, request);
    const rejected = result.toLowerCase() === 'reject';
    let reason: string = 'accepted';
    let detail: string | undefined;
    if (rejected) {
      if (outcome.result === 'reject') {
        reason = outcome.reason;
        detail = outcome.detail;
      } else if (located.subscriber && (await this.overSimultaneousUse(located, userName, outcome.check))) {
        reason = 'simultaneous_use';
      } else if (located.subscriber) {
        const control = this.credentialControl(located.subscriber, request, await this.subscribers.settings(located.account._id));
        reason = typeof control === 'string' ? control : 'wrong_password';
      }
      const failure = firstValue(request, 'Module-Failure-Message');
      if (failure && !detail) detail = failure;
    }
    this.authLog.record(
      {
        account_id: located.account._id,
        username: userName,
        result: rejected ? 'reject' : 'accept',
        reason,
        ...(detail ? { detail } : {}),
        ...nasFields(request),
        reply: !rejected && outcome.result === 'ok' ? outcome.reply : {},
        source: 'rlm_rest',
      },
      located.account.pvt_tree,
    );
    return { status: 204 };
  }

  /**
   * `Simultaneous-Use: N` among the check items: the user's open sessions (as recorded from
   * accounting) must be fewer than N. Best-effort across replicas: a session counts once its
   * Start is stored and indexed, so two logins racing within that moment may both pass.
   */
  private async overSimultaneousUse(located: Located, userName: string, check: AttributeMap): Promise<boolean> {
    const limit = simultaneousUseLimit(check);
    if (limit === undefined || !this.sessions) return false;
    return (await this.sessions.openSessions(located.account._id, userName)) >= limit;
  }

  /**
   * Stores the accounting as a session of the account that holds the user (by realm, as
   * authorize) and answers 204 only once it is stored, so FreeRADIUS answers the NAS only then
   * (a failure is a 5xx: FreeRADIUS does not answer, and the NAS retries).
   */
  async accounting(routeAccount: AccountDoc, request: RestAttributes): Promise<RestAnswer> {
    if (this.sessions) {
      const userName = firstValue(request, 'User-Name');
      const owner = userName ? await this.accountingOwner(routeAccount, userName) : routeAccount;
      await this.sessions.record(owner, request);
    }
    return { status: 204 };
  }

  /**
   * The account `locate` would find the user in, reading the subscriber only when that decides
   * it: a NAS reboot's burst of Starts names thousands of users no cache holds, and a read of each
   * would double the store's work per record. Without a realm, or with one no descendant holds,
   * it is the route account whether or not the subscriber exists; only a descendant's realm
   * needs the read (a subscriber stored under the full name in the route account comes first).
   */
  private async accountingOwner(routeAccount: AccountDoc, userName: string): Promise<AccountDoc> {
    const at = userName.lastIndexOf('@');
    if (at <= 0 || at === userName.length - 1) return routeAccount;
    const tenant = await this.tenantOfRealm(routeAccount, userName.slice(at + 1));
    if (!tenant || tenant === routeAccount) return routeAccount;
    return (await this.subscribers.findByUsername(routeAccount._id, userName)) ? routeAccount : tenant;
  }
}

function nasFields(request: RestAttributes): Record<string, string> {
  const fields: Record<string, string> = {};
  const pairs = [
    ['nas_ip_address', 'NAS-IP-Address'],
    ['nas_identifier', 'NAS-Identifier'],
    ['calling_station_id', 'Calling-Station-Id'],
    ['called_station_id', 'Called-Station-Id'],
  ] as const;
  for (const [field, attribute] of pairs) {
    const value = firstValue(request, attribute);
    if (value !== undefined) fields[field] = value;
  }
  return fields;
}
