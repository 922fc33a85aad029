/**
 * Dictionary compile and lookup benchmark, side by side with the `radius` npm package loading the
 * same FreeRADIUS files in the same run.
 *
 *   npx tsx bench/dictionary/compile.ts [freeradius-dir]      (default /usr/share/freeradius)
 *
 * Environment: BENCH_RUNS (20) timed rounds after BENCH_WARMUP (5); BENCH_PROBES (3) fresh
 * processes per cold-start/memory figure; BENCH_RESULTS (bench/dictionary/results.json).
 * Prints Markdown to stdout, progress to stderr, and writes the raw numbers as JSON.
 *
 * What is compared (see workloads.ts for the two file sets):
 * - radius: `load_dictionary` of the files (its parser fills its global tables);
 * - parse + compile: the project's importer (FreeRADIUS text → dictionary entries), then
 *   `compileDictionaries` — the fair comparison, as both start from text;
 * - parse only / compile only: the two halves, to show where the time goes;
 * - JSON + compile: `JSON.parse` of the stored documents, then compile — what the service does
 *   on a reload (it keeps dictionaries as JSON documents and never re-reads FreeRADIUS text).
 * Cold figures come from child processes (first call in a fresh process, nothing JIT-compiled yet);
 * warm figures are medians of interleaved rounds in this process.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DictionarySource, compileDictionaries } from '../../src/radius/dictionary/index.js';
import { DictionaryCompiler } from '../../src/dictionary/dictionary-compiler.js';
import type { DictionaryEntry } from '../../src/dictionary/dictionary-doc.js';
import { importFile } from '../../src/dictionary/freeradius/import-files.js';
import { type LookupRate, lookupRates } from './lookups.js';
import { type MemoryGrowth, type Summary, memoryGrowth, sideBySide, summarize } from './measure.js';
import { attributeLinesRadiusSkips, filesRadiusRejects, loadWithRadius } from './radius-package.js';
import { type FileSets, countEntries, fileSets, parseAllFiles, parseIncludeSet, parseOneDictionaryPerFile, source } from './workloads.js';
import { wholeNumber } from '../support/env.js';

// ---------------------------------------------------------------------------------------------
// Settings

const RUNS = wholeNumber('BENCH_RUNS', 20, 1);
const WARMUP = wholeNumber('BENCH_WARMUP', 5, 0);
const PROBES = wholeNumber('BENCH_PROBES', 3, 1);
const RESULTS = process.env.BENCH_RESULTS ?? fileURLToPath(new URL('./results.json', import.meta.url));
const PROBE_FLAG = '--probe';
/** The parent hands the file sets to a probe, so the probe parses nothing before it measures. */
const PROBE_SETUP = 'BENCH_PROBE_SETUP';

