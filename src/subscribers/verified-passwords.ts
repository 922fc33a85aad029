import crypto from 'node:crypto';
import { LruCache } from './lru-cache.js';
import { verifyPassword } from './password-hash.js';

/**
 * scrypt costs ~40 ms of a core per check, which would cap PAP at a few dozen requests per second
 * per core. A NAS re-authenticates the same subscribers over and over, so a successful check is
 * remembered: keyed by the subscriber document and its revision (a new password is a new
 * revision), holding a SHA-256 of the password keyed by a secret that lives only in this
 * process's memory (nothing stored or logged, and useless for guessing offline without that
 * secret). Failures are never remembered, so every wrong guess pays the full scrypt.
 */
export class VerifiedPasswords {
  private readonly key = crypto.randomBytes(32);
  private readonly verified: LruCache<Buffer>;

  constructor(entries = 50_000, ttlMs = 10 * 60_000) {
    this.verified = new LruCache(entries, ttlMs);
  }

  /**
   * SHA-256 of the process's random key and the password: a keyed digest compared only with one
   * made the same way in this process (one-shot, on every PAP request; an HMAC object costs 3×).
   */
  private digest(password: string): Buffer {
    return crypto.hash('sha256', Buffer.concat([this.key, Buffer.from(password.normalize('NFC'), 'utf8')]), 'buffer');
  }

  async verify(docId: string, rev: string | undefined, password: string, hash: string): Promise<boolean> {
    const slot = `${docId}\u0000${rev ?? ''}`;
    const remembered = this.verified.get(slot);
    const digest = this.digest(password);
    if (remembered && crypto.timingSafeEqual(remembered, digest)) return true;
    const ok = await verifyPassword(password, hash);
    if (ok) this.verified.set(slot, digest);
    return ok;
  }
}
