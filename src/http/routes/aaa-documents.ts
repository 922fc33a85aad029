import type { AaaDoc } from '../../aaa/aaa-doc.js';
import type { AaaScope, SavedAaa } from '../../aaa/aaa-service.js';
import type { DictionaryWarning } from '../../aaa/check-attributes.js';
import { publicPart, writablePart } from '../../store/visibility.js';
import { authorizedAccount, requireSuperduper } from '../auth.js';
import { readData } from '../body.js';
import type { ApiContext } from '../context.js';
import { expectedRevision, reply, replySerialized } from '../envelope.js';
import type { RouteSpec } from '../route.js';
import type { Services } from '../services.js';

/** GET/PUT/POST/PATCH on one AAA document, the same for an account's and for the system's. */
function documentRoutes(
  services: Services,
  path: string,
  tag: string,
  whose: string,
  scopeOf: (ctx: ApiContext) => Promise<AaaScope>,
): RouteSpec[] {
  const { aaa, config } = services;
  const send = (ctx: ApiContext, doc: AaaDoc, status = 200, warnings: DictionaryWarning[] = []) =>
    reply(ctx, publicPart(doc), { status, revision: doc._rev, extra: warnings.length > 0 ? { warnings } : {} });
  const sendSaved = (ctx: ApiContext, saved: SavedAaa, status = 200) => send(ctx, saved.doc, status, saved.warnings);
  const input = async (ctx: ApiContext) => writablePart(await readData(ctx, config.maxBodyBytes));
  return [
    {
      method: 'GET',
      path,
      summary: `Fetch ${whose} AAA document`,
      tag,
      access: 'token',
      responseSchema: 'aaa',
      async handle(ctx) {
        send(ctx, await aaa.get(await scopeOf(ctx)));
      },
    },
    {
      method: 'PUT',
      path,
      summary: `Create ${whose} AAA document (409 if it exists)`,
      tag,
      access: 'token',
      requestSchema: 'aaa',
      responseSchema: 'aaa',
      statuses: [201, 409],
      async handle(ctx) {
        const scope = await scopeOf(ctx);
        sendSaved(ctx, await aaa.create(scope, await input(ctx)), 201);
      },
    },
    {
      method: 'POST',
      path,
      summary: `Replace ${whose} AAA document (If-Match pins the revision)`,
      tag,
      access: 'token',
      requestSchema: 'aaa',
      responseSchema: 'aaa',
      statuses: [409],
      async handle(ctx) {
        const scope = await scopeOf(ctx);
        sendSaved(ctx, await aaa.replace(scope, await input(ctx), expectedRevision(ctx)));
      },
    },
    {
      method: 'PATCH',
      path,
      summary: `Merge top-level keys into ${whose} AAA document, then validate the whole`,
      tag,
      access: 'token',
      requestSchema: 'aaa',
      mergePatch: true,
      responseSchema: 'aaa',
      statuses: [409],
      async handle(ctx) {
        const scope = await scopeOf(ctx);
        sendSaved(ctx, await aaa.patch(scope, await input(ctx), expectedRevision(ctx)));
      },
    },
  ];
}

export function aaaRoutes(services: Services): RouteSpec[] {
  const { accounts, aaa, effective } = services;
  const account = (ctx: ApiContext) => authorizedAccount(ctx, accounts, ctx.params.accountId ?? '');
  return [
    ...documentRoutes(services, '/v2/accounts/:accountId/aaa', 'aaa', "the account's", async (ctx) => aaa.accountScope(await account(ctx))),
    ...documentRoutes(services, '/v1/system_configs/circlemaker', 'system', 'the system', async (ctx) => {
      requireSuperduper(ctx);
      return aaa.systemScope();
    }),
    {
      method: 'GET',
      path: '/v2/accounts/:accountId/aaa/effective',
      summary: 'The servers each operation would use and the chain of documents that decided it (secrets are never shown)',
      tag: 'aaa',
      access: 'token',
      responseSchema: 'effective',
      async handle(ctx) {
        const target = await account(ctx);
        replySerialized(ctx, (await effective.resolved(target)).json);
      },
    },
  ];
}
