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
  /** Schema id of the response's `data`, if it has one. */
  responseSchema?: string;
  /** Status codes the operation answers with besides 200 and the generic errors. */
  statuses?: number[];
  handle(ctx: ApiContext): Promise<void>;
}
