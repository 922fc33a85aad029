/**
 * The packet-level integrity checks: Request and Response Authenticators (RFC 2865 §3, RFC 2866
 * §3, RFC 5176 §2.3) and Message-Authenticator (RFC 3579 §3.2, RFC 5176 §3.5). Each is computed
 * over the packet as sent, with the Authenticator field and the Message-Authenticator's value
 * replaced as the RFCs say, without copying the packet. Every comparison is
 * `crypto.timingSafeEqual` over bytes: never strings (the `radius` package's UTF-8 comparison
 * accepts forged authenticators) and never an early-exit loop.
 */
import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';
import { AUTHENTICATOR_LENGTH, AUTHENTICATOR_OFFSET, HEADER_LENGTH } from './header.js';

export const ZERO_AUTHENTICATOR: Buffer = Buffer.alloc(AUTHENTICATOR_LENGTH);
/** Message-Authenticator is attribute 80 (RFC 2869 §5.14), 16 octets of value. */
export const MESSAGE_AUTHENTICATOR_TYPE = 80;
export const MESSAGE_AUTHENTICATOR_LENGTH = 16;

/**
 * Feeds `packet[0, length)` to a hash with the Authenticator field replaced by `authenticator`
 * and, when `maValueOffset` >= 0, the Message-Authenticator value replaced by zeros.
 */
function feed(hash: Hash | Hmac, packet: Uint8Array, length: number, authenticator: Uint8Array, maValueOffset: number): void {
  hash.update(packet.subarray(0, AUTHENTICATOR_OFFSET));
  hash.update(authenticator);
  if (maValueOffset < 0) {
    hash.update(packet.subarray(HEADER_LENGTH, length));
    return;
  }
  hash.update(packet.subarray(HEADER_LENGTH, maValueOffset));
  hash.update(ZERO_AUTHENTICATOR);
  hash.update(packet.subarray(maValueOffset + MESSAGE_AUTHENTICATOR_LENGTH, length));
}

/**
 * MD5(Code + Identifier + Length + `authenticator` + Attributes + Secret): the Response
 * Authenticator when `authenticator` is the request's, the Accounting/CoA/Disconnect Request
 * Authenticator when it is 16 zeros. The attributes are taken as they are in `packet`,
 * Message-Authenticator included.
 */
export function packetDigest(packet: Uint8Array, length: number, authenticator: Uint8Array, secret: Uint8Array): Buffer {
  const hash = createHash('md5');
  feed(hash, packet, length, authenticator, -1);
  hash.update(secret);
  return hash.digest();
}

/** HMAC-MD5 keyed by the secret over the packet, its Authenticator field as `authenticator`, the Message-Authenticator value zeroed. */
export function messageAuthenticator(packet: Uint8Array, length: number, authenticator: Uint8Array, maValueOffset: number, secret: Uint8Array): Buffer {
  const hmac = createHmac('md5', secret);
  feed(hmac, packet, length, authenticator, maValueOffset);
  return hmac.digest();
}

/** Constant-time equality of two 16-octet fields; a length mismatch is simply false. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function authenticatorOf(packet: Uint8Array): Buffer {
  return Buffer.from(packet.subarray(AUTHENTICATOR_OFFSET, AUTHENTICATOR_OFFSET + AUTHENTICATOR_LENGTH));
}
