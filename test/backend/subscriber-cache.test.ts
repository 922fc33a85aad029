/**
 * The subscriber cache in front of a store that is never mirrored: fresh for
 * SUBSCRIBER_CACHE_TTL_MS, then answering from the stale entry while one background read refreshes
 * it (so a user who logs in every few seconds never waits for the store), and never older than
 * TTL + SUBSCRIBER_CACHE_STALE_MS. A change made through another replica is simulated by writing
 * to the store directly.
 */
import { describe, expect, inject, it, vi } from 'vitest';
import { CouchNodes, storeUrls } from '../../src/store/couch-nodes.js';
import { type BackendStore, openBackendStore } from '../../src/subscribers/backend-store.js';
import type { SubscriberDoc } from '../../src/subscribers/subscriber-doc.js';
import { SUBSCRIBER_CACHE_STALE_MS, SUBSCRIBER_CACHE_TTL_MS, SubscriberService } from '../../src/subscribers/subscriber-service.js';
import { until } from '../support/poll.js';
import { subscriberDoc } from '../support/subscriber-docs.js';
import { uniquePrefix } from '../support/service.js';

const ACCOUNT = 'a'.repeat(32);

const subscriber = (username: string, enabled: boolean): SubscriberDoc => subscriberDoc(ACCOUNT, username, enabled);

/** This replica's service over its own store handle, and another replica's handle on the same databases. */
async function setUp(): Promise<{ elsewhere: BackendStore; service: SubscriberService; clock: { now: number }; reads: () => number }> {
  const prefix = uniquePrefix();
  const store = await openBackendStore(new CouchNodes(storeUrls(inject('storeUrl'))), prefix);
  const elsewhere = await openBackendStore(new CouchNodes(storeUrls(inject('storeUrl'))), prefix);
  const clock = { now: 1_000_000 };
  // Only read() is exercised: it needs neither schemas nor dictionaries.
  const service = new SubscriberService(store, undefined as never, undefined as never, { now: () => clock.now });
  const get = vi.spyOn(store.subscribers, 'get');
  return { elsewhere, service, clock, reads: () => get.mock.calls.length };
}

/** A write through another replica: this replica's cache is not told. */
async function changeElsewhere(store: BackendStore, username: string, enabled: boolean): Promise<void> {
  const current = await store.subscribers.getFresh(subscriber(username, enabled)._id);
  await store.subscribers.put({ ...subscriber(username, enabled), ...(current?._rev ? { _rev: current._rev } : {}) });
}

describe('subscriber cache', () => {
  it('answers a stale entry at once and refreshes it in the background', async () => {
    const { elsewhere, service, clock, reads } = await setUp();
    const id = subscriber('bob', true)._id;
    await changeElsewhere(elsewhere, 'bob', true);
    expect((await service.read(id)) as SubscriberDoc).toMatchObject({ username: 'bob', enabled: true });
    expect(reads()).toBe(1);

    await changeElsewhere(elsewhere, 'bob', false);
    clock.now += SUBSCRIBER_CACHE_TTL_MS - 1;
    expect((await service.read(id)) as SubscriberDoc).toMatchObject({ enabled: true });
    expect(reads()).toBe(1);

    // Stale: the old answer now, without waiting for the store, and one refresh behind it.
    clock.now += 2;
    expect((await service.read(id)) as SubscriberDoc).toMatchObject({ enabled: true });
    expect(reads()).toBe(2);
    // The refresh lands: the new answer (no further store read needed for it).
    expect(await until(async () => ((await service.read(id)) as SubscriberDoc | undefined)?.enabled === false)).toBe(true);
    expect(reads()).toBe(2);
  });

  it('waits for the store once an entry is older than its time to live plus the stale window', async () => {
    const { elsewhere, service, clock, reads } = await setUp();
    const id = subscriber('carol', true)._id;
    await changeElsewhere(elsewhere, 'carol', true);
    await service.read(id);
    await changeElsewhere(elsewhere, 'carol', false);
    clock.now += SUBSCRIBER_CACHE_TTL_MS + SUBSCRIBER_CACHE_STALE_MS;
    expect((await service.read(id)) as SubscriberDoc).toMatchObject({ enabled: false });
    expect(reads()).toBe(2);
  });

  it('caches an unknown user too, and concurrent misses share one store read', async () => {
    const { service, reads } = await setUp();
    const id = subscriber('nobody', true)._id;
    const answers = await Promise.all(Array.from({ length: 20 }, () => service.read(id)));
    expect(answers.every((answer) => answer === undefined)).toBe(true);
    expect(reads()).toBe(1);
    expect(await service.read(id)).toBeUndefined();
    expect(reads()).toBe(1);
  });
});
