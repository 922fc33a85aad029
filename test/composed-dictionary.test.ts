/**
 * A list composed of dictionaries compiled one by one (what the service's cache builds) means
 * exactly what the same list compiled into one table means: every test of
 * compiled-dictionary.test.ts runs again with `compileDictionaries` standing for
 * `composeDictionaries`, and a property compares the two on random lists.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { DictionaryEntry } from '../src/dictionary/dictionary-doc.js';
import { type CompiledDictionary, type DictionarySource, composeDictionaries } from '../src/radius/dictionary/index.js';
import { BoundedMemo } from '../src/radius/dictionary/bounded-memo.js';

vi.mock('../src/radius/dictionary/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/radius/dictionary/index.js')>();
  return { ...original, compileDictionaries: original.composeDictionaries };
});

const mergedCompile = (await vi.importActual<typeof import('../src/radius/dictionary/index.js')>('../src/radius/dictionary/index.js'))
  .compileDictionaries;

describe('every ordered-lookup test, over composition', async () => {
  await import('./compiled-dictionary.test.js');
});

describe('property: a composition answers every lookup as the merged compile does', () => {
  const names = ['Alpha', 'alpha', 'Beta', 'GAMMA', 'Delta'];
  const vendors = [0, 0, 0, 7, 9];
  const entry: fc.Arbitrary<DictionaryEntry> = fc.oneof(
    fc
      .record({
        name: fc.constantFrom('Acme', 'ACME', 'Other'),
        id: fc.constantFrom(7, 9),
        format: fc.constantFrom(undefined, '2,1', '1,0'),
      })
      .map(({ name, id, format }) => (format === undefined ? { vendor: { [name]: id } } : { vendor: { [name]: id }, format })),
    fc
      .record({
        name: fc.constantFrom(...names),
        id: fc.integer({ min: 1, max: 4 }),
        vid: fc.constantFrom(...vendors),
        type: fc.constantFrom('string', 'integer'),
      })
      .map(({ name, id, vid, type }) => ({ attr: { vid, id, type, name, enc: 'no' } })),
    fc
      .record({ attr: fc.constantFrom(...names), name: fc.constantFrom('On', 'on', 'Off', 'Max'), val: fc.integer({ min: 0, max: 3 }) })
      .map(({ attr, name, val }) => ({ val: { attr, name, val } })),
    fc
      .record({
        vid: fc.constantFrom(0, 7),
        id: fc.integer({ min: 1, max: 4 }),
        name: fc.constantFrom('On', 'Off'),
        val: fc.integer({ min: 0, max: 3 }),
      })
      .map(({ vid, id, name, val }) => ({ val: { vid, id, name, val } })),
  );
  const lists = fc.array(fc.array(entry, { maxLength: 8 }), { minLength: 1, maxLength: 4 });

  function everything(compiled: CompiledDictionary): unknown {
    const attributes = names.map((name) => compiled.attribute(name));
    return {
      attributes,
      byNumber: vendors.flatMap((vid) => [1, 2, 3, 4].map((id) => compiled.attributeByNumber(vid, id)?.name)),
      byCode: vendors.flatMap((vid) => [1, 2, 3, 4].map((id) => compiled.attributeByCode(vid, [id])?.name)),
      vendors: ['acme', 'Acme', 'OTHER'].map((name) => compiled.vendor(name)),
      vendorIds: [7, 9].map((id) => compiled.vendorById(id)),
      values: names.map((name) => ({
        numbers: ['On', 'ON', 'off', 'Max'].map((value) => compiled.valueNumber(name, value)),
        names: [0, 1, 2, 3].map((value) => compiled.valueName(name, value)),
        listed: [...compiled.values(name)].sort((a, b) => a.name.localeCompare(b.name)),
      })),
      conflicts: compiled.conflicts,
      unattached: compiled.unattachedValues,
      counts: compiled.counts,
    };
  }

  it('for random lists with vendors, aliases and values across dictionaries', () => {
    fc.assert(
      fc.property(lists, (entries) => {
        const sources: DictionarySource[] = entries.map((value, index) => ({
          id: `acct~d${index}`,
          rev: '1',
          name: `d${index}`,
          owner: 'acct',
          value,
        }));
        const composed = composeDictionaries(sources);
        const merged = everything(mergedCompile(sources));
        expect(everything(composed)).toEqual(merged);
        // Asked again, the list answers from its memos: still what the merged compile says.
        expect(everything(composed)).toEqual(merged);
      }),
      { numRuns: 500 },
    );
  });
});

describe('the memos of a composed list', () => {
  it('stay bounded: a full memo starts over and keeps answering right', () => {
    const memo = new BoundedMemo<string, number>(3);
    for (const [index, key] of ['a', 'b', 'c'].entries()) memo.set(key, index);
    expect([memo.get('a'), memo.get('c'), memo.size]).toEqual([0, 2, 3]);
    memo.set('d', 3);
    expect([memo.get('a'), memo.get('d'), memo.size]).toEqual([undefined, 3, 1]);
  });

  it('answer as the merged compile past the bound, for hits, misses, numbers and values', () => {
    const own: DictionaryEntry[] = [{ vendor: { Acme: 7 } }];
    for (let id = 1; id <= 600; id += 1) own.push({ attr: { vid: 7, id, type: 'integer', name: `Acme-${id}`, enc: 'no' } });
    for (let val = 0; val < 300; val += 1) own.push({ val: { attr: 'Acme-1', name: `V${val}`, val } });
    const sources: DictionarySource[] = [
      {
        id: 'system~base',
        rev: '1',
        name: 'base',
        owner: 'system',
        value: [{ attr: { id: 1, type: 'string', name: 'User-Name', enc: 'no' } }],
      },
      { id: 'acct~own', rev: '1', name: 'own', owner: 'acct', value: own },
    ];
    const composed = composeDictionaries(sources);
    const merged = mergedCompile(sources);
    for (let round = 0; round < 2; round += 1) {
      for (let id = 1; id <= 700; id += 1) {
        for (const name of [`Acme-${id}`, `acme-${id}`]) expect(composed.attribute(name)).toEqual(merged.attribute(name));
        expect(composed.attributeByNumber(7, id)?.name).toBe(merged.attributeByNumber(7, id)?.name);
        expect(composed.attributeByCode(7, [id])?.name).toBe(merged.attributeByCode(7, [id])?.name);
      }
      for (let val = 0; val < 320; val += 1) {
        expect(composed.valueNumber('Acme-1', `v${val}`)).toBe(merged.valueNumber('Acme-1', `v${val}`));
        expect(composed.valueName('Acme-1', val)).toBe(merged.valueName('Acme-1', val));
      }
      expect(composed.vendorById(7)?.name).toBe('Acme');
      expect(composed.vendor('ACME')?.id).toBe(7);
      expect(composed.attribute('User-Name')?.dictionary.id).toBe('system~base');
    }
  });
});