interface ProbeSetup {
  sets: FileSets;
  rejected: string[];
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// Workloads: the same files for both sides, minus any the radius package cannot load.

type WorkloadName = 'includeSet' | 'allFiles';

interface Workload {
  title: string;
  /** What the radius package is given (it follows $INCLUDE itself). */
  radiusFiles: string[];
  /** The same files through the project's importer. */
  parse: () => DictionarySource[];
}

function withoutRejected(files: readonly string[], rejected: ReadonlySet<string>): string[] {
  return files.filter((file) => !rejected.has(path.basename(file)));
}

/**
 * Normally `dictionary` (which includes the rest) is loaded as a whole by both sides. If the radius
 * package rejects some file, both sides instead load the remaining files one by one, so that the
 * rejected file is excluded from both.
 */
function workloads(sets: FileSets, rejected: ReadonlySet<string>): Record<WorkloadName, Workload> {
  if (rejected.size === 0) {
    return {
      includeSet: { title: `include set (${sets.includeSet.length} files)`, radiusFiles: [sets.main], parse: () => parseIncludeSet(sets) },
      allFiles: {
        title: `all ${sets.includeSet.length + sets.others.length} files`,
        radiusFiles: [sets.main, ...sets.others],
        parse: () => parseAllFiles(sets),
      },
    };
  }
  // Parsed on first use, so a probe process parses nothing before it measures (that first parse is then part of it).
  let context: DictionaryEntry[] | undefined;
  const oneByOne = (files: string[]) => () => {
    context ??= importFile(sets.main).entries;
    const known = context;
    return files.map((file) => source(path.basename(file), importFile(file, { context: known }).entries));
  };
  const included = withoutRejected(sets.includeSet.slice(1), rejected);
  const all = [...included, ...withoutRejected(sets.others, rejected)];
  return {
    includeSet: { title: `include set minus rejected (${included.length} files)`, radiusFiles: included, parse: oneByOne(included) },
    allFiles: { title: `all files minus rejected (${all.length} files)`, radiusFiles: all, parse: oneByOne(all) },
  };
}

// ---------------------------------------------------------------------------------------------
// Probes: one measurement in a fresh child process (cold start, clean heap).

type ProbeKind = 'radius' | 'parse+compile' | 'parse' | 'compile' | 'json+compile';

interface ProbeResult {
  elapsedMs: number;
  growth: MemoryGrowth;
}

function probe(kind: ProbeKind, workload: Workload): ProbeResult {
  switch (kind) {
    case 'radius':
      return memoryGrowth(() => loadWithRadius(workload.radiusFiles));
    case 'parse+compile':
      // The entries become garbage: what is retained is the compiled structure alone.
      return memoryGrowth(() => compileDictionaries(workload.parse()));
    case 'parse':
      return memoryGrowth(() => workload.parse());
    case 'compile': {
      const list = workload.parse();
      return memoryGrowth(() => compileDictionaries(list));
    }
    case 'json+compile': {
      const stored = JSON.stringify(workload.parse());
      return memoryGrowth(() => compileDictionaries(JSON.parse(stored) as DictionarySource[]));
    }
  }
}

function runProbeInChild(kind: ProbeKind, workload: WorkloadName, setup: ProbeSetup): ProbeResult {
  const script = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, [...process.execArgv, script, PROBE_FLAG, kind, workload], {
    encoding: 'utf8',
    env: { ...process.env, [PROBE_SETUP]: JSON.stringify(setup) },
  });
  const last = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !last.startsWith('{')) throw new Error(`probe ${kind} ${workload} failed: ${child.stderr}`);
  return JSON.parse(last) as ProbeResult;
}

interface ColdSummary {
  elapsedMs: Summary;
  heapMB: Summary;
  rssMB: Summary;
}

function coldFigures(kind: ProbeKind, workload: WorkloadName, setup: ProbeSetup): ColdSummary {
  const results = Array.from({ length: PROBES }, () => runProbeInChild(kind, workload, setup));
  return {
    elapsedMs: summarize(results.map((result) => result.elapsedMs)),
    heapMB: summarize(results.map((result) => result.growth.heapMB)),
    rssMB: summarize(results.map((result) => result.growth.rssMB)),
  };
}

// ---------------------------------------------------------------------------------------------
// The run

const SUBJECTS: readonly ProbeKind[] = ['radius', 'parse+compile', 'parse', 'compile', 'json+compile'];

interface WorkloadResult {
  title: string;
  entries: ReturnType<typeof countEntries>;
  compiled: { vendors: number; attributes: number; values: number; conflicts: number; unattachedValues: number };
  warm: Record<ProbeKind, Summary>;
  cold: Record<ProbeKind, ColdSummary>;
}

function measureWorkload(name: WorkloadName, workload: Workload, setup: ProbeSetup): WorkloadResult {
  log(`${workload.title}: warm, ${WARMUP} + ${RUNS} interleaved rounds`);
  const parsed = workload.parse();
  const compiled = compileDictionaries(parsed);
  const stored = JSON.stringify(parsed);
  const warm = sideBySide(
    {
      radius: () => loadWithRadius(workload.radiusFiles),
      'parse+compile': () => compileDictionaries(workload.parse()),
      parse: () => workload.parse(),
      compile: () => compileDictionaries(parsed),
      'json+compile': () => compileDictionaries(JSON.parse(stored) as DictionarySource[]),
    },
    WARMUP,
    RUNS,
  ) as Record<ProbeKind, Summary>;
  log(`${workload.title}: cold and memory, ${PROBES} fresh processes per figure`);
  const cold = Object.fromEntries(SUBJECTS.map((kind) => [kind, coldFigures(kind, name, setup)])) as Record<ProbeKind, ColdSummary>;
  return {
    title: workload.title,
    entries: countEntries(parsed),
    compiled: { ...compiled.counts, conflicts: compiled.conflicts.length, unattachedValues: compiled.unattachedValues.length },
    warm,
    cold,
  };
}

