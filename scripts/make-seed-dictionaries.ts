/**
 * Regenerates `seed-dictionaries/*.json` from the FreeRADIUS dictionaries installed by Debian's
 * `freeradius-common` package:
 *
 *   apt-get install -y freeradius-common
 *   npx tsx scripts/make-seed-dictionaries.ts [freeradius-dir] [output-dir]
 *
 * The converter understands the subset of the FreeRADIUS format those files use: VENDOR,
 * BEGIN-VENDOR / END-VENDOR, ATTRIBUTE and VALUE. What the seed's JSON format cannot express is
 * dropped, deliberately and loudly (each drop is printed):
 * - `$INCLUDE`, BEGIN-TLV / END-TLV, BEGIN-PROTOCOL, FLAGS, MEMBER, STRUCT and dotted (TLV or
 *   extended) attribute numbers: the JSON format has one flat number per attribute;
 * - VENDOR `format=` (the JSON vendor entry is only a name and a number);
 * - ATTRIBUTE flags other than `encrypt=N` (`has_tag`, `concat`, `array`, ...) and the fixed
 *   length of `octets[N]` (kept as plain `octets`);
 * - an alias, i.e. a second name for the same vendor and number: the JSON format allows one
 *   name per number. The later name is kept because FreeRADIUS prints an attribute under the
 *   name defined last; VALUE lines written against the earlier name still resolve.
 * Each output is validated with the service's own validator before it is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DictionaryEntry, DictionaryFields } from '../src/dictionary/dictionary-doc.js';
import { validateDictionary } from '../src/dictionary/validate-dictionary.js';
import { SchemaValidator } from '../src/schema/validator.js';

/** Each seed dictionary and the FreeRADIUS files it is made of, in load order. */
const OUTPUTS: { name: string; sources: string[] }[] = [
  {
    // RFC 2865 (authentication) and 2866 (accounting) as asked for; 2869, 3576 and 5176 add
    // Message-Authenticator, EAP-Message, Event-Timestamp, NAS-Port-Id and the CoA/Disconnect
    // Error-Cause attribute the service's operations use.
    name: 'dictionary',
    sources: ['dictionary.rfc2865', 'dictionary.rfc2866', 'dictionary.rfc2869', 'dictionary.rfc3576', 'dictionary.rfc5176'],
  },
  { name: 'dictionary_3gpp', sources: ['dictionary.3gpp'] },
  { name: 'dictionary_juniper', sources: ['dictionary.juniper'] },
];

interface Attribute {
  vid: number;
  id: number;
  type: string;
  name: string;
  enc: string;
}

interface Value {
  attribute: string;
  name: string;
  val: number;
  where: string;
}

interface Parsed {
  vendors: Map<string, number>;
  attributes: Attribute[];
  /** Every attribute name, aliases included, for resolving VALUE lines. */
  byName: Map<string, Attribute>;
  values: Value[];
  dropped: string[];
}

function parseNumber(text: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text, 16);
  if (/^-?\d+$/.test(text)) return Number.parseInt(text, 10);
  return undefined;
}

