import { ownerChain } from '../../accounts/owner-chain.js';
import { SYSTEM_AAA_ID, SYSTEM_OWNER } from '../../aaa/aaa-doc.js';
import { type AppError, apiError } from '../../errors.js';
import type { CachedStore, ChangedIds } from '../../store/store-cache.js';
import { authorizedAccount, requireSuperduper } from '../auth.js';
import { reply } from '../envelope.js';
import type { RouteSpec } from '../route.js';
import type { Services } from '../services.js';

const noCache = (): AppError =>
  apiError('cache_disabled', 'the service runs without a cache (STORE_CACHE=false): every read is already fresh');

function report(changed: ChangedIds): Record<string, unknown> {
  const total = Object.values(changed).reduce((sum, ids) => sum + ids.length, 0);
  return { changed, total_changed: total };
}

/**
 * On-demand reloads. The changes feed normally keeps the caches current within a second; these
 * are for an operator who changed the store behind the service's back and wants it in force now.
 */
export function reloadRoutes(services: Services, cache: CachedStore | undefined): RouteSpec[] {
  const { accounts, dictionaryCompiler } = services;
  return [
    {
      method: 'POST',
      path: '/v2/accounts/:accountId/aaa/reload',
      summary: "Re-read the account's tree, AAA documents and dictionaries from the store; reports the ids that changed",
      tag: 'aaa',
      access: 'token',
      responseSchema: 'reload_report',
      statuses: [409],
      async handle(ctx) {
        const account = await authorizedAccount(ctx, accounts, ctx.params.accountId ?? '');
        if (!cache) throw noCache();
        const chain = ownerChain(account);
        const changed = await cache.refresh({ accounts: chain, aaa: chain, system: [SYSTEM_AAA_ID] }, [...chain, SYSTEM_OWNER]);
        for (const id of changed.dictionaries) dictionaryCompiler.evict(id);
        reply(ctx, report(changed));
      },
    },
    {
      method: 'POST',
      path: '/v1/system_configs/circlemaker/reload',
      summary: 'Re-read every document from the store and drop every compiled dictionary (superduper admin)',
      tag: 'system',
      access: 'token',
      responseSchema: 'reload_report',
      statuses: [409],
      async handle(ctx) {
        requireSuperduper(ctx);
        if (!cache) throw noCache();
        const changed = await cache.reloadAll();
        dictionaryCompiler.clear();
        reply(ctx, { ...report(changed), feeds: cache.feeds() });
      },
    },
  ];
}
