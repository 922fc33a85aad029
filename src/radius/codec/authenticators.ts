/**
 * The packet-level integrity checks: Request and Response Authenticators (RFC 2865 §3, RFC 2866
 * §3, RFC 5176 §2.3) and Message-Authenticator (RFC 3579 §3.2, RFC 5176 §3.5). Each is computed
 * over the packet as sent, with the Authenticator field and the Message-Authenticator's value
 * replaced as the RFCs say, laid out in one reusable buffer and hashed by md5.ts. Every comparison is
 * `crypto.timingSafeEqual` over bytes: never strings (the `radius` package's UTF-8 comparison
 * accepts forged authenticators) and never an early-exit loop.
 */
import { timingSafeEqual } from 'node:crypto';
import { AUTHENTICATOR_LENGTH, AUTHENTICATOR_OFFSET, HEADER_LENGTH } from './header.js';
import { hmacMd5, md5 } from './md5.js';

export const ZERO_AUTHENTICATOR: Buffer = Buffer.alloc(AUTHENTICATOR_LENGTH);
/** Message-Authenticator is attribute 80 (RFC 2869 §5.14), 16 octets of value. */
export const MESSAGE_AUTHENTICATOR_TYPE = 80;
export const MESSAGE_AUTHENTICATOR_LENGTH = 16;

/** Where the hashed form of a packet is laid out: never more than one is being hashed at a time. */
let scratch = new Uint8Array(4096 + 256);

/**
 * Copies `packet[0, length)` to the scratch buffer with the Authenticator field replaced by
 * `authenticator` and, when `maValueOffset` >= 0, the Message-Authenticator value zeroed, then
 * `suffix` after it; returns the scratch buffer (the caller hashes its first `length +
 * suffix.length` octets before anything else runs).
 */
function laidOut(
  packet: Uint8Array,
  length: number,
  authenticator: Uint8Array,
  maValueOffset: number,
  suffix: Uint8Array | undefined,
): Uint8Array {
  const total = length + (suffix === undefined ? 0 : suffix.length);
  if (scratch.length < total) scratch = new Uint8Array(2 * total);
  scratch[0] = packet[0] as number;
  scratch[1] = packet[1] as number;
  scratch[2] = packet[2] as number;
  scratch[3] = packet[3] as number;
  scratch.set(authenticator, AUTHENTICATOR_OFFSET);
  scratch.set(packet.subarray(HEADER_LENGTH, length), HEADER_LENGTH);
  if (maValueOffset >= 0) scratch.fill(0, maValueOffset, maValueOffset + MESSAGE_AUTHENTICATOR_LENGTH);
  if (suffix !== undefined) scratch.set(suffix, length);
  return scratch;
}

/**
 * MD5(Code + Identifier + Length + `authenticator` + Attributes + Secret): the Response
 * Authenticator when `authenticator` is the request's, the Accounting/CoA/Disconnect Request
 * Authenticator when it is 16 zeros. The attributes are taken as they are in `packet`,
 * Message-Authenticator included.
 */
export function packetDigest(packet: Uint8Array, length: number, authenticator: Uint8Array, secret: Uint8Array): Buffer {
  return md5(laidOut(packet, length, authenticator, -1, secret), length + secret.length);
}

/** HMAC-MD5 keyed by the secret over the packet, its Authenticator field as `authenticator`, the Message-Authenticator value zeroed. */
export function messageAuthenticator(
  packet: Uint8Array,
  length: number,
  authenticator: Uint8Array,
  maValueOffset: number,
  secret: Uint8Array,
): Buffer {
  return hmacMd5(secret, laidOut(packet, length, authenticator, maValueOffset, undefined), length);
}

/** Constant-time equality of two 16-octet fields; a length mismatch is simply false. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function authenticatorOf(packet: Uint8Array): Buffer {
  return Buffer.from(packet.subarray(AUTHENTICATOR_OFFSET, AUTHENTICATOR_OFFSET + AUTHENTICATOR_LENGTH));
}
