/**
 * Tenant scale: the resolve + encode path of an authn (the service's DictionaryCompiler turns a
 * server's dictionary list into a CompiledDictionary, then the codec encodes an Access-Request
 * with it), over 10,000 tenants with distinct lists vs over 10, side by side in one run; and the
 * process's RSS with the 10,000 lists compiled (a fresh child process).
 *
 *   npx tsx bench/dictionary/tenant-scale.ts
 *
 * Each tenant's list is the system dictionaries (dictionary, dictionary_cisco,
 * dictionary_microsoft: the seed's) plus a vendor dictionary of its own (a vendor, 20
 * attributes, 10 values). The HTTP path is left out on purpose: on this shared 2-core machine
 * its noise hides the difference this measures (the cache), which the HTTP path only adds to.
 * "before" is the previous design, each list compiled into one table and cached per list
 * (500,000 entries), run on fewer requests as each miss costs a compile.
 *
 * Environment: BENCH_ROUNDS (7) interleaved rounds; BENCH_REQUESTS (20,000) per round and mode;
 * BENCH_BASELINE_SRC: the `src` of another checkout (say `git archive <commit> src
 * seed-dictionaries | tar -x -C /tmp/before`, then `/tmp/before/src`), whose DictionaryCompiler is
 * measured in the same rounds as a row of its own: a before/after that the load of a shared
 * machine, which moves every figure from one run to the next, cannot fake.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DictionaryCompiler } from '../../src/dictionary/dictionary-compiler.js';
import type { DictionaryEntry, DictionaryFields } from '../../src/dictionary/dictionary-doc.js';
import { encodeRequest, PacketCode } from '../../src/radius/codec/index.js';
import { type CompiledDictionary, type DictionarySource, compileDictionaries } from '../../src/radius/dictionary/index.js';
import { median } from '../support/median.js';
import { runBenchmark } from '../support/run-main.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
const MANY = 10_000;
const FEW = 10;
const SYSTEM = ['dictionary', 'dictionary_cisco', 'dictionary_microsoft'];

function seed(name: string): DictionarySource {
  const file = fileURLToPath(new URL(`../../seed-dictionaries/${name}.json`, import.meta.url));
  const fields = JSON.parse(fs.readFileSync(file, 'utf8')) as DictionaryFields;
  return { id: `system~${fields.name}`, rev: '1-seed', name: fields.name, owner: 'system', value: fields.value };
}

function tenantDictionary(index: number): DictionarySource {
  const vendorId = 100_000 + index;
  const vendor = `Tenant${index}`;
  const value: DictionaryEntry[] = [{ vendor: { [vendor]: vendorId } }];
  for (let id = 1; id <= 20; id += 1)
    value.push({ attr: { vid: vendorId, id, type: id % 2 === 0 ? 'integer' : 'string', name: `${vendor}-Attr-${id}`, enc: 'no' } });
  for (let val = 1; val <= 10; val += 1) value.push({ val: { vid: vendorId, id: 2, val, name: `Level-${val}`, attr: `${vendor}-Attr-2` } });
  return { id: `acct${index}~own`, rev: '1-a', name: 'own', owner: `acct${index}`, value };
}

const system = SYSTEM.map(seed);
const tenantLists = (count: number): DictionarySource[][] =>
  Array.from({ length: count }, (_, index) => [...system, tenantDictionary(index)]);

/** What an authn does per request once its server's list is resolved: compile (cached), then encode. */
function authn(compiled: CompiledDictionary, tenant: number): number {
  const vendor = `Tenant${tenant}`;
  const packet = encodeRequest({
    code: PacketCode.AccessRequest,
    identifier: tenant & 0xff,
    secret: 'bench-secret',
    dictionary: compiled,
    attributes: [
      { name: 'User-Name', value: 'alice@example.org' },
      { name: 'User-Password', value: 'correct horse battery' },
      { name: 'NAS-IP-Address', value: '192.0.2.10' },
      { name: 'Service-Type', value: 'Framed-User' },
      { name: `${vendor}-Attr-1`, value: 'gold' },
      { name: `${vendor}-Attr-2`, value: 'Level-3' },
    ],
  });
  return packet.bytes.length;
}

/** The previous design: one merged table per list, cached per list up to 500,000 entries (LRU). */
class PerListCache {
  readonly #lists = new Map<string, { compiled: CompiledDictionary; entries: number }>();
  #entries = 0;
  compile(list: readonly DictionarySource[]): CompiledDictionary {
    const key = JSON.stringify(list.map(({ id, rev }) => [id, rev]));
    const hit = this.#lists.get(key);
    if (hit) {
      this.#lists.delete(key);
      this.#lists.set(key, hit);
      return hit.compiled;
    }
    const entry = { compiled: compileDictionaries(list), entries: list.reduce((sum, source) => sum + source.value.length, 0) };
    this.#lists.set(key, entry);
    this.#entries += entry.entries;
    for (const [oldest, old] of this.#lists) {
      if (this.#entries <= 500_000 || this.#lists.size === 1) break;
      this.#lists.delete(oldest);
      this.#entries -= old.entries;
    }
    return entry.compiled;
  }
}

interface Compiler {
  compile(list: readonly DictionarySource[]): CompiledDictionary;
}

/** Requests per second over `requests` requests spread over the lists in a fixed shuffled order. */
function rate(compiler: Compiler, lists: readonly DictionarySource[][], order: readonly number[], requests: number): number {
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let request = 0; request < requests; request += 1) {
    const tenant = order[request % order.length] as number;
    sink += authn(compiler.compile(lists[tenant] as DictionarySource[]), tenant);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (sink === 0) throw new Error('nothing encoded');
  return requests / seconds;
}

function shuffled(count: number): number[] {
  const order = Array.from({ length: count }, (_, index) => index);
  let state = 12345;
  for (let index = count - 1; index > 0; index -= 1) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    const other = state % (index + 1);
    [order[index], order[other]] = [order[other] as number, order[index] as number];
  }
  return order;
}

