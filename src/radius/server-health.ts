/**
 * Dead-server tracking in the style of RFC 5997 §4 (and FreeRADIUS's home-server "zombie/dead"
 * states, simplified): a server is marked dead when a live request to it fails at the transport
 * level (no valid reply after every retransmission, or its socket broke); live traffic then skips
 * it, and a background loop sends it Status-Server until it answers, which revives it.
 *
 * The registry only holds dead servers (a server it does not know is alive), keyed by address,
 * port and a hash of the secret (never the secret: two tenants pointing at one address with
 * different secrets are different servers). It is bounded: past `maxServers` dead entries the
 * oldest is forgotten, i.e. treated as alive again, which is the safe side of the mistake.
 * Each entry keeps the target to probe (which does include the secret, in memory only, as every
 * request does); nothing here is ever serialized.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { RadiusClient, RadiusTarget } from './client/index.js';
import { canonicalAddress } from './client/target.js';

/** What identifies a server to the registry. */
export interface ServerIdentity {
  readonly address: string;
  readonly port: number;
  readonly secret: string | Uint8Array;
}

/** Sends one Status-Server (or anything else that proves the server alive); true when it answered. Must not reject. */
export type Prober = (target: RadiusTarget) => Promise<boolean>;

/** The timer the probe loop runs on; injectable so tests drive it by hand. */
export interface ProbeTimer {
  start(tick: () => void, intervalMs: number): { stop(): void };
}

export interface ServerHealthOptions {
  prober: Prober;
  /** How often dead servers are probed. Default 5000 ms. */
  probeIntervalMs?: number;
  /** Dead servers remembered at most; the oldest is forgotten beyond. Default 1024. */
  maxServers?: number;
  /** Milliseconds, for `deadSince`/`lastProbeAt`. Default `Date.now`. */
  now?: () => number;
  timer?: ProbeTimer;
  /** Checked on every tick: true stops the loop for good (e.g. the client was closed). */
  stopped?: () => boolean;
  /** Told of every change of state (for logs and metrics); must not throw. */
  onChange?: (change: ServerStateChange) => void;
}

export interface ServerStateChange {
  /** `address:port` (no secret). */
  readonly server: string;
  readonly state: 'dead' | 'alive';
  /** What revived it: a live answer or a Status-Server answer; `request` for every `dead`. */
  readonly via: 'request' | 'probe';
  /** For `alive`: how long it was dead, in ms. */
  readonly deadForMs?: number;
}

export interface DeadServer {
  readonly key: string;
  /** `address:port`, for logs and reports (no secret). */
  readonly label: string;
  readonly deadSince: number;
  /** When the last probe settled without an answer; null before the first. */
  readonly lastProbeAt: number | null;
  readonly failedProbes: number;
}

interface Entry {
  key: string;
  label: string;
  deadSince: number;
  lastProbeAt: number | null;
  failedProbes: number;
  probing: boolean;
  target: RadiusTarget;
}

export const DEFAULT_PROBE_INTERVAL_MS = 5000;
export const DEFAULT_MAX_DEAD_SERVERS = 1024;

/** setInterval, unref'd so the loop never keeps a process alive. */
export const nodeProbeTimer: ProbeTimer = {
  start(tick, intervalMs) {
    const handle = setInterval(tick, intervalMs);
    handle.unref();
    return { stop: () => clearInterval(handle) };
  },
};

/** A prober on a client's `probe` (Status-Server, RFC 5997). */
export function statusServerProber(client: RadiusClient): Prober {
  return async (target) => {
    if (client.closed) return false;
    return (await client.probe(target)).alive;
  };
}

function label(server: ServerIdentity): string {
  const address = isIP(server.address) === 0 ? server.address.toLowerCase() : canonicalAddress(server.address);
  return isIP(address) === 6 ? `[${address}]:${server.port}` : `${address}:${server.port}`;
}

/** address:port/sha256(secret) prefix: the registry key. */
export function serverKey(server: ServerIdentity): string {
  return `${label(server)}/${createHash('sha256').update(server.secret).digest('hex').slice(0, 32)}`;
}

export class ServerHealth {
  readonly probeIntervalMs: number;
  readonly maxServers: number;
  readonly #prober: Prober;
  readonly #now: () => number;
  readonly #timer: ProbeTimer;
  readonly #stopped: () => boolean;
  readonly #onChange: (change: ServerStateChange) => void;
  readonly #dead = new Map<string, Entry>();
  #loop: { stop(): void } | undefined;
  #closed = false;
  #revived = 0;
  #markedDead = 0;

