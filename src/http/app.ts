import Router from '@koa/router';
import Koa from 'koa';
import { type AppError, apiError } from '../errors.js';
import type { Logger } from '../log.js';
import { authenticate } from './auth.js';
import type { ApiContext, AppState } from './context.js';
import { errorBody } from './envelope.js';
import { errorHeaders, logRequest, methodNotAllowed, requestIdFor, shownError } from './request-line.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import { METRICS_PATH, metricsEndpoint } from './metrics-endpoint.js';
import type { RouteSpec } from './route.js';
import type { Services } from './services.js';

const noSuchRoute = (path: string): AppError => apiError('not_found', `no route for ${path}`, { cause: path });

/** The router's template of the route that answered (`/v2/accounts/:id/aaa`), never the URL. */
function routeTemplate(ctx: Koa.ParameterizedContext<AppState>): string | undefined {
  const matched = (ctx as unknown as ApiContext)._matchedRoute;
  return typeof matched === 'string' ? matched : undefined;
}

/** Request id, a log line per request, and every failure turned into a Crossbar error envelope. */
function envelopeAndLogging(logger: Logger, metrics: ServiceMetrics | undefined): Koa.Middleware<AppState> {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdFor(ctx.get('X-Request-ID'));
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
      const answer = shownError(error, () => ctx.state.logger);
      failure = answer.failure;
      ctx.status = answer.shown.status;
      ctx.set(errorHeaders(answer.shown));
      ctx.body = errorBody(answer.shown, requestId);
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const route = routeTemplate(ctx);
      metrics?.http.observe(route, ctx.method, ctx.status, ms / 1000);
      logRequest(
        logger,
        {
          requestId,
          method: ctx.method,
          url: ctx.originalUrl,
          route,
          status: ctx.status,
          ms,
          client: () => ctx.ip,
          account: ctx.state.caller?.accountId,
        },
        failure,
      );
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
    // Served by the direct lane before a request reaches Koa (see direct-lane.ts).
    if (route.direct) continue;
    const { handle } = route;
    const handler = async (ctx: ApiContext): Promise<void> => {
      if (route.access === 'token') await authenticate(ctx, services.tokens, services.accounts, services.store.system);
      await handle(ctx);
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
