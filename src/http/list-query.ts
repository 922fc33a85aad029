import { ValidationError } from '../errors.js';
import type { ListAnswer } from '../pagination.js';
import type { ApiContext } from './context.js';

/** RFC 3339 date-time, or a bare date (midnight UTC). */
const TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** A filter parameter given at most once; a repeated or overlong one is a 400 naming it. */
export function singleQueryValue(ctx: ApiContext, name: string): string | undefined {
  const value = ctx.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 253) throw ValidationError.single(name, 'type', `${name} must be a single value`);
  return value;
}

/** A `true`/`false` parameter. */
export function queryFlag(ctx: ApiContext, name: string): boolean | undefined {
  const value = singleQueryValue(ctx, name);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw ValidationError.single(name, 'type', `${name} must be true or false`);
  return value === 'true';
}

/** A time parameter, normalised to an ISO 8601 UTC string so that it compares with stored times. */
export function queryTime(ctx: ApiContext, name: string): string | undefined {
  const value = singleQueryValue(ctx, name);
  if (value === undefined) return undefined;
  if (!TIME.test(value) || !Number.isFinite(Date.parse(value)))
    throw ValidationError.single(name, 'format', `${name} must be an RFC 3339 time or a date`);
  return new Date(value).toISOString();
}

/**
 * The RFC 8288 `Link: <…>; rel="next"` header for a list answer with a next page: the request's
 * own URL and filters with the next `start_key`. The token is dropped so it is not echoed into
 * headers that proxies and logs keep.
 */
export function setNextLink(ctx: ApiContext, found: ListAnswer<unknown>): void {
  if (!found.nextStartKey) return;
  const next = new URL(ctx.href);
  next.searchParams.set('start_key', found.nextStartKey);
  next.searchParams.set('page_size', String(found.pageSize));
  next.searchParams.delete('auth_token');
  ctx.set('Link', `<${next.pathname}${next.search}>; rel="next"`);
}
