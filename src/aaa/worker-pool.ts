/**
 * The worker pools of the AAA operations and of CoA/Disconnect, fair between tenants.
 *
 * A pool belongs to one configuration (the account whose document answers, and the operation):
 * at most `workers` of its requests run at once. Several accounts may send through one pool (the
 * children of an account whose document they inherit), so the waiting is shared out per
 * requesting account: each has a queue of its own, bounded by `queuePerWorker × workers`, and a
 * worker that frees up goes to the waiting requester with the fewest requests running (ties in
 * round-robin order). A tenant flooding the pool therefore fills its own queue and gets the 503s,
 * while another tenant's request waits for at most the next free worker.
 *
 * Every queue is bounded: each requester's as above, and the pool's total by `maxQueuedPerPool`;
 * when that is full, the newest request of the longest queue makes room (longest-queue drop), so
 * a newcomer is never the one refused for a flood it did not cause. A refusal is a 503
 * `overloaded`. A waiting request whose signal aborts (deadline, client gone, shutdown)
 * leaves the queue at once and rejects with the signal's reason.
 *
 * The map of pools is bounded too: past `maxPools`, idle pools are forgotten least recently used
 * first (a busy pool is kept: its size is bounded by its own queues).
 */
import { type AppError, apiError } from '../errors.js';

export interface WorkerPoolOptions {
  /** Queue length per worker, for each requesting account. Default 10. */
  queuePerWorker?: number;
  /** Requests waiting in one pool at once, over every requester. Default 10,000. */
  maxQueuedPerPool?: number;
  /** Pools remembered at once. Default 10,000. */
  maxPools?: number;
}

export interface PoolStats {
  active: number;
  queued: number;
  workers: number;
  /** Queue bound of each requester. */
  maxQueue: number;
  /** Per requesting account with work running or waiting. */
  requesters: Record<string, { active: number; queued: number }>;
}

/** Totals over every pool, for operators. */
export interface PoolTotals {
  pools: number;
  active: number;
  queued: number;
  /** Requests waiting in the pool with the most waiting. */
  deepestQueue: number;
  /** Requests refused (or shed from a queue) with 503 since start. */
  rejected: number;
}

export interface PoolRequest {
  /** The configuration's pool, e.g. `<answering account>/authentication`. */
  key: string;
  /** The account the request is made for: its share of the pool. */
  requester: string;
  /** The configuration's `workers` (the latest document's value applies). */
  workers: number;
  /** Leaves the queue when aborted; the task itself is given no signal here, it has its own. */
  signal?: AbortSignal;
}

interface Waiter {
  readonly requester: string;
  readonly admit: () => void;
  readonly refuse: (reason: unknown) => void;
}

interface Share {
  active: number;
  readonly queue: Waiter[];
}

const overloaded = (key: string, requester: string, workers: number, queue: number): AppError =>
  apiError('overloaded', `every worker of ${key} is busy and the queue of account ${requester} is full; try again later`, {
    pool: key,
    account: requester,
    workers,
    queue,
  });

class FairPool {
  active = 0;
  queued = 0;
  workers = 1;
  maxQueue = 0;
  /** Requesters with work running or waiting; insertion order is the round-robin order. */
  readonly shares = new Map<string, Share>();

  constructor(
    readonly key: string,
    readonly maxQueued: number,
    readonly onRejected: () => void,
  ) {}

  get idle(): boolean {
    return this.active === 0 && this.queued === 0;
  }

  /** Undefined when a worker is free at once; else a promise of one (rejects when refused or aborted). */
  acquire(requester: string, signal: AbortSignal | undefined): Promise<void> | undefined {
    signal?.throwIfAborted();
    const share = this.#share(requester);
    if (this.active < this.workers && this.queued === 0) {
      this.active += 1;
      share.active += 1;
      this.#toBack(requester, share);
      return undefined;
    }
    if (share.queue.length >= this.maxQueue) throw this.#refusal(requester);
    if (this.queued >= this.maxQueued && !this.#shedLongestQueueFor(share)) throw this.#refusal(requester);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        if (this.#remove(share, waiter)) reject(signal?.reason);
      };
      const waiter: Waiter = {
        requester,
        // dispatch() counts the slot as taken before it admits the waiter.
        admit: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        refuse: (reason) => {
          signal?.removeEventListener('abort', onAbort);
          reject(reason);
        },
      };
      share.queue.push(waiter);
      this.queued += 1;
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  release(requester: string): void {
    this.active -= 1;
    const share = this.shares.get(requester);
    if (share) {
      share.active -= 1;
      // Just served: the others waiting go first among equals.
      this.#toBack(requester, share);
    }
    this.dispatch();
    if (share) this.#forgetIfDone(requester, share);
  }

  /** Hands free workers to waiters; a lowered `workers` takes effect as requests finish. */
  dispatch(): void {
    while (this.active < this.workers && this.queued > 0) {
      const next = this.#nextShare();
      const waiter = next?.[1].queue.shift();
      if (!next || !waiter) return;
      const [requester, share] = next;
      this.queued -= 1;
      this.active += 1;
      share.active += 1;
      this.#toBack(requester, share);
      waiter.admit();
    }
  }

  stats(): PoolStats {
    const requesters: PoolStats['requesters'] = {};
    for (const [requester, share] of this.shares) requesters[requester] = { active: share.active, queued: share.queue.length };
    return { active: this.active, queued: this.queued, workers: this.workers, maxQueue: this.maxQueue, requesters };
  }

  /** The waiting requester with the fewest requests running; the earliest in round-robin order among equals. */
  #nextShare(): [string, Share] | undefined {
    let best: [string, Share] | undefined;
    for (const entry of this.shares) {
      if (entry[1].queue.length === 0) continue;
      if (!best || entry[1].active < best[1].active) best = entry;
    }
    return best;
  }

