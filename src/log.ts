import pino, { type Logger } from 'pino';

/**
 * Paths that may hold secrets anywhere they are logged. Routes never log bodies, request lines go
 * through `loggableUrl`, and nano scrubs its own errors; this list is the net under those rules.
 */
const REDACT = [
  'secret',
  '*.secret',
  'api_key',
  '*.api_key',
  'auth_token',
  '*.auth_token',
  'token',
  '*.token',
  'password',
  '*.password',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-auth-token"]',
  'req.headers["proxy-authorization"]',
  'headers.authorization',
  'headers.Authorization',
  'headers.cookie',
  'headers["x-auth-token"]',
  'headers["proxy-authorization"]',
  '*.headers.authorization',
  '*.headers.Authorization',
  '*.headers.cookie',
  '*.headers["x-auth-token"]',
];

/** `scheme://user:password@host` → `scheme://[redacted]@host`: store URLs carry their credentials. */
export function withoutUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1[redacted]@');
}

/**
 * Errors are logged with their message and stack, which may quote a URL as it was given (an HTTP
 * client refusing a URL with credentials does exactly that).
 */
function errorWithoutCredentials(value: unknown): unknown {
  if (typeof value === 'string') return withoutUrlCredentials(value);
  if (!(value instanceof Error)) return value;
  const serialized = pino.stdSerializers.err(value);
  return {
    ...serialized,
    message: withoutUrlCredentials(serialized.message),
    ...(serialized.stack ? { stack: withoutUrlCredentials(serialized.stack) } : {}),
  };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT, censor: '[redacted]' },
      serializers: { err: errorWithoutCredentials },
      base: { service: 'circlemaker' },
    },
    destination,
  );
}

/**
 * Query parameter names that carry a credential, compared without case, `_`, `-` or `.`:
 * `auth_token` (which the API accepts) and the names a client might try (`token`, `api_key`,
 * `password`, `secret`, `access_token`, …).
 */
const CREDENTIAL_NAME = /token|apikey|secret|passw|pwd|credential|auth|signature|session|accesskey|privatekey|masterkey|^key$|^sig$|^jwt$/;

function isCredentialName(rawName: string): boolean {
  let name: string;
  try {
    // Decoded as the query parser decodes it, so `auth%5Ftoken` is still `auth_token`.
    name = decodeURIComponent(rawName.replace(/\+/g, ' '));
  } catch {
    name = rawName;
  }
  return CREDENTIAL_NAME.test(name.toLowerCase().replace(/[\s_.-]/g, ''));
}

/** A signed token (JWS compact form) wherever it sits: a client may put one where no name says so. */
const JWT_SHAPED = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

/** A URL as it may be logged: every credential-bearing query parameter's value is replaced. */
export function loggableUrl(original: string): string {
  const url = original.replace(JWT_SHAPED, '[redacted]');
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return url;
  const query = url
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      return equals >= 0 && isCredentialName(name) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, queryStart)}?${query}`;
}

export type { Logger };
