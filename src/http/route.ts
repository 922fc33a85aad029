import type { Caller } from '../accounts/access.js';
import type { ApiContext } from './context.js';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/** What a route served straight from `node:http` (see direct-lane.ts) is handed: no Koa context. */
export interface DirectRequest {
  /** The path's parameters, by the template's names. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  /** Who the REST credential proved. */
  caller: Caller;
  /** The raw body, already bounded by the service's body limit. */
  body: Buffer;
}

export interface DirectAnswer {
  status: number;
  /** Sent as JSON; none for a 204. */
  body?: unknown;
}

interface RouteCommon {
  method: HttpMethod;
  /** Koa path, e.g. `/v2/accounts/:accountId/aaa`. */
  path: string;
  summary: string;
  tag: string;
  /** Schema id (in `schemas/`) of the request's `data`, if it takes one. */
  requestSchema?: string;
  /** Schema id of the response's `data`, if it has one (in `schemas/` or `schemas/responses/`). */
  responseSchema?: string;
  /** The response's `data` is a list of `responseSchema`. */
  responseList?: boolean;
  /** A PATCH: `data` holds any top-level fields of `requestSchema`, merged and then validated whole. */
  mergePatch?: boolean;
  /** Also takes FreeRADIUS text (`Content-Type: text/plain`); `?name=` names it. */
  acceptsText?: boolean;
  /** Answers FreeRADIUS text with `Accept: text/plain`. */
  exportsText?: boolean;
  /** A paged list: `page_size`, `start_key` in, `page_size`, `next_start_key` out. */
  paginated?: boolean;
  /** Query parameters besides paging, by name: what each does. */
  query?: Record<string, string>;
  /** Takes a deadline: `X-Request-Timeout-Ms` or `data.timeout_ms`. */
  deadline?: boolean;
  /** Not the JSON envelope: the body as it is, with this schema (e.g. /healthz). */
  bareResponse?: Record<string, unknown>;
  /**
   * Status codes the operation answers with besides 200 and the generic errors; each error status
   * is documented with the catalogue's codes for it.
   */
  statuses?: number[];
}

/**
 * One API operation, declared once: the router is built from these, and so is the OpenAPI
 * document, so the two cannot drift apart. Most are Koa handlers; the few FreeRADIUS calls on
 * every authentication are `direct`, served without Koa (see direct-lane.ts).
 */
export type RouteSpec = RouteCommon & (KoaRoute | DirectRoute);

interface KoaRoute {
  /** `token`: authenticated before the handler runs. */
  access: 'public' | 'token';
  handle(ctx: ApiContext): Promise<void>;
  direct?: undefined;
}

interface DirectRoute {
  /** The account's REST credential over HTTP Basic (FreeRADIUS rlm_rest), good for these routes only. */
  access: 'rest_credential';
  direct(request: DirectRequest): Promise<DirectAnswer>;
  handle?: undefined;
}