  /** Makes room by refusing the newest waiter of the longest queue, unless that would be `incoming`'s own. */
  #shedLongestQueueFor(incoming: Share): boolean {
    let longest: Share | undefined;
    for (const share of this.shares.values()) if (!longest || share.queue.length > longest.queue.length) longest = share;
    if (!longest || longest === incoming || longest.queue.length <= incoming.queue.length + 1) return false;
    const shed = longest.queue.pop();
    if (!shed) return false;
    this.queued -= 1;
    shed.refuse(this.#refusal(shed.requester));
    return true;
  }

  #refusal(requester: string): AppError {
    this.onRejected();
    const share = this.shares.get(requester);
    if (share) this.#forgetIfDone(requester, share);
    return overloaded(this.key, requester, this.workers, this.maxQueue);
  }

  /** To the back of the round-robin order. */
  #toBack(requester: string, share: Share): void {
    this.shares.delete(requester);
    this.shares.set(requester, share);
  }

  #share(requester: string): Share {
    let share = this.shares.get(requester);
    if (!share) {
      share = { active: 0, queue: [] };
      this.shares.set(requester, share);
    }
    return share;
  }

  #remove(share: Share, waiter: Waiter): boolean {
    const index = share.queue.indexOf(waiter);
    if (index < 0) return false;
    share.queue.splice(index, 1);
    this.queued -= 1;
    this.#forgetIfDone(waiter.requester, share);
    return true;
  }

  #forgetIfDone(requester: string, share: Share): void {
    if (share.active === 0 && share.queue.length === 0 && this.shares.get(requester) === share) this.shares.delete(requester);
  }
}

export class WorkerPools {
  readonly queuePerWorker: number;
  readonly maxQueuedPerPool: number;
  readonly maxPools: number;
  readonly #pools = new Map<string, FairPool>();
  #rejected = 0;

  constructor(options: WorkerPoolOptions = {}) {
    this.queuePerWorker = options.queuePerWorker ?? 10;
    this.maxQueuedPerPool = options.maxQueuedPerPool ?? 10_000;
    this.maxPools = options.maxPools ?? 10_000;
    if (!Number.isInteger(this.queuePerWorker) || this.queuePerWorker < 0)
      throw new RangeError('queuePerWorker must be a non-negative integer');
    if (!Number.isInteger(this.maxQueuedPerPool) || this.maxQueuedPerPool < 0)
      throw new RangeError('maxQueuedPerPool must be a non-negative integer');
    if (!Number.isInteger(this.maxPools) || this.maxPools < 1) throw new RangeError('maxPools must be a positive integer');
  }

  get size(): number {
    return this.#pools.size;
  }

  stats(key: string): PoolStats | undefined {
    return this.#pools.get(key)?.stats();
  }

  totals(): PoolTotals {
    let active = 0;
    let queued = 0;
    let deepestQueue = 0;
    for (const pool of this.#pools.values()) {
      active += pool.active;
      queued += pool.queued;
      deepestQueue = Math.max(deepestQueue, pool.queued);
    }
    return { pools: this.#pools.size, active, queued, deepestQueue, rejected: this.#rejected };
  }

  /** Runs `task` on one of the pool's workers, after waiting in the requester's queue if need be. */
  async run<T>(request: PoolRequest, task: () => Promise<T>): Promise<T> {
    const pool = this.#pool(request.key, Math.max(1, Math.floor(request.workers) || 1));
    const waiting = pool.acquire(request.requester, request.signal);
    if (waiting) await waiting;
    try {
      return await task();
    } finally {
      pool.release(request.requester);
    }
  }

  #pool(key: string, workers: number): FairPool {
    let pool = this.#pools.get(key);
    if (pool) {
      // Most recently used last.
      this.#pools.delete(key);
    } else {
      pool = new FairPool(key, this.maxQueuedPerPool, () => {
        this.#rejected += 1;
      });
      this.#evict();
    }
    this.#pools.set(key, pool);
    // The document may have changed since: the latest `workers` applies (a raised one at once).
    pool.workers = workers;
    pool.maxQueue = workers * this.queuePerWorker;
    pool.dispatch();
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
