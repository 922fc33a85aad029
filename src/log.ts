import pino, { type Logger } from 'pino';

/**
 * Paths that may hold secrets anywhere they are logged. Routes never log bodies, but a redaction
 * list is the net under that rule.
 */
const REDACT = [
  'secret',
  '*.secret',
  'api_key',
  '*.api_key',
  'auth_token',
  '*.auth_token',
  'password',
  '*.password',
  'req.headers.authorization',
  'req.headers["x-auth-token"]',
  'headers.authorization',
  'headers["x-auth-token"]',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'circlemaker' } }, destination);
}

/** A URL as it may be logged: the `auth_token` query parameter is a credential. */
export function loggableUrl(url: string): string {
  return url.replace(/([?&]auth_token=)[^&]*/gi, '$1[redacted]');
}

export type { Logger };
