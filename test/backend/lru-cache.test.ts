/**
 * The bounded cache in front of the never-mirrored stores (subscribers, REST credentials,
 * remembered passwords, recent sessions): bounded by capacity, evicting what was not read since
 * it was set before what was (second chance), judging age when read.
 */
import { describe, expect, it } from 'vitest';
import { LruCache } from '../../src/subscribers/lru-cache.js';

describe('LruCache', () => {
  it('holds at most its capacity, evicting the oldest entry that was not read', () => {
    const cache = new LruCache<number>(3, 1_000, () => 0);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBe(1);
    cache.set('d', 4);
    expect(cache.size).toBe(3);
    // `a` was read, so `b`, the oldest not read, went.
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.get('d')]).toEqual([1, 3, 4]);
  });

  it('gives a read entry one reprieve only: unread since, it goes in its turn', () => {
    const cache = new LruCache<number>(2, 1_000, () => 0);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3); // b goes; a moves behind c, its read spent
    cache.set('d', 4); // c goes: the oldest, never read
    cache.set('e', 5); // a goes now: not read since its reprieve
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBeUndefined();
    expect([cache.get('d'), cache.get('e')]).toEqual([4, 5]);
  });

  it('stays bounded when every entry was read (bounded reprieves per insertion)', () => {
    const cache = new LruCache<number>(100, 1_000, () => 0);
    for (let i = 0; i < 100; i += 1) cache.set(`k${i}`, i);
    for (let i = 0; i < 100; i += 1) cache.get(`k${i}`);
    for (let i = 100; i < 1_000; i += 1) cache.set(`k${i}`, i);
    expect(cache.size).toBe(100);
    expect(cache.get('k999')).toBe(999);
  });

  it('judges age when read: past the time to live an entry is gone; a stale read answers within its window', () => {
    const clock = { now: 0 };
    const cache = new LruCache<string>(10, 100, () => clock.now);
    cache.set('a', 'x');
    clock.now = 99;
    expect(cache.get('a')).toBe('x');
    expect(cache.get('a', 50)).toBeUndefined();
    cache.set('a', 'x');
    clock.now = 99 + 150;
    expect(cache.getAllowingStale('a', 100)).toEqual({ value: 'x', fresh: false });
    expect(cache.getAllowingStale('a', 100, 200)).toEqual({ value: 'x', fresh: true });
    clock.now = 99 + 201;
    expect(cache.getAllowingStale('a', 100)).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