interface ListResult {
  entries: ReturnType<typeof countEntries>;
  conflicts: Record<string, number>;
  compile: Summary;
  cacheHit: Summary;
}

/** The 236-dictionary list: compile only, and the compiler cache's answer once it has it. */
function measureLongList(sets: FileSets): { list: DictionarySource[]; result: ListResult } {
  log('one dictionary per file: compile and cache hit');
  const list = parseOneDictionaryPerFile(sets);
  const compiled = compileDictionaries(list);
  const conflicts: Record<string, number> = {};
  for (const conflict of compiled.conflicts) conflicts[conflict.kind] = (conflicts[conflict.kind] ?? 0) + 1;
  const compiler = new DictionaryCompiler();
  compiler.compile(list);
  const timings = sideBySide({ compile: () => compileDictionaries(list), cacheHit: () => compiler.compile(list) }, WARMUP, RUNS);
  return {
    list,
    result: { entries: countEntries(list), conflicts, compile: timings.compile as Summary, cacheHit: timings.cacheHit as Summary },
  };
}

// ---------------------------------------------------------------------------------------------
// Output

const ms = (value: number): string => (value < 10 ? value.toFixed(2) : value.toFixed(1));
const warmCell = (summary: Summary): string => `${ms(summary.median)} (${ms(summary.min)}–${ms(summary.max)})`;
const ratio = (reference: number, value: number): string => `${(reference / value).toFixed(2)}×`;
const thousands = (value: number): string => Math.round(value).toLocaleString('en-US');

function workloadTable(result: WorkloadResult): string {
  const { entries, compiled, warm, cold } = result;
  const cells = (render: (kind: ProbeKind) => string): string => SUBJECTS.map(render).join(' | ');
  return [
    `### ${result.title}: ${thousands(entries.attributes)} attributes, ${thousands(entries.values)} values, ${entries.vendors} vendors`,
    '',
    `| | radius 1.1.4 load | parse + compile | parse only | compile only | JSON.parse + compile |`,
    `| --- | --- | --- | --- | --- | --- |`,
    `| warm, median (min–max) of ${RUNS}, ms | ${cells((kind) => warmCell(warm[kind]))} |`,
    `| radius ÷ this, warm median | ${cells((kind) => (kind === 'radius' ? '1×' : ratio(warm.radius.median, warm[kind].median)))} |`,
    `| cold (first call, fresh process), median of ${PROBES}, ms | ${cells((kind) => ms(cold[kind].elapsedMs.median))} |`,
    `| heap retained after GC, MB | ${cells((kind) => cold[kind].heapMB.median.toFixed(1))} |`,
    `| RSS growth, MB | ${cells((kind) => cold[kind].rssMB.median.toFixed(1))} |`,
    '',
    `Compiled: ${thousands(compiled.attributes)} attribute names, ${thousands(compiled.values)} values, ${compiled.vendors} vendors, ` +
      `${compiled.conflicts} conflicts, ${compiled.unattachedValues} unattached values.`,
  ].join('\n');
}

