/**
 * What happened to each transmission of one request. The HTTP layer returns this list with every
 * answer and every 504, so an operator can see which copies went unanswered and how long the
 * answered one took.
 */
import { performance } from 'node:perf_hooks';

/**
 * `answered`: a verified reply arrived while this was the latest copy (copies are identical
 * bytes, so a reply cannot say which copy it answers; it is credited to the latest).
 * `timeout`: no verified reply within the target's `timeoutMs`. `send-failed`: the socket refused
 * the datagram. `closed`: the client closed while it waited. `aborted`: the caller's signal
 * withdrew the request while this copy waited. `pending`: still waiting (only seen
 * in a snapshot taken mid-flight).
 */
export type AttemptOutcome = 'pending' | 'answered' | 'timeout' | 'send-failed' | 'closed' | 'aborted';

export interface Attempt {
  /** 1 for the first transmission, 2 for the first retransmission, ... */
  readonly attempt: number;
  /** Wall-clock time the copy was handed to the socket, in milliseconds since the epoch. */
  readonly sentAt: number;
  readonly outcome: AttemptOutcome;
  /** Milliseconds from this copy's transmission to the verified reply; only when `answered`. */
  readonly rttMs?: number;
  /** The socket's error, when `send-failed`. */
  readonly error?: string;
}

interface AttemptRecord {
  attempt: number;
  sentAt: number;
  /** Monotonic clock at transmission: wall-clock time can jump, round trips must not. */
  startedAt: number;
  outcome: AttemptOutcome;
  rttMs?: number;
  error?: string;
}

/** Rounded to microseconds: finer digits are timer noise. */
function roundMs(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export class AttemptLog {
  readonly #records: AttemptRecord[] = [];

  get count(): number {
    return this.#records.length;
  }

  /** Monotonic time of the first transmission. */
  get firstStartedAt(): number {
    return this.#records[0]?.startedAt ?? performance.now();
  }

  /** Records a new transmission; returns its number. */
  begin(): number {
    const attempt = this.#records.length + 1;
    const startedAt = performance.now();
    // Wall-clock time from the monotonic clock and its origin: one clock read per copy instead of two.
    this.#records.push({ attempt, sentAt: Math.floor(performance.timeOrigin + startedAt), startedAt, outcome: 'pending' });
    return attempt;
  }

  /** The socket reported an error for copy `attempt`; later outcomes do not overwrite it. */
  sendFailed(attempt: number, error: Error): void {
    const record = this.#records[attempt - 1];
    if (record === undefined || record.outcome !== 'pending') return;
    record.outcome = 'send-failed';
    record.error = error.message;
  }

  /** The latest copy went unanswered for the whole timeout. */
  timedOut(): void {
    this.#close('timeout');
  }

  closed(): void {
    this.#close('closed');
  }

  aborted(): void {
    this.#close('aborted');
  }

  /** A verified reply arrived; returns the round trip of the latest copy. */
  answered(now: number = performance.now()): number {
    // Credited to the latest copy that actually left; one whose send failed cannot have been answered.
    let record: AttemptRecord | undefined;
    for (let index = this.#records.length - 1; index >= 0 && record === undefined; index -= 1) {
      if (this.#records[index]!.outcome !== 'send-failed') record = this.#records[index];
    }
    record ??= this.#records[this.#records.length - 1];
    if (record === undefined) return 0;
    const rttMs = roundMs(now - record.startedAt);
    record.outcome = 'answered';
    record.rttMs = rttMs;
    delete record.error;
    return rttMs;
  }

  /** A frozen copy for results and errors. */
  snapshot(): readonly Attempt[] {
    return Object.freeze(
      this.#records.map((record) => {
        const attempt: { -readonly [K in keyof Attempt]: Attempt[K] } = {
          attempt: record.attempt,
          sentAt: record.sentAt,
          outcome: record.outcome,
        };
        if (record.rttMs !== undefined) attempt.rttMs = record.rttMs;
        if (record.error !== undefined) attempt.error = record.error;
        return Object.freeze(attempt);
      }),
    );
  }

  #close(outcome: 'timeout' | 'closed' | 'aborted'): void {
    const record = this.#records[this.#records.length - 1];
    if (record !== undefined && record.outcome === 'pending') record.outcome = outcome;
  }
}
