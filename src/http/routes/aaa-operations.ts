import type { AaaResult } from '../../aaa/aaa-operations.js';
import type { AccountDoc } from '../../accounts/account-doc.js';
import { authorizedAccount } from '../auth.js';
import { readData } from '../body.js';
import type { ApiContext } from '../context.js';
import { reply } from '../envelope.js';
import type { RouteSpec } from '../route.js';
import type { Services } from '../services.js';

/**
 * POST …/aaa/authn, …/aaa/authz, …/aaa/accounting: run the operation through the account's
 * effective configuration. 200 whenever a server answered (accept and reject alike), or a block
 * rule decided; 400 for a message that does not translate; 409 `aaa_disabled` when the answering
 * document is `off`; 422 `no_aaa_servers` when no configuration names a server; 503
 * `too_many_requests` when the configuration's worker queue is full; 504 `radius_unreachable`
 * (with every attempt) when no server answered.
 */
export function aaaOperationRoutes(services: Services): RouteSpec[] {
  const { accounts, aaaOperations, config } = services;
  const route = (
    suffix: string,
    summary: string,
    run: (account: AccountDoc, message: Record<string, unknown>) => Promise<AaaResult>,
  ): RouteSpec => ({
    method: 'POST',
    path: `/v2/accounts/:accountId/aaa/${suffix}`,
    summary,
    tag: 'aaa',
    access: 'token',
    statuses: [409, 422, 503, 504],
    async handle(ctx: ApiContext) {
      const account = await authorizedAccount(ctx, accounts, ctx.params.accountId ?? '');
      const message = await readData(ctx, config.maxBodyBytes);
      reply(ctx, await run(account, message));
    },
  });
  return [
    route('authn', 'Authenticate through the account\'s effective configuration (Access-Request)', (account, message) =>
      aaaOperations.authenticate(account, message),
    ),
    route('authz', 'Authorize through the account\'s effective configuration (Access-Request; block_authz bypasses)', (account, message) =>
      aaaOperations.authorize(account, message),
    ),
    route('accounting', 'Send accounting through the account\'s effective configuration (Accounting-Request; block_accounting blocks)', (account, message) =>
      aaaOperations.account(account, message),
    ),
  ];
}
