/**
 * A follower far behind its feed (a bulk import, a long outage) catches up in bounded batches, and
 * is not `current` until it has: a cache that trusts the feed to forget what changed (the
 * subscriber cache) must not trust it while changes it has not seen are still waiting.
 */
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { createLogger } from '../../src/log.js';
import { ChangesFollower } from '../../src/store/changes-follower.js';
import { CouchNodes, storeUrls } from '../../src/store/couch-nodes.js';
import type { Change } from '../../src/store/database.js';
import { openBackendStore } from '../../src/subscribers/backend-store.js';
import type { BackendDoc } from '../../src/subscribers/subscriber-doc.js';
import { until } from '../support/poll.js';
import { uniquePrefix } from '../support/service.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

describe('changes follower batches', () => {
  it('reads at most batchLimit changes per answer and is current only once a batch was not full', async () => {
    const store = await openBackendStore(new CouchNodes(storeUrls(inject('storeUrl'))), uniquePrefix());
    const since = await store.subscribers.updateSeq();
    const docs = Array.from({ length: 7 }, (_, i) => ({ _id: `doc-${i}`, pvt_type: 'subscriber_settings' }));
    await store.bulk(store.subscribers as never, docs);

    const batchSizes: number[] = [];
    const changesSince = store.subscribers.changesSince.bind(store.subscribers);
    vi.spyOn(store.subscribers, 'changesSince').mockImplementation(async (...args) => {
      const batch = await changesSince(...args);
      batchSizes.push(batch.changes.length);
      return batch;
    });
    const seen: { id: string; current: boolean }[] = [];
    const follower: ChangesFollower<BackendDoc> = new ChangesFollower(
      store.subscribers,
      { applyChange: (change: Change<BackendDoc>) => seen.push({ id: change.id, current: follower.current }) },
      createLogger('silent'),
      { includeDocs: false, batchLimit: 3, waitMs: 200 },
    );
    follower.start(since);
    stops.push(() => follower.stop());

    expect(await until(() => follower.current)).toBe(true);
    expect(seen.map((change) => change.id).sort()).toEqual(docs.map((doc) => doc._id).sort());
    expect(batchSizes.slice(0, 3)).toEqual([3, 3, 1]);
    expect(seen.every((change) => !change.current)).toBe(true);

    await follower.stop();
    expect(follower.current).toBe(false);
  });
});
