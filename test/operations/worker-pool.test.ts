/**
 * The worker pools on their own: fair shares per requesting account within one configuration's
 * workers, every queue bounded, aborted waiters leave their queue. Tasks are gates the test opens.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { WorkerPools } from '../../src/aaa/worker-pool.js';

/** A task that runs until the test opens it, recording the order tasks started in. */
function gates() {
  const started: string[] = [];
  const open: (() => void)[] = [];
  const task = (name: string) => () =>
    new Promise<string>((resolve) => {
      started.push(name);
      open.push(() => resolve(name));
    });
  const openNext = async () => {
    open.shift()?.();
    // Let the released worker's hand-over run.
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { started, task, openNext };
}

const statusOf = (settled: PromiseSettledResult<unknown>) =>
  settled.status === 'fulfilled'
    ? 'ok'
    : settled.reason instanceof AppError
      ? `${settled.reason.status} ${settled.reason.code}`
      : String(settled.reason);

describe('fair worker pools', () => {
  it('a flooding requester fills only its own queue: it gets the 503s, a sibling is queued and served at the next free worker', async () => {
    const pools = new WorkerPools({ queuePerWorker: 2 });
    const { started, task, openNext } = gates();
    const pool = { key: 'parent/authentication', workers: 1 };
    const flood = Array.from({ length: 6 }, (_, index) => pools.run({ ...pool, requester: 'flooder' }, task(`flood-${index}`)));
    const sibling = pools.run({ ...pool, requester: 'sibling' }, task('sibling'));
    const floodSettled = Promise.allSettled(flood);
    // One running and two queued (2 per worker × 1 worker) for the flooder; the rest refused at once.
    expect(pools.stats('parent/authentication')).toMatchObject({
      active: 1,
      queued: 3,
      requesters: { flooder: { active: 1, queued: 2 }, sibling: { active: 0, queued: 1 } },
    });
    await openNext();
    // The sibling, with nothing running, goes before the flooder's queued requests.
    expect(started).toEqual(['flood-0', 'sibling']);
    for (let index = 0; index < 3; index += 1) await openNext();
    expect(await sibling).toBe('sibling');
    const outcomes = (await floodSettled).map(statusOf);
    expect(outcomes).toEqual(['ok', 'ok', 'ok', '503 overloaded', '503 overloaded', '503 overloaded']);
    expect(pools.totals()).toMatchObject({ active: 0, queued: 0, rejected: 3 });
  });

  it('serves waiting requesters round-robin, the one with fewest running first', async () => {
    const pools = new WorkerPools({ queuePerWorker: 10 });
    const { started, task, openNext } = gates();
    const pool = { key: 'p/accounting', workers: 1 };
    const runs = [
      pools.run({ ...pool, requester: 'a' }, task('a1')),
      pools.run({ ...pool, requester: 'a' }, task('a2')),
      pools.run({ ...pool, requester: 'a' }, task('a3')),
      pools.run({ ...pool, requester: 'b' }, task('b1')),
      pools.run({ ...pool, requester: 'b' }, task('b2')),
      pools.run({ ...pool, requester: 'c' }, task('c1')),
    ];
    for (let index = 0; index < runs.length; index += 1) await openNext();
    await Promise.all(runs);
    expect(started).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
  });

  it('the pool-wide bound sheds the newest request of the longest queue, not a newcomer', async () => {
    const pools = new WorkerPools({ queuePerWorker: 100, maxQueuedPerPool: 3 });
    const { task, openNext } = gates();
    const pool = { key: 'p/authorization', workers: 1 };
    const flood = Array.from({ length: 4 }, (_, index) => pools.run({ ...pool, requester: 'flooder' }, task(`f${index}`)));
    const floodSettled = Promise.allSettled(flood);
    const newcomer = pools.run({ ...pool, requester: 'newcomer' }, task('n'));
    expect(pools.stats('p/authorization')).toMatchObject({
      queued: 3,
      requesters: { flooder: { active: 1, queued: 2 }, newcomer: { queued: 1 } },
    });
    for (let index = 0; index < 4; index += 1) await openNext();
    expect(await newcomer).toBe('n');
    expect((await floodSettled).map(statusOf)).toEqual(['ok', 'ok', 'ok', '503 overloaded']);
  });

  it('a waiter whose signal aborts leaves the queue at once with the signal reason, and frees its place', async () => {
    const pools = new WorkerPools({ queuePerWorker: 1 });
    const { started, task, openNext } = gates();
    const pool = { key: 'p/authentication', workers: 1, requester: 'a' };
    const first = pools.run(pool, task('first'));
    const controller = new AbortController();
    const waiting = pools.run({ ...pool, signal: controller.signal }, task('never'));
    const reason = new Error('deadline');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(pools.stats('p/authentication')).toMatchObject({ active: 1, queued: 0 });
    // Its place in the queue is free again.
    const next = pools.run(pool, task('next'));
    await openNext();
    await openNext();
    expect(await Promise.all([first, next])).toEqual(['first', 'next']);
    expect(started).toEqual(['first', 'next']);
  });

  it('an already aborted request never runs', async () => {
    const pools = new WorkerPools();
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    let ran = false;
    await expect(
      pools.run({ key: 'k', requester: 'a', workers: 1, signal: controller.signal }, async () => {
        ran = true;
      }),
    ).rejects.toThrow('gone');
    expect(ran).toBe(false);
  });
});

describe('worker pools, one requester (FIFO, bounds, release, idle pools)', () => {
  const deferred = () => {
    let resolve!: () => void;
    const promise = new Promise<void>((done) => (resolve = done));
    return { promise, resolve };
  };

  it('runs at most `workers` at once, queues FIFO up to queuePerWorker × workers, then 503 overloaded', async () => {
    const pools = new WorkerPools({ queuePerWorker: 2 });
    const gates = Array.from({ length: 6 }, deferred);
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const runs = gates.map((gate, index) =>
      pools.run({ key: 'acct/authentication', requester: 'a', workers: 2 }, async () => {
        started.push(index);
        running += 1;
        peak = Math.max(peak, running);
        await gate.promise;
        running -= 1;
        return index;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(pools.stats('acct/authentication')).toMatchObject({ active: 2, queued: 4, workers: 2, maxQueue: 4 });
    const refused = pools.run({ key: 'acct/authentication', requester: 'a', workers: 2 }, async () => 'never');
    await expect(refused).rejects.toBeInstanceOf(AppError);
    await expect(refused).rejects.toMatchObject({ status: 503, code: 'overloaded' });
    // Another configuration has its own pool.
    await expect(pools.run({ key: 'other/authentication', requester: 'a', workers: 1 }, async () => 'own pool')).resolves.toBe('own pool');
    for (const gate of gates) gate.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
    expect(pools.stats('acct/authentication')).toMatchObject({ active: 0, queued: 0 });
  });

  it('releases the worker when the task throws', async () => {
    const pools = new WorkerPools({ queuePerWorker: 0 });
    await expect(pools.run({ key: 'k', requester: 'a', workers: 1 }, async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    await expect(pools.run({ key: 'k', requester: 'a', workers: 1 }, async () => 'next')).resolves.toBe('next');
  });

  it('keeps at most maxPools idle pools (least recently used go first)', async () => {
    const pools = new WorkerPools({ maxPools: 3 });
    for (let index = 0; index < 10; index += 1) await pools.run({ key: `k${index}`, requester: 'a', workers: 1 }, async () => index);
    expect(pools.size).toBe(3);
    expect(pools.stats('k9')).toBeDefined();
    expect(pools.stats('k0')).toBeUndefined();
  });
});
