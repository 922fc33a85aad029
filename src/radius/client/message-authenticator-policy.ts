/**
 * FreeRADIUS's `require_message_authenticator` for home servers, on the client side. Only replies
 * to Access-Request are concerned: that is where BlastRADIUS (CVE-2024-3596) forges, and where a
 * server's habit is stable. Replies to Status-Server are not learnt from, because RFC 5997 servers
 * sign those even when, like Debian's FreeRADIUS 3.2.1, they sign no Access-Accept: learning from
 * a probe would make `auto` drop every real answer of such a server. Accounting and CoA replies
 * rarely carry one and are never required to.
 */
import { PacketCode } from '../codec/index.js';
import type { MessageAuthenticatorPolicy } from './target.js';

export class MessageAuthenticatorMemory {
  /** Servers seen to sign their replies; insertion order doubles as eviction order. */
  readonly #signing = new Set<string>();

  /**
   * @param limit servers remembered at most. Past it the oldest is forgotten and `auto` goes back
   * to accepting unsigned replies from it until it signs one again: a bounded memory cannot do
   * better, and a deployment that needs the guarantee says `always`.
   */
  constructor(readonly limit: number = 4096) {}

  get size(): number {
    return this.#signing.size;
  }

  /** Whether a reply to a `requestCode` from this server must carry a Message-Authenticator. */
  required(policy: MessageAuthenticatorPolicy, serverKey: string, requestCode: number): boolean {
    switch (policy) {
      case 'never':
        return false;
      case 'always':
        // RFC 5997 §3 has Status-Server replies signed as well; nothing else is ever required.
        return requestCode === PacketCode.AccessRequest || requestCode === PacketCode.StatusServer;
      case 'auto':
        return requestCode === PacketCode.AccessRequest && this.#signing.has(serverKey);
    }
  }

  /** Learns from a verified reply to a `requestCode`. */
  observe(policy: MessageAuthenticatorPolicy, serverKey: string, requestCode: number, messageAuthenticator: 'valid' | 'absent'): void {
    if (policy !== 'auto' || requestCode !== PacketCode.AccessRequest || messageAuthenticator !== 'valid') return;
    if (this.#signing.has(serverKey)) return;
    if (this.#signing.size >= this.limit) {
      const oldest = this.#signing.values().next();
      if (oldest.done !== true) this.#signing.delete(oldest.value);
    }
    this.#signing.add(serverKey);
  }

  /** Whether `auto` currently requires a signature from this server (for operators and tests). */
  remembers(serverKey: string): boolean {
    return this.#signing.has(serverKey);
  }
}
