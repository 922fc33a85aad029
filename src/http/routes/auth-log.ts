import type { AuthLogFilter } from '../../auth-log/auth-log.js';
import { authLogView } from '../../auth-log/auth-log-entry.js';
import { ValidationError } from '../../errors.js';
import { answerList } from '../../pagination.js';
import { authorizedAccount } from '../auth.js';
import type { ApiContext } from '../context.js';
import { reply } from '../envelope.js';
import type { RouteSpec } from '../route.js';
import type { Services } from '../services.js';

const TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

function single(ctx: ApiContext, name: string): string | undefined {
  const value = ctx.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 253) throw ValidationError.single(name, 'type', `${name} must be a single value`);
  return value;
}

function time(ctx: ApiContext, name: string): string | undefined {
  const value = single(ctx, name);
  if (value === undefined) return undefined;
  if (!TIME.test(value) || !Number.isFinite(Date.parse(value)))
    throw ValidationError.single(name, 'format', `${name} must be an RFC 3339 time or a date`);
  return new Date(value).toISOString();
}

function filterOf(ctx: ApiContext): AuthLogFilter {
  const result = single(ctx, 'result');
  if (result !== undefined && result !== 'accept' && result !== 'reject')
    throw ValidationError.single('result', 'enum', 'result must be accept or reject');
  const include = single(ctx, 'include_descendants');
  if (include !== undefined && include !== 'true' && include !== 'false')
    throw ValidationError.single('include_descendants', 'type', 'include_descendants must be true or false');
  const filter: AuthLogFilter = { includeDescendants: include === 'true' };
  const username = single(ctx, 'username');
  const nas = single(ctx, 'nas');
  const since = time(ctx, 'since');
  const until = time(ctx, 'until');
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
        if (found.nextStartKey) {
          const next = new URL(ctx.href);
          next.searchParams.set('start_key', found.nextStartKey);
          next.searchParams.set('page_size', String(found.pageSize));
          next.searchParams.delete('auth_token');
          ctx.set('Link', `<${next.pathname}${next.search}>; rel="next"`);
        }
        reply(ctx, found.items.map(authLogView), { extra: found.extra });
      },
    },
  ];
}
