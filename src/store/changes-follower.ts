import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.js';
import type { Database, StoredDoc } from './database.js';
import type { DocumentMirror } from './mirror.js';

export interface FollowerOptions {
  /** How long one long poll waits for a change before asking again. */
  waitMs?: number;
  maxBackoffMs?: number;
}

/**
 * Keeps a mirror in step with a database's `_changes` feed. It never gives up: when the store
 * goes away it backs off and resumes from the last sequence it applied, so nothing is missed.
 */
export class ChangesFollower<T extends StoredDoc> {
  private running = false;
  private abort = new AbortController();
  private since: string | number = 'now';
  private loop: Promise<void> | undefined;
  connected = false;
  /** Time of the last answer from the feed (ms since epoch). */
  lastContact = 0;

  constructor(
    private readonly db: Database<T>,
    private readonly mirror: DocumentMirror<T>,
    private readonly logger: Logger,
    private readonly options: FollowerOptions = {},
  ) {}

  start(since: string | number): void {
    if (this.running) return;
    this.running = true;
    this.since = since;
    this.abort = new AbortController();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const waitMs = this.options.waitMs ?? 10_000;
    const maxBackoffMs = this.options.maxBackoffMs ?? 5_000;
    let failures = 0;
    while (this.running) {
      try {
        const batch = await this.db.changesSince(this.since, waitMs, this.abort.signal);
        for (const change of batch.changes) {
          if (change.deleted) this.mirror.applyDeletion(change.id, change.doc?._rev);
          else if (change.doc && !change.id.startsWith('_design/')) this.mirror.applyDoc(change.doc);
        }
        this.since = batch.lastSeq;
        this.lastContact = Date.now();
        if (!this.connected && failures > 0) this.logger.info({ db: this.db.name }, 'changes feed resumed');
        this.connected = true;
        failures = 0;
      } catch (error) {
        if (!this.running) return;
        failures += 1;
        if (this.connected || failures === 1) {
          this.logger.warn({ db: this.db.name, err: (error as Error).message }, 'changes feed lost; retrying');
        }
        this.connected = false;
        await sleep(Math.min(maxBackoffMs, 100 * 2 ** Math.min(failures, 6)), undefined, { signal: this.abort.signal }).catch(
          () => undefined,
        );
      }
    }
  }
}
