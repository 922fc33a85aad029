import crypto from 'node:crypto';
import Router from '@koa/router';
import Koa from 'koa';
import { AppError, apiError } from '../errors.js';
import { type Logger, loggableUrl } from '../log.js';
import { authenticate } from './auth.js';
import { authenticateRestCredential } from './rest-credential-auth.js';
import type { ApiContext, AppState } from './context.js';
import { errorBody } from './envelope.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import { METRICS_PATH, metricsEndpoint } from './metrics-endpoint.js';
import type { RouteSpec } from './route.js';
import type { Services } from './services.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const methodNotAllowed = (method: string, allowed: string): AppError =>
  apiError('invalid_method', `${method} is not allowed here; allowed: ${allowed}`, { allowed: allowed.split(', ') });

const noSuchRoute = (path: string): AppError => apiError('not_found', `no route for ${path}`, { cause: path });

/** Probes come every few seconds: their lines are debug, unless they fail. */
const PROBES = new Set(['/healthz', '/readyz', METRICS_PATH]);

/** The router's template of the route that answered (`/v2/accounts/:id/aaa`), never the URL. */
function routeTemplate(ctx: Koa.ParameterizedContext<AppState>): string | undefined {
  const matched = (ctx as unknown as ApiContext)._matchedRoute;
  return typeof matched === 'string' ? matched : undefined;
}

/**
 * The request line: who (client address, acting account), what, the answer and its time. 5xx are
 * warnings with their cause (error code and message; an unexpected error is also logged with its
 * stack, at error); probes are debug.
 */
function logRequest(
  logger: Logger,
  ctx: Koa.ParameterizedContext<AppState>,
  route: string | undefined,
  ms: number,
  failure: AppError | undefined,
): void {
  const level = ctx.status >= 500 ? (failure ? 'warn' : 'error') : route !== undefined && PROBES.has(route) ? 'debug' : 'info';
  // Below the log level the line costs nothing: no fields built, no child logger made.
  if (!logger.isLevelEnabled(level)) return;
  const fields = {
    // The request id first, where a child logger's binding would put it.
    request_id: ctx.state.requestId,
    method: ctx.method,
    url: loggableUrl(ctx.originalUrl),
    ...(route === undefined ? {} : { route }),
    status: ctx.status,
    ms: Math.round(ms * 100) / 100,
    client: ctx.ip,
    ...(ctx.state.caller ? { account: ctx.state.caller.accountId } : {}),
  };
  const cause = ctx.status < 500 ? {} : failure ? { error: failure.code, cause: failure.message } : { error: 'internal_error' };
  logger[level]({ ...fields, ...cause }, 'request');
}

/** Request id, a log line per request, and every failure turned into a Crossbar error envelope. */
function envelopeAndLogging(logger: Logger, metrics: ServiceMetrics | undefined): Koa.Middleware<AppState> {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const offered = ctx.get('X-Request-ID');
    const requestId = REQUEST_ID.test(offered) ? offered : crypto.randomUUID();
    ctx.state.requestId = requestId;
    // Made on first use: most requests log nothing but their request line, which needs no child.
    let requestLogger: Logger | undefined;
    Object.defineProperty(ctx.state, 'logger', {
      get: () => (requestLogger ??= logger.child({ request_id: requestId })),
      configurable: true,
      enumerable: true,
    });
    ctx.set('X-Request-ID', requestId);
    let failure: AppError | undefined;
    try {
      await next();
      if (ctx.body === undefined && ctx.status === 405) {
        throw methodNotAllowed(ctx.method, String(ctx.response.get('Allow')));
      }
      if (ctx.body === undefined && ctx.status === 404) throw noSuchRoute(ctx.path);
    } catch (error) {
      failure = error instanceof AppError ? error : undefined;
      if (!failure) ctx.state.logger.error({ err: error }, 'request failed');
      const shown = failure ?? apiError('internal_error', 'the request failed unexpectedly');
      ctx.status = shown.status;
      if (shown.status === 429) ctx.set('Retry-After', String(shown.data.retry_after ?? 60));
      ctx.body = errorBody(shown, requestId);
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const route = routeTemplate(ctx);
      metrics?.http.observe(route, ctx.method, ctx.status, ms / 1000);
      logRequest(logger, ctx, route, ms, failure);
    }
  };
}

/** Path segments, a trailing slash ignored (the router matches `/healthz/` as `/healthz`). */
function segmentCount(path: string): number {
  let count = 0;
  for (let i = 0; i < path.length; i += 1) if (path.charCodeAt(i) === 47) count += 1;
  return path.length > 1 && path.endsWith('/') ? count - 1 : count;
}

/**
 * The routes as one router per number of path segments, behind a dispatch on the request path's:
 * @koa/router tests every route's regular expression in turn, ~9 µs per request over all ~100,
 * where a path can only ever match the routes of its own length. Each router keeps its routes in
 * the table's order (the first registered wins, as before) and answers its own 405s.
 */
export function buildRouting(routes: readonly RouteSpec[], services: Services, metrics?: ServiceMetrics): Koa.Middleware<AppState> {
  const routers = new Map<number, Router<AppState>>();
  const routerFor = (path: string): Router<AppState> => {
    const count = segmentCount(path);
    let router = routers.get(count);
    if (!router) {
      router = new Router<AppState>();
      routers.set(count, router);
    }
    return router;
  };
  for (const route of routes) {
    const handler = async (ctx: ApiContext): Promise<void> => {
      if (route.access === 'token') await authenticate(ctx, services.tokens, services.accounts, services.store.system);
      if (route.access === 'rest_credential') await authenticateRestCredential(ctx, services.backend.restCredentials);
      await route.handle(ctx);
    };
    routerFor(route.path).register(route.path, [route.method], handler);
  }
  if (metrics) {
    const scrape = metricsEndpoint(metrics, {
      token: services.config.metricsToken,
      tokens: services.tokens,
      accounts: services.accounts,
      users: services.store.system,
    });
    routerFor(METRICS_PATH).register(METRICS_PATH, ['GET', 'HEAD'], (ctx) => scrape(ctx as ApiContext));
  }
  const dispatch = new Map<number, Koa.Middleware<AppState>>();
  for (const [count, router] of routers) {
    // The router types its own context; Koa hands it the plain one, as app.use(router.routes()) did.
    const matched = router.routes() as unknown as Koa.Middleware<AppState>;
    const allowed = router.allowedMethods() as unknown as Koa.Middleware<AppState>;
    dispatch.set(count, (ctx, next) => matched(ctx, () => allowed(ctx, next)));
  }
  return (ctx, next) => {
    const route = dispatch.get(segmentCount(ctx.path));
    return route ? route(ctx, next) : next();
  };
}

/** `metrics`: observe every request and serve `GET /metrics` (absent with `METRICS=false`). */
export function createApp(routes: readonly RouteSpec[], services: Services, logger: Logger, metrics?: ServiceMetrics): Koa<AppState> {
  const app = new Koa<AppState>({ proxy: services.config.trustProxy });
  app.silent = true;
  app.use(envelopeAndLogging(logger, metrics));
  app.use(buildRouting(routes, services, metrics));
  return app;
}
