import { accountView } from '../../accounts/account-doc.js';
import { forbidden } from '../../errors.js';
import { answerList, type Page, type PageRequest, UNPAGINATED_MAX_ITEMS } from '../../pagination.js';
import type { AccountDoc } from '../../accounts/account-doc.js';
import { writablePart } from '../../store/visibility.js';
import { authorizedAccount, currentCaller } from '../auth.js';
import { readData } from '../body.js';
import type { ApiContext } from '../context.js';
import { expectedRevision, reply } from '../envelope.js';
import type { RouteSpec } from '../route.js';
import type { Services } from '../services.js';

/** Keys a client may send back from a GET but never set. */
const READ_ONLY = ['id', 'superduper_admin', 'created', 'modified', 'api_key'];

async function replyList(ctx: ApiContext, fetchPage: (page: PageRequest) => Promise<Page<AccountDoc>>): Promise<void> {
  const list = await answerList(ctx.query, fetchPage);
  reply(ctx, list.items.map(accountView), { extra: list.extra });
}

export function accountRoutes(services: Services): RouteSpec[] {
  const { accounts, config } = services;
  const path = '/v2/accounts/:accountId';
  const target = (ctx: ApiContext) => authorizedAccount(ctx, accounts, ctx.params.accountId ?? '');
  const input = async (ctx: ApiContext) => writablePart(await readData(ctx, config.maxBodyBytes), READ_ONLY);
  /** The accounts below one, a level (`children`) or all of them (`descendants`), as a paginated list. */
  const below = (relation: 'children' | 'descendants', summary: string): RouteSpec => ({
    method: 'GET',
    path: `${path}/${relation}`,
    summary,
    tag: 'accounts',
    access: 'token',
    responseSchema: 'account',
    paginated: true,
    async handle(ctx) {
      const account = await target(ctx);
      await replyList(ctx, (page) => accounts[relation](account._id, page));
    },
  });
  return [
    {
      method: 'GET',
      path,
      summary: 'Fetch an account',
      tag: 'accounts',
      access: 'token',
      responseSchema: 'account',
      async handle(ctx) {
        const account = await target(ctx);
        reply(ctx, accountView(account), { revision: account._rev });
      },
    },
    {
      method: 'PUT',
      path,
      summary: 'Create a child account under this account; the response holds its API key, shown this once',
      tag: 'accounts',
      access: 'token',
      requestSchema: 'account',
      responseSchema: 'account',
      statuses: [201],
      async handle(ctx) {
        const parent = await target(ctx);
        const { account, apiKey } = await accounts.createChild(parent, await input(ctx));
        reply(ctx, { ...accountView(account), api_key: apiKey }, { status: 201, revision: account._rev });
      },
    },
    {
      method: 'POST',
      path,
      summary: "Replace the account's fields",
      tag: 'accounts',
      access: 'token',
      requestSchema: 'account',
      responseSchema: 'account',
      statuses: [409],
      async handle(ctx) {
        const account = await target(ctx);
        const updated = await accounts.replace(account._id, await input(ctx), expectedRevision(ctx));
        reply(ctx, accountView(updated), { revision: updated._rev });
      },
    },
    {
      method: 'PATCH',
      path,
      summary: 'Merge top-level fields into the account',
      tag: 'accounts',
      access: 'token',
      requestSchema: 'account',
      mergePatch: true,
      responseSchema: 'account',
      statuses: [409],
      async handle(ctx) {
        const account = await target(ctx);
        const updated = await accounts.patch(account._id, await input(ctx), expectedRevision(ctx));
        reply(ctx, accountView(updated), { revision: updated._rev });
      },
    },
    {
      method: 'DELETE',
      path,
      summary: 'Delete an account that has no children (with its AAA document)',
      tag: 'accounts',
      access: 'token',
      statuses: [409],
      async handle(ctx) {
        const account = await target(ctx);
        if (account._id === currentCaller(ctx).accountId) throw forbidden('an account cannot delete itself');
        await accounts.remove(account);
        reply(ctx, { id: account._id, deleted: true });
      },
    },
    below('children', "List the account's direct children (paginated with page_size and start_key; paginate=false for all)"),
    below('descendants', 'List every account below this one (paginated with page_size and start_key; paginate=false for all)'),
    {
      method: 'GET',
      path: `${path}/parents`,
      summary:
        "The account's ancestors, root first, as {id, name}: from the caller's own account down (nothing above it; the superduper admin sees all)",
      tag: 'accounts',
      access: 'token',
      async handle(ctx) {
        const account = await target(ctx);
        const caller = currentCaller(ctx);
        reply(ctx, await accounts.parents(account, caller.isSuperduperAdmin ? undefined : caller.accountId));
      },
    },
    {
      method: 'GET',
      path: `${path}/tree`,
      summary: `Every account below this one as a nested list of {id, name, children}; at most ${UNPAGINATED_MAX_ITEMS} accounts (400 beyond: page through descendants)`,
      tag: 'accounts',
      access: 'token',
      async handle(ctx) {
        reply(ctx, await accounts.tree(await target(ctx)));
      },
    },
    {
      method: 'PUT',
      path: `${path}/api_key`,
      summary: "Rotate the account's API key; the new key is shown this once",
      tag: 'accounts',
      access: 'token',
      async handle(ctx) {
        const account = await target(ctx);
        const { account: updated, apiKey } = await accounts.rotateApiKey(account._id);
        reply(ctx, { id: updated._id, api_key: apiKey }, { revision: updated._rev });
      },
    },
  ];
}
