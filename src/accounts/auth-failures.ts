interface Window {
  startedAt: number;
  /** Attempts counted in this window that have not turned out to be successes. */
  failures: number;
}

/** An attempt already counted against its client; only a success takes it back. */
export interface LoginAttempt {
  /** The key was right: this attempt stops counting. Failures of other attempts stay counted. */
  succeeded(): void;
  /** The key was wrong (it stays counted against the client; this only feeds `stats`). */
  failed(): void;
}

/** Since start, for metrics. */
export interface LoginStats {
  /** Logins refused for a wrong key (or an inactive account). */
  failures: number;
  /** Logins refused because their client was at its limit (429). */
  limited: number;
  /** Client addresses with a window open now. */
  clients: number;
}

/**
 * Counts failed API-key logins per client address in a fixed window. An attempt is counted when
 * it begins, before the key is looked up, and taken back only when it succeeds: a burst of
 * parallel guesses is held to the limit however fast it arrives, and a success with one's own
 * key cannot wipe out the failures of other guesses.
 *
 * Bounded: past `maxClients` tracked addresses the oldest entry is dropped, so a flood of
 * addresses cannot grow memory.
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, Window>();
  private failures = 0;
  private limited = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxClients = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the client may try again, or 0 when it is not limited. */
  retryAfter(client: string): number {
    const entry = this.current(client);
    if (!entry || entry.failures < this.limit) return 0;
    return Math.max(1, Math.ceil((this.windowMs - (this.now() - entry.startedAt)) / 1000));
  }

  /** `retryAfter`, counting a refusal when the client is limited: for the check that turns it away. */
  refusal(client: string): number {
    const wait = this.retryAfter(client);
    if (wait > 0) this.limited += 1;
    return wait;
  }

  stats(): LoginStats {
    return { failures: this.failures, limited: this.limited, clients: this.windows.size };
  }

  /**
   * Counts an attempt now, synchronously, so parallel requests see each other's counts; undefined
   * when the client is at its limit (nothing is counted then: it is refused without a look-up).
   */
  begin(client: string): LoginAttempt | undefined {
    const entry = this.current(client) ?? this.open(client);
    if (entry.failures >= this.limit) {
      this.limited += 1;
      return undefined;
    }
    entry.failures += 1;
    let settled = false;
    return {
      succeeded: () => {
        // Only the window this attempt was counted in; a window begun since owes it nothing.
        if (settled || this.windows.get(client) !== entry) return;
        settled = true;
        entry.failures = Math.max(0, entry.failures - 1);
      },
      failed: () => {
        if (settled) return;
        settled = true;
        this.failures += 1;
      },
    };
  }

  /** The client's window, if it has one that has not run out. */
  private current(client: string): Window | undefined {
    const entry = this.windows.get(client);
    if (!entry) return undefined;
    if (this.now() - entry.startedAt < this.windowMs) return entry;
    this.windows.delete(client);
    return undefined;
  }

  private open(client: string): Window {
    if (this.windows.size >= this.maxClients) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    const entry = { startedAt: this.now(), failures: 0 };
    this.windows.set(client, entry);
    return entry;
  }
}
