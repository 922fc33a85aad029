import type { AccountDoc } from '../accounts/account-doc.js';
import { type Caller, canActOn } from '../accounts/access.js';
import type { AccountService } from '../accounts/account-service.js';
import { type TokenIssuer, tokenRevoked } from '../accounts/tokens.js';
import { userTokenStands } from '../accounts/user-tokens.js';
import type { SystemDoc } from '../store/couch.js';
import type { DocumentStore } from '../store/database.js';
import { forbidden, invalidCredentials, notFound } from '../errors.js';
import type { ApiContext } from './context.js';
import { verifiedTokensOf } from './verified-tokens.js';

const ACCOUNT_ID = /^[0-9a-f]{32}$/;

/** The token from `X-Auth-Token`, `Authorization: Bearer`, or `?auth_token=`, in that order. */
export function presentedToken(ctx: ApiContext): string | undefined {
  const header = ctx.get('X-Auth-Token');
  if (header) return header.trim();
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('Authorization'));
  if (bearer?.[1]) return bearer[1];
  const query = ctx.query.auth_token;
  return typeof query === 'string' && query !== '' ? query : undefined;
}

/**
 * Verifies the token and re-reads the caller's account, so a deleted or disabled account's
 * tokens stop working at once rather than when they expire, and a token issued before its key
 * was rotated or its account (or an ancestor) was disabled stays ended.
 */
export async function authenticate(
  ctx: ApiContext,
  tokens: TokenIssuer,
  accounts: AccountService,
  /** Where operator users live; without it a user's token is refused (fail closed). */
  users?: DocumentStore<SystemDoc>,
): Promise<Caller> {
  const token = presentedToken(ctx);
  if (!token) throw invalidCredentials('missing', 'an auth token is required');
  const claims = verifiedTokensOf(tokens).verify(token);
  let account = ACCOUNT_ID.test(claims.account_id) ? await accounts.find(claims.account_id) : undefined;
  if (!account) throw invalidCredentials('account_inactive', 'the account behind the token is gone or disabled');
  let standing = await accounts.standing(account);
  if (claims.gen > standing.generation) {
    // Issued by a replica that has seen a rotation this one's mirror has not yet: ask the store.
    const fresh = await accounts.freshStanding(account._id);
    if (!fresh) throw invalidCredentials('account_inactive', 'the account behind the token is gone or disabled');
    ({ account, standing } = fresh);
  }
  if (!standing.active) throw invalidCredentials('account_inactive', 'the account behind the token is gone or disabled');
  if (claims.gen !== standing.generation) throw tokenRevoked();
  if (claims.user_doc !== undefined && claims.user_stamp !== undefined) {
    const claim = { user_doc: claims.user_doc, user_stamp: claims.user_stamp };
    // The user was deleted, disabled, or given a new password since the token was issued.
    if (!users || !(await userTokenStands(users, claim, account._id))) throw tokenRevoked();
  }
  const caller: Caller = { accountId: account._id, isSuperduperAdmin: account.pvt_superduper_admin };
  ctx.state.caller = caller;
  ctx.state.authToken = token;
  return caller;
}

export function currentCaller(ctx: ApiContext): Caller {
  const caller = ctx.state.caller;
  if (!caller) throw invalidCredentials('missing', 'an auth token is required');
  return caller;
}

/** The target account, if the caller may act on it: self, a descendant, or anything for the superduper admin. */
export function authorizedAccount(ctx: ApiContext, accounts: AccountService, accountId: string): Promise<AccountDoc> {
  return authorizedAccountFor(currentCaller(ctx), accounts, accountId);
}

/** The same, for a caller proved outside Koa (the direct lane). */
export async function authorizedAccountFor(caller: Caller, accounts: AccountService, accountId: string): Promise<AccountDoc> {
  if (!ACCOUNT_ID.test(accountId)) throw notFound(accountId);
  const target = await accounts.find(accountId);
  if (!target) throw notFound(accountId);
  if (!canActOn(caller, target)) throw forbidden("the account is outside the caller's tree");
  return target;
}

export function requireSuperduper(ctx: ApiContext): Caller {
  const caller = currentCaller(ctx);
  if (!caller.isSuperduperAdmin) throw forbidden('only the superduper admin may do this');
  return caller;
}
