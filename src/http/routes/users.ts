import { userView } from '../../accounts/users-doc.js';
import type { UserService } from '../../accounts/users-service.js';
import { notFound } from '../../errors.js';
import { authorizedAccount } from '../auth.js';
import { readData } from '../body.js';
import type { ApiContext } from '../context.js';
import { expectedRevision, reply } from '../envelope.js';
import type { RouteSpec } from '../route.js';
import type { Services } from '../services.js';

const USER_ID = /^[0-9a-f]{32}$/;

/** `/v2/accounts/{ID}/users[/{USER_ID}]`: an account's operator users, under the same tenancy rule as the account. */
export function userRoutes(services: Services, users: UserService): RouteSpec[] {
  const { accounts, config } = services;
  const base = '/v2/accounts/:accountId/users';
  const account = (ctx: ApiContext) => authorizedAccount(ctx, accounts, ctx.params.accountId ?? '');
  const userId = (ctx: ApiContext): string => {
    const id = ctx.params.userId ?? '';
    if (!USER_ID.test(id)) throw notFound(id);
    return id;
  };
  const body = (ctx: ApiContext) => readData(ctx, config.maxBodyBytes);
  return [
    {
      method: 'GET',
      path: base,
      summary: "List the account's operator users",
      tag: 'users',
      access: 'token',
      async handle(ctx) {
        const owner = await account(ctx);
        reply(ctx, (await users.list(owner)).map(userView));
      },
    },
    {
      method: 'PUT',
      path: base,
      summary: 'Create an operator user (the password is stored as an scrypt hash and never returned)',
      tag: 'users',
      access: 'token',
      requestSchema: 'user',
      statuses: [201],
      async handle(ctx) {
        const owner = await account(ctx);
        const user = await users.create(owner, await body(ctx));
        reply(ctx, userView(user), { status: 201, revision: user._rev });
      },
    },
    {
      method: 'GET',
      path: `${base}/:userId`,
      summary: 'Fetch an operator user',
      tag: 'users',
      access: 'token',
      async handle(ctx) {
        const user = await users.get(await account(ctx), userId(ctx));
        reply(ctx, userView(user), { revision: user._rev });
      },
    },
    {
      method: 'POST',
      path: `${base}/:userId`,
      summary: "Replace the user's fields (a password only to change it)",
      tag: 'users',
      access: 'token',
      requestSchema: 'user',
      statuses: [409],
      async handle(ctx) {
        const user = await users.update(await account(ctx), userId(ctx), await body(ctx), expectedRevision(ctx), false);
        reply(ctx, userView(user), { revision: user._rev });
      },
    },
    {
      method: 'PATCH',
      path: `${base}/:userId`,
      summary: "Merge fields into the user's (a password only to change it)",
      tag: 'users',
      access: 'token',
      requestSchema: 'user',
      mergePatch: true,
      statuses: [409],
      async handle(ctx) {
        const user = await users.update(await account(ctx), userId(ctx), await body(ctx), expectedRevision(ctx), true);
        reply(ctx, userView(user), { revision: user._rev });
      },
    },
    {
      method: 'DELETE',
      path: `${base}/:userId`,
      summary: 'Delete an operator user',
      tag: 'users',
      access: 'token',
      statuses: [409],
      async handle(ctx) {
        const owner = await account(ctx);
        const id = userId(ctx);
        await users.remove(owner, id, expectedRevision(ctx));
        reply(ctx, { id, deleted: true });
      },
    },
  ];
}
