import type { CoaKind } from '../../aaa/coa.js';
import { authorizedAccount } from '../auth.js';
import { readData } from '../body.js';
import type { ApiContext } from '../context.js';
import { reply } from '../envelope.js';
import { operationBudget } from '../operation-budget.js';
import type { RouteSpec } from '../route.js';
import type { Services } from '../services.js';

/**
 * POST …/aaa/coa and …/aaa/disconnect (RFC 5176): a CoA-Request or Disconnect-Request to a NAS of
 * the account's own AAA document (`nas` is not inherited). 200 whenever the NAS answered, ACK and
 * NAK alike (`result: ack | nak`, Error-Cause decoded); 400 for an attribute the NAS's
 * dictionaries do not define; 404 for a NAS or template the document does not define; 504
 * `radius_unreachable` (with every attempt) when the NAS did not answer; like the AAA operations,
 * 503 `overloaded` past the account's queue for its `workers`, 504 `deadline_exceeded` when
 * the request's deadline (`X-Request-Timeout-Ms` or `data.timeout_ms`, capped at the configured
 * default) passed first, 503 `shutting_down` when the service stops first.
 */
export function coaRoutes(services: Services): RouteSpec[] {
  const { accounts, coa, config } = services;
  const route = (kind: CoaKind, summary: string): RouteSpec => ({
    method: 'POST',
    path: `/v2/accounts/:accountId/aaa/${kind}`,
    summary,
    tag: 'aaa',
    access: 'token',
    responseSchema: 'coa_result',
    deadline: true,
    requestSchema: 'coa_request',
    statuses: [503, 504],
    async handle(ctx: ApiContext) {
      const account = await authorizedAccount(ctx, accounts, ctx.params.accountId ?? '');
      const { budget, data } = operationBudget(ctx, await readData(ctx, config.maxBodyBytes), coa.deadlines);
      reply(ctx, await coa.send(account, kind, data, budget));
    },
  });
  return [
    route('coa', "Send a CoA-Request to a NAS of the account's own AAA document (RFC 5176); ACK and NAK are both 200"),
    route('disconnect', "Send a Disconnect-Request to a NAS of the account's own AAA document (RFC 5176); ACK and NAK are both 200"),
  ];
}
