import type { AaaResult } from '../../aaa/aaa-operations.js';
import type { RequestBudget } from '../../aaa/request-deadline.js';
import type { AccountDoc } from '../../accounts/account-doc.js';
import { recordOperationDecision } from '../../auth-log/operation-decision.js';
import { recordOperationAccounting } from '../../sessions/operation-accounting.js';
import { authorizedAccount } from '../auth.js';
import { readData } from '../body.js';
import type { ApiContext } from '../context.js';
import { reply } from '../envelope.js';
import { operationBudget } from '../operation-budget.js';
import type { RouteSpec } from '../route.js';
import type { Services } from '../services.js';

/**
 * POST …/aaa/authn, …/aaa/authz, …/aaa/accounting: run the operation through the account's
 * effective configuration. 200 whenever a server answered (accept and reject alike), or a block
 * rule decided; 400 for a message that does not translate; 409 `aaa_disabled` when the answering
 * document is `off`; 422 `no_aaa_servers` when no configuration names a server; 503
 * `overloaded` when the requesting account's queue for the configuration's workers is full
 * (503 `shutting_down` when the service stops first); 504 `radius_unreachable` (with every
 * attempt) when no server answered, 504 `deadline_exceeded` (with the attempts so far) when the
 * request's deadline passed first: the configured default, or less when the caller asks
 * (`X-Request-Timeout-Ms` header or `data.timeout_ms`; not a positive whole number is a 400).
 */
export function aaaOperationRoutes(services: Services): RouteSpec[] {
  const { accounts, aaaOperations, config } = services;
  const route = (
    suffix: string,
    summary: string,
    run: (account: AccountDoc, message: Record<string, unknown>, budget: RequestBudget) => Promise<AaaResult>,
  ): RouteSpec => ({
    method: 'POST',
    path: `/v2/accounts/:accountId/aaa/${suffix}`,
    summary,
    tag: 'aaa',
    access: 'token',
    responseSchema: 'aaa_result',
    deadline: true,
    statuses: [409, 422, 503, 504],
    async handle(ctx: ApiContext) {
      const account = await authorizedAccount(ctx, accounts, ctx.params.accountId ?? '');
      const { budget, data: message } = operationBudget(ctx, await readData(ctx, config.maxBodyBytes), aaaOperations.deadlines);
      const started = performance.now();
      const result = await run(account, message, budget);
      // Authentication decisions go to the account's auth log too (issue 11).
      // Accounting a server answered is kept as a session (issue 12), before the 200.
      if (suffix === 'accounting') await recordOperationAccounting(services.sessions.recorder, account, result);
      if (suffix !== 'accounting')
        recordOperationDecision(
          services.backend.authLog,
          account,
          suffix as 'authn' | 'authz',
          message,
          result,
          performance.now() - started,
        );
      reply(ctx, result);
    },
  });
  return [
    route('authn', "Authenticate through the account's effective configuration (Access-Request)", (account, message, budget) =>
      aaaOperations.authenticate(account, message, budget),
    ),
    route(
      'authz',
      "Authorize through the account's effective configuration (Access-Request; block_authz bypasses)",
      (account, message, budget) => aaaOperations.authorize(account, message, budget),
    ),
    route(
      'accounting',
      "Send accounting through the account's effective configuration (Accounting-Request; block_accounting blocks)",
      (account, message, budget) => aaaOperations.account(account, message, budget),
    ),
  ];
}