  constructor(options: ServerHealthOptions) {
    this.probeIntervalMs = options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
    this.maxServers = options.maxServers ?? DEFAULT_MAX_DEAD_SERVERS;
    if (!Number.isInteger(this.probeIntervalMs) || this.probeIntervalMs < 1)
      throw new RangeError(`probeIntervalMs must be a whole number ≥ 1, not ${String(this.probeIntervalMs)}`);
    if (!Number.isInteger(this.maxServers) || this.maxServers < 1)
      throw new RangeError(`maxServers must be a whole number ≥ 1, not ${String(this.maxServers)}`);
    this.#prober = options.prober;
    this.#now = options.now ?? Date.now;
    this.#timer = options.timer ?? nodeProbeTimer;
    this.#stopped = options.stopped ?? (() => false);
    this.#onChange = options.onChange ?? (() => {});
  }

  isDead(server: ServerIdentity): boolean {
    // The common case costs no hashing: nothing is dead.
    return this.#dead.size > 0 && this.#dead.has(serverKey(server));
  }

  /** A live request failed at the transport level; `probe` is what the loop will send Status-Server to. */
  markDead(server: ServerIdentity, probe: RadiusTarget): void {
    if (this.#closed) return;
    const key = serverKey(server);
    if (this.#dead.has(key)) return;
    while (this.#dead.size >= this.maxServers) {
      const oldest = this.#dead.keys().next().value;
      if (oldest === undefined) break;
      this.#dead.delete(oldest);
    }
    this.#dead.set(key, {
      key,
      label: label(server),
      deadSince: this.#now(),
      lastProbeAt: null,
      failedProbes: 0,
      probing: false,
      target: probe,
    });
    this.#markedDead += 1;
    this.#ensureLoop();
    this.#notify({ server: label(server), state: 'dead', via: 'request' });
  }

  /** The server answered (a live request or a probe). */
  markAlive(server: ServerIdentity): void {
    if (this.#dead.size === 0) return;
    const entry = this.#dead.get(serverKey(server));
    if (entry !== undefined) this.#revive(entry, 'request');
  }

  get dead(): DeadServer[] {
    return [...this.#dead.values()].map(({ key, label: name, deadSince, lastProbeAt, failedProbes }) => ({
      key,
      label: name,
      deadSince,
      lastProbeAt,
      failedProbes,
    }));
  }

  get stats(): { dead: number; markedDead: number; revived: number; looping: boolean } {
    return { dead: this.#dead.size, markedDead: this.#markedDead, revived: this.#revived, looping: this.#loop !== undefined };
  }

  /**
   * One round of the loop: a Status-Server to every dead server not already being probed (so a
   * server is probed about once per interval, and a slow probe never stacks). Resolves when they
   * all settled.
   */
  async probeDue(): Promise<void> {
    const due = [...this.#dead.values()].filter((entry) => !entry.probing);
    await Promise.all(due.map((entry) => this.#probe(entry)));
  }

  /** Stops the loop and forgets every server. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#stopLoop();
    this.#dead.clear();
  }

  async #probe(entry: Entry): Promise<void> {
    entry.probing = true;
    let alive = false;
    try {
      alive = await this.#prober(entry.target);
    } catch {
      alive = false;
    } finally {
      entry.probing = false;
    }
    // Revived (or forgotten) meanwhile by a live answer: nothing to do.
    if (this.#dead.get(entry.key) !== entry) return;
    if (alive) {
      this.#revive(entry, 'probe');
    } else {
      entry.failedProbes += 1;
      entry.lastProbeAt = this.#now();
    }
  }

  #revive(entry: Entry, via: 'request' | 'probe'): void {
    this.#dead.delete(entry.key);
    this.#revived += 1;
    if (this.#dead.size === 0) this.#stopLoop();
    this.#notify({ server: entry.label, state: 'alive', via, deadForMs: this.#now() - entry.deadSince });
  }

  #notify(change: ServerStateChange): void {
    try {
      this.#onChange(change);
    } catch {
      // A listener's failure is not the registry's.
    }
  }

  #ensureLoop(): void {
    if (this.#loop !== undefined || this.#closed) return;
    this.#loop = this.#timer.start(() => this.#tick(), this.probeIntervalMs);
  }

  #stopLoop(): void {
    this.#loop?.stop();
    this.#loop = undefined;
  }

  #tick(): void {
    if (this.#stopped()) {
      this.close();
      return;
    }
    void this.probeDue();
  }
}
