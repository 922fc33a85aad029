/** The shapes a responder's embedder deals with: what a handler receives and returns, and the test hooks. */
import type { AttributesInput, DecodedPacket } from '../codec/index.js';
import type { DatagramSource } from '../client/transport.js';

export interface ResponderRequest {
  /** The verified, decoded request. */
  readonly packet: DecodedPacket;
  /** The datagram as received. */
  readonly bytes: Buffer;
  readonly source: DatagramSource;
  /** 1 for the first copy of this request (source, identifier, authenticator), 2 for the first retransmission, ... */
  readonly copy: number;
}

export interface ResponderReply {
  /** A code that answers the request's (the codec refuses others). */
  readonly code: number;
  readonly attributes?: AttributesInput;
  /** Overrides the responder's `replyMessageAuthenticator` for this reply. */
  readonly messageAuthenticator?: boolean;
}

/** Returns the reply, or nothing to stay silent (as a server does with a request it will not answer). */
export type ResponderHandler = (request: ResponderRequest) => ResponderReply | undefined | Promise<ResponderReply | undefined>;

/** Which of the responder's sockets a datagram leaves from. `alternate` is a second socket on the same address, another port. */
export type ReplySocket = 'listener' | 'alternate';

export interface ReplyDatagram {
  readonly bytes: Buffer;
  readonly via?: ReplySocket;
}

/**
 * Ways to misbehave on purpose, so client tests can prove what a client does with loss, delay,
 * forgery and strangers. All optional; a responder without hooks is a plain server.
 */
export interface ResponderHooks {
  /** Sees every datagram as it arrives, before any check (record what the client sent). */
  readonly onDatagram?: (bytes: Buffer, source: DatagramSource) => void;
  /** Ignore the first N copies of each request (counted per source, identifier and authenticator). */
  readonly dropFirstCopies?: number;
  /** Wait this long before replying. */
  readonly delayMs?: number | ((request: ResponderRequest) => number);
  /** Reply from the listening socket (default) or from another port. */
  readonly replyFrom?: ReplySocket;
  /**
   * Rewrites the encoded reply: return other bytes, several datagrams (sent in order, e.g. a forged
   * copy then the genuine one), or null to send nothing.
   */
  readonly onReply?: (reply: Buffer, request: ResponderRequest) => Buffer | readonly (Buffer | ReplyDatagram)[] | null;
}

export interface ResponderStats {
  /** Datagrams received. */
  readonly received: number;
  /** Replies encoded and handed to a socket (one per answered copy, whatever `onReply` made of it). */
  readonly answered: number;
  /** Handlers that chose not to answer. */
  readonly silent: number;
  readonly dropped: {
    /** From an address without a secret. */
    readonly unknownClient: number;
    readonly malformed: number;
    /** Request Authenticator or Message-Authenticator did not verify, or a required one was missing. */
    readonly unauthentic: number;
    /** No handler for the code. */
    readonly unhandled: number;
    /** `maxPending` handlers were already running. */
    readonly overloaded: number;
    /** Ignored by `dropFirstCopies`. */
    readonly byHook: number;
    /** The handler threw, or its reply could not be encoded. */
    readonly failed: number;
  };
}
