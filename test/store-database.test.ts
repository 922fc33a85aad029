import { describe, expect, inject, it } from 'vitest';
import { openStore } from '../src/store/couch.js';
import { uniquePrefix } from './support/service.js';

describe('Database', () => {
  it('allDocs reads every document in pages, leaving design documents out', async () => {
    const store = await openStore(inject('storeUrl'), uniquePrefix());
    for (let i = 0; i < 11; i += 1) await store.system.put({ _id: `doc-${String(i).padStart(2, '0')}`, n: i });
    const docs = await store.system.allDocs(3);
    expect(docs.map((doc) => doc._id)).toEqual(Array.from({ length: 11 }, (_, i) => `doc-${String(i).padStart(2, '0')}`));
    // The accounts database holds a design document; it never reaches a mirror.
    expect((await store.accounts.allDocs(1)).some((doc) => doc._id.startsWith('_design/'))).toBe(false);
  });

  it('changesSince delivers a change made after the sequence it starts from', async () => {
    const store = await openStore(inject('storeUrl'), uniquePrefix());
    const since = await store.system.updateSeq();
    await store.system.put({ _id: 'changed', value: 1 });
    const batch = await store.system.changesSince(since, 1_000);
    expect(batch.changes.map((change) => change.id)).toContain('changed');
    expect(batch.changes.find((change) => change.id === 'changed')?.doc).toMatchObject({ value: 1 });
  });

  it('changesSince ends at once when its signal aborts', async () => {
    const store = await openStore(inject('storeUrl'), uniquePrefix());
    const controller = new AbortController();
    const waiting = store.system.changesSince(await store.system.updateSeq(), 2_000, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ status: 503 });
  });
});
