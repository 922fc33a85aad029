import type { AuthLogFilter } from '../../auth-log/auth-log.js';
import { ValidationError } from '../../errors.js';
import { answerList } from '../../pagination.js';
import { authorizedAccount } from '../auth.js';
import type { ApiContext } from '../context.js';
import { queryFlag, queryTime, setNextLink, singleQueryValue } from '../list-query.js';
import { reply } from '../envelope.js';
import type { RouteSpec } from '../route.js';
import type { Services } from '../services.js';

function filterOf(ctx: ApiContext): AuthLogFilter {
  const result = singleQueryValue(ctx, 'result');
  if (result !== undefined && result !== 'accept' && result !== 'reject')
    throw ValidationError.single('result', 'enum', 'result must be accept or reject');
  const filter: AuthLogFilter = { includeDescendants: queryFlag(ctx, 'include_descendants') ?? false };
  const username = singleQueryValue(ctx, 'username');
  const nas = singleQueryValue(ctx, 'nas');
  const since = queryTime(ctx, 'since');
  const until = queryTime(ctx, 'until');
  if (username !== undefined) filter.username = username;
  if (result !== undefined) filter.result = result;
  if (nas !== undefined) filter.nas = nas;
  if (since !== undefined) filter.since = since;
  if (until !== undefined) filter.until = until;
  return filter;
}

/** GET …/aaa/auth_log: newest first, filtered, paginated in Crossbar form and by an RFC 8288 Link header. */
export function authLogRoutes(services: Services): RouteSpec[] {
  const { accounts } = services;
  const { authLog } = services.backend;
  return [
    {
      method: 'GET',
      path: '/v2/accounts/:accountId/aaa/auth_log',
      summary:
        'The authentication log, newest first: filters username, result (accept|reject), nas (address or identifier), since, until, include_descendants; page_size and start_key, also as a `Link: <…>; rel="next"` header',
      tag: 'subscribers',
      access: 'token',
      responseSchema: 'auth_log_entry',
      paginated: true,
      query: {
        username: 'exact',
        result: 'accept or reject',
        nas: 'address or identifier',
        since: 'from (ISO 8601)',
        until: 'until (ISO 8601)',
        include_descendants: 'true for the subtree',
      },
      async handle(ctx) {
        const account = await authorizedAccount(ctx, accounts, ctx.params.accountId ?? '');
        const filter = filterOf(ctx);
        const found = await answerList(ctx.query, (page) => authLog.query(account._id, filter, page.pageSize, page.startKey));
        setNextLink(ctx, found);
        reply(ctx, found.items, { extra: found.extra });
      },
    },
  ];
}
