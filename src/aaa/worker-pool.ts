/**
 * The worker pool of the AAA operations: per effective configuration (the account whose document
 * answers, and the operation) at most `workers` requests run at once; more wait in a FIFO queue of
 * `queuePerWorker × workers`; past that a request is refused at once with a 503
 * `too_many_requests`. The map of pools is bounded too: past `maxPools`, idle pools are forgotten
 * least recently used first (a busy pool is kept: its size is bounded by its own queue).
 */
import { AppError } from '../errors.js';

export interface WorkerPoolOptions {
  /** Queue length per worker. Default 10. */
  queuePerWorker?: number;
  /** Pools remembered at once. Default 10,000. */
  maxPools?: number;
}

export interface PoolStats {
  active: number;
  queued: number;
  workers: number;
  maxQueue: number;
}

class WorkerPool {
  active = 0;
  readonly queue: (() => void)[] = [];
  workers = 1;
  maxQueue = 0;

  get idle(): boolean {
    return this.active === 0 && this.queue.length === 0;
  }

  /** Resolves once a worker is free for the caller; throws 503 when the queue is full. */
  acquire(key: string): Promise<void> | undefined {
    if (this.active < this.workers && this.queue.length === 0) {
      this.active += 1;
      return undefined;
    }
    if (this.queue.length >= this.maxQueue) {
      throw new AppError(503, 'too_many_requests', `every worker of ${key} is busy and its queue is full; try again later`, {
        pool: key,
        workers: this.workers,
        queue: this.maxQueue,
      });
    }
    // release() counts the slot as active before it wakes the waiter.
    return new Promise<void>((resolve) => this.queue.push(resolve));
  }

  release(): void {
    this.active -= 1;
    // A lowered `workers` takes effect as requests finish: hand over only while under the limit.
    while (this.active < this.workers && this.queue.length > 0) {
      this.active += 1;
      this.queue.shift()?.();
    }
  }
}

export class WorkerPools {
  readonly queuePerWorker: number;
  readonly maxPools: number;
  readonly #pools = new Map<string, WorkerPool>();

  constructor(options: WorkerPoolOptions = {}) {
    this.queuePerWorker = options.queuePerWorker ?? 10;
    this.maxPools = options.maxPools ?? 10_000;
    if (!Number.isInteger(this.queuePerWorker) || this.queuePerWorker < 0) throw new RangeError('queuePerWorker must be a non-negative integer');
    if (!Number.isInteger(this.maxPools) || this.maxPools < 1) throw new RangeError('maxPools must be a positive integer');
  }

  get size(): number {
    return this.#pools.size;
  }

  stats(key: string): PoolStats | undefined {
    const pool = this.#pools.get(key);
    return pool && { active: pool.active, queued: pool.queue.length, workers: pool.workers, maxQueue: pool.maxQueue };
  }

  /** Runs `task` on one of the pool's workers (waiting in its queue if need be). */
  async run<T>(key: string, workers: number, task: () => Promise<T>): Promise<T> {
    const pool = this.#pool(key, Math.max(1, Math.floor(workers) || 1));
    const waiting = pool.acquire(key);
    if (waiting) await waiting;
    try {
      return await task();
    } finally {
      pool.release();
    }
  }

  #pool(key: string, workers: number): WorkerPool {
    let pool = this.#pools.get(key);
    if (pool) {
      // Most recently used last.
      this.#pools.delete(key);
    } else {
      pool = new WorkerPool();
      this.#evict();
    }
    this.#pools.set(key, pool);
    // The document may have changed since: the latest `workers` applies.
    pool.workers = workers;
    pool.maxQueue = workers * this.queuePerWorker;
    return pool;
  }

  #evict(): void {
    if (this.#pools.size < this.maxPools) return;
    for (const [key, pool] of this.#pools) {
      if (pool.idle) {
        this.#pools.delete(key);
        if (this.#pools.size < this.maxPools) return;
      }
    }
  }
}
