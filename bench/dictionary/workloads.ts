/**
 * What the compile benchmark loads: the FreeRADIUS files of Debian's freeradius-common, read with
 * the project's importer (src/dictionary/freeradius/import-files.ts).
 *
 * Two file sets, because they differ: `/usr/share/freeradius/dictionary` $INCLUDEs 224 files (225
 * with itself, 7,468 ATTRIBUTE lines); the directory holds 237 (8,604 ATTRIBUTE lines). The 12
 * others (dhcp, vqp, freedhcp, the alvarion/wichorus WiMAX variants, starent.vsa1, ...) are other
 * protocols or alternatives FreeRADIUS does not load by default.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DictionarySource } from '../../src/radius/dictionary/index.js';
import type { DictionaryEntry } from '../../src/dictionary/dictionary-doc.js';
import { importFile } from '../../src/dictionary/freeradius/import-files.js';

export interface FileSets {
  main: string;
  /** `dictionary` and what it includes, in the order read. */
  includeSet: string[];
  /** Every `dictionary*` file of the directory not in the include set, sorted. */
  others: string[];
}

export function fileSets(dir: string): FileSets {
  const main = path.join(dir, 'dictionary');
  const includeSet = importFile(main).files;
  const included = new Set(includeSet);
  const others = fs
    .readdirSync(dir)
    .filter((name) => name === 'dictionary' || name.startsWith('dictionary.'))
    .map((name) => path.join(dir, name))
    .filter((file) => !included.has(file) && fs.statSync(file).isFile())
    .sort();
  return { main, includeSet, others };
}

export function source(name: string, value: DictionaryEntry[]): DictionarySource {
  return { id: `system~${name}`, rev: '1-bench', name, owner: 'system', value };
}

/** The include set as FreeRADIUS loads it: one document (what `dict import dictionary` makes). */
export function parseIncludeSet(sets: FileSets): DictionarySource[] {
  return [source('dictionary', importFile(sets.main).entries)];
}

/** All 237 files: the include set as one document, then each other file as its own. */
export function parseAllFiles(sets: FileSets): DictionarySource[] {
  return [...parseIncludeSet(sets), ...sets.others.map((file) => source(path.basename(file), importFile(file).entries))];
}

/**
 * All 237 files, one dictionary per file (236: `dictionary` itself defines nothing), in load
 * order: a long ordered list with cross-dictionary VALUEs and real conflicts (the `.illegal` and
 * alternative files redefine numbers). Each file is parsed with the include set as context, as
 * FreeRADIUS reads them all into one table (dictionary.freeradius.evs5 needs that).
 */
export function parseOneDictionaryPerFile(sets: FileSets): DictionarySource[] {
  const context = importFile(sets.main).entries;
  return [...sets.includeSet.slice(1), ...sets.others].map((file) => source(path.basename(file), importFile(file, { context }).entries));
}

export function countEntries(list: readonly DictionarySource[]): {
  dictionaries: number;
  vendors: number;
  attributes: number;
  values: number;
} {
  const counts = { dictionaries: list.length, vendors: 0, attributes: 0, values: 0 };
  for (const dictionary of list) {
    for (const entry of dictionary.value) {
      if ('vendor' in entry) counts.vendors += 1;
      else if ('attr' in entry) counts.attributes += 1;
      else counts.values += 1;
    }
  }
  return counts;
}
