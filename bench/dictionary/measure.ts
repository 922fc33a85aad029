/** Timing and memory helpers of the dictionary benchmarks. */
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] ?? Number.NaN, max: sorted[sorted.length - 1] ?? Number.NaN, runs: sorted.length };
}

/** Results land here so the optimizer cannot drop the work that made them. */
export const sink: unknown[] = [];

export function timeOnce(work: () => unknown): number {
  const start = performance.now();
  sink[0] = work();
  return performance.now() - start;
}

/**
 * Times several subjects in the same run, interleaved: round i runs each once, in an order that
 * rotates every round, so load from other processes on this shared machine falls on all of them
 * alike. Returns the per-subject summary of the `runs` rounds that follow `warmup` rounds.
 */
export function sideBySide(subjects: Record<string, () => unknown>, warmup: number, runs: number): Record<string, Summary> {
  const names = Object.keys(subjects);
  const samples = new Map<string, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < warmup + runs; round += 1) {
    for (let offset = 0; offset < names.length; offset += 1) {
      const name = names[(round + offset) % names.length] as string;
      const elapsed = timeOnce(subjects[name] as () => unknown);
      if (round >= warmup) samples.get(name)?.push(elapsed);
    }
  }
  return Object.fromEntries(names.map((name) => [name, summarize(samples.get(name) ?? [])]));
}

let collect: (() => void) | undefined;

/** A full garbage collection, without needing `--expose-gc` on the command line. */
export function fullGc(): void {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  collect();
  collect();
}

export interface MemoryGrowth {
  /** Heap still used after a full GC, minus the same before: what the loaded structure retains. */
  heapMB: number;
  /** Resident set growth over the same span (includes code, JIT and allocator slack). */
  rssMB: number;
}

const MB = 1024 * 1024;

/** Runs `load` and returns what it retains; the value returned by `load` is kept alive until measured. */
export function memoryGrowth(load: () => unknown): { growth: MemoryGrowth; elapsedMs: number } {
  fullGc();
  const before = process.memoryUsage();
  const start = performance.now();
  const kept = load();
  const elapsedMs = performance.now() - start;
  fullGc();
  const after = process.memoryUsage();
  sink[1] = kept;
  return { growth: { heapMB: (after.heapUsed - before.heapUsed) / MB, rssMB: (after.rss - before.rss) / MB }, elapsedMs };
}
