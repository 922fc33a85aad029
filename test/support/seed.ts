import fs from 'node:fs';
import type { DictionarySource } from '../../src/radius/dictionary/index.js';
import type { DictionaryFields } from '../../src/dictionary/dictionary-doc.js';

/** A system dictionary from `seed-dictionaries/`, as the compiler takes it. */
export function seed(name: string, rev = '1-seed'): DictionarySource {
  const fields = JSON.parse(fs.readFileSync(new URL(`../../seed-dictionaries/${name}.json`, import.meta.url), 'utf8')) as DictionaryFields;
  return { id: `system~${fields.name}`, rev, name: fields.name, owner: 'system', value: fields.value };
}
