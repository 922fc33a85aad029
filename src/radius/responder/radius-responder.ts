/**
 * A small RADIUS server for tests, benchmarks and embedders: one UDP socket, a secret per NAS
 * address, one compiled dictionary, and a handler per request code.
 *
 *   const responder = await RadiusResponder.start({ dictionary, clients: { '127.0.0.1': 'secret' },
 *     handlers: { [PacketCode.AccessRequest]: () => ({ code: PacketCode.AccessAccept }) } });
 *   responder.port; // the bound port (port 0 asks for an ephemeral one)
 *
 * Every request is verified by the codec before a handler sees it (Request Authenticator of
 * Accounting/CoA/Disconnect, Message-Authenticator when present, when required, and always for
 * Status-Server); what fails is dropped and counted, as a server must. Replies carry the Response
 * Authenticator and, by default, a Message-Authenticator in replies to Access-Request and
 * Status-Server; `replyMessageAuthenticator` turns that off to play servers that omit it (Debian's
 * FreeRADIUS 3.2.1 in Access-Accept). Each copy of a request is handled afresh: this is not a
 * server with a duplicate cache, and tests rely on seeing every copy.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import type { CompiledDictionary } from '../dictionary/index.js';
import { decodeRequest, encodeResponse, PacketCode, RadiusDecodeError, type DecodedPacket } from '../codec/index.js';
import type { DatagramSource } from '../client/transport.js';
import { CopyCounter } from './copy-counter.js';
import { secretLookup, type NasSecret, type NasSecrets, type SecretLookup } from './nas-secrets.js';
import type {
  ReplyDatagram,
  ReplySocket,
  ResponderHandler,
  ResponderHooks,
  ResponderReply,
  ResponderRequest,
  ResponderStats,
} from './types.js';

export type ResponderHandlers = Readonly<Partial<Record<number, ResponderHandler>>>;

export interface RadiusResponderOptions {
  /** Default 127.0.0.1. */
  readonly address?: string;
  /** Default 0: an ephemeral port, read it from `port`. */
  readonly port?: number;
  readonly dictionary: CompiledDictionary;
  /** Secrets by NAS source address. */
  readonly clients: NasSecrets;
  /** By request code. Without one for Status-Server, it is answered with an empty Access-Accept. */
  readonly handlers: ResponderHandlers;
  /** Drop Access-Requests without a Message-Authenticator (FreeRADIUS's per-client `require_message_authenticator`). Default false. */
  readonly requireMessageAuthenticator?: boolean;
  /**
   * Whether replies carry a Message-Authenticator: a boolean for every reply, or a choice per
   * request and reply code. Default: the codec's (replies to Access-Request and Status-Server).
   */
  readonly replyMessageAuthenticator?: boolean | ((requestCode: number, replyCode: number) => boolean);
  /** Handlers running at once (including delayed replies); past it requests are dropped. Default 10,000. */
  readonly maxPending?: number;
  readonly recvBufferSize?: number;
  readonly hooks?: ResponderHooks;
}

async function bound(socket: dgram.Socket, port: number, address: string): Promise<void> {
  const listening = once(socket, 'listening');
  socket.bind(port, address);
  await listening;
}

interface Sleeper {
  readonly timer: NodeJS.Timeout;
  readonly wake: () => void;
}

const statusServerDefault: ResponderHandler = () => ({ code: PacketCode.AccessAccept });

export class RadiusResponder {
  /** Replace at any time: each request reads the hooks current when it arrives. */
  hooks: ResponderHooks;
  readonly address: string;
  readonly port: number;
  /** The port `replyFrom: 'alternate'` replies come from. */
  readonly alternatePort: number;
  readonly #listener: dgram.Socket;
  readonly #alternate: dgram.Socket;
  readonly #dictionary: CompiledDictionary;
  readonly #secrets: SecretLookup;
  readonly #handlers = new Map<number, ResponderHandler>();
  readonly #requireMessageAuthenticator: boolean;
  readonly #replyMessageAuthenticator: RadiusResponderOptions['replyMessageAuthenticator'];
  readonly #maxPending: number;
  readonly #copies = new CopyCounter();
  readonly #sleepers = new Set<Sleeper>();
  #pending = 0;
  #closed = false;
  #counters = { received: 0, answered: 0, silent: 0 };
  readonly #dropped = { unknownClient: 0, malformed: 0, unauthentic: 0, unhandled: 0, overloaded: 0, byHook: 0, failed: 0 };

  /** Binds and resolves once listening. */
  static async start(options: RadiusResponderOptions): Promise<RadiusResponder> {
    const recvBufferSize = options.recvBufferSize ?? 4 << 20;
    const address = options.address ?? '127.0.0.1';
    const type = address.includes(':') ? 'udp6' : 'udp4';
    const socket = dgram.createSocket({ type, recvBufferSize });
    // Same address, another port: what a multi-homed or misconfigured server (or a forger) looks
    // like. Bound up front so that a reply sent from it leaves in the order it was asked for.
    const alternate = dgram.createSocket({ type });
    try {
      await bound(socket, options.port ?? 0, address);
      await bound(alternate, 0, address);
    } catch (error) {
      socket.close();
      alternate.close();
      throw error;
    }
    return new RadiusResponder(socket, alternate, options);
  }

