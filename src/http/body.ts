import { AppError, badRequest } from '../errors.js';
import type { ApiContext } from './context.js';

const payloadTooLarge = (limit: number): AppError =>
  new AppError(413, 'payload_too_large', `the request body is larger than ${limit} bytes`, { limit });

/**
 * Refuses a body over the limit without buffering it: the rest is drained unread (the server's
 * request timeout bounds how long) so the client still gets its 413 rather than a reset.
 */
function refuse(ctx: ApiContext, limit: number): AppError {
  ctx.set('Connection', 'close');
  ctx.req.resume();
  return payloadTooLarge(limit);
}

/** Reads the raw body, refusing more than `limit` bytes before buffering them. */
export async function readRawBody(ctx: ApiContext, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('Content-Length') || '0');
  if (declared > limit) throw refuse(ctx, limit);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = ctx.req[Symbol.asyncIterator]();
  for (let next = await reader.next(); !next.done; next = await reader.next()) {
    const buffer = next.value as Buffer;
    size += buffer.length;
    if (size > limit) {
      ctx.req.removeAllListeners('data');
      throw refuse(ctx, limit);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The `data` object of a `{"data": {...}}` request. The body is parsed as JSON whatever its
 * Content-Type says: the seed's own PATCH example is sent by curl as form-encoded.
 */
export async function readData(ctx: ApiContext, limit: number): Promise<Record<string, unknown>> {
  const raw = await readRawBody(ctx, limit);
  if (raw.length === 0) throw badRequest('invalid_envelope', 'the request needs a body of the form {"data": {...}}');
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw badRequest('invalid_json', `the body is not valid JSON: ${(error as Error).message}`);
  }
  if (!isPlainObject(body) || !('data' in body)) {
    throw badRequest('invalid_envelope', 'the request body must be an object with a "data" key', {
      data: { required: { message: 'Field is required but missing' } },
    });
  }
  if (!isPlainObject(body.data)) {
    throw badRequest('invalid_envelope', '"data" must be an object', {
      data: { type: { message: 'Value did not match type(s) object' } },
    });
  }
  return body.data;
}
