import { describe, expect, it } from 'vitest';
import { DependencyMemo } from '../../src/aaa/effective-memo.js';

const roomy = { maxEntries: 100, maxWeight: 1_000_000 };

describe('DependencyMemo', () => {
  it('holds a value for its version until one of its dependencies changes', () => {
    const memo = new DependencyMemo<string>(roomy);
    memo.set('a', 'v1', 'A', 1, ['x', 'y'], memo.begin());
    memo.set('b', 'v1', 'B', 1, ['y', 'z'], memo.begin());
    expect(memo.get('a', 'v1')).toBe('A');
    expect(memo.get('a', 'v2')).toBeUndefined();
    memo.invalidate('x');
    expect(memo.get('a', 'v1')).toBeUndefined();
    expect(memo.get('b', 'v1')).toBe('B');
    memo.invalidate('y');
    expect(memo.get('b', 'v1')).toBeUndefined();
    expect(memo.size).toBe(0);
    expect(memo.weight).toBe(0);
  });

  it('keeps nothing computed across an invalidation, which may have come after its inputs were read', () => {
    const memo = new DependencyMemo<string>(roomy);
    const begun = memo.begin();
    memo.invalidate('unrelated');
    memo.set('a', 'v1', 'A', 1, ['x'], begun);
    expect(memo.get('a', 'v1')).toBeUndefined();
  });

  it('drops the least recently used entries past either bound, and their dependency links', () => {
    const memo = new DependencyMemo<string>({ maxEntries: 2, maxWeight: 10 });
    memo.set('a', 'v', 'A', 4, ['x'], memo.begin());
    memo.set('b', 'v', 'B', 4, ['x'], memo.begin());
    expect(memo.get('a', 'v')).toBe('A');
    memo.set('c', 'v', 'C', 1, ['x'], memo.begin());
    // Three entries: b, the least recently used, goes.
    expect(memo.get('b', 'v')).toBeUndefined();
    expect([memo.get('a', 'v'), memo.get('c', 'v')]).toEqual(['A', 'C']);
    memo.set('d', 'v', 'D', 9, ['x'], memo.begin());
    // Weight 14 > 10 and three entries: a, now the least recently used, goes; c and d fit.
    expect(memo.get('a', 'v')).toBeUndefined();
    expect(memo.size).toBe(2);
    expect(memo.weight).toBe(10);
    memo.set('huge', 'v', 'H', 11, ['x'], memo.begin());
    expect(memo.get('huge', 'v')).toBeUndefined();
    memo.invalidate('x');
    expect(memo.size).toBe(0);
  });
});
