/**
 * The subscriber cache as the sink of a follower of the subscribers database's changes feed (ids
 * only): each change the feed delivers forgets the cached document and any read of it in flight,
 * so while the feed is live an entry is trusted for SUBSCRIBER_CACHE_FOLLOWED_TTL_MS and a change
 * made through another replica shows as soon as the feed delivers it; while it is lost, the 5 s
 * rule of subscriber-cache.test.ts holds. The clock the cache reads is a fake one, never advanced
 * where only the feed may explain what is seen. The feed goes through a proxy, to lose it at will.
 */
import { type MockInstance, afterEach, describe, expect, inject, it, vi } from 'vitest';
import { createLogger } from '../../src/log.js';
import { ChangesFollower } from '../../src/store/changes-follower.js';
import { CouchNodes, storeUrls } from '../../src/store/couch-nodes.js';
import type { Change } from '../../src/store/database.js';
import { type BackendStore, openBackendStore } from '../../src/subscribers/backend-store.js';
import type { BackendDoc, SubscriberDoc } from '../../src/subscribers/subscriber-doc.js';
import {
  SUBSCRIBER_CACHE_FOLLOWED_TTL_MS,
  SUBSCRIBER_CACHE_STALE_MS,
  SUBSCRIBER_CACHE_TTL_MS,
  SubscriberService,
} from '../../src/subscribers/subscriber-service.js';
import { FaultProxy } from '../support/cluster.js';
import { until } from '../support/poll.js';
import { subscriberDoc } from '../support/subscriber-docs.js';
import { uniquePrefix } from '../support/service.js';

const ACCOUNT = 'b'.repeat(32);

const subscriber = (username: string, enabled: boolean): SubscriberDoc => subscriberDoc(ACCOUNT, username, enabled);

let cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups = [];
});

interface Replica {
  /** Another replica's handle on the same databases: its writes are not told to this cache. */
  elsewhere: BackendStore;
  service: SubscriberService;
  follower: ChangesFollower<BackendDoc>;
  /** The proxy the feed goes through (and only the feed). */
  feedProxy: FaultProxy;
  clock: { now: number };
  /** Store reads of this replica's service. */
  reads: () => number;
  getSpy: MockInstance<BackendStore['subscribers']['get']>;
  realGet: BackendStore['subscribers']['get'];
  /** Every change the feed has answered so far. */
  fed: Change<BackendDoc>[];
  /** Starts following from the current sequence and waits until the feed is live. */
  follow: () => Promise<void>;
}

async function setUp(): Promise<Replica> {
  const prefix = uniquePrefix();
  const url = storeUrls(inject('storeUrl'))[0] ?? '';
  const store = await openBackendStore(new CouchNodes([url]), prefix);
  const elsewhere = await openBackendStore(new CouchNodes([url]), prefix);
  const feedProxy = new FaultProxy(url);
  await feedProxy.start();
  cleanups.push(() => feedProxy.stop());
  const feedStore = await openBackendStore(new CouchNodes([feedProxy.url]), prefix);
  const fed: Change<BackendDoc>[] = [];
  const changesSince = feedStore.subscribers.changesSince.bind(feedStore.subscribers);
  vi.spyOn(feedStore.subscribers, 'changesSince').mockImplementation(async (...args) => {
    const batch = await changesSince(...args);
    fed.push(...batch.changes);
    return batch;
  });
  const clock = { now: 1_000_000 };
  let follower: ChangesFollower<BackendDoc> | undefined;
  // Only read() is exercised: it needs neither schemas nor dictionaries.
  const service = new SubscriberService(store, undefined as never, undefined as never, {
    now: () => clock.now,
    feedLive: () => follower?.connected === true,
  });
  follower = new ChangesFollower(feedStore.subscribers, service, createLogger('silent'), {
    includeDocs: false,
    waitMs: 1_000,
    maxBackoffMs: 200,
  });
  const started = follower;
  cleanups.push(() => started.stop());
  const realGet = store.subscribers.get.bind(store.subscribers);
  const getSpy = vi.spyOn(store.subscribers, 'get');
  return {
    elsewhere,
    service,
    follower,
    feedProxy,
    clock,
    reads: () => getSpy.mock.calls.length,
    getSpy,
    realGet,
    fed,
    async follow() {
      started.start(await feedStore.subscribers.updateSeq());
      expect(await until(() => started.connected)).toBe(true);
    },
  };
}

async function changeElsewhere(store: BackendStore, username: string, enabled: boolean): Promise<void> {
  const current = await store.subscribers.getFresh(subscriber(username, enabled)._id);
  await store.subscribers.put({ ...subscriber(username, enabled), ...(current?._rev ? { _rev: current._rev } : {}) });
}

async function enabledOf(service: SubscriberService, id: string): Promise<boolean | undefined> {
  return ((await service.read(id)) as SubscriberDoc | undefined)?.enabled;
}

