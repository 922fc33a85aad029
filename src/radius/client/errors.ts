/**
 * The client's own failures. Each carries every attempt made, so the AAA layer can put them in a
 * 504 envelope as they are. Codec refusals of what the caller asked to send stay
 * `RadiusEncodeError`s (the AAA layer turns those into 400s); a reply the codec refuses is never
 * an error here, only a dropped datagram and a counter.
 */
import type { Attempt } from './attempts.js';

export type RadiusClientFailure = 'timeout' | 'overloaded' | 'closed' | 'socket' | 'aborted';

export class RadiusClientError extends Error {
  constructor(
    readonly kind: RadiusClientFailure,
    message: string,
    /** `address:port` of the server. */
    readonly target: string,
    readonly attempts: readonly Attempt[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RadiusClientError';
  }
}

/** No verified reply after the first transmission and every retransmission. */
export class RadiusTimeoutError extends RadiusClientError {
  declare readonly kind: 'timeout';
  constructor(target: string, attempts: readonly Attempt[], timeoutMs: number) {
    super('timeout', `no valid reply from ${target} after ${attempts.length} attempt(s), ${timeoutMs} ms each`, target, attempts);
    this.name = 'RadiusTimeoutError';
  }
}

/** Refused at once, nothing sent: the client's in-flight limit, or every socket's identifiers for that server, are taken. */
export class RadiusOverloadedError extends RadiusClientError {
  declare readonly kind: 'overloaded';
  constructor(
    target: string,
    message: string,
    /** The limit that was reached. */
    readonly limit: number,
  ) {
    super('overloaded', message, target, []);
    this.name = 'RadiusOverloadedError';
  }
}

/** The client was closed before the request settled (or `send` was called after `close`). */
export class RadiusClosedError extends RadiusClientError {
  declare readonly kind: 'closed';
  constructor(target: string, attempts: readonly Attempt[]) {
    super('closed', `the RADIUS client was closed before ${target} answered`, target, attempts);
    this.name = 'RadiusClosedError';
  }
}

/** The source socket failed (could not bind, or broke); the requests it carried fail with it. */
export class RadiusSocketError extends RadiusClientError {
  declare readonly kind: 'socket';
  constructor(target: string, attempts: readonly Attempt[], cause: Error) {
    super('socket', `the socket towards ${target} failed: ${cause.message}`, target, attempts, { cause });
    this.name = 'RadiusSocketError';
  }
}

/**
 * The caller's `AbortSignal` fired before a verified reply: the request was withdrawn (identifier
 * freed, no further copies). Not a timeout: the server was never given its full chance, so
 * nothing should be concluded about its health. `cause` is the signal's reason.
 */
export class RadiusAbortedError extends RadiusClientError {
  declare readonly kind: 'aborted';
  constructor(target: string, attempts: readonly Attempt[], reason: unknown) {
    super('aborted', `the request to ${target} was aborted after ${attempts.length} attempt(s)`, target, attempts, { cause: reason });
    this.name = 'RadiusAbortedError';
  }
}
