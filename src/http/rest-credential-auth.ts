import type { RestCredentials } from '../subscribers/rest-credentials.js';
import type { ApiContext } from './context.js';

/**
 * rlm_rest's own HTTP Basic support (`auth = 'basic'`): the caller is the account whose REST
 * credential this is, for the account's and its subtree's rlm_rest endpoints only (never a token).
 */
export async function authenticateRestCredential(ctx: ApiContext, credentials: RestCredentials): Promise<void> {
  const accountId = await credentials.verify(ctx.get('Authorization'));
  ctx.state.caller = { accountId, isSuperduperAdmin: false };
}
