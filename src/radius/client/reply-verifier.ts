/**
 * What the client does with one received datagram, as a pure function: find the request it
 * claims to answer, check it came from that request's server, and let the codec verify and
 * decode it. Anything short of a verified reply is a verdict with a reason, never an exception,
 * and never touches the pending request: a forged or garbled reply must not stop the genuine one
 * that may still be on its way.
 */
import { decodeResponse, RadiusDecodeError, readHeader, type DecodedPacket, type RequestIdentity } from '../codec/index.js';
import type { CompiledDictionary } from '../dictionary/index.js';
import { canonicalAddress } from './target.js';
import type { DatagramSource } from './transport.js';

/** The counters of `client.stats.dropped`. */
export type DropReason = 'unmatched' | 'wrongSource' | 'malformed' | 'unauthentic';

export interface AwaitedReply {
  readonly target: {
    readonly address: string;
    readonly port: number;
    readonly secret: string | Uint8Array;
    readonly dictionary: CompiledDictionary;
  };
  /** The request as sent: code, identifier and authenticator. */
  readonly packet: RequestIdentity;
}

export type ReplyVerdict<P extends AwaitedReply> =
  | { readonly accepted: true; readonly pending: P; readonly packet: DecodedPacket }
  | { readonly accepted: false; readonly reason: DropReason; readonly error?: Error };

/**
 * @param lookup the request holding an identifier on the socket the datagram arrived on
 * @param requireMessageAuthenticator whether that request's server must sign this reply
 */
export function verifyReply<P extends AwaitedReply>(
  bytes: Buffer,
  source: DatagramSource,
  lookup: (identifier: number) => P | undefined,
  requireMessageAuthenticator: (pending: P) => boolean,
): ReplyVerdict<P> {
  let identifier: number;
  try {
    // The header alone (no MD5 yet): garbage and strangers cost almost nothing.
    identifier = readHeader(bytes).identifier;
  } catch (error) {
    return { accepted: false, reason: 'malformed', error: error as Error };
  }
  const pending = lookup(identifier);
  if (pending === undefined) return { accepted: false, reason: 'unmatched' };
  const { target } = pending;
  // An unconnected socket hears anyone; only the server the request went to may answer it.
  if (source.port !== target.port || canonicalAddress(source.address) !== target.address) return { accepted: false, reason: 'wrongSource' };
  try {
    const packet = decodeResponse(bytes, {
      secret: target.secret,
      dictionary: target.dictionary,
      request: pending.packet,
      requireMessageAuthenticator: requireMessageAuthenticator(pending),
    });
    return { accepted: true, pending, packet };
  } catch (error) {
    if (error instanceof RadiusDecodeError) return { accepted: false, reason: error.authentication ? 'unauthentic' : 'malformed', error };
    // The codec promises nothing else; if it ever throws something else, one bad reply must still
    // not take the socket's listener down with it.
    return { accepted: false, reason: 'malformed', error: error instanceof Error ? error : new Error(String(error)) };
  }
}
