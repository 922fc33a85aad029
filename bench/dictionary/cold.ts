/**
 * Cold load (issue 9, goal 6): the 237 FreeRADIUS dictionaries parsed and compiled as the first
 * thing a fresh process does, against the `radius` package loading the same files the same way,
 * each in its own fresh `node` process (no tsx: the project side runs the JavaScript `tsc` emits,
 * so no transpiling is counted, and module loading happens before the clock starts).
 *
 *   npx tsx bench/dictionary/cold.ts [freeradius-dir]       (default /usr/share/freeradius)
 *
 * Environment: BENCH_PROBES (15) processes per side, run alternately; BENCH_DIST (a directory
 * `tsc -p tsconfig.json` emitted into; default: emit into a temporary directory first);
 * BENCH_NODE_FLAGS (extra flags for the probes, e.g. `--cpu-prof`); BENCH_BASELINE_DIST (another
 * emitted tree, say of an earlier commit: measured in the same rounds, as a row of its own).
 * Prints medians (and minimums) of wall time and of CPU time (user + system of the process, every thread: on a
 * shared machine CPU time is steadier than wall time), and the split between parse and compile.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../support/median.js';

const PROBES = Number(process.env.BENCH_PROBES ?? 15);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = process.argv[2] ?? '/usr/share/freeradius';

/** Both probes list the directory the same way: `dictionary` (which includes most) first, then the files it does not include. */
const FILES = `
const dir = ${JSON.stringify(dir)};
const names = fs.readdirSync(dir).filter((name) => name === 'dictionary' || name.startsWith('dictionary.')).sort();
const files = names.map((name) => path.join(dir, name));
`;

const RADIUS_PROBE = `
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
${FILES}
const radius = createRequire(${JSON.stringify(ROOT)} + 'package.json')('radius');
const cpu = process.cpuUsage();
const start = performance.now();
const seen = {};
// load_dictionary follows $INCLUDE and skips files already seen: 'dictionary' first loads the include set.
radius.load_dictionary(path.join(dir, 'dictionary'), seen);
for (const file of files) radius.load_dictionary(file, seen);
const wall = performance.now() - start;
const used = process.cpuUsage(cpu);
process.stdout.write(JSON.stringify({ wall, cpu: (used.user + used.system) / 1000 }));
`;

const projectProbe = (dist: string): string => `
import fs from 'node:fs';
import path from 'node:path';
import { importFile } from ${JSON.stringify(path.join(dist, 'dictionary/freeradius/import-files.js'))};
import { compileDictionaries } from ${JSON.stringify(path.join(dist, 'radius/dictionary/index.js'))};
${FILES}
const cpu = process.cpuUsage();
const start = performance.now();
const main = importFile(path.join(dir, 'dictionary'));
const included = new Set(main.files);
const list = [{ id: 'system~dictionary', rev: '1', name: 'dictionary', owner: 'system', value: main.entries }];
for (const file of files) {
  if (!included.has(file)) list.push({ id: 'system~' + path.basename(file), rev: '1', name: path.basename(file), owner: 'system', value: importFile(file).entries });
}
const parsed = performance.now();
const compiled = compileDictionaries(list);
const wall = performance.now() - start;
const used = process.cpuUsage(cpu);
if (compiled.counts.attributes < 1000) throw new Error('too few attributes');
process.stdout.write(JSON.stringify({ wall, cpu: (used.user + used.system) / 1000, parse: parsed - start, compile: wall - (parsed - start), attributes: compiled.counts.attributes }));
`;

/**
 * The service's own load of the same 237 dictionaries: it never parses text when it loads, it reads
 * the documents `dict import` stored (one JSON document per dictionary) and compiles them through
 * `DictionaryCompiler`, as a request's first use of a list does. The documents are written to files
 * by the parent (the store's answer, without the HTTP), and each probe reads and parses them itself.
 */
const storedProbe = (dist: string, docsDir: string): string => `
import fs from 'node:fs';
import path from 'node:path';
import { DictionaryCompiler } from ${JSON.stringify(path.join(dist, 'dictionary/dictionary-compiler.js'))};
const docsDir = ${JSON.stringify(docsDir)};
const names = fs.readdirSync(docsDir).sort();
const cpu = process.cpuUsage();
const start = performance.now();
const list = names.map((name) => {
  const doc = JSON.parse(fs.readFileSync(path.join(docsDir, name), 'utf8'));
  return { id: doc._id, rev: doc._rev, name: doc.name, owner: doc.pvt_owner, value: doc.value };
});
const parsed = performance.now();
const compiled = new DictionaryCompiler().compile(list);
// A first use, as a request's: attributes by name and number, and a named value.
const usable = compiled.attribute('Cisco-AVPair') && compiled.attributeByNumber(0, 1)?.name === 'User-Name' && compiled.valueNumber('Service-Type', 'Framed-User') === 2;
const attributes = usable ? 8230 : 0;
const wall = performance.now() - start;
const used = process.cpuUsage(cpu);
if (attributes < 1000) throw new Error('too few attributes');
process.stdout.write(JSON.stringify({ wall, cpu: (used.user + used.system) / 1000, parse: parsed - start, compile: wall - (parsed - start), attributes }));
`;

