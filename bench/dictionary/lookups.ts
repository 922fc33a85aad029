/**
 * Lookups per second on a compiled list: attribute by name and by number, value name → number
 * and number → name. Samples are drawn uniformly (seeded, so every run asks the same questions)
 * from the real dictionaries' own entries, so they spread over all vendors as real traffic of
 * many tenants would, rather than hitting the same few hot keys.
 */
import { performance } from 'node:perf_hooks';
import type { CompiledDictionary, DictionarySource, ResolvedAttribute } from '../../src/radius/dictionary/index.js';
import { summarize } from './measure.js';

const SAMPLES = 4096;
const ROUNDS = 7;
const ROUND_MS = 150;

/** mulberry32: a tiny seeded PRNG, enough to pick samples reproducibly. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(items: readonly T[], count: number, seed: number): T[] {
  const next = random(seed);
  return Array.from({ length: count }, () => items[Math.floor(next() * items.length)] as T);
}

interface ValueSample {
  attribute: ResolvedAttribute;
  name: string;
  value: number;
}

interface Samples {
  names: string[];
  lowerCaseNames: string[];
  attributes: ResolvedAttribute[];
  values: ValueSample[];
}

/** Only questions that have an answer: a miss is cheaper and would flatter the figures. */
function samples(compiled: CompiledDictionary, list: readonly DictionarySource[]): Samples {
  const attributes: ResolvedAttribute[] = [];
  const values: ValueSample[] = [];
  for (const dictionary of list) {
    for (const entry of dictionary.value) {
      if ('attr' in entry) {
        const attribute = compiled.attribute(entry.attr.name);
        // The winner's number, so a number lookup finds what the name lookup found.
        if (attribute && compiled.attributeByCode(attribute.vendorId, attribute.path, attribute.evs) === attribute)
          attributes.push(attribute);
      } else if ('val' in entry && entry.val.attr !== undefined) {
        const attribute = compiled.attribute(entry.val.attr);
        const value = attribute && compiled.valueNumber(attribute, entry.val.name);
        if (attribute && value !== undefined && compiled.valueName(attribute, value) !== undefined)
          values.push({ attribute, name: entry.val.name, value });
      }
    }
  }
  const chosen = pick(attributes, SAMPLES, 1);
  return {
    names: chosen.map((attribute) => attribute.name),
    lowerCaseNames: chosen.map((attribute) => attribute.name.toLowerCase()),
    attributes: chosen,
    values: pick(values, SAMPLES, 2),
  };
}

export interface LookupRate {
  opsPerSecond: number;
  nsPerOp: number;
  /** Lookups that found something, of those made: 1 means every answer was there. */
  hitRatio: number;
}

/** `pass` runs one pass over its samples and returns how many were found (which also keeps the work alive). */
function rate(pass: () => number): LookupRate {
  const perSecond: number[] = [];
  let hits = 0;
  let lookups = 0;
  pass(); // warm-up
  for (let round = 0; round < ROUNDS; round += 1) {
    let passes = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ROUND_MS) {
      hits += pass();
      passes += 1;
      elapsed = performance.now() - start;
    }
    lookups += passes * SAMPLES;
    perSecond.push((passes * SAMPLES) / (elapsed / 1000));
  }
  const { median } = summarize(perSecond);
  return { opsPerSecond: median, nsPerOp: 1e9 / median, hitRatio: hits / lookups };
}

export function lookupRates(compiled: CompiledDictionary, list: readonly DictionarySource[]): Record<string, LookupRate> {
  const { names, lowerCaseNames, attributes, values } = samples(compiled, list);
  return {
    'attribute by name (as spelled)': rate(() => {
      let found = 0;
      for (const name of names) if (compiled.attribute(name) !== undefined) found += 1;
      return found;
    }),
    'attribute by name (lower case)': rate(() => {
      let found = 0;
      for (const name of lowerCaseNames) if (compiled.attribute(name) !== undefined) found += 1;
      return found;
    }),
    'attribute by code (vendor, path[, evs])': rate(() => {
      let found = 0;
      for (const { vendorId, path, evs } of attributes) if (compiled.attributeByCode(vendorId, path, evs) !== undefined) found += 1;
      return found;
    }),
    'value name → number': rate(() => {
      let found = 0;
      for (const { attribute, name } of values) if (compiled.valueNumber(attribute, name) !== undefined) found += 1;
      return found;
    }),
    'value number → name': rate(() => {
      let found = 0;
      for (const { attribute, value } of values) if (compiled.valueName(attribute, value) !== undefined) found += 1;
      return found;
    }),
  };
}
