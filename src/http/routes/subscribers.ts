import type { AccountDoc } from '../../accounts/account-doc.js';
import { answerList, type Page, type PageRequest } from '../../pagination.js';
import { groupView, settingsView, subscriberView } from '../../subscribers/subscriber-doc.js';
import { writablePart } from '../../store/visibility.js';
import { authorizedAccount } from '../auth.js';
import { readData } from '../body.js';
import type { ApiContext } from '../context.js';
import { expectedRevision, reply } from '../envelope.js';
import type { RouteSpec } from '../route.js';
import type { Services } from '../services.js';
import { batchRoute } from './subscriber-batch.js';

/** One page, or the whole list with `?paginate=false`. */
async function replyList<T>(
  ctx: ApiContext,
  fetchPage: (page: PageRequest) => Promise<Page<T>>,
  view: (item: T) => unknown,
): Promise<void> {
  const list = await answerList(ctx.query, fetchPage);
  reply(ctx, list.items.map(view), { extra: list.extra });
}

/**
 * Subscribers and groups of an account (the users FreeRADIUS authenticates through rlm_rest), the
 * account's subscriber settings, and its REST credential for rlm_rest.
 */
export function subscriberRoutes(services: Services): RouteSpec[] {
  const { accounts, config } = services;
  const { subscribers, restCredentials } = services.backend;
  const base = '/v2/accounts/:accountId/aaa';
  const account = (ctx: ApiContext): Promise<AccountDoc> => authorizedAccount(ctx, accounts, ctx.params.accountId ?? '');
  const input = async (ctx: ApiContext) => writablePart(await readData(ctx, config.maxBodyBytes), ['id']);
  const subscriberId = (ctx: ApiContext) => ctx.params.subscriberId ?? '';
  const groupId = (ctx: ApiContext) => ctx.params.groupId ?? '';
  return [
    {
      method: 'GET',
      path: `${base}/subscribers`,
      summary: "List the account's subscribers (paginated with page_size and start_key); passwords are never shown",
      tag: 'subscribers',
      access: 'token',
      responseSchema: 'subscriber',
      paginated: true,
      async handle(ctx) {
        const owner = await account(ctx);
        await replyList(ctx, (page) => subscribers.list(owner._id, page), subscriberView);
      },
    },
    {
      method: 'PUT',
      path: `${base}/subscribers`,
      summary: 'Create a subscriber; the username is unique within the account (400 `unique` otherwise)',
      tag: 'subscribers',
      access: 'token',
      requestSchema: 'subscriber',
      statuses: [201],
      async handle(ctx) {
        const doc = await subscribers.create(await account(ctx), await input(ctx));
        reply(ctx, subscriberView(doc), { status: 201, revision: doc._rev });
      },
    },
    batchRoute(services),
    {
      method: 'GET',
      path: `${base}/subscribers/:subscriberId`,
      summary: 'Fetch one subscriber',
      tag: 'subscribers',
      access: 'token',
      async handle(ctx) {
        const doc = await subscribers.get((await account(ctx))._id, subscriberId(ctx));
        reply(ctx, subscriberView(doc), { revision: doc._rev });
      },
    },
    {
      method: 'POST',
      path: `${base}/subscribers/:subscriberId`,
      summary: 'Replace a subscriber (a password left out is kept; a new username moves it, 400 `unique` if taken)',
      tag: 'subscribers',
      access: 'token',
      requestSchema: 'subscriber',
      statuses: [409],
      async handle(ctx) {
        const doc = await subscribers.replace(await account(ctx), subscriberId(ctx), await input(ctx), expectedRevision(ctx));
        reply(ctx, subscriberView(doc), { revision: doc._rev });
      },
    },
    {
      method: 'PATCH',
      path: `${base}/subscribers/:subscriberId`,
      summary: 'Change some fields of a subscriber',
      tag: 'subscribers',
      access: 'token',
      requestSchema: 'subscriber',
      mergePatch: true,
      statuses: [409],
      async handle(ctx) {
        const doc = await subscribers.patch(await account(ctx), subscriberId(ctx), await input(ctx), expectedRevision(ctx));
        reply(ctx, subscriberView(doc), { revision: doc._rev });
      },
    },
    {
      method: 'DELETE',
      path: `${base}/subscribers/:subscriberId`,
      summary: 'Remove a subscriber',
      tag: 'subscribers',
      access: 'token',
      responseSchema: 'deleted',
      async handle(ctx) {
        const id = subscriberId(ctx);
        await subscribers.remove((await account(ctx))._id, id);
        reply(ctx, { id, deleted: true });
      },
    },
    {
      method: 'GET',
      path: `${base}/groups`,
      summary: "List the account's subscriber groups (paginated with page_size and start_key)",
      tag: 'subscribers',
      access: 'token',
      responseSchema: 'subscriber_group',
      paginated: true,
      async handle(ctx) {
        const owner = await account(ctx);
        await replyList(ctx, (page) => subscribers.listGroups(owner._id, page), groupView);
      },
    },
    {
      method: 'PUT',
      path: `${base}/groups`,
      summary: 'Create a subscriber group; the name is unique within the account',
      tag: 'subscribers',
      access: 'token',
      requestSchema: 'subscriber_group',
      statuses: [201],
      async handle(ctx) {
        const doc = await subscribers.createGroup(await account(ctx), await input(ctx));
        reply(ctx, groupView(doc), { status: 201, revision: doc._rev });
      },
    },
    {
      method: 'GET',
      path: `${base}/groups/:groupId`,
      summary: 'Fetch one subscriber group',
      tag: 'subscribers',
      access: 'token',
      async handle(ctx) {
        const doc = await subscribers.getGroup((await account(ctx))._id, groupId(ctx));
        reply(ctx, groupView(doc), { revision: doc._rev });
      },
    },
    {
      method: 'POST',
      path: `${base}/groups/:groupId`,
      summary: "Replace a group's check and reply attributes (its name stays)",
      tag: 'subscribers',
      access: 'token',
      requestSchema: 'subscriber_group',
      statuses: [409],
      async handle(ctx) {
        const doc = await subscribers.replaceGroup(await account(ctx), groupId(ctx), await input(ctx), expectedRevision(ctx));
        reply(ctx, groupView(doc), { revision: doc._rev });
      },
    },
    {
      method: 'PATCH',
      path: `${base}/groups/:groupId`,
      summary: "Change a group's check or reply attributes",
      tag: 'subscribers',
      access: 'token',
      requestSchema: 'subscriber_group',
      mergePatch: true,
      statuses: [409],
      async handle(ctx) {
        const doc = await subscribers.patchGroup(await account(ctx), groupId(ctx), await input(ctx), expectedRevision(ctx));
        reply(ctx, groupView(doc), { revision: doc._rev });
      },
    },
    {
      method: 'DELETE',
      path: `${base}/groups/:groupId`,
      summary: 'Remove a group (subscribers that name it skip it from then on)',
      tag: 'subscribers',
      access: 'token',
      responseSchema: 'deleted',
      async handle(ctx) {
        const id = groupId(ctx);
        await subscribers.removeGroup((await account(ctx))._id, id);
        reply(ctx, { id, deleted: true });
      },
    },
    {
      method: 'GET',
      path: `${base}/subscriber_settings`,
      summary: "The account's subscriber settings (dictionaries, reversible credentials opt-in, auth log retention)",
      tag: 'subscribers',
      access: 'token',
      async handle(ctx) {
        reply(ctx, settingsView(await subscribers.settings((await account(ctx))._id)));
      },
    },
    {
      method: 'POST',
      path: `${base}/subscriber_settings`,
      summary: "Replace the account's subscriber settings",
      tag: 'subscribers',
      access: 'token',
      requestSchema: 'subscriber_settings',
      async handle(ctx) {
        reply(ctx, settingsView(await subscribers.replaceSettings(await account(ctx), await input(ctx))));
      },
    },
    {
      method: 'PUT',
      path: `${base}/rest_credentials`,
      summary: "Issue (or rotate) the account's REST credential for FreeRADIUS rlm_rest (HTTP Basic): the password is shown this once",
      tag: 'subscribers',
      access: 'token',
      async handle(ctx) {
        reply(ctx, await restCredentials.issue((await account(ctx))._id));
      },
    },
  ];
}
