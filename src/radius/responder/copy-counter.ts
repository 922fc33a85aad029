/**
 * Counts the copies of each request a responder has seen, keyed as a server detects duplicates
 * (source address and port, identifier, authenticator: RFC 5080 §2.2.2), so a test can have the
 * first N copies ignored and prove that retransmissions arrive. Bounded: the oldest keys are
 * forgotten first.
 */
import type { DatagramSource } from '../client/transport.js';

export class CopyCounter {
  readonly #counts = new Map<string, number>();

  constructor(readonly limit: number = 65_536) {}

  /** Records one more copy; returns how many have been seen, this one included. */
  count(source: DatagramSource, identifier: number, authenticator: Uint8Array): number {
    const key = `${source.address}|${source.port}|${identifier}|${Buffer.from(authenticator.buffer, authenticator.byteOffset, authenticator.byteLength).toString('hex')}`;
    const seen = (this.#counts.get(key) ?? 0) + 1;
    if (seen === 1 && this.#counts.size >= this.limit) {
      const oldest = this.#counts.keys().next();
      if (oldest.done !== true) this.#counts.delete(oldest.value);
    }
    this.#counts.set(key, seen);
    return seen;
  }
}
