import type { CoaKind } from '../../aaa/coa.js';
import { ValidationError } from '../../errors.js';
import { answerList } from '../../pagination.js';
import { sessionView } from '../../sessions/session-doc.js';
import type { SessionFilter } from '../../sessions/session-query.js';
import { authorizedAccount } from '../auth.js';
import { readData } from '../body.js';
import type { ApiContext } from '../context.js';
import { queryFlag, queryTime, setNextLink, singleQueryValue } from '../list-query.js';
import { reply } from '../envelope.js';
import { operationBudget } from '../operation-budget.js';
import type { RouteSpec } from '../route.js';
import type { Services } from '../services.js';
import { notFound } from '../../errors.js';

function filterOf(ctx: ApiContext): SessionFilter {
  const sort = singleQueryValue(ctx, 'sort') ?? '-start';
  if (sort !== 'start' && sort !== '-start')
    throw ValidationError.single('sort', 'enum', 'sort must be start (oldest first) or -start (newest first)');
  const filter: SessionFilter = {
    includeDescendants: queryFlag(ctx, 'include_descendants') ?? false,
    order: sort === 'start' ? 'oldest' : 'newest',
  };
  const open = queryFlag(ctx, 'open');
  if (open !== undefined) filter.open = open;
  const fields = [
    ['username', 'username'],
    ['nas', 'nas'],
    ['framed_ip_address', 'framedIp'],
    ['calling_station_id', 'callingStation'],
    ['called_station_id', 'calledStation'],
  ] as const;
  for (const [parameter, key] of fields) {
    const value = singleQueryValue(ctx, parameter);
    if (value !== undefined) filter[key] = value;
  }
  const since = queryTime(ctx, 'since');
  const until = queryTime(ctx, 'until');
  if (since !== undefined) filter.since = since;
  if (until !== undefined) filter.until = until;
  return filter;
}

/**
 * Sessions recorded from accounting (rlm_rest's accounting endpoint and the service's own
 * `POST …/aaa/accounting`): listed with filters, one by id, totals per period, and acted on
 * with a Disconnect-Request or CoA-Request to the NAS that reported them.
 */
export function sessionRoutes(services: Services): RouteSpec[] {
  const { accounts, config, sessions, coa } = services;
  const base = '/v2/accounts/:accountId/aaa/sessions';
  const account = (ctx: ApiContext) => authorizedAccount(ctx, accounts, ctx.params.accountId ?? '');
  const act = (kind: CoaKind, summary: string): RouteSpec => ({
    method: 'POST',
    path: `${base}/:sessionId/${kind}`,
    summary,
    tag: 'sessions',
    access: 'token',
    responseSchema: 'coa_result',
    deadline: true,
    statuses: [404, 422, 503, 504],
    async handle(ctx) {
      const owner = await account(ctx);
      const { budget, data } = operationBudget(ctx, await readData(ctx, config.maxBodyBytes), coa.deadlines);
      reply(ctx, await sessions.actions(coa).send(owner, ctx.params.sessionId ?? '', kind, data, budget));
    },
  });
  return [
    {
      method: 'GET',
      path: base,
      summary:
        'Sessions of the account, by start time (sort=-start newest first, the default, or start): filters open (true|false), username, nas (address or identifier), framed_ip_address, calling_station_id, called_station_id, since/until (active in that period), include_descendants; page_size and start_key, also as a `Link: <…>; rel="next"` header',
      tag: 'sessions',
      access: 'token',
      responseSchema: 'session',
      paginated: true,
      query: {
        sort: '-start (newest first, the default) or start',
        open: 'true or false',
        username: 'exact',
        nas: 'address or identifier',
        framed_ip_address: 'exact',
        calling_station_id: 'exact',
        called_station_id: 'exact',
        since: 'active since (ISO 8601)',
        until: 'active until (ISO 8601)',
        include_descendants: 'true for the subtree',
      },
      async handle(ctx) {
        const owner = await account(ctx);
        const found = await answerList(ctx.query, (page) => sessions.query.list(owner._id, filterOf(ctx), page.pageSize, page.startKey));
        setNextLink(ctx, found);
        reply(ctx, found.items.map(sessionView), { extra: found.extra });
      },
    },
    {
      method: 'GET',
      path: `${base}/summary`,
      summary: 'Open sessions now, and for sessions begun in [since, until]: count, still open, session time and octets in/out',
      tag: 'sessions',
      access: 'token',
      query: { since: 'sessions begun from (ISO 8601)', until: 'sessions begun until (ISO 8601)' },
      async handle(ctx) {
        const owner = await account(ctx);
        reply(ctx, await sessions.query.summary(owner._id, queryTime(ctx, 'since'), queryTime(ctx, 'until')));
      },
    },
    {
      method: 'GET',
      path: `${base}/:sessionId`,
      summary: 'One session of the account or of a descendant (id `<account id>:<session key>`)',
      tag: 'sessions',
      access: 'token',
      responseSchema: 'session',
      async handle(ctx) {
        const owner = await account(ctx);
        const id = ctx.params.sessionId ?? '';
        const doc = await sessions.query.get(owner._id, id);
        if (!doc) throw notFound(id);
        reply(ctx, sessionView(doc));
      },
    },
    act(
      'disconnect',
      'Disconnect-Request (RFC 5176) for the session to the registered NAS that reported it (by NAS-IP-Address, else NAS-Identifier as the NAS name), with User-Name, Acct-Session-Id and Framed-IP-Address; an ACK marks it disconnect_requested until its Stop',
    ),
    act(
      'coa',
      'CoA-Request for the session to the NAS that reported it: `data.template` and `data.attributes` as POST …/aaa/coa, plus the attributes that name the session',
    ),
  ];
}