function lookupTable(rates: Record<string, LookupRate>, attributes: number): string {
  return [
    `### Lookups on the compiled all-files list (${thousands(attributes)} attribute names; 4,096 uniformly drawn real keys)`,
    '',
    '| lookup | per second (median of 7) | ns per lookup | found |',
    '| --- | --- | --- | --- |',
    ...Object.entries(rates).map(
      ([name, rate]) => `| ${name} | ${thousands(rate.opsPerSecond)} | ${rate.nsPerOp.toFixed(0)} | ${(rate.hitRatio * 100).toFixed(0)}% |`,
    ),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------

function main(): void {
  const dir = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : '/usr/share/freeradius';
  const loadBefore = os.loadavg();
  const sets = fileSets(dir);
  const allFiles = [...sets.includeSet, ...sets.others];
  log(`${allFiles.length} files under ${dir}; load average ${loadBefore.map((load) => load.toFixed(2)).join(' ')}`);

  const rejectedFiles = filesRadiusRejects(allFiles);
  const rejected = new Set(rejectedFiles.map(({ file }) => file));
  const skipped = attributeLinesRadiusSkips(withoutRejected(allFiles, rejected));
  const chosen = workloads(sets, rejected);
  const setup: ProbeSetup = { sets, rejected: [...rejected] };

  const includeSet = measureWorkload('includeSet', chosen.includeSet, setup);
  const all = measureWorkload('allFiles', chosen.allFiles, setup);
  const long = measureLongList(sets);

  log('lookups');
  const allList = chosen.allFiles.parse();
  const rates = lookupRates(compileDictionaries(allList), allList);
  const loadAfter = os.loadavg();

  const notes = [
    `Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}; load average (1, 5, 15 min) ` +
      `${loadBefore.map((load) => load.toFixed(2)).join(', ')} at the start, ${loadAfter.map((load) => load.toFixed(2)).join(', ')} at the end.`,
    rejectedFiles.length === 0
      ? 'The radius package loads every file without throwing, so none is excluded.'
      : `Excluded from both sides (the radius package throws on them): ${rejectedFiles.map(({ file, error }) => `${file} (${error})`).join('; ')}.`,
    `The radius package silently skips ${thousands(skipped.skipped)} of ${thousands(skipped.total)} ATTRIBUTE lines (hex and dotted numbers ` +
      'do not match its regex), and parses none of the flags, formats or TLVs: it does less work than our side.',
  ];
  const markdown = [
    `## Dictionary compile (\`npx tsx bench/dictionary/compile.ts\`)`,
    '',
    ...notes.map((note) => `- ${note}`),
    '',
    workloadTable(includeSet),
    '',
    workloadTable(all),
    '',
    `### One dictionary per file: ${long.result.entries.dictionaries} dictionaries in one ordered list (compile only)`,
    '',
    `| | ms, median (min–max) of ${RUNS} |`,
    '| --- | --- |',
    `| compileDictionaries | ${warmCell(long.result.compile)} |`,
    `| DictionaryCompiler.compile, cached | ${warmCell(long.result.cacheHit)} |`,
    '',
    `Conflicts reported: ${Object.entries(long.result.conflicts)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ')}.`,
    '',
    lookupTable(rates, all.compiled.attributes),
  ].join('\n');
  process.stdout.write(`${markdown}\n`);

  const results = {
    date: new Date().toISOString(),
    command: 'npx tsx bench/dictionary/compile.ts',
    node: process.version,
    cpus: os.cpus().length,
    loadAverage: { start: loadBefore, end: loadAfter },
    directory: dir,
    settings: { runs: RUNS, warmup: WARMUP, probes: PROBES },
    importer: 'src/dictionary/freeradius/import-files.ts',
    files: { includeSet: sets.includeSet.length, others: sets.others.map((file) => path.basename(file)) },
    radius: { version: '1.1.4', rejectedFiles, attributeLines: skipped },
    workloads: { includeSet, allFiles: all },
    oneDictionaryPerFile: long.result,
    lookups: rates,
  };
  fs.writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${RESULTS}`);
}

function probeMain(): void {
  const at = process.argv.indexOf(PROBE_FLAG);
  const kind = process.argv[at + 1] as ProbeKind;
  const name = process.argv[at + 2] as WorkloadName;
  const setup = JSON.parse(process.env[PROBE_SETUP] ?? '{}') as ProbeSetup;
  process.stdout.write(`${JSON.stringify(probe(kind, workloads(setup.sets, new Set(setup.rejected))[name]))}\n`);
}

if (process.argv.includes(PROBE_FLAG)) probeMain();
else main();
