/**
 * The RADIUS client: sends a request to a server and resolves with its verified reply.
 *
 *   const client = new RadiusClient();
 *   const { response, rttMs, attempts } = await client.send(target, { code: PacketCode.AccessRequest, attributes });
 *
 * What it promises, after FreeRADIUS, eradius and layeh/radius:
 * - identifiers per socket, a pool of sockets per server, a new socket only when 256 are in flight;
 * - retransmission of the same bytes (same identifier and authenticator) every `timeoutMs`,
 *   `retries` times, then a `RadiusTimeoutError` listing every attempt;
 * - a reply counts only if it comes back on the request's socket and identifier, from the
 *   server's address and port, and verifies (Response Authenticator, Message-Authenticator as the
 *   server's policy says); anything else is dropped and counted, and the request keeps waiting;
 * - bounded: requests in flight per client, sockets per server; no queue (the AAA layer's worker
 *   pool is where waiting belongs), so past a bound `send` rejects at once;
 * - withdrawable: an `AbortSignal` frees the identifier, stops the timer and sends nothing more.
 */
import { performance } from 'node:perf_hooks';
import { encodeRequest, PacketCode, type AttributesInput, type DecodedPacket } from '../codec/index.js';
import type { Attempt } from './attempts.js';
import { ClientSocket } from './client-socket.js';
import { DestinationSockets } from './destination-sockets.js';
import {
  RadiusAbortedError,
  RadiusClientError,
  RadiusClosedError,
  RadiusOverloadedError,
  RadiusSocketError,
  RadiusTimeoutError,
} from './errors.js';
import { IDENTIFIER_COUNT } from './identifier-space.js';
import { MessageAuthenticatorMemory } from './message-authenticator-policy.js';
import { PendingRequest, type RadiusResponse, type RequestSocket } from './pending-request.js';
import { verifyReply, type DropReason } from './reply-verifier.js';
import { resolveTarget, type RadiusTarget, type ResolvedTarget } from './target.js';
import { nodeSocketFactory, type DatagramSource, type SocketFactory } from './transport.js';

export interface RadiusClientOptions {
  /** Requests in flight at once, over every server; past it `send` rejects with `RadiusOverloadedError`. Default 4096. */
  readonly maxInFlight?: number;
  /** Source sockets per server (256 requests in flight each). Default 16. */
  readonly maxSocketsPerDestination?: number;
  /** Local address to bind sockets of its family to; others bind to the wildcard address. */
  readonly bindAddress?: string;
  /** A socket with nothing in flight closes after this long. Default 30 s. */
  readonly idleSocketMs?: number;
  /** SO_RCVBUF asked for each socket (the kernel caps it). Default 1 MiB. */
  readonly recvBufferSize?: number;
  /** Where sockets come from; node:dgram by default. */
  readonly socketFactory?: SocketFactory;
  /** Servers `auto` remembers as signing their replies. Default 4096. */
  readonly rememberedServers?: number;
}

export interface RadiusRequest {
  /** A request code: Access-Request, Accounting-Request, Status-Server, CoA-Request, Disconnect-Request. */
  readonly code: number;
  readonly attributes: AttributesInput;
  /**
   * Add a Message-Authenticator to an Accounting, CoA or Disconnect request too. Access-Request and
   * Status-Server always carry one, first (BlastRADIUS).
   */
  readonly messageAuthenticator?: boolean;
}

export interface RadiusSendOptions {
  /**
   * Withdraws the request when it fires: its identifier is freed, its retransmission timer cleared,
   * no further copy is sent, and `send` rejects with `RadiusAbortedError`. Already aborted: nothing is sent.
   */
  readonly signal?: AbortSignal;
}

export interface RadiusClientStats {
  /** Requests transmitted (first copies). */
  readonly sent: number;
  /** Further copies of them. */
  readonly retransmitted: number;
  /** Datagrams received: always `accepted` + the sum of `dropped`. */
  readonly received: number;
  /** Verified replies handed to a caller. */
  readonly accepted: number;
  /** Requests that failed after every attempt. */
  readonly timedOut: number;
  /** Requests withdrawn by their caller's signal after being sent. */
  readonly aborted: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
  readonly inFlight: number;
  readonly sockets: number;
}