/** Child mode: compile 10,000 distinct lists in a fresh process and report memory. */
function memoryProbe(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const lists = tenantLists(MANY);
  gc();
  const before = process.memoryUsage();
  const compiler = new DictionaryCompiler();
  const kept = lists.map((list) => compiler.compile(list));
  gc();
  const after = process.memoryUsage();
  const entries = system.reduce((sum, source) => sum + source.value.length, 0) + MANY * (lists[0]?.[3]?.value.length ?? 0);
  const stats = compiler.stats();
  process.stdout.write(
    JSON.stringify({
      rssMB: after.rss / 2 ** 20,
      heapUsedMB: after.heapUsed / 2 ** 20,
      rssBeforeCompileMB: before.rss / 2 ** 20,
      compiledHeapMB: (after.heapUsed - before.heapUsed) / 2 ** 20,
      measuredBytesPerEntry: (after.heapUsed - before.heapUsed) / entries,
      estimatedMB: stats.bytes / 2 ** 20,
      estimateOverMeasured: stats.bytes / (after.heapUsed - before.heapUsed),
      stats,
      lists: kept.length,
    }),
  );
}

async function main(): Promise<void> {
  const few = tenantLists(FEW);
  const many = tenantLists(MANY);
  const fewOrder = shuffled(FEW);
  const manyOrder = shuffled(MANY);
  const shared = { few: new DictionaryCompiler(), many: new DictionaryCompiler() };
  const baselineSrc = process.env.BENCH_BASELINE_SRC;
  let baseline: { few: Compiler; many: Compiler } | undefined;
  if (baselineSrc) {
    const module = (await import(path.resolve(baselineSrc, 'dictionary/dictionary-compiler.js'))) as {
      DictionaryCompiler: new () => Compiler;
    };
    baseline = { few: new module.DictionaryCompiler(), many: new module.DictionaryCompiler() };
    rate(baseline.few, few, fewOrder, FEW);
    rate(baseline.many, many, manyOrder, MANY);
  }
  const before = { few: new PerListCache(), many: new PerListCache() };
  // Warm-up: every list compiled once (a steady state), the JIT warm.
  rate(shared.few, few, fewOrder, FEW);
  rate(shared.many, many, manyOrder, MANY);
  rate(before.few, few, fewOrder, FEW);
  const results = {
    few: [] as number[],
    many: [] as number[],
    beforeFew: [] as number[],
    beforeMany: [] as number[],
    baselineFew: [] as number[],
    baselineMany: [] as number[],
  };
  for (let round = 0; round < ROUNDS; round += 1) {
    results.few.push(rate(shared.few, few, fewOrder, REQUESTS));
    results.many.push(rate(shared.many, many, manyOrder, REQUESTS));
    results.beforeFew.push(rate(before.few, few, fewOrder, REQUESTS / 10));
    results.beforeMany.push(rate(before.many, many, manyOrder, REQUESTS / 10));
    if (baseline) {
      results.baselineFew.push(rate(baseline.few, few, fewOrder, REQUESTS));
      results.baselineMany.push(rate(baseline.many, many, manyOrder, REQUESTS));
    }
    process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
  }
  const child = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', fileURLToPath(import.meta.url), '--memory'], {
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`memory probe failed: ${child.stderr}`);
  const memory = JSON.parse(child.stdout) as Record<string, unknown> & { rssMB: number };
  const m = (values: number[]) => Math.round(median(values));
  const ratio = median(results.many) / median(results.few);
  const beforeRatio = median(results.beforeMany) / median(results.beforeFew);
  process.stdout.write(
    [
      `| design | 10 tenants (req/s) | 10,000 tenants (req/s) | ratio |`,
      `| --- | --- | --- | --- |`,
      `| shared dictionaries, composed lists | ${m(results.few)} | ${m(results.many)} | **${ratio.toFixed(2)}** |`,
      `| before: one merged table per list | ${m(results.beforeFew)} | ${m(results.beforeMany)} | ${beforeRatio.toFixed(2)} |`,
      ...(baseline
        ? [
            `| baseline: ${baselineSrc} | ${m(results.baselineFew)} | ${m(results.baselineMany)} | ${(median(results.baselineMany) / median(results.baselineFew)).toFixed(2)} |`,
          ]
        : []),
      '',
      `RSS with 10,000 lists compiled (fresh process): **${memory.rssMB.toFixed(0)} MB**; ${JSON.stringify(memory)}`,
      '',
    ].join('\n'),
  );
}

if (process.argv.includes('--memory')) memoryProbe();
else runBenchmark(main);
