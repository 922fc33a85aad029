/**
 * MD5 (RFC 1321) and HMAC-MD5 (RFC 2104) in JavaScript, for RADIUS's packet-sized inputs.
 *
 * Why not node:crypto: every `createHash`/`createHmac` builds an OpenSSL context (an EVP fetch and
 * an object on each side of the binding), which costs 2-3 µs against about 0.3 µs for hashing
 * one 64-octet block here; a RADIUS exchange hashes four to six short inputs (User-Password
 * hiding, two Message-Authenticators, the Response Authenticator), which made hashing the largest
 * cost of the client after the send itself. Tested against node:crypto on every length 0..300
 * and on random keys (test/radius-codec-md5.test.ts).
 *
 * Timing: the rounds index their tables by round number only and the data flows through
 * additions, rotations and bitwise operations, so the time depends on the input's length, never
 * its content. Comparisons of digests stay `crypto.timingSafeEqual` (authenticators.ts).
 */

const BLOCK = 64;

/** K[i] = floor(|sin(i + 1)| × 2^32), as RFC 1321 §3.4 defines it (exact in double precision). */
const K = Int32Array.from({ length: 64 }, (_, index) => Math.floor(Math.abs(Math.sin(index + 1)) * 0x100000000) | 0);
const SHIFTS = Uint8Array.from([
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11,
  16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
]);
/** Which message word round i reads. */
const WORD = Uint8Array.from({ length: 64 }, (_, index) =>
  index < 16 ? index : index < 32 ? (5 * index + 1) % 16 : index < 48 ? (3 * index + 5) % 16 : (7 * index) % 16,
);

const words = new Int32Array(16);
const state = new Int32Array(4);
/** The last one or two blocks: the message's tail, the 0x80 octet, zeros, the bit length. */
const tail = new Uint8Array(2 * BLOCK);

function compress(bytes: Uint8Array, offset: number): void {
  for (let index = 0; index < 16; index += 1) {
    const at = offset + 4 * index;
    words[index] =
      (bytes[at] as number) | ((bytes[at + 1] as number) << 8) | ((bytes[at + 2] as number) << 16) | ((bytes[at + 3] as number) << 24);
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  // Four loops rather than one with a branch per round: each keeps its own auxiliary function.
  let round = 0;
  for (; round < 16; round += 1) {
    const f = (((b & c) | (~b & d)) + a + (K[round] as number) + (words[WORD[round] as number] as number)) | 0;
    const shift = SHIFTS[round] as number;
    a = d;
    d = c;
    c = b;
    b = (b + ((f << shift) | (f >>> (32 - shift)))) | 0;
  }
  for (; round < 32; round += 1) {
    const f = (((d & b) | (~d & c)) + a + (K[round] as number) + (words[WORD[round] as number] as number)) | 0;
    const shift = SHIFTS[round] as number;
    a = d;
    d = c;
    c = b;
    b = (b + ((f << shift) | (f >>> (32 - shift)))) | 0;
  }
  for (; round < 48; round += 1) {
    const f = ((b ^ c ^ d) + a + (K[round] as number) + (words[WORD[round] as number] as number)) | 0;
    const shift = SHIFTS[round] as number;
    a = d;
    d = c;
    c = b;
    b = (b + ((f << shift) | (f >>> (32 - shift)))) | 0;
  }
  for (; round < 64; round += 1) {
    const f = ((c ^ (b | ~d)) + a + (K[round] as number) + (words[WORD[round] as number] as number)) | 0;
    const shift = SHIFTS[round] as number;
    a = d;
    d = c;
    c = b;
    b = (b + ((f << shift) | (f >>> (32 - shift)))) | 0;
  }
  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + b) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
}

/** MD5 of `prefix` (one 64-octet block, or none) followed by `data[0, length)`. */
function digest(prefix: Uint8Array | undefined, data: Uint8Array, length: number): Buffer {
  state[0] = 0x67452301;
  state[1] = 0xefcdab89 | 0;
  state[2] = 0x98badcfe | 0;
  state[3] = 0x10325476;
  if (prefix !== undefined) compress(prefix, 0);
  const whole = length - (length % BLOCK);
  for (let offset = 0; offset < whole; offset += BLOCK) compress(data, offset);
  const rest = length - whole;
  tail.fill(0);
  tail.set(data.subarray(whole, length));
  tail[rest] = 0x80;
  const end = rest < BLOCK - 8 ? BLOCK : 2 * BLOCK;
  // Bit length, little-endian, 64 bits (messages here are far below 2^29 octets).
  const bits = (length + (prefix === undefined ? 0 : BLOCK)) * 8;
  tail[end - 8] = bits & 0xff;
  tail[end - 7] = (bits >>> 8) & 0xff;
  tail[end - 6] = (bits >>> 16) & 0xff;
  tail[end - 5] = (bits >>> 24) & 0xff;
  tail[end - 4] = Math.floor(bits / 0x100000000) & 0xff;
  compress(tail, 0);
  if (end === 2 * BLOCK) compress(tail, BLOCK);
  const out = Buffer.allocUnsafe(16);
  for (let index = 0; index < 4; index += 1) out.writeInt32LE(state[index] as number, 4 * index);
  return out;
}

/** MD5 of `data[0, length)`. */
export function md5(data: Uint8Array, length: number = data.length): Buffer {
  return digest(undefined, data, length);
}

/** Octets of the second concatenation operand go here: `md5Of(a, b)` without allocating. */
let joined = new Uint8Array(256);

/** MD5(a + b), e.g. MD5(secret + vector) of User-Password hiding. */
export function md5Of(a: Uint8Array, b: Uint8Array): Buffer {
  const length = a.length + b.length;
  if (joined.length < length) joined = new Uint8Array(2 * length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return digest(undefined, joined, length);
}

const innerPad = new Uint8Array(BLOCK);
const outerPad = new Uint8Array(BLOCK);

/** HMAC-MD5 keyed by `key` over `data[0, length)`. */
export function hmacMd5(key: Uint8Array, data: Uint8Array, length: number = data.length): Buffer {
  const keyBytes = key.length > BLOCK ? md5(key) : key;
  for (let index = 0; index < BLOCK; index += 1) {
    const octet = index < keyBytes.length ? (keyBytes[index] as number) : 0;
    innerPad[index] = octet ^ 0x36;
    outerPad[index] = octet ^ 0x5c;
  }
  const inner = digest(innerPad, data, length);
  return digest(outerPad, inner, inner.length);
}
