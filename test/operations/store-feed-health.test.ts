import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { openStore } from '../../src/store/couch.js';
import { type CachedStore, mirrorStore } from '../../src/store/store-cache.js';
import { FaultProxy, startStore, until } from '../support/cluster.js';
import { uniquePrefix } from '../support/service.js';

/**
 * PouchDB Server (the embedded store) keeps a long poll open until a change, whatever `timeout`
 * asks. A follower that waited for the poll to end took that silence for a lost feed: "changes
 * feed lost" every few minutes and `connected: false` while everything worked. Here the waits
 * are short (a 200 ms long-poll timeout, a 1.5 s store deadline), so an idle follower lives
 * through many of them within a couple of seconds.
 */
const WAIT_MS = 200;
// Long enough that setting up (database look-ups, the first load) never trips it on a busy machine.
const STORE_TIMEOUT_MS = 1500;
const STALE_AFTER_MS = 500;

let cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups = [];
});

async function mirrored(url: string): Promise<{ cached: CachedStore; logs: string[] }> {
  const logs: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString('utf8'));
        done();
      },
    }),
  );
  const remote = await openStore(url, uniquePrefix(), { timeoutMs: STORE_TIMEOUT_MS });
  const cached = await mirrorStore(remote, logger, { waitMs: WAIT_MS, staleAfterMs: STALE_AFTER_MS, maxBackoffMs: 200 });
  cleanups.push(() => cached.close());
  return { cached, logs };
}

const lostLines = (logs: string[]) => logs.filter((line) => line.includes('changes feed lost'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('changes feed health on the embedded store', () => {
  it('an idle follower, silent for many times its wait and the store deadline, reports connected and logs no loss', async () => {
    const store = await startStore();
    cleanups.push(() => store.close());
    const { cached, logs } = await mirrored(store.url);
    // Connected from the start (an immediate catch-up), not only after the first change.
    expect(await until(() => cached.feeds().every((feed) => feed.connected), 5_000)).toBe(true);
    // A sleep, not a wait: staying connected through this idle time is what is checked.
    await sleep(3 * (WAIT_MS + STORE_TIMEOUT_MS));
    expect(cached.feeds().map((feed) => feed.connected)).toEqual([true, true, true, true]);
    expect(lostLines(logs)).toEqual([]);
    expect(cached.staleness?.()).toEqual([]);
    // And it still delivers: a change made now reaches the mirror.
    await cached.system.remote.put({ _id: 'after_idle', note: 'x' });
    expect(await until(() => cached.system.mirror.get('after_idle') !== undefined, 5_000)).toBe(true);
  });

  it('a killed store still gives the warning, connected false, and a stale view', async () => {
    const store = await startStore();
    cleanups.push(() => store.close());
    const node = new FaultProxy(store.url);
    await node.start();
    cleanups.push(() => node.stop());
    const { cached, logs } = await mirrored(node.url);
    expect(await until(() => cached.feeds().every((feed) => feed.connected), 5_000)).toBe(true);
    await node.stop(); // every connection cut, new ones refused
    expect(await until(() => lostLines(logs).length > 0, 10_000)).toBe(true);
    expect(await until(() => cached.feeds().every((feed) => !feed.connected), 10_000)).toBe(true);
    expect(await until(() => (cached.staleness?.() ?? []).length === 4, 10_000)).toBe(true);
  });

  it('a frozen store (connections accepted, nothing answered) is a lost feed once the silence passes the deadline', async () => {
    const store = await startStore();
    cleanups.push(() => store.close());
    const node = new FaultProxy(store.url);
    await node.start();
    cleanups.push(() => node.stop());
    const { cached, logs } = await mirrored(node.url);
    expect(await until(() => cached.feeds().every((feed) => feed.connected), 5_000)).toBe(true);
    node.intercept = () => 'hang';
    node.blockChanges(true); // cuts the long polls open now; the next ones hang
    expect(await until(() => lostLines(logs).length > 0, 10_000)).toBe(true);
    expect(await until(() => (cached.staleness?.() ?? []).length === 4, 10_000)).toBe(true);
    // Thawed, the feeds come back by themselves.
    node.intercept = () => undefined;
    node.blockChanges(false);
    expect(await until(() => cached.feeds().every((feed) => feed.connected), 10_000)).toBe(true);
    expect(cached.staleness?.()).toEqual([]);
  });
});
