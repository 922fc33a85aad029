/**
 * One request between its first transmission and its settlement: the exact bytes every copy
 * repeats, the socket and identifier a reply must come back on, the attempt log, the timer of
 * the current copy, and the caller's promise. It settles once; whatever arrives afterwards finds
 * its identifier free (or taken by another request) and is dropped.
 */
import type { DecodedPacket, EncodedPacket } from '../codec/index.js';
import { AttemptLog, type Attempt } from './attempts.js';
import type { ClientSocket } from './client-socket.js';
import type { ResolvedTarget } from './target.js';

/** A client socket whose identifiers are held by pending requests. */
export type RequestSocket = ClientSocket<PendingRequest>;

export interface RadiusResponse {
  /** The verified, decoded reply. */
  readonly response: DecodedPacket;
  /** Round trip of the copy the reply was credited to (the latest one sent). */
  readonly rttMs: number;
  /** From the first transmission to the reply: what the caller waited. */
  readonly elapsedMs: number;
  readonly attempts: readonly Attempt[];
  /** Which socket and identifier carried the request (the pair that is unique while it is in flight). */
  readonly localPort: number | undefined;
  readonly identifier: number;
}

export class PendingRequest {
  readonly attempts = new AttemptLog();
  #timer: NodeJS.Timeout | undefined;
  #settled = false;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;

  constructor(
    readonly target: ResolvedTarget,
    readonly packet: EncodedPacket,
    readonly socket: RequestSocket,
    readonly resolve: (result: RadiusResponse) => void,
    readonly reject: (error: Error) => void,
  ) {}

  get identifier(): number {
    return this.packet.identifier;
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** Arms the timer of the copy just sent; `onTimeout` is shared by every request (no closure per copy) and gets this one. */
  wait(onTimeout: (pending: PendingRequest) => void): void {
    this.#clearTimer();
    this.#timer = setTimeout(onTimeout, this.target.timeoutMs, this);
  }

  /** Calls `onAbort` once if `signal` fires before the request settles. */
  watch(signal: AbortSignal, onAbort: () => void): void {
    this.#signal = signal;
    this.#onAbort = onAbort;
    signal.addEventListener('abort', onAbort, { once: true });
  }

  /**
   * Marks the request settled, stops its timer and stops watching its signal (a long-lived signal
   * shared by many requests must not collect a listener per request); false if it already was.
   */
  finish(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.#clearTimer();
    if (this.#signal !== undefined && this.#onAbort !== undefined) this.#signal.removeEventListener('abort', this.#onAbort);
    this.#signal = undefined;
    this.#onAbort = undefined;
    return true;
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