  private constructor(socket: dgram.Socket, alternate: dgram.Socket, options: RadiusResponderOptions) {
    this.#listener = socket;
    this.#alternate = alternate;
    this.alternatePort = alternate.address().port;
    const bound = socket.address();
    this.address = bound.address;
    this.port = bound.port;
    this.hooks = options.hooks ?? {};
    this.#dictionary = options.dictionary;
    this.#secrets = secretLookup(options.clients);
    for (const [code, handler] of Object.entries(options.handlers)) if (handler !== undefined) this.#handlers.set(Number(code), handler);
    this.#requireMessageAuthenticator = options.requireMessageAuthenticator ?? false;
    this.#replyMessageAuthenticator = options.replyMessageAuthenticator;
    this.#maxPending = options.maxPending ?? 10_000;
    socket.on('message', (bytes, source) => this.#receive(bytes, source));
    // A UDP server socket reports ICMP noise as errors on some platforms; a responder keeps serving.
    socket.on('error', () => {});
    alternate.on('error', () => {});
  }

  get stats(): ResponderStats {
    return { ...this.#counters, dropped: { ...this.#dropped } };
  }

  /** Sets (or, with undefined, removes) the handler of a request code. */
  handle(code: number, handler: ResponderHandler | undefined): void {
    if (handler === undefined) this.#handlers.delete(code);
    else this.#handlers.set(code, handler);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const sleeper of this.#sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.wake();
    }
    this.#sleepers.clear();
    await Promise.all([this.#listener, this.#alternate].map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
  }

  #receive(bytes: Buffer, source: DatagramSource): void {
    this.#counters.received += 1;
    const hooks = this.hooks;
    hooks.onDatagram?.(bytes, source);
    const secret = this.#secrets(source.address);
    if (secret === undefined) {
      this.#dropped.unknownClient += 1;
      return;
    }
    let packet: DecodedPacket;
    try {
      packet = decodeRequest(bytes, {
        secret,
        dictionary: this.#dictionary,
        requireMessageAuthenticator: this.#requireMessageAuthenticator,
      });
    } catch (error) {
      if (error instanceof RadiusDecodeError && error.authentication) this.#dropped.unauthentic += 1;
      else this.#dropped.malformed += 1;
      return;
    }
    const copy = this.#copies.count(source, packet.identifier, packet.authenticator);
    if (copy <= (hooks.dropFirstCopies ?? 0)) {
      this.#dropped.byHook += 1;
      return;
    }
    const handler = this.#handlers.get(packet.code) ?? (packet.code === PacketCode.StatusServer ? statusServerDefault : undefined);
    if (handler === undefined) {
      this.#dropped.unhandled += 1;
      return;
    }
    if (this.#pending >= this.#maxPending) {
      this.#dropped.overloaded += 1;
      return;
    }
    this.#pending += 1;
    void this.#answer(handler, hooks, { packet, bytes, source: { address: source.address, port: source.port }, copy }, secret).finally(
      () => {
        this.#pending -= 1;
      },
    );
  }

  async #answer(handler: ResponderHandler, hooks: ResponderHooks, request: ResponderRequest, secret: NasSecret): Promise<void> {
    let reply: ResponderReply | undefined;
    let bytes: Buffer;
    try {
      reply = await handler(request);
      if (reply === undefined) {
        this.#counters.silent += 1;
        return;
      }
      const delay = typeof hooks.delayMs === 'function' ? hooks.delayMs(request) : (hooks.delayMs ?? 0);
      if (delay > 0) await this.#sleep(delay);
      if (this.#closed) return;
      bytes = encodeResponse({
        code: reply.code,
        request: request.packet,
        attributes: reply.attributes ?? [],
        secret,
        dictionary: this.#dictionary,
        messageAuthenticator: reply.messageAuthenticator ?? this.#messageAuthenticatorFor(request.packet.code, reply.code),
      }).bytes;
    } catch {
      this.#dropped.failed += 1;
      return;
    }
    this.#counters.answered += 1;
    const datagrams = this.#plan(bytes, request, hooks);
    for (const datagram of datagrams)
      this.#socket(datagram.via ?? hooks.replyFrom ?? 'listener').send(datagram.bytes, request.source.port, request.source.address);
  }

  #messageAuthenticatorFor(requestCode: number, replyCode: number): boolean {
    const choice = this.#replyMessageAuthenticator;
    if (choice === undefined) return requestCode === PacketCode.AccessRequest || requestCode === PacketCode.StatusServer;
    return typeof choice === 'function' ? choice(requestCode, replyCode) : choice;
  }

  #plan(bytes: Buffer, request: ResponderRequest, hooks: ResponderHooks): readonly ReplyDatagram[] {
    if (hooks.onReply === undefined) return [{ bytes }];
    const rewritten = hooks.onReply(bytes, request);
    if (rewritten === null) return [];
    if (Buffer.isBuffer(rewritten)) return [{ bytes: rewritten }];
    return (rewritten as readonly (Buffer | ReplyDatagram)[]).map((item) => (Buffer.isBuffer(item) ? { bytes: item } : item));
  }

  #socket(via: ReplySocket): dgram.Socket {
    return via === 'alternate' ? this.#alternate : this.#listener;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper: Sleeper = {
        timer: setTimeout(() => {
          this.#sleepers.delete(sleeper);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.#sleepers.add(sleeper);
    });
  }
}
