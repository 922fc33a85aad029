import type { ApiContext } from './context.js';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/**
 * One API operation, declared once: the router is built from these, and so is the OpenAPI
 * document, so the two cannot drift apart.
 */
export interface RouteSpec {
  method: HttpMethod;
  /** Koa path, e.g. `/v2/accounts/:accountId/aaa`. */
  path: string;
  summary: string;
  tag: string;
  /**
   * `token`: authenticate before the handler runs. `rest_credential`: the account's REST credential
   * over HTTP Basic (FreeRADIUS rlm_rest), good for the rlm_rest endpoints only.
   */
  access: 'public' | 'token' | 'rest_credential';
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
  handle(ctx: ApiContext): Promise<void>;
}
