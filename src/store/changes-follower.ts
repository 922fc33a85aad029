import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.js';
import type { ConflictResolver } from './conflict-resolver.js';
import type { Change, Database, StoredDoc } from './database.js';

/**
 * What a follower hands each change to, in feed order: a mirror (`DocumentMirror.applyChange`)
 * or a cache that only forgets what changed.
 */
export interface ChangeSink<T> {
  applyChange(change: Change<T>): void;
}

export interface FollowerOptions {
  /**
   * How long one long poll asks the store to wait for a change (its `timeout`). Stores that keep
   * the poll open with heartbeats instead are fine too: silence, not length, means a lost feed.
   */
  waitMs?: number;
  maxBackoffMs?: number;
  /**
   * How long a conflict seen in the feed is left to the writers that made it (they settle their
   * own races within a round trip) before this replica resolves it.
   */
  resolveAfterMs?: number;
  /**
   * Whether the feed carries the documents (the default) or only the ids of what changed, for a
   * sink that only forgets. Without documents no conflict is seen, so none is resolved.
   */
  includeDocs?: boolean;
  /**
   * The most changes one answer may carry (default 1,000): a feed that fell far behind (a bulk
   * import of a million subscribers, a long outage) catches up in bounded batches rather than in
   * one answer holding them all.
   */
  batchLimit?: number;
}

/**
 * Keeps a mirror (or another sink) in step with a database's `_changes` feed. It never gives up:
 * when the store goes away it backs off and resumes from the last sequence it applied, so nothing
 * is missed.
 */
export class ChangesFollower<T extends StoredDoc> {
  private running = false;
  private abort = new AbortController();
  private since: string | number = 'now';
  private loop: Promise<void> | undefined;
  private readonly pendingConflicts = new Map<string, NodeJS.Timeout>();
  private resolving: Promise<void> = Promise.resolve();
  /** The last exchange with the feed succeeded and the one open now has not gone silent. */
  connected = false;
  /** The last answer was a full batch: more changes are waiting, and the sink lags behind them. */
  private behind = true;
  /** Time of the last answer or heartbeat from the feed (ms since epoch). */
  lastContact = 0;
  /** Since when the feed has been failing (ms since epoch); undefined while it answers. */
  lostSince: number | undefined;
  /** Time the last change was applied, or following began (ms since epoch): for metrics. */
  lastChangeAt = 0;

  constructor(
    private readonly db: Database<T>,
    private readonly sink: ChangeSink<T>,
    private readonly logger: Logger,
    private readonly options: FollowerOptions = {},
    private readonly resolver?: ConflictResolver<T>,
  ) {}

  start(since: string | number): void {
    if (this.running) return;
    this.running = true;
    this.since = since;
    this.lastChangeAt = Date.now();
    this.abort = new AbortController();
    this.loop = this.run();
  }

  /**
   * Connected and caught up: the sink has seen every change up to the last answer, which was not
   * a full batch. What a cache that trusts the feed to forget changed entries must check.
   */
  get current(): boolean {
    return this.connected && !this.behind;
  }

  /** The sequence the feed has been read up to (`now` before the first answer). */
  get lastSequence(): string | number {
    return this.since;
  }

  async stop(): Promise<void> {
    this.running = false;
    // Nothing reaches the sink any more: whoever trusts it for being followed must stop now.
    this.connected = false;
    this.abort.abort();
    for (const timer of this.pendingConflicts.values()) clearTimeout(timer);
    this.pendingConflicts.clear();
    await this.loop;
    await this.resolving;
  }

  private async run(): Promise<void> {
    const waitMs = this.options.waitMs ?? 10_000;
    const maxBackoffMs = this.options.maxBackoffMs ?? 5_000;
    const feed = { includeDocs: this.options.includeDocs ?? true, limit: this.options.batchLimit ?? 1_000 };
    let failures = 0;
    const heard = () => {
      this.lastContact = Date.now();
    };
    while (this.running) {
      try {
        // Only a current feed waits for the next change: the first request, the first after a
        // failure and the one after a full batch are answered at once, so the feed is known to be
        // up (or back, or caught up) without waiting for a change.
        const batch = await this.db.changesSince(this.since, waitMs, this.abort.signal, this.current, heard, feed);
        for (const change of batch.changes) this.sink.applyChange(change);
        for (const change of batch.changes) if (change.unsettled) this.settleLater(change.id);
        this.since = batch.lastSeq;
        this.behind = batch.changes.length >= feed.limit;
        this.lastContact = Date.now();
        if (batch.changes.length > 0) this.lastChangeAt = this.lastContact;
        if (!this.connected && failures > 0) this.logger.info({ db: this.db.name }, 'changes feed resumed');
        this.connected = true;
        this.lostSince = undefined;
        failures = 0;
      } catch (error) {
        if (!this.running) return;
        failures += 1;
        if (this.connected || failures === 1) {
          this.logger.warn({ db: this.db.name, err: (error as Error).message }, 'changes feed lost; retrying');
        }
        this.connected = false;
        this.lostSince ??= Date.now();
        await sleep(Math.min(maxBackoffMs, 100 * 2 ** Math.min(failures, 6)), undefined, { signal: this.abort.signal }).catch(
          () => undefined,
        );
      }
    }
  }

  /**
   * Conflicts seen in the feed are settled here after a grace period, one at a time; one that
   * fails is seen again on its next change.
   */
  private settleLater(id: string): void {
    if (!this.resolver || this.pendingConflicts.has(id)) return;
    const resolver = this.resolver;
    const timer = setTimeout(() => {
      this.pendingConflicts.delete(id);
      this.resolving = this.resolving.then(async () => {
        if (!this.running) return;
        try {
          await resolver.resolve(id);
        } catch (error) {
          this.logger.warn(
            { db: this.db.name, doc_id: id, err: (error as Error).message },
            'could not settle a conflict; it stays until the document changes again',
          );
        }
      });
    }, this.options.resolveAfterMs ?? 3_000);
    timer.unref();
    this.pendingConflicts.set(id, timer);
  }
}
