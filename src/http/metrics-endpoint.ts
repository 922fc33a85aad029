import crypto from 'node:crypto';
import type { SystemDoc } from '../store/couch.js';
import type { DocumentStore } from '../store/database.js';
import type { AccountService } from '../accounts/account-service.js';
import type { TokenIssuer } from '../accounts/tokens.js';
import { forbidden } from '../errors.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import { authenticate, presentedToken } from './auth.js';
import type { ApiContext } from './context.js';

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
 * Anything else is 401 (no or a bad credential) or 403 (another account's token). Registered on
 * the router (not as a middleware every other request would pass through).
 */
export function metricsEndpoint(metrics: ServiceMetrics, access: MetricsAccess): (ctx: ApiContext) => Promise<void> {
  return async (ctx) => {
    const presented = presentedToken(ctx);
    if (presented === undefined || access.token === undefined || !sameSecret(presented, access.token)) {
      const caller = await authenticate(ctx, access.tokens, access.accounts, access.users);
      if (!caller.isSuperduperAdmin) throw forbidden('only the metrics token or the superduper admin may read the metrics');
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.type = metrics.contentType;
    ctx.body = await metrics.scrape();
  };
}
