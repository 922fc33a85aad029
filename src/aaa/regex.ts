import RE2 from 're2';
import { programSizeBound, UnmeasurablePattern } from './regex-program.js';

/**
 * Tenant-supplied regular expressions run under RE2: linear time, so a hostile pattern cannot
 * stall the event loop the way a backtracking RegExp can. Linear is not cheap, though: a match
 * costs about `program size × input length`, and it runs on the event loop every tenant shares.
 * Both factors are bounded: the program at save (`REGEX_PROGRAM_LIMIT`), the input per match and
 * per request (`MatchBudget`).
 */
export type CompiledRegex = { ok: true; regex: RE2; groups: number; programSize: number } | { ok: false; reason: string };
export type UsableRegex = Extract<CompiledRegex, { ok: true }>;

/** Estimated RE2 instructions (see regex-program.ts) a tenant's pattern may compile to. */
export const REGEX_PROGRAM_LIMIT = 5_000;
/** UTF-8 bytes of one value a tenant's pattern may be applied to. */
export const REGEX_VALUE_MAX_BYTES = 4_096;
/**
 * Program size × value bytes, summed over the matches of one request (or one reply): the work
 * one request may put on the event loop, a few milliseconds at the measured worst (BENCHMARKS.md,
 * "Tenant regex isolation"). A pattern at the program limit may still read 99 bytes; `^(.*)$`
 * (66) the whole 4,096.
 */
export const REGEX_WORK_BUDGET = 500_000;

const CACHE_LIMIT = 1_000;
const cache = new Map<string, CompiledRegex>();

/**
 * Appending an empty alternative makes the pattern match the empty string, and a match array
 * always has one slot per group. A trailing `\Q` quote would swallow the `|`, so that case is
 * closed with `\E` first (RE2 rejects a stray `\E`, hence the second attempt only).
 */
function countGroups(pattern: string): number | undefined {
  for (const suffix of ['|', '\\E|']) {
    try {
      const match = new RE2(pattern + suffix).exec('');
      if (match) return match.length - 1;
    } catch {
      // Try the next probe.
    }
  }
  return undefined;
}

function compile(pattern: string): CompiledRegex {
  let regex: RE2;
  try {
    regex = new RE2(pattern);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, reason };
  }
  let programSize: number;
  try {
    programSize = programSizeBound(pattern);
  } catch (error) {
    if (!(error instanceof UnmeasurablePattern)) throw error;
    return { ok: false, reason: `its program size could not be estimated (${error.message})` };
  }
  if (programSize > REGEX_PROGRAM_LIMIT) {
    return {
      ok: false,
      reason: `its program is too large: an estimated ${programSize} RE2 instructions, over the limit of ${REGEX_PROGRAM_LIMIT} (counted repetitions multiply; use * or + instead of {n} where you can)`,
    };
  }
  const groups = countGroups(pattern);
  if (groups === undefined) return { ok: false, reason: 'its capture groups could not be counted' };
  return { ok: true, regex, groups, programSize };
}

/** Compiles once per distinct pattern; failures are cached too, since a bad pattern stays bad. */
export function compileTenantRegex(pattern: string): CompiledRegex {
  const cached = cache.get(pattern);
  if (cached) {
    // Re-insert so the Map's insertion order doubles as least-recently-used order.
    cache.delete(pattern);
    cache.set(pattern, cached);
    return cached;
  }
  const compiled = compile(pattern);
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(pattern, compiled);
  return compiled;
}

/**
 * The matching work left to one request: each match spends `program size × (value bytes + 1)`
 * (the + 1 is the match's own fixed cost), so many translations of one key cannot add up to a
 * stall that no single one of them is allowed to be.
 */
export type BudgetedMatch =
  | { outcome: 'match'; group: string }
  | { outcome: 'no_match' }
  | { outcome: 'too_long'; bytes: number; limit: number };

export class MatchBudget {
  private left: number;

  constructor(work: number = REGEX_WORK_BUDGET) {
    this.left = work;
  }

  /** The most UTF-8 bytes `regex` may still be applied to. */
  longestValue(regex: UsableRegex): number {
    return Math.max(0, Math.min(REGEX_VALUE_MAX_BYTES, Math.floor(this.left / regex.programSize) - 1));
  }

  /** The first group of `regex` in `input`; `too_long` (nothing spent) when the budget does not cover the input. */
  firstGroup(regex: UsableRegex, input: string): BudgetedMatch {
    const bytes = Buffer.byteLength(input, 'utf8');
    const limit = this.longestValue(regex);
    if (bytes > limit) return { outcome: 'too_long', bytes, limit };
    this.left -= regex.programSize * (bytes + 1);
    const group = matchFirstGroup(regex, input);
    return group === undefined ? { outcome: 'no_match' } : { outcome: 'match', group };
  }
}

/**
 * `^(.*)$`, the most common translation, takes the whole value whenever RE2 would: a value without
 * a line feed (RE2's `.` refuses only that) and without surrogates (which RE2 would re-encode).
 * Checked here instead of in RE2, whose every call copies the value across to C++ and back.
 */
const WHOLE_VALUE = '^(.*)$';
const ONE_PLAIN_LINE = /^[^\n\ud800-\udfff]*$/;

function matchFirstGroup(regex: UsableRegex, input: string): string | undefined {
  if (regex.regex.source === WHOLE_VALUE && ONE_PLAIN_LINE.test(input)) return input;
  const match = regex.regex.exec(input);
  if (!match) return undefined;
  return match[1] ?? '';
}

/**
 * The first capture group of the first match, under a budget of its own. `undefined` means the
 * pattern did not compile, the value is over the budget, or it did not match, which callers must
 * report; a group that took no part in the match gives ''.
 */
export function firstGroup(pattern: string, input: string): string | undefined {
  const compiled = compileTenantRegex(pattern);
  if (!compiled.ok) return undefined;
  const result = new MatchBudget().firstGroup(compiled, input);
  return result.outcome === 'match' ? result.group : undefined;
}