export type ProbeResult =
  | { readonly alive: true; readonly rttMs: number; readonly response: DecodedPacket; readonly attempts: readonly Attempt[] }
  | { readonly alive: false; readonly error: Error; readonly attempts: readonly Attempt[] };

const DEFAULTS = {
  maxInFlight: 4096,
  maxSocketsPerDestination: 16,
  idleSocketMs: 30_000,
  recvBufferSize: 1 << 20,
  rememberedServers: 4096,
} as const;

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, not ${String(value)}`);
  return value;
}

function renumber(attempts: readonly Attempt[], offset: number): Attempt[] {
  return attempts.map((attempt) => Object.freeze({ ...attempt, attempt: attempt.attempt + offset }));
}

export class RadiusClient {
  readonly maxInFlight: number;
  readonly maxSocketsPerDestination: number;
  readonly #idleSocketMs: number;
  readonly #bindAddress: string | undefined;
  readonly #socketFactory: SocketFactory;
  readonly #memory: MessageAuthenticatorMemory;
  readonly #destinations = new Map<string, DestinationSockets>();
  #inFlight = 0;
  #closed = false;
  #counters = { sent: 0, retransmitted: 0, received: 0, accepted: 0, timedOut: 0, aborted: 0 };
  readonly #dropped: Record<DropReason, number> = { unmatched: 0, wrongSource: 0, malformed: 0, unauthentic: 0 };

  constructor(options: RadiusClientOptions = {}) {
    this.maxInFlight = positiveInteger(options.maxInFlight, DEFAULTS.maxInFlight, 'maxInFlight');
    this.maxSocketsPerDestination = positiveInteger(
      options.maxSocketsPerDestination,
      DEFAULTS.maxSocketsPerDestination,
      'maxSocketsPerDestination',
    );
    this.#idleSocketMs = positiveInteger(options.idleSocketMs, DEFAULTS.idleSocketMs, 'idleSocketMs');
    this.#bindAddress = options.bindAddress;
    this.#socketFactory =
      options.socketFactory ?? nodeSocketFactory(positiveInteger(options.recvBufferSize, DEFAULTS.recvBufferSize, 'recvBufferSize'));
    this.#memory = new MessageAuthenticatorMemory(
      positiveInteger(options.rememberedServers, DEFAULTS.rememberedServers, 'rememberedServers'),
    );
  }

  get stats(): RadiusClientStats {
    let sockets = 0;
    for (const destination of this.#destinations.values()) sockets += destination.size;
    return { ...this.#counters, dropped: { ...this.#dropped }, inFlight: this.#inFlight, sockets };
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Whether `auto` currently requires a Message-Authenticator from this server. */
  requiresMessageAuthenticator(target: RadiusTarget): boolean {
    const resolved = resolveTarget(target);
    return this.#memory.required(resolved.policy, resolved.serverKey, PacketCode.AccessRequest);
  }

  /**
   * Sends `request` and resolves with the first verified reply. Rejects with
   * `RadiusTimeoutError`, `RadiusOverloadedError` (at once, nothing sent), `RadiusClosedError`,
   * `RadiusSocketError`, `RadiusAbortedError` (the signal fired), a codec `RadiusEncodeError` for a
   * request that cannot be built, or a `TypeError`/`RangeError` for a malformed target. A reject
   * from the server is a reply, not an error.
   */
  send(target: RadiusTarget, request: RadiusRequest, options: RadiusSendOptions = {}): Promise<RadiusResponse> {
    try {
      return this.#start(resolveTarget(target), request, options.signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Status-Server (RFC 5997), signed with a Message-Authenticator: is the server alive, and how
   * far away. Never rejects. Each try is a new packet (new identifier and authenticator) rather
   * than a retransmission, as RFC 5997 asks for Status-Server; `target.retries` more tries follow
   * an unanswered one.
   */
  async probe(target: RadiusTarget, attributes: AttributesInput = {}, options: RadiusSendOptions = {}): Promise<ProbeResult> {
    const attempts: Attempt[] = [];
    let lastError: Error | undefined;
    for (let attempt = 0; attempt <= target.retries; attempt += 1) {
      try {
        const result = await this.send({ ...target, retries: 0 }, { code: PacketCode.StatusServer, attributes }, options);
        attempts.push(...renumber(result.attempts, attempts.length));
        return { alive: true, rttMs: result.rttMs, response: result.response, attempts: Object.freeze(attempts) };
      } catch (error) {
        lastError = error instanceof Error ? error : new Error(String(error));
        if (error instanceof RadiusClientError) attempts.push(...renumber(error.attempts, attempts.length));
        if (!(error instanceof RadiusTimeoutError)) break;
      }
    }
    const frozen = Object.freeze(attempts);
    if (lastError instanceof RadiusTimeoutError) {
      lastError = new RadiusTimeoutError(lastError.target, frozen, target.timeoutMs);
    }
    return { alive: false, error: lastError ?? new Error('probe not sent'), attempts: frozen };
  }

  /** Rejects every request in flight with `RadiusClosedError` and closes every socket. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const closing: Promise<void>[] = [];
    for (const destination of this.#destinations.values()) {
      for (const socket of [...destination.sockets]) {
        for (const pending of socket.identifiers.values()) {
          pending.attempts.closed();
          if (this.#settle(pending)) pending.reject(new RadiusClosedError(pending.target.label, pending.attempts.snapshot()));
        }
        closing.push(socket.close());
      }
    }
    this.#destinations.clear();
    await Promise.all(closing);
  }

  #start(target: ResolvedTarget, request: RadiusRequest, signal: AbortSignal | undefined): Promise<RadiusResponse> {
    if (this.#closed) return Promise.reject(new RadiusClosedError(target.label, []));
    if (signal?.aborted === true) return Promise.reject(new RadiusAbortedError(target.label, [], signal.reason));
    if (this.#inFlight >= this.maxInFlight) {
      return Promise.reject(
        new RadiusOverloadedError(
          target.label,
          `the RADIUS client already has ${this.#inFlight} requests in flight, its limit (maxInFlight ${this.maxInFlight}); nothing was sent to ${target.label}`,
          this.maxInFlight,
        ),
      );
    }
    const destination = this.#destination(target);
    const slot = destination.reserve();
    if (slot === undefined) {
      const limit = destination.maxSockets * IDENTIFIER_COUNT;
      return Promise.reject(
        new RadiusOverloadedError(
          target.label,
          `${limit} requests are in flight to ${target.label}, all ${IDENTIFIER_COUNT} identifiers of its ${destination.maxSockets} sockets (maxSocketsPerDestination); nothing was sent`,
          limit,
        ),
      );
    }
    const { socket, identifier } = slot;
    socket.busy();
    let packet: ReturnType<typeof encodeRequest>;
    try {
      packet = encodeRequest({
        code: request.code,
        identifier,
        attributes: request.attributes,
        secret: target.secret,
        dictionary: target.dictionary,
        ...(request.messageAuthenticator === undefined ? {} : { messageAuthenticator: request.messageAuthenticator }),
      });
    } catch (error) {
      socket.identifiers.release(identifier);
      this.#idleIfEmpty(destination, socket);
      return Promise.reject(error);
    }
    const encoded = packet;
    return new Promise<RadiusResponse>((resolve, reject) => {
      const pending = new PendingRequest(target, encoded, socket, resolve, reject);
      socket.identifiers.assign(identifier, pending);
      this.#inFlight += 1;
      this.#counters.sent += 1;
      if (signal !== undefined) pending.watch(signal, () => this.#aborted(pending, signal));
      this.#transmit(pending);
    });
  }

  #destination(target: ResolvedTarget): DestinationSockets {
    let destination = this.#destinations.get(target.destinationKey);
    if (destination === undefined) {
      const created: DestinationSockets = new DestinationSockets(this.maxSocketsPerDestination, () => this.#openSocket(target, created));
      destination = created;
      this.#destinations.set(target.destinationKey, destination);
    }
    return destination;
  }

  #openSocket(target: ResolvedTarget, destination: DestinationSockets): RequestSocket {
    const bindAddress =
      this.#bindAddress !== undefined && (this.#bindAddress.includes(':') ? 'udp6' : 'udp4') === target.family
        ? this.#bindAddress
        : undefined;
    return new ClientSocket<PendingRequest>(this.#socketFactory(target.family), bindAddress, {
      message: (socket, bytes, source) => this.#receive(socket, bytes, source),
      error: (socket, error) => this.#socketFailed(destination, target.destinationKey, socket, error),
    });
  }

  #transmit(pending: PendingRequest): void {
    const attempt = pending.attempts.begin();
    if (attempt > 1) this.#counters.retransmitted += 1;
    const { target } = pending;
    // The very bytes of the first copy: a server detects the duplicate by identifier and
    // authenticator, and a reply to any copy verifies against the one authenticator we hold.
    pending.socket.send(pending.packet.bytes, target.port, target.address, (error) => {
      if (error !== null) pending.attempts.sendFailed(attempt, error);
    });
    pending.wait(this.#timedOut);
  }

  readonly #timedOut = (pending: PendingRequest): void => {
    if (pending.settled) return;
    pending.attempts.timedOut();
    if (pending.attempts.count <= pending.target.retries) {
      this.#transmit(pending);
      return;
    }
    this.#counters.timedOut += 1;
    this.#settle(pending);
    pending.reject(new RadiusTimeoutError(pending.target.label, pending.attempts.snapshot(), pending.target.timeoutMs));
  };

  #aborted(pending: PendingRequest, signal: AbortSignal): void {
    if (pending.settled) return;
    pending.attempts.aborted();
    this.#settle(pending);
    this.#counters.aborted += 1;
    pending.reject(new RadiusAbortedError(pending.target.label, pending.attempts.snapshot(), signal.reason));
  }

  #receive(socket: RequestSocket, bytes: Buffer, source: DatagramSource): void {
    this.#counters.received += 1;
    const verdict = verifyReply(
      bytes,
      source,
      (identifier) => socket.identifiers.get(identifier),
      (pending) => this.#memory.required(pending.target.policy, pending.target.serverKey, pending.packet.code),
    );
    if (!verdict.accepted) {
      this.#dropped[verdict.reason] += 1;
      return;
    }
    const now = performance.now();
    const { pending, packet } = verdict;
    if (!this.#settle(pending)) return;
    this.#counters.accepted += 1;
    this.#memory.observe(pending.target.policy, pending.target.serverKey, pending.packet.code, packet.messageAuthenticator);
    const rttMs = pending.attempts.answered(now);
    pending.resolve({
      response: packet,
      rttMs,
      elapsedMs: Math.round((now - pending.attempts.firstStartedAt) * 1000) / 1000,
      attempts: pending.attempts.snapshot(),
      localPort: socket.localPort,
      identifier: pending.identifier,
    });
  }

  /** Frees what the request held; false if it had already settled. */
  #settle(pending: PendingRequest): boolean {
    if (!pending.finish()) return false;
    const { socket } = pending;
    socket.identifiers.release(pending.identifier, pending);
    this.#inFlight -= 1;
    const destination = this.#destinations.get(pending.target.destinationKey);
    if (destination !== undefined) this.#idleIfEmpty(destination, socket);
    return true;
  }

  #idleIfEmpty(destination: DestinationSockets, socket: RequestSocket): void {
    if (socket.identifiers.size > 0 || socket.closed || this.#closed) return;
    socket.idle(this.#idleSocketMs, () => {
      if (socket.identifiers.size > 0) return;
      destination.remove(socket);
      void socket.close();
      this.#forgetIfEmpty(destination);
    });
  }

  #forgetIfEmpty(destination: DestinationSockets): void {
    if (destination.size > 0) return;
    for (const [key, value] of this.#destinations) if (value === destination) this.#destinations.delete(key);
  }

  #socketFailed(destination: DestinationSockets, key: string, socket: RequestSocket, error: Error): void {
    destination.remove(socket);
    for (const pending of socket.identifiers.values()) {
      pending.attempts.closed();
      if (this.#settle(pending)) pending.reject(new RadiusSocketError(pending.target.label, pending.attempts.snapshot(), error));
    }
    if (destination.size === 0 && this.#destinations.get(key) === destination) this.#destinations.delete(key);
  }
}
