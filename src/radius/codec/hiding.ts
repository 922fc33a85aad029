/**
 * The three ways RADIUS hides an attribute value with the shared secret (FreeRADIUS `encrypt=N`).
 * Each takes the "vector" it is keyed with: the Request Authenticator of the Access-Request (for
 * the request itself and for its replies), or 16 zero octets in Accounting, CoA and Disconnect
 * requests, whose authenticator is computed over the already hidden attributes (FreeRADIUS does
 * the same; see `hidingVector` in packet.ts).
 */
import { md5Of as md5 } from './md5.js';

const BLOCK = 16;

/** RFC 2865 §5.2: at most 128 octets of password. */
export const MAX_USER_PASSWORD = 128;

/**
 * encrypt=1, User-Password (RFC 2865 §5.2): pad with zeros to a multiple of 16 (at least 16),
 * c1 = p1 XOR MD5(S + RA), ci = pi XOR MD5(S + c(i-1)).
 */
export function hideUserPassword(plain: Uint8Array, secret: Uint8Array, vector: Uint8Array): Buffer {
  const length = Math.max(BLOCK, Math.ceil(plain.length / BLOCK) * BLOCK);
  const out = Buffer.alloc(length);
  out.set(plain);
  let previous: Uint8Array = vector;
  for (let block = 0; block < length; block += BLOCK) {
    const key = md5(secret, previous);
    for (let index = 0; index < BLOCK; index += 1) out[block + index] = (out[block + index] as number) ^ (key[index] as number);
    previous = out.subarray(block, block + BLOCK);
  }
  return out;
}

/** The padded plaintext, or undefined when the octets cannot be a hidden password (length not 16..128 in steps of 16). */
export function revealUserPassword(hidden: Uint8Array, secret: Uint8Array, vector: Uint8Array): Buffer | undefined {
  if (hidden.length < BLOCK || hidden.length > MAX_USER_PASSWORD || hidden.length % BLOCK !== 0) return undefined;
  const out = Buffer.allocUnsafe(hidden.length);
  let previous: Uint8Array = vector;
  for (let block = 0; block < hidden.length; block += BLOCK) {
    const key = md5(secret, previous);
    for (let index = 0; index < BLOCK; index += 1) out[block + index] = (hidden[block + index] as number) ^ (key[index] as number);
    previous = hidden.subarray(block, block + BLOCK);
  }
  return out;
}

/**
 * encrypt=2, Tunnel-Password (RFC 2868 §3.5) and the MS-MPPE keys (RFC 2548 §2.4.2): a 2-octet salt
 * whose high bit is set, then the hidden string: a length octet, the password, zero padding to a
 * multiple of 16; b1 = MD5(S + R + A), c1 = p1 XOR b1, bi = MD5(S + c(i-1)). Returns salt + cipher.
 */
export function hideTunnelPassword(plain: Uint8Array, secret: Uint8Array, vector: Uint8Array, salt: Uint8Array): Buffer {
  const length = Math.ceil((plain.length + 1) / BLOCK) * BLOCK;
  const out = Buffer.alloc(2 + length);
  out[0] = (salt[0] as number) | 0x80;
  out[1] = salt[1] as number;
  out[2] = plain.length;
  out.set(plain, 3);
  let previous: Uint8Array = Buffer.concat([vector, out.subarray(0, 2)]);
  for (let block = 2; block < out.length; block += BLOCK) {
    const key = md5(secret, previous);
    for (let index = 0; index < BLOCK; index += 1) out[block + index] = (out[block + index] as number) ^ (key[index] as number);
    previous = out.subarray(block, block + BLOCK);
  }
  return out;
}

/** The password, or undefined when the octets are not salt + a whole number of blocks whose length octet fits. */
export function revealTunnelPassword(hidden: Uint8Array, secret: Uint8Array, vector: Uint8Array): Buffer | undefined {
  const cipherLength = hidden.length - 2;
  if (cipherLength < BLOCK || cipherLength % BLOCK !== 0) return undefined;
  const plain = Buffer.allocUnsafe(cipherLength);
  let previous: Uint8Array = Buffer.concat([vector, hidden.subarray(0, 2)]);
  for (let block = 0; block < cipherLength; block += BLOCK) {
    const key = md5(secret, previous);
    for (let index = 0; index < BLOCK; index += 1) plain[block + index] = (hidden[2 + block + index] as number) ^ (key[index] as number);
    previous = hidden.subarray(2 + block, 2 + block + BLOCK);
  }
  const dataLength = plain[0] as number;
  if (dataLength > cipherLength - 1) return undefined;
  return plain.subarray(1, 1 + dataLength);
}

/** A Tunnel-Password's plaintext may be this long at most: salt + blocks must fit 253 octets with the tag. */
export function tunnelPasswordLength(plainLength: number): number {
  return 2 + Math.ceil((plainLength + 1) / BLOCK) * BLOCK;
}

export const ASCEND_SECRET_LENGTH = 16;

/**
 * encrypt=3, Ascend-Send-Secret / Ascend-Receive-Secret: the value, zero padded to 16 octets,
 * XOR MD5(vector + secret). The order of vector and secret is Ascend's, not RFC 2865's.
 */
export function hideAscendSecret(plain: Uint8Array, secret: Uint8Array, vector: Uint8Array): Buffer {
  const key = md5(vector, secret);
  const out = Buffer.alloc(ASCEND_SECRET_LENGTH);
  for (let index = 0; index < ASCEND_SECRET_LENGTH; index += 1) out[index] = (plain[index] ?? 0) ^ (key[index] as number);
  return out;
}

/**
 * The secret up to its first zero octet; undefined unless exactly 16 octets arrived and only zeros
 * follow that first zero (anything else is a wrong secret, or padding that would not survive).
 */
export function revealAscendSecret(hidden: Uint8Array, secret: Uint8Array, vector: Uint8Array): Buffer | undefined {
  if (hidden.length !== ASCEND_SECRET_LENGTH) return undefined;
  const key = md5(vector, secret);
  const out = Buffer.alloc(ASCEND_SECRET_LENGTH);
  for (let index = 0; index < ASCEND_SECRET_LENGTH; index += 1) out[index] = (hidden[index] as number) ^ (key[index] as number);
  const end = out.indexOf(0);
  if (end < 0) return out;
  for (let index = end; index < ASCEND_SECRET_LENGTH; index += 1) if (out[index] !== 0) return undefined;
  return out.subarray(0, end);
}
