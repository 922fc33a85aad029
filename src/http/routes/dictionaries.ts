import { ownerChain } from '../../accounts/owner-chain.js';
import { dictionaryView } from '../../dictionary/dictionary-service.js';
import { writablePart } from '../../store/visibility.js';
import { authorizedAccount } from '../auth.js';
import { readData, readRawBody } from '../body.js';
import { type AppError, apiError, ValidationError } from '../../errors.js';
import { answerList } from '../../pagination.js';
import { parseFreeRadius } from '../../dictionary/freeradius/parse.js';
import { writeFreeRadius } from '../../dictionary/freeradius/write.js';
import type { ApiContext } from '../context.js';
import { expectedRevision, reply } from '../envelope.js';
import type { RouteSpec } from '../route.js';
import type { Services } from '../services.js';

/**
 * FreeRADIUS text that defines nothing is refused rather than stored as an empty dictionary: it
 * is nearly always a file mangled on the way (`curl -d @file` drops the newlines, so the whole
 * file becomes one comment line).
 */
function noDefinitions(text: string): AppError {
  const oneLine = text.length > 0 && !/[\r\n]/.test(text.trimEnd());
  const hint = oneLine
    ? ' The body is a single line: if it was sent with `curl -d @file`, that strips the newlines; use `--data-binary @file`.'
    : '';
  return apiError('invalid_dictionary', `the FreeRADIUS text has no definitions (no ATTRIBUTE, VALUE, VENDOR…).${hint}`, {
    body: { no_definitions: { message: `the request body defines nothing${hint}` } },
  });
}

export function dictionaryRoutes(services: Services): RouteSpec[] {
  const { accounts, aaa, config, dictionaries } = services;
  const collection = '/v2/accounts/:accountId/aaa/dictionary';
  const item = `${collection}/:dictionaryId`;
  const account = (ctx: ApiContext) => authorizedAccount(ctx, accounts, ctx.params.accountId ?? '');
  const input = async (ctx: ApiContext) => writablePart(await readData(ctx, config.maxBodyBytes), ['id']);
  /**
   * A JSON envelope, or FreeRADIUS text (`Content-Type: text/plain`) named by `?name=` or, when it
   * replaces one, by the dictionary it replaces (`existingName`).
   */
  const dictionaryInput = async (
    ctx: ApiContext,
    ownerChainOf: string[],
    existingName?: () => Promise<string>,
  ): Promise<Record<string, unknown>> => {
    if (!ctx.is('text/plain')) return input(ctx);
    const given = ctx.query.name;
    if (given !== undefined && (typeof given !== 'string' || given === '')) {
      throw ValidationError.single('name', 'type', '?name= must be one non-empty dictionary name');
    }
    const name = given ?? (existingName ? await existingName() : undefined);
    if (name === undefined) {
      throw ValidationError.single('name', 'required', 'FreeRADIUS text needs the dictionary name as the query parameter ?name=');
    }
    const text = (await readRawBody(ctx, config.maxBodyBytes)).toString('utf8');
    const context = await dictionaries.visibleEntries(ownerChainOf);
    const { entries } = parseFreeRadius(text, { fileName: name, context });
    if (entries.length === 0) throw noDefinitions(text);
    return { name, value: entries };
  };
  const dictionaryIdOf = (ctx: ApiContext) => ctx.params.dictionaryId ?? '';
  return [
    {
      method: 'GET',
      path: collection,
      summary:
        "List the dictionaries the account can use: its own, its ancestors' and the system's (paginated with page_size and start_key; paginate=false for all)",
      tag: 'dictionaries',
      access: 'token',
      responseSchema: 'dictionary_summary',
      paginated: true,
      async handle(ctx) {
        const chain = ownerChain(await account(ctx));
        const list = await answerList(ctx.query, (page) => dictionaries.listPage(chain, page));
        reply(ctx, list.items, { extra: list.extra });
      },
    },
    {
      method: 'PUT',
      path: collection,
      summary:
        'Add a dictionary owned by the account (the name must be new for this owner): JSON, or FreeRADIUS text with `Content-Type: text/plain` and `?name=`',
      tag: 'dictionaries',
      access: 'token',
      responseSchema: 'dictionary',
      acceptsText: true,
      requestSchema: 'aaa_dict',
      statuses: [201],
      async handle(ctx) {
        const owner = await account(ctx);
        const doc = await dictionaries.create(owner._id, await dictionaryInput(ctx, ownerChain(owner)));
        reply(ctx, dictionaryView(doc), { status: 201, revision: doc._rev });
      },
    },
    {
      method: 'GET',
      path: item,
      summary:
        "Fetch one dictionary visible to the account (its own, an ancestor's or the system's); `Accept: text/plain` exports FreeRADIUS text",
      tag: 'dictionaries',
      access: 'token',
      responseSchema: 'dictionary',
      exportsText: true,
      async handle(ctx) {
        const chain = ownerChain(await account(ctx));
        const doc = await dictionaries.get(dictionaryIdOf(ctx), chain);
        if (ctx.accepts('application/json', 'text/plain') === 'text/plain') {
          const context = await dictionaries.visibleEntries(chain);
          ctx.type = 'text/plain; charset=utf-8';
          ctx.set('ETag', `"${doc._rev ?? ''}"`);
          ctx.body = writeFreeRadius(doc.value, { context, header: [`${doc.name} (owner ${doc.pvt_owner}), revision ${doc._rev ?? ''}`] });
          return;
        }
        reply(ctx, dictionaryView(doc), { revision: doc._rev });
      },
    },
    {
      method: 'POST',
      path: item,
      summary:
        "Replace a dictionary the account owns (system dictionaries are read-only); FreeRADIUS text keeps the dictionary's name unless `?name=` gives one",
      tag: 'dictionaries',
      access: 'token',
      responseSchema: 'dictionary',
      acceptsText: true,
      requestSchema: 'aaa_dict',
      statuses: [403, 409],
      async handle(ctx) {
        const owner = await account(ctx);
        const doc = await dictionaries.replace(
          dictionaryIdOf(ctx),
          owner._id,
          ownerChain(owner),
          await dictionaryInput(ctx, ownerChain(owner), async () => (await dictionaries.get(dictionaryIdOf(ctx), ownerChain(owner))).name),
          expectedRevision(ctx),
        );
        reply(ctx, dictionaryView(doc), { revision: doc._rev });
      },
    },
    {
      method: 'DELETE',
      path: item,
      summary: 'Remove a dictionary the account owns, unless an AAA document still uses it (409)',
      tag: 'dictionaries',
      access: 'token',
      responseSchema: 'deleted',
      statuses: [403, 409],
      async handle(ctx) {
        const owner = await account(ctx);
        const id = dictionaryIdOf(ctx);
        await dictionaries.remove(id, owner._id, ownerChain(owner), (name, dictOwner) => aaa.accountsResolvingTo(name, dictOwner));
        reply(ctx, { id, deleted: true });
      },
    },
  ];
}