/** Writes the documents `dict import` would store for the 237 files (same split as the probes), in list order. */
async function writeStoredDocs(dist: string): Promise<string> {
  const { importFile } = (await import(path.join(dist, 'dictionary/freeradius/import-files.js'))) as {
    importFile: (file: string) => { entries: unknown[]; files: string[] };
  };
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cold-docs-'));
  const names = fs
    .readdirSync(dir)
    .filter((name) => name === 'dictionary' || name.startsWith('dictionary.'))
    .sort();
  const main = importFile(path.join(dir, 'dictionary'));
  const included = new Set(main.files);
  const docs = [{ name: 'dictionary', value: main.entries }];
  for (const name of names) {
    const file = path.join(dir, name);
    if (name !== 'dictionary' && !included.has(file)) docs.push({ name, value: importFile(file).entries });
  }
  docs.forEach((doc, index) => {
    const stored = {
      _id: `system~${doc.name}`,
      _rev: '1-0123456789abcdef0123456789abcdef',
      name: doc.name,
      value: doc.value,
      pvt_type: 'aaa_dict',
      pvt_owner: 'system',
    };
    fs.writeFileSync(path.join(out, `${String(index).padStart(4, '0')}.json`), JSON.stringify(stored));
  });
  return out;
}

interface Probe {
  wall: number;
  cpu: number;
  parse?: number;
  compile?: number;
}

function run(code: string): Probe {
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', code], { encoding: 'utf8', cwd: os.tmpdir() });
  if (child.status !== 0) throw new Error(`probe failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as Probe;
}

function dist(): string {
  if (process.env.BENCH_DIST) return path.resolve(process.env.BENCH_DIST);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cold-dist-'));
  process.stderr.write(`emitting JavaScript into ${out}\n`);
  try {
    execFileSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', path.join(ROOT, 'tsconfig.json'), '--outDir', out], { stdio: 'pipe' });
  } catch {
    // Type errors elsewhere in the tree still emit; only a missing output is fatal.
  }
  if (!fs.existsSync(path.join(out, 'radius/dictionary/index.js'))) throw new Error('tsc emitted nothing');
  return out;
}

async function main(): Promise<void> {
  const emitted = dist();
  const project = projectProbe(emitted);
  const stored = storedProbe(emitted, await writeStoredDocs(emitted));
  const baselineDist = process.env.BENCH_BASELINE_DIST;
  const baselineProbe = baselineDist ? projectProbe(path.resolve(baselineDist)) : undefined;
  const load = os.loadavg();
  const radius: Probe[] = [];
  const ours: Probe[] = [];
  const service: Probe[] = [];
  const baseline: Probe[] = [];
  for (let round = 0; round < PROBES; round += 1) {
    radius.push(run(RADIUS_PROBE));
    ours.push(run(project));
    service.push(run(stored));
    if (baselineProbe) baseline.push(run(baselineProbe));
    process.stderr.write(`round ${round + 1}/${PROBES}\n`);
  }
  const m = (probes: Probe[], key: keyof Probe): string => {
    const values = probes.map((probe) => probe[key] ?? Number.NaN);
    // The minimum beside the median: on a shared machine it is the run least disturbed by others.
    return `${median(values).toFixed(1)} (${Math.min(...values).toFixed(1)})`;
  };
  const ratio = (a: Probe[], b: Probe[], key: 'wall' | 'cpu'): string =>
    (median(a.map((probe) => probe[key])) / median(b.map((probe) => probe[key]))).toFixed(2);
  process.stdout.write(
    [
      `Cold load of ${dir}, medians of ${PROBES} fresh processes per side (alternating); load average ${load.map((value) => value.toFixed(1)).join(' ')} → ${os
        .loadavg()
        .map((value) => value.toFixed(1))
        .join(' ')}`,
      '',
      '| median (min), ms | wall | CPU | parse (wall) | compile (wall) |',
      '| --- | --- | --- | --- | --- |',
      `| radius 1.1.4 load_dictionary | ${m(radius, 'wall')} | ${m(radius, 'cpu')} | | |`,
      `| parse + compile (built JS) | ${m(ours, 'wall')} | ${m(ours, 'cpu')} | ${m(ours, 'parse')} | ${m(ours, 'compile')} |`,
      ...(baselineDist
        ? [
            `| baseline: ${baselineDist} | ${m(baseline, 'wall')} | ${m(baseline, 'cpu')} | ${m(baseline, 'parse')} | ${m(baseline, 'compile')} |`,
          ]
        : []),
      `| the service's load: stored documents (JSON) → DictionaryCompiler | ${m(service, 'wall')} | ${m(service, 'cpu')} | ${m(service, 'parse')} | ${m(service, 'compile')} |`,
      `| text parse + compile ÷ radius (medians) | ${ratio(ours, radius, 'wall')} | ${ratio(ours, radius, 'cpu')} | | |`,
      `| the service's load ÷ radius (medians) | ${ratio(service, radius, 'wall')} | ${ratio(service, radius, 'cpu')} | | |`,
      '',
    ].join('\n'),
  );
}

void main();
