import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AppError, apiError, badRequest, ValidationError } from '../errors.js';
import type { ApiContext } from './context.js';

const payloadTooLarge = (limit: number): AppError =>
  apiError('payload_too_large', `the request body is larger than ${limit} bytes`, { limit });

/**
 * Refuses a body over the limit without buffering it: the rest is drained unread (the server's
 * request timeout bounds how long) so the client still gets its 413 rather than a reset.
 */
function refuse(request: IncomingMessage, response: ServerResponse, limit: number): AppError {
  response.setHeader('Connection', 'close');
  request.resume();
  return payloadTooLarge(limit);
}

/**
 * Reads the raw body, refusing more than `limit` bytes before buffering them. Plain stream events
 * rather than an async iterator, which costs ~5 % of a small rlm_rest request; a client that goes
 * away before the end rejects it, as the iterator would.
 */
export function readRequestBody(request: IncomingMessage, response: ServerResponse, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] || '0');
  if (declared > limit) return Promise.reject(refuse(request, response, limit));
  if (request.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (outcome: () => void) => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) settle(() => reject(refuse(request, response, limit)));
      else chunks.push(chunk);
    };
    const onEnd = () => settle(() => resolve(Buffer.concat(chunks, size)));
    const onError = (error: Error) => settle(() => reject(error));
    const onClose = () => settle(() => reject(new Error('the client closed the connection before the end of the body')));
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  });
}

export function readRawBody(ctx: ApiContext, limit: number): Promise<Buffer> {
  return readRequestBody(ctx.req, ctx.res, limit);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Keys that reach `Object.prototype` (or a constructor) when a parsed body is later spread,
 * merged or used to index a plain object. `JSON.parse` makes them harmless own properties, but
 * no code downstream should have to remember that, and no request needs them.
 */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The dotted path (`data.attributes.__proto__`, `data.servers.0.constructor`) of the first
 * forbidden key at any depth, or undefined. Iterative, so a deeply nested body cannot overflow
 * the stack.
 */
export function forbiddenKeyPath(body: unknown): string | undefined {
  const pending: { value: unknown; path: string }[] = [{ value: body, path: '' }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, path } = next;
    if (typeof value !== 'object' || value === null) continue;
    for (const key of Object.keys(value)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      if (FORBIDDEN_KEYS.has(key)) return childPath;
      pending.push({ value: (value as Record<string, unknown>)[key], path: childPath });
    }
  }
  return undefined;
}

/**
 * How FreeRADIUS dictionary text begins: a comment or one of its keywords. JSON never does, so a
 * body that fails to parse as JSON and starts like this is a dictionary sent without its type.
 */
const FREERADIUS_TEXT_START =
  /^\s*(?:#|\$INCLUDE\b|ATTRIBUTE\b|VALUE\b|VENDOR\b|BEGIN-VENDOR\b|END-VENDOR\b|BEGIN-TLV\b|END-TLV\b|BEGIN\b|END\b|ALIAS\b|ENUM\b|FLAGS\b|MEMBER\b|STRUCT\b|PROTOCOL\b|DEFINE\b)/;

export function looksLikeFreeRadiusText(text: string): boolean {
  return FREERADIUS_TEXT_START.test(text);
}

/** Parses a JSON body, refusing (400 naming the field) any `__proto__`, `constructor` or `prototype` key. */
export function parseJsonBody(text: string): unknown {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    if (looksLikeFreeRadiusText(text)) {
      throw badRequest(
        'invalid_json',
        'the body looks like FreeRADIUS dictionary text, not JSON: send it with `Content-Type: text/plain`',
        {
          'Content-Type': {
            text_plain: { message: 'FreeRADIUS text must be sent as Content-Type: text/plain (with ?name= when adding a dictionary)' },
          },
        },
      );
    }
    throw badRequest('invalid_json', `the body is not valid JSON: ${(error as Error).message}`);
  }
  const forbidden = forbiddenKeyPath(body);
  if (forbidden !== undefined) {
    throw ValidationError.single(
      forbidden,
      'forbidden_key',
      'This key is not allowed in a request (__proto__, constructor and prototype never are)',
    );
  }
  return body;
}

/**
 * The `data` object of a `{"data": {...}}` request. The body is parsed as JSON whatever its
 * Content-Type says: the seed's own PATCH example is sent by curl as form-encoded.
 */
export async function readData(ctx: ApiContext, limit: number): Promise<Record<string, unknown>> {
  const raw = await readRawBody(ctx, limit);
  if (raw.length === 0) throw badRequest('invalid_envelope', 'the request needs a body of the form {"data": {...}}');
  const body = parseJsonBody(raw.toString('utf8'));
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
