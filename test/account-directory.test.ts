import { describe, expect, it } from 'vitest';
import { type AccountDirectory, MirrorDirectory } from '../src/accounts/account-directory.js';
import type { AccountDoc } from '../src/accounts/account-doc.js';
import { DocumentMirror } from '../src/store/mirror.js';

const account = (id: string, tree: string[], hash: string, rev = '1-a'): AccountDoc => ({
  _id: id,
  _rev: rev,
  name: id,
  pvt_type: 'account',
  pvt_tree: tree,
  pvt_api_key_hash: hash,
  pvt_superduper_admin: false,
  pvt_created: 0,
  pvt_modified: 0,
});

const noFallback: AccountDirectory = {
  children: async () => ({ items: [], nextStartKey: undefined }),
  descendants: async () => ({ items: [], nextStartKey: undefined }),
  byApiKeyHash: async () => undefined,
};

const page = { pageSize: 2, startKey: undefined };
const ids = (docs: AccountDoc[]) => docs.map((doc) => doc._id);

describe('MirrorDirectory', () => {
  it('indexes what the mirror held before it was made and what arrives after', async () => {
    const mirror = new DocumentMirror<AccountDoc>();
    mirror.applyDoc(account('root', [], 'h-root'));
    const directory = new MirrorDirectory(mirror, noFallback);
    mirror.applyDoc(account('b', ['root'], 'h-b'));
    mirror.applyDoc(account('a', ['root'], 'h-a'));
    mirror.applyDoc(account('c', ['root'], 'h-c'));
    mirror.applyDoc(account('a1', ['root', 'a'], 'h-a1'));
    const first = await directory.children('root', page);
    expect(ids(first.items)).toEqual(['a', 'b']);
    expect(first.nextStartKey).toBe('c');
    expect(ids((await directory.children('root', { pageSize: 2, startKey: 'c' })).items)).toEqual(['c']);
    expect(ids((await directory.descendants('root', { pageSize: 10, startKey: undefined })).items)).toEqual(['a', 'a1', 'b', 'c']);
    expect((await directory.byApiKeyHash('h-a1'))?._id).toBe('a1');
  });

  it('follows key rotation and deletion', async () => {
    const mirror = new DocumentMirror<AccountDoc>();
    const directory = new MirrorDirectory(mirror, noFallback);
    mirror.applyDoc(account('x', ['root'], 'old'));
    mirror.applyDoc(account('x', ['root'], 'new', '2-b'));
    expect(await directory.byApiKeyHash('old')).toBeUndefined();
    expect((await directory.byApiKeyHash('new'))?._id).toBe('x');
    mirror.applyDeletion('x', '3-c');
    expect(await directory.byApiKeyHash('new')).toBeUndefined();
    expect((await directory.children('root', page)).items).toEqual([]);
    expect((await directory.descendants('root', page)).items).toEqual([]);
  });

  it('asks the fallback for a key it does not know yet', async () => {
    const fresh = account('fresh', ['root'], 'h-fresh');
    const directory = new MirrorDirectory(new DocumentMirror<AccountDoc>(), {
      ...noFallback,
      byApiKeyHash: async (hash) => (hash === 'h-fresh' ? fresh : undefined),
    });
    expect((await directory.byApiKeyHash('h-fresh'))?._id).toBe('fresh');
  });
});

describe('DocumentMirror', () => {
  it('ignores a change older than the copy it holds, and a resurrection older than a deletion', () => {
    const mirror = new DocumentMirror<AccountDoc>();
    expect(mirror.applyDoc(account('x', [], 'h', '2-b'))).toBe(true);
    expect(mirror.applyDoc(account('x', [], 'h', '1-a'))).toBe(false);
    expect(mirror.get('x')?._rev).toBe('2-b');
    expect(mirror.applyDeletion('x', '3-c')).toBe(true);
    expect(mirror.applyDoc(account('x', [], 'h', '2-b'))).toBe(false);
    expect(mirror.get('x')).toBeUndefined();
  });

  it('replaceAll reports exactly the ids that changed', () => {
    const mirror = new DocumentMirror<AccountDoc>();
    mirror.replaceAll([account('same', [], 'h'), account('changed', [], 'h'), account('gone', [], 'h')]);
    const changed = mirror.replaceAll([account('same', [], 'h'), account('changed', [], 'h', '2-x'), account('new', [], 'h')]);
    expect(changed.sort()).toEqual(['changed', 'gone', 'new']);
  });
});