describe('subscriber cache following the changes feed', () => {
  it('while the feed is live, an entry older than the 5 s rule answers without a store read, up to the safety net', async () => {
    const { elsewhere, service, clock, reads, follow } = await setUp();
    const id = subscriber('dave', true)._id;
    await changeElsewhere(elsewhere, 'dave', true);
    await follow();
    const cachedAt = clock.now;
    expect(await enabledOf(service, id)).toBe(true);
    expect(reads()).toBe(1);

    clock.now += SUBSCRIBER_CACHE_TTL_MS + SUBSCRIBER_CACHE_STALE_MS + 1_000;
    expect(await enabledOf(service, id)).toBe(true);
    expect(reads()).toBe(1);

    // The safety net: never older than SUBSCRIBER_CACHE_FOLLOWED_TTL_MS, feed or no feed.
    clock.now = cachedAt + SUBSCRIBER_CACHE_FOLLOWED_TTL_MS;
    expect(await enabledOf(service, id)).toBe(true);
    expect(reads()).toBe(2);
  });

  it('a change or deletion made through another replica shows once the feed delivers it, the clock standing still', async () => {
    const { elsewhere, service, reads, fed, follow } = await setUp();
    const id = subscriber('erin', true)._id;
    await changeElsewhere(elsewhere, 'erin', true);
    await follow();
    expect(await enabledOf(service, id)).toBe(true);

    await changeElsewhere(elsewhere, 'erin', false);
    expect(await until(async () => (await enabledOf(service, id)) === false)).toBe(true);
    expect(reads()).toBe(2);

    const current = await elsewhere.subscribers.getFresh(id);
    await elsewhere.subscribers.remove(id, current?._rev ?? '');
    expect(await until(async () => (await service.read(id)) === undefined)).toBe(true);
    // Ids only: the feed carried no document (the next read fetches it).
    expect(fed.filter((change) => change.id === id).map((change) => [change.deleted, change.doc])).toEqual([
      [false, undefined],
      [true, undefined],
    ]);
  });

  it('once the feed is lost, the 5 s rule holds again, for entries cached while it was live too', async () => {
    const { elsewhere, service, follower, feedProxy, clock, reads, follow } = await setUp();
    const id = subscriber('fay', true)._id;
    await changeElsewhere(elsewhere, 'fay', true);
    await follow();
    expect(await enabledOf(service, id)).toBe(true);
    expect(reads()).toBe(1);

    feedProxy.blockChanges(true);
    expect(await until(() => !follower.connected)).toBe(true);
    await changeElsewhere(elsewhere, 'fay', false);
    clock.now += SUBSCRIBER_CACHE_TTL_MS + 1;
    // Stale: the old answer at once, and a refresh behind it.
    expect(await enabledOf(service, id)).toBe(true);
    expect(reads()).toBe(2);
    expect(await until(async () => (await enabledOf(service, id)) === false)).toBe(true);
  });

  it('an entry cached while the feed was lost is forgotten by its catch-up when it comes back', async () => {
    const { elsewhere, service, follower, feedProxy, follow } = await setUp();
    const id = subscriber('gus', true)._id;
    await changeElsewhere(elsewhere, 'gus', true);
    await follow();
    feedProxy.blockChanges(true);
    expect(await until(() => !follower.connected)).toBe(true);
    expect(await enabledOf(service, id)).toBe(true);

    await changeElsewhere(elsewhere, 'gus', false);
    feedProxy.blockChanges(false);
    expect(await until(() => follower.connected)).toBe(true);
    // Live again, with the clock standing still: only the catch-up can have forgotten the entry.
    expect(await enabledOf(service, id)).toBe(false);
  });

  it('a read in flight when the feed delivers a change is not cached', async () => {
    const { elsewhere, service, reads, getSpy, realGet, follow } = await setUp();
    const id = subscriber('hal', true)._id;
    await changeElsewhere(elsewhere, 'hal', true);
    await follow();
    const delivered = vi.spyOn(service, 'applyChange');

    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let fetched: BackendDoc | undefined;
    getSpy.mockImplementationOnce(async (docId) => {
      fetched = await realGet(docId);
      await gate;
      return fetched;
    });
    const inFlight = service.read(id);
    // The store has answered the old document; the answer is held until the change is delivered.
    expect(await until(() => fetched !== undefined)).toBe(true);
    await changeElsewhere(elsewhere, 'hal', false);
    expect(await until(() => delivered.mock.calls.some(([change]) => change.id === id))).toBe(true);
    release();
    // The read that began before the change answers what it read...
    expect(((await inFlight) as SubscriberDoc).enabled).toBe(true);
    // ...but it is not cached: the next read goes to the store.
    expect(await enabledOf(service, id)).toBe(false);
    expect(reads()).toBe(2);
  });
});
