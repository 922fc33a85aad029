/**
 * Regenerates `seed-dictionaries/*.json` from the FreeRADIUS dictionaries installed by Debian's
 * `freeradius-common` package, with the service's own importer (src/dictionary/freeradius/):
 *
 *   apt-get install -y freeradius-common
 *   npx tsx scripts/make-seed-dictionaries.ts [freeradius-dir] [output-dir]
 *
 * Nothing is dropped: the JSON format holds every FreeRADIUS v3 construct (formats, dotted
 * numbers, flags, fixed lengths, aliases). Each output is validated with the service's own
 * validator and read back through the exporter (parse(write(x)) must equal x) before it is
 * written; the output depends only on the input files, so a rerun changes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { DictionaryEntry, DictionaryFields } from '../src/dictionary/dictionary-doc.js';
import { importFile, importText, type ImportResult } from '../src/dictionary/freeradius/import-files.js';
import { parseFreeRadius } from '../src/dictionary/freeradius/parse.js';
import { writeFreeRadius } from '../src/dictionary/freeradius/write.js';
import { validateDictionary } from '../src/dictionary/validate-dictionary.js';
import { SchemaValidator } from '../src/schema/validator.js';

/** Vendor dictionaries, one FreeRADIUS file each; the name follows Kazoo (`dictionary_<vendor>`). */
const VENDOR_OUTPUTS: { name: string; source: string; why: string }[] = [
  { name: 'dictionary_3gpp', source: 'dictionary.3gpp', why: '3GPP (10415): mobile packet core (GGSN/PGW)' },
  { name: 'dictionary_3gpp2', source: 'dictionary.3gpp2', why: '3GPP2 (5535): CDMA packet data' },
  { name: 'dictionary_cisco', source: 'dictionary.cisco', why: 'Cisco (9): Cisco-AVPair, IOS BNG' },
  { name: 'dictionary_juniper', source: 'dictionary.juniper', why: 'Juniper (2636): Junos' },
  { name: 'dictionary_microsoft', source: 'dictionary.microsoft', why: 'Microsoft (311): MS-CHAP, MPPE keys' },
  { name: 'dictionary_wispr', source: 'dictionary.wispr', why: 'WISPr (14122): Wi-Fi hotspots' },
  { name: 'dictionary_erx', source: 'dictionary.erx', why: 'ERX/Unisphere (4874): Juniper E-series and MX BNG' },
  { name: 'dictionary_ericsson_ab', source: 'dictionary.ericsson.ab', why: 'Ericsson-AB (2352): Redback SmartEdge BNG' },
  { name: 'dictionary_alcatel_sr', source: 'dictionary.alcatel.sr', why: 'Alcatel-Lucent-Service-Router (6527): Nokia SR OS BNG' },
  { name: 'dictionary_huawei', source: 'dictionary.huawei', why: 'Huawei (2011): ME60/NE BNG' },
  { name: 'dictionary_mikrotik', source: 'dictionary.mikrotik', why: 'Mikrotik (14988): RouterOS' },
  { name: 'dictionary_wimax', source: 'dictionary.wimax', why: 'WiMAX (24757): WiMAX Forum, format 1,1,c' },
  { name: 'dictionary_freeradius', source: 'dictionary.freeradius', why: 'FreeRADIUS (11344): its own VSAs' },
];

/**
 * The standard set: the RFC dictionaries the main FreeRADIUS `dictionary` includes, in its
 * order, as one list of `$INCLUDE`s (read relative to that file). The vendor files and
 * dictionary.freeradius.internal (server-side attributes) are left out.
 */
function importStandard(sourceDir: string): { result: ImportResult; sources: string[] } {
  const main = path.join(sourceDir, 'dictionary');
  const sources = importFile(main)
    .files.map((file) => path.basename(file))
    .filter((file) => file.startsWith('dictionary.rfc'));
  const text = sources.map((source) => `$INCLUDE ${source}\n`).join('');
  return { result: importText(text, main), sources };
}

/** One entry per line: readable, and a regenerated file diffs line by line. */
function format(fields: DictionaryFields): string {
  const entries = fields.value.map((entry) => `    ${JSON.stringify(entry)}`).join(',\n');
  return `{\n  "name": ${JSON.stringify(fields.name)},\n  "value": [\n${entries}\n  ]\n}\n`;
}

function count(entries: readonly DictionaryEntry[]): { vendor: number; attr: number; val: number } {
  const counts = { vendor: 0, attr: 0, val: 0 };
  for (const entry of entries) {
    if ('vendor' in entry) counts.vendor += 1;
    else if ('attr' in entry) counts.attr += 1;
    else counts.val += 1;
  }
  return counts;
}

function main(): void {
  const sourceDir = process.argv[2] ?? '/usr/share/freeradius';
  const outputDir = process.argv[3] ?? new URL('../seed-dictionaries/', import.meta.url).pathname;
  const schemas = new SchemaValidator();
  const standard = importStandard(sourceDir);
  const outputs = [
    { name: 'dictionary', result: standard.result, from: standard.sources.join(', ') },
    ...VENDOR_OUTPUTS.map(({ name, source, why }) => ({
      name,
      result: importFile(path.join(sourceDir, source)),
      from: `${source} (${why})`,
    })),
  ];
  for (const { name, result, from } of outputs) {
    const fields: DictionaryFields = { name, value: result.entries };
    validateDictionary(structuredClone(fields), schemas);
    const back = parseFreeRadius(writeFreeRadius(fields.value), { fileName: name }).entries;
    if (!isDeepStrictEqual(back, fields.value)) throw new Error(`${name}: export → import changed the entries`);
    fs.writeFileSync(path.join(outputDir, `${name}.json`), format(fields));
    const counts = count(fields.value);
    console.log(`${name}.json: ${counts.vendor} vendors, ${counts.attr} attributes, ${counts.val} values — from ${from}`);
    for (const warning of result.warnings)
      console.log(`  note: ${path.basename(warning.fileName)} line ${warning.line}: ${warning.message}`);
  }
}

main();