function parseFile(file: string, into: Parsed): void {
  const base = path.basename(file);
  let currentVendor = 0;
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, lineIndex) => {
      const where = `${base}:${lineIndex + 1}`;
      const line = raw.replace(/#.*$/, '').trim();
      if (line === '') return;
      const [keyword = '', ...args] = line.split(/\s+/);
      const drop = (why: string): void => {
        into.dropped.push(`${where}: ${why}: ${line}`);
      };
      switch (keyword) {
        case 'VENDOR': {
          const [name, number, ...flags] = args;
          const id = number === undefined ? undefined : parseNumber(number);
          if (name === undefined || id === undefined) throw new Error(`${where}: malformed VENDOR`);
          into.vendors.set(name, id);
          if (flags.length > 0) drop('vendor format not representable');
          return;
        }
        case 'BEGIN-VENDOR': {
          const id = into.vendors.get(args[0] ?? '');
          if (id === undefined) throw new Error(`${where}: BEGIN-VENDOR of an undeclared vendor`);
          currentVendor = id;
          if (args.length > 1) drop('vendor format not representable');
          return;
        }
        case 'END-VENDOR':
          currentVendor = 0;
          return;
        case 'ATTRIBUTE': {
          const [name, number, rawType, ...rest] = args;
          if (name === undefined || number === undefined || rawType === undefined) {
            throw new Error(`${where}: malformed ATTRIBUTE`);
          }
          const id = parseNumber(number);
          if (id === undefined) return drop('attribute number not representable');
          let vid = currentVendor;
          let enc = 'no';
          for (const flag of rest.flatMap((part) => part.split(','))) {
            if (/^encrypt=\d+$/.test(flag)) enc = flag;
            else if (into.vendors.has(flag)) vid = into.vendors.get(flag) ?? vid;
            else drop(`flag ${flag} not representable`);
          }
          // FreeRADIUS reads type names case-insensitively (the Juniper file writes `String`).
          const lowered = rawType.toLowerCase();
          const type = lowered.replace(/\[\d+\]$/, '');
          if (type !== lowered) drop('fixed length not representable; kept as octets');
          const attribute: Attribute = { vid, id, type, name, enc };
          const alias = into.attributes.findIndex((known) => known.vid === vid && known.id === id);
          if (alias >= 0) {
            drop(`replaces its alias ${into.attributes[alias]?.name ?? '?'} (FreeRADIUS prints the later name)`);
            into.attributes.splice(alias, 1, attribute);
          } else {
            into.attributes.push(attribute);
          }
          into.byName.set(name.toLowerCase(), attribute);
          return;
        }
        case 'VALUE': {
          const [attribute, name, number] = args;
          const val = number === undefined ? undefined : parseNumber(number);
          if (attribute === undefined || name === undefined || val === undefined || args.length !== 3) {
            throw new Error(`${where}: malformed VALUE`);
          }
          into.values.push({ attribute, name, val, where });
          return;
        }
        default:
          drop('directive not representable');
      }
    });
}

function convert(name: string, files: string[]): { fields: DictionaryFields; dropped: string[] } {
  const parsed: Parsed = { vendors: new Map(), attributes: [], byName: new Map(), values: [], dropped: [] };
  for (const file of files) parseFile(file, parsed);
  const value: DictionaryEntry[] = [];
  for (const [vendor, id] of parsed.vendors) value.push({ vendor: { [vendor]: id } });
  for (const { vid, id, type, name: attrName, enc } of parsed.attributes) {
    value.push({ attr: { vid, id, type, name: attrName, enc } });
  }
  // Values may precede their attribute or sit in another file (RFC 5176 extends RFC 3576's
  // Error-Cause), so they are resolved once every file is read.
  const seen = new Set<string>();
  for (const entry of parsed.values) {
    const attribute = parsed.byName.get(entry.attribute.toLowerCase());
    if (!attribute) throw new Error(`${entry.where}: VALUE for unknown attribute ${entry.attribute}`);
    const key = `${attribute.vid}:${attribute.id}:${entry.name.toLowerCase()}`;
    if (seen.has(key)) {
      parsed.dropped.push(`${entry.where}: repeated VALUE ${entry.attribute} ${entry.name}`);
      continue;
    }
    seen.add(key);
    value.push({ val: { vid: attribute.vid, id: attribute.id, val: entry.val, name: entry.name } });
  }
  return { fields: { name, value }, dropped: parsed.dropped };
}

/** One entry per line: readable, and a regenerated file diffs line by line. */
function format(fields: DictionaryFields): string {
  const entries = fields.value.map((entry) => `    ${JSON.stringify(entry)}`).join(',\n');
  return `{\n  "name": ${JSON.stringify(fields.name)},\n  "value": [\n${entries}\n  ]\n}\n`;
}

function main(): void {
  const sourceDir = process.argv[2] ?? '/usr/share/freeradius';
  const outputDir = process.argv[3] ?? new URL('../seed-dictionaries/', import.meta.url).pathname;
  const schemas = new SchemaValidator();
  for (const output of OUTPUTS) {
    const { fields, dropped } = convert(
      output.name,
      output.sources.map((source) => path.join(sourceDir, source)),
    );
    validateDictionary(structuredClone(fields), schemas);
    fs.writeFileSync(path.join(outputDir, `${output.name}.json`), format(fields));
    const counts = { vendor: 0, attr: 0, val: 0 };
    for (const entry of fields.value) counts[Object.keys(entry)[0] as keyof typeof counts] += 1;
    console.log(`${output.name}.json: ${counts.vendor} vendors, ${counts.attr} attributes, ${counts.val} values`);
    for (const line of dropped) console.log(`  lossy: ${line}`);
  }
}

main();
