import crypto from 'node:crypto';
import { AppError, apiError } from '../errors.js';
import { type Logger, loggableUrl } from '../log.js';
import { METRICS_PATH } from './metrics-endpoint.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Probes come every few seconds: their lines are debug, unless they fail. */
const PROBES = new Set(['/healthz', '/readyz', METRICS_PATH]);

export const methodNotAllowed = (method: string, allowed: string): AppError =>
  apiError('invalid_method', `${method} is not allowed here; allowed: ${allowed}`, { allowed: allowed.split(', ') });

/** The caller's `X-Request-ID` when it is a sane one, else a new id. */
export function requestIdFor(offered: string | undefined): string {
  return offered !== undefined && REQUEST_ID.test(offered) ? offered : crypto.randomUUID();
}

/** What one answered request leaves in the log, whichever lane served it. */
export interface RequestLine {
  requestId: string;
  method: string;
  /** The URL as received; only its loggable form is written. */
  url: string;
  /** The template of the route that answered (`/v2/accounts/:accountId/aaa`), never the URL. */
  route: string | undefined;
  status: number;
  ms: number;
  /** Read only when the line is written. */
  client: () => string;
  account: string | undefined;
  /**
   * Traffic at authentication rate (the rlm_rest calls, two per authentication, whose decisions
   * the authentication log keeps): its lines are debug unless it failed with an error answer.
   */
  quiet?: boolean;
}

/**
 * The request line: who (client address, acting account), what, the answer and its time. 5xx are
 * warnings with their cause (error code and message; an unexpected error is also logged with its
 * stack, at error); probes are debug, and so is quiet traffic that did not fail.
 */
export function logRequest(logger: Logger, line: RequestLine, failure: AppError | undefined): void {
  const routine = (line.route !== undefined && PROBES.has(line.route)) || (line.quiet === true && failure === undefined);
  const level = line.status >= 500 ? (failure ? 'warn' : 'error') : routine ? 'debug' : 'info';
  // Below the log level the line costs nothing: no fields built, no child logger made.
  if (!logger.isLevelEnabled(level)) return;
  const fields = {
    // The request id first, where a child logger's binding would put it.
    request_id: line.requestId,
    method: line.method,
    url: loggableUrl(line.url),
    ...(line.route === undefined ? {} : { route: line.route }),
    status: line.status,
    ms: Math.round(line.ms * 100) / 100,
    client: line.client(),
    ...(line.account === undefined ? {} : { account: line.account }),
  };
  const cause = line.status < 500 ? {} : failure ? { error: failure.code, cause: failure.message } : { error: 'internal_error' };
  logger[level]({ ...fields, ...cause }, 'request');
}

/**
 * The error a failed request answers with: its own when it is an AppError; otherwise a generic
 * 500, after logging the unexpected error with its stack (never shown to the caller).
 */
export function shownError(error: unknown, logger: () => Logger): { shown: AppError; failure: AppError | undefined } {
  const failure = error instanceof AppError ? error : undefined;
  if (!failure) logger().error({ err: error }, 'request failed');
  return { shown: failure ?? apiError('internal_error', 'the request failed unexpectedly'), failure };
}

/** Headers an error answer carries besides the envelope. */
export function errorHeaders(shown: AppError): Record<string, string> {
  return shown.status === 429 ? { 'Retry-After': String(shown.data.retry_after ?? 60) } : {};
}
