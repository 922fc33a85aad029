import RE2 from 're2';

/**
 * Tenant-supplied regular expressions run under RE2: linear time, so a hostile pattern cannot
 * stall the event loop the way a backtracking RegExp can.
 */
export type CompiledRegex = { ok: true; regex: RE2; groups: number } | { ok: false; reason: string };

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
  const groups = countGroups(pattern);
  if (groups === undefined) return { ok: false, reason: 'its capture groups could not be counted' };
  return { ok: true, regex, groups };
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
 * The first capture group of the first match. `undefined` means the pattern did not compile or
 * did not match, which callers must report; a group that took no part in the match gives ''.
 */
export function firstGroup(pattern: string, input: string): string | undefined {
  const compiled = compileTenantRegex(pattern);
  if (!compiled.ok) return undefined;
  const match = compiled.regex.exec(input);
  if (!match) return undefined;
  return match[1] ?? '';
}
