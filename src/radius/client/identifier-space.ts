/**
 * The 256 RADIUS identifiers of one socket. A reply is matched by (socket, identifier), so an
 * identifier stays taken until its request settles, and a socket can carry at most 256 requests
 * at once: past that the client opens another socket (FreeRADIUS, layeh/radius).
 *
 * Allocation walks on from the last identifier handed out instead of reusing the lowest free one,
 * so a late duplicate reply to a finished request is unlikely to meet a new request under the
 * same identifier (and if it does, it fails that request's authenticator check and is dropped).
 * The walk starts at a random identifier: ids alone must never be what keeps a forger out, but
 * there is no reason to make them predictable either.
 */
import { randomInt } from 'node:crypto';

export const IDENTIFIER_COUNT = 256;

/** Held by an identifier between `reserve` (the packet is still being encoded) and `assign`. */
const RESERVED: unique symbol = Symbol('reserved');

export class IdentifierSpace<T> {
  readonly #slots: (T | typeof RESERVED | undefined)[] = new Array<T | typeof RESERVED | undefined>(IDENTIFIER_COUNT).fill(undefined);
  #next: number;
  #used = 0;

  constructor(start: number = randomInt(IDENTIFIER_COUNT)) {
    this.#next = start & 0xff;
  }

  /** Identifiers taken (reserved or assigned). */
  get size(): number {
    return this.#used;
  }

  get full(): boolean {
    return this.#used === IDENTIFIER_COUNT;
  }

  /** Takes a free identifier, or `undefined` when all 256 are taken. */
  reserve(): number | undefined {
    if (this.full) return undefined;
    for (let step = 0; step < IDENTIFIER_COUNT; step += 1) {
      const identifier = (this.#next + step) & 0xff;
      if (this.#slots[identifier] === undefined) {
        this.#slots[identifier] = RESERVED;
        this.#next = (identifier + 1) & 0xff;
        this.#used += 1;
        return identifier;
      }
    }
    return undefined;
  }

  /** Attaches the request to an identifier `reserve` handed out. */
  assign(identifier: number, value: T): void {
    if (this.#slots[identifier] !== RESERVED) throw new Error(`identifier ${identifier} was not reserved`);
    this.#slots[identifier] = value;
  }

  /** The request holding that identifier; `undefined` when it is free or only reserved. */
  get(identifier: number): T | undefined {
    const slot = this.#slots[identifier];
    return slot === RESERVED ? undefined : slot;
  }

  /**
   * Frees an identifier. With `value`, only if that request still holds it, so a settled request
   * can never free an identifier that was handed on to another one.
   */
  release(identifier: number, value?: T): boolean {
    const slot = this.#slots[identifier];
    if (slot === undefined) return false;
    if (value !== undefined && slot !== value) return false;
    this.#slots[identifier] = undefined;
    this.#used -= 1;
    return true;
  }

  /** Every assigned request, for `close()`. */
  values(): T[] {
    const out: T[] = [];
    for (const slot of this.#slots) if (slot !== undefined && slot !== RESERVED) out.push(slot);
    return out;
  }
}
