/**
 * The client's attempts as the API shows them, and the 504 a transport failure becomes: shared by
 * the AAA operations and by CoA/Disconnect.
 */
import { type AppError, apiError } from '../errors.js';
import type { Attempt, RadiusClientError } from '../radius/client/index.js';

/** Who was tried: added to every attempt row (e.g. `{ nas: 'edge-1' }`). */
export type AttemptSubject = Record<string, string>;

export interface AttemptRow {
  address: string;
  port: number;
  attempt: number;
  /** The client's outcome (`answered`, `timeout`, `send-failed`, `closed`), or `overloaded`, `socket`, `unresolvable`. */
  outcome: string;
  rtt_ms?: number;
  sent_at?: string;
  error?: string;
  [subject: string]: string | number | undefined;
}

export function attemptRows<S extends AttemptSubject>(
  subject: S,
  address: string,
  port: number,
  attempts: readonly Attempt[],
): (AttemptRow & S)[] {
  return attempts.map((attempt) => ({
    ...subject,
    address,
    port,
    attempt: attempt.attempt,
    outcome: attempt.outcome,
    ...(attempt.rttMs === undefined ? {} : { rtt_ms: attempt.rttMs }),
    sent_at: new Date(attempt.sentAt).toISOString(),
    ...(attempt.error === undefined ? {} : { error: attempt.error }),
  }));
}

/** The rows of a failed send; a failure before any transmission (overloaded, socket) is one row of its own. */
export function failedAttemptRows<S extends AttemptSubject>(
  subject: S,
  address: string,
  port: number,
  error: RadiusClientError,
): (AttemptRow & S)[] {
  const made = attemptRows(subject, address, port, error.attempts);
  return made.length > 0 ? made : [{ ...subject, address, port, attempt: 0, outcome: error.kind, error: error.message }];
}

/** 504 `radius_unreachable`, with every attempt in `data.attempts`. */
export function radiusUnreachable(message: string, data: Record<string, unknown>, attempts: readonly AttemptRow[]): AppError {
  return apiError('radius_unreachable', message, { ...data, attempts });
}
