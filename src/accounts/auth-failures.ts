/**
 * Counts failed API-key logins per client address in a fixed window. Bounded: past `maxClients`
 * tracked addresses the oldest entry is dropped, so a flood of addresses cannot grow memory.
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, { startedAt: number; failures: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxClients = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the client may try again, or 0 when it is not limited. */
  retryAfter(client: string): number {
    const entry = this.windows.get(client);
    if (!entry) return 0;
    const elapsed = this.now() - entry.startedAt;
    if (elapsed >= this.windowMs) {
      this.windows.delete(client);
      return 0;
    }
    return entry.failures >= this.limit ? Math.ceil((this.windowMs - elapsed) / 1000) : 0;
  }

  recordFailure(client: string): void {
    const now = this.now();
    const entry = this.windows.get(client);
    if (entry && now - entry.startedAt < this.windowMs) {
      entry.failures += 1;
      return;
    }
    this.windows.delete(client);
    if (this.windows.size >= this.maxClients) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    this.windows.set(client, { startedAt: now, failures: 1 });
  }

  recordSuccess(client: string): void {
    this.windows.delete(client);
  }
}
