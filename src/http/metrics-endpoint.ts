import crypto from 'node:crypto';
import type Koa from 'koa';
import type { SystemDoc } from '../store/couch.js';
import type { DocumentStore } from '../store/database.js';
import type { AccountService } from '../accounts/account-service.js';
import type { TokenIssuer } from '../accounts/tokens.js';
import { forbidden } from '../errors.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import { authenticate, presentedToken } from './auth.js';
import type { ApiContext, AppState } from './context.js';

export const METRICS_PATH = '/metrics';

/** Equal without telling how much of it matched: both sides are hashed to one length first. */
export function sameSecret(presented: string, expected: string): boolean {
  const digest = (text: string) => crypto.createHash('sha256').update(text).digest();
  return crypto.timingSafeEqual(digest(presented), digest(expected));
}

export interface MetricsAccess {
  /** `METRICS_TOKEN`: presented as `Authorization: Bearer …` (or X-Auth-Token). */
  token: string | undefined;
  tokens: TokenIssuer;
  accounts: AccountService;
  /** Operator users, so a user's token ends here as everywhere. */
  users?: DocumentStore<SystemDoc>;
}

/**
 * `GET /metrics` on the API's listener: the metrics token, or a token of the superduper admin.
 * Anything else is 401 (no or a bad credential) or 403 (another account's token).
 */
export function metricsEndpoint(metrics: ServiceMetrics, access: MetricsAccess): Koa.Middleware<AppState> {
  return async (ctx, next) => {
    if (ctx.path !== METRICS_PATH || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      await next();
      return;
    }
    const routed = ctx as unknown as ApiContext;
    // Labelled as a route, like those of the router.
    routed._matchedRoute = METRICS_PATH;
    const presented = presentedToken(routed);
    if (presented === undefined || access.token === undefined || !sameSecret(presented, access.token)) {
      const caller = await authenticate(routed, access.tokens, access.accounts, access.users);
      if (!caller.isSuperduperAdmin) throw forbidden('only the metrics token or the superduper admin may read the metrics');
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.type = metrics.contentType;
    ctx.body = await metrics.scrape();
  };
}
