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

vi.mock('../src/radius/dictionary/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/radius/dictionary/index.js')>();
  return { ...original, compileDictionaries: original.composeDictionaries };
});

const mergedCompile = (await vi.importActual<typeof import('../src/radius/dictionary/index.js')>('../src/radius/dictionary/index.js')).compileDictionaries;

describe('every ordered-lookup test, over composition', async () => {
  await import('./compiled-dictionary.test.js');
});

describe('property: a composition answers every lookup as the merged compile does', () => {
  const names = ['Alpha', 'alpha', 'Beta', 'GAMMA', 'Delta'];
  const vendors = [0, 0, 0, 7, 9];
  const entry: fc.Arbitrary<DictionaryEntry> = fc.oneof(
    fc.record({ name: fc.constantFrom('Acme', 'ACME', 'Other'), id: fc.constantFrom(7, 9), format: fc.constantFrom(undefined, '2,1', '1,0') }).map(
      ({ name, id, format }) => (format === undefined ? { vendor: { [name]: id } } : { vendor: { [name]: id }, format }),
    ),
    fc.record({ name: fc.constantFrom(...names), id: fc.integer({ min: 1, max: 4 }), vid: fc.constantFrom(...vendors), type: fc.constantFrom('string', 'integer') }).map(
      ({ name, id, vid, type }) => ({ attr: { vid, id, type, name, enc: 'no' } }),
    ),
    fc.record({ attr: fc.constantFrom(...names), name: fc.constantFrom('On', 'on', 'Off', 'Max'), val: fc.integer({ min: 0, max: 3 }) }).map(({ attr, name, val }) => ({ val: { attr, name, val } })),
    fc.record({ vid: fc.constantFrom(0, 7), id: fc.integer({ min: 1, max: 4 }), name: fc.constantFrom('On', 'Off'), val: fc.integer({ min: 0, max: 3 }) }).map(({ vid, id, name, val }) => ({ val: { vid, id, name, val } })),
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
        const sources: DictionarySource[] = entries.map((value, index) => ({ id: `acct~d${index}`, rev: '1', name: `d${index}`, owner: 'acct', value }));
        expect(everything(composeDictionaries(sources))).toEqual(everything(mergedCompile(sources)));
      }),
      { numRuns: 500 },
    );
  });
});
