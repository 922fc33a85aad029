import type http from 'node:http';
import type { Caller } from '../accounts/access.js';
import type { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import { readRequestBody } from './body.js';
import { errorBody } from './envelope.js';
import { errorHeaders, logRequest, methodNotAllowed, requestIdFor, shownError } from './request-line.js';
import type { DirectAnswer, DirectRequest, RouteSpec } from './route.js';

type DirectHandler = (request: DirectRequest) => Promise<DirectAnswer>;

interface DirectPath {
  template: string;
  pattern: RegExp;
  names: string[];
  handlers: Map<string, DirectHandler>;
  allowed: string;
}

export interface DirectLaneOptions {
  logger: Logger;
  metrics: ServiceMetrics | undefined;
  maxBodyBytes: number;
  trustProxy: boolean;
  /** Proves the caller from the `Authorization` header, or throws the 401. */
  authenticate(authorization: string): Promise<Caller>;
}

/** `/v2/accounts/:accountId/aaa/rest/authorize` as an anchored pattern; a trailing slash is allowed, as the router allows it. */
function compile(template: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${source}/?$`), names };
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The client's address: the first `X-Forwarded-For` entry behind a trusted proxy, as Koa's `ctx.ip`. */
function clientAddress(request: http.IncomingMessage, trustProxy: boolean): string {
  const forwarded = trustProxy ? request.headers['x-forwarded-for'] : undefined;
  const first = typeof forwarded === 'string' ? forwarded.split(',')[0]?.trim() : undefined;
  return first || request.socket.remoteAddress || '';
}

function send(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  if (status === 204 || body === undefined) {
    response.writeHead(status, headers);
    response.end();
    return;
  }
  const json = JSON.stringify(body);
  // Added to the caller's own object: a literal spreading it first is several times slower in V8.
  headers['Content-Type'] = 'application/json; charset=utf-8';
  headers['Content-Length'] = String(Buffer.byteLength(json));
  response.writeHead(status, headers);
  response.end(json);
}

/**
 * The requests FreeRADIUS makes on every authentication (rlm_rest), served straight from
 * `node:http`: Koa's context, delegation and middleware chain were about a third of each one's CPU
 * (authorize 174 → 119 µs, `bench/backend/rest-direct.ts`). Everything else goes to `fallback`
 * (the Koa app). A direct route keeps the service's contract: the request id, the Crossbar error
 * envelope, the body limit, the request line and the HTTP metrics are the same as on the Koa lane;
 * 405 with `Allow` for another method on its path.
 */
export function directLane(routes: readonly RouteSpec[], fallback: http.RequestListener, options: DirectLaneOptions): http.RequestListener {
  const paths = new Map<string, DirectPath>();
  for (const route of routes) {
    if (!route.direct) continue;
    let path = paths.get(route.path);
    if (!path) {
      path = { template: route.path, ...compile(route.path), handlers: new Map(), allowed: '' };
      paths.set(route.path, path);
    }
    path.handlers.set(route.method, route.direct);
    path.allowed = [...path.handlers.keys()].join(', ');
  }
  for (const route of routes) {
    if (!route.direct && paths.has(route.path)) throw new Error(`${route.method} ${route.path}: its path is served by the direct lane`);
  }
  const lane = [...paths.values()];

  const serve = async (
    path: DirectPath,
    params: Record<string, string>,
    search: string,
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ) => {
    const started = process.hrtime.bigint();
    const method = request.method ?? '';
    const url = request.url ?? '';
    const offered = request.headers['x-request-id'];
    const requestId = requestIdFor(typeof offered === 'string' ? offered : undefined);
    const headers: Record<string, string> = { 'X-Request-ID': requestId };
    let status: number;
    let body: unknown;
    let failure: AppError | undefined;
    let caller: Caller | undefined;
    try {
      const handler = path.handlers.get(method);
      if (!handler) {
        headers.Allow = path.allowed;
        throw methodNotAllowed(method, path.allowed);
      }
      caller = await options.authenticate(request.headers.authorization ?? '');
      const raw = await readRequestBody(request, response, options.maxBodyBytes);
      ({ status, body } = await handler({ params, query: new URLSearchParams(search), caller, body: raw }));
    } catch (error) {
      const answer = shownError(error, () => options.logger.child({ request_id: requestId }));
      failure = answer.failure;
      status = answer.shown.status;
      Object.assign(headers, errorHeaders(answer.shown));
      body = errorBody(answer.shown, requestId);
    }
    send(response, status, body, headers);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const route = headers.Allow === undefined ? path.template : undefined;
    options.metrics?.http.observe(route, method, status, ms / 1000);
    logRequest(
      options.logger,
      {
        requestId,
        method,
        url,
        route,
        status,
        ms,
        client: () => clientAddress(request, options.trustProxy),
        account: caller?.accountId,
        quiet: true,
      },
      failure,
    );
  };

  return (request, response) => {
    const url = request.url ?? '';
    const queryAt = url.indexOf('?');
    const pathname = queryAt < 0 ? url : url.slice(0, queryAt);
    for (const path of lane) {
      const match = path.pattern.exec(pathname);
      if (!match) continue;
      const params: Record<string, string> = {};
      path.names.forEach((name, index) => {
        params[name] = decoded(match[index + 1] ?? '');
      });
      serve(path, params, queryAt < 0 ? '' : url.slice(queryAt + 1), request, response).catch((error: unknown) => {
        options.logger.error({ err: error }, 'a direct request failed after its answer');
        response.destroy();
      });
      return;
    }
    fallback(request, response);
  };
}
