/**
 * Randomness for authenticators and salts, drawn from a pool filled by one `randomFillSync` for
 * many requests: a `randomBytes(16)` per packet costs microseconds (a call into OpenSSL's CSPRNG
 * each time), a slice of the pool tens of nanoseconds. The bytes are the same CSPRNG output.
 *
 * A spent pool is replaced, never refilled in place, so a slice handed out earlier keeps its bytes
 * for as long as its holder keeps it, and no two callers ever share bytes.
 */
import { randomFillSync } from 'node:crypto';
import type { RandomSource } from './types.js';

const POOL_SIZE = 4096;

let pool: Buffer = Buffer.alloc(0);
let offset = 0;

/** `size` fresh random octets, a view into the current pool (a fresh buffer when `size` is larger than a pool). */
export const pooledRandom: RandomSource = (size) => {
  if (size > POOL_SIZE / 4) return randomFillSync(Buffer.allocUnsafeSlow(size));
  if (offset + size > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafeSlow(POOL_SIZE));
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + size);
  offset += size;
  return bytes;
};
