import type { AppError } from '../errors.js';
import type { ApiContext } from './context.js';

export interface SuccessOptions {
  status?: number;
  revision?: string | undefined;
  /** Extra top-level envelope keys, e.g. page_size and next_start_key on lists. */
  extra?: Record<string, unknown>;
  /** A freshly issued token to return instead of the presented one. */
  authToken?: string;
}

/** The Crossbar success envelope. The revision, when there is one, is also the ETag. */
export function reply(ctx: ApiContext, data: unknown, options: SuccessOptions = {}): void {
  ctx.status = options.status ?? 200;
  const authToken = options.authToken ?? ctx.state.authToken;
  if (options.revision) ctx.set('ETag', `"${options.revision}"`);
  ctx.body = {
    status: 'success',
    data,
    ...(options.revision ? { revision: options.revision } : {}),
    ...options.extra,
    request_id: ctx.state.requestId,
    ...(authToken ? { auth_token: authToken } : {}),
  };
}

const SUCCESS_HEAD = Buffer.from('{"status":"success","data":');

/**
 * The success envelope around `data` already serialized (a memoised answer): the same bytes
 * `reply` would send, without serializing `data` again on every request.
 */
export function replySerialized(ctx: ApiContext, dataJson: Buffer): void {
  ctx.status = 200;
  const authToken = ctx.state.authToken;
  ctx.type = 'application/json';
  const tail = `,"request_id":${JSON.stringify(ctx.state.requestId)}${authToken ? `,"auth_token":${JSON.stringify(authToken)}` : ''}}`;
  // Bytes, not a string: a large answer is copied once rather than measured and encoded per request.
  ctx.body = Buffer.concat([SUCCESS_HEAD, dataJson, Buffer.from(tail)]);
}

export function errorBody(error: AppError, requestId: string): Record<string, unknown> {
  return {
    status: 'error',
    error: String(error.status),
    message: error.code,
    data: error.data,
    request_id: requestId,
  };
}

/** The revision a writer based its change on: `If-Match: "1-abc"` (weak or strong), if any. */
export function expectedRevision(ctx: ApiContext): string | undefined {
  const header = ctx.get('If-Match').trim();
  if (header === '' || header === '*') return undefined;
  return header.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}
