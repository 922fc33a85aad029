import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError, ERROR_CATALOGUE, ValidationError, apiError, codesWithStatus, type ErrorCode } from '../../src/errors.js';

const SRC = join(import.meta.dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The catalogue's own files may build an AppError directly; nothing else may. */
const isCatalogue = (path: string): boolean => {
  const rel = relative(SRC, path);
  return rel === 'errors.ts' || rel.startsWith('errors/');
};

describe('the error catalogue', () => {
  it('gives every code an HTTP error status and a one-line meaning', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(code, code).toMatch(/^[a-z][a-z_]*$/);
      // 202 write_not_final is the one non-error: the write may still lose (see writeNotFinal).
      expect(entry.status === 202 || (entry.status >= 400 && entry.status <= 599), code).toBe(true);
      expect(entry.meaning.length, code).toBeGreaterThan(10);
      expect(entry.meaning, code).not.toContain('\n');
    }
  });

  it('keeps the names Crossbar fixes for its statuses', () => {
    const fixed: Record<string, number> = {
      invalid_credentials: 401,
      forbidden: 403,
      bad_identifier: 404,
      invalid_method: 405,
      datastore_conflict: 409,
      datastore_unreachable: 503,
      validation_error: 400,
    };
    for (const [code, status] of Object.entries(fixed)) expect(ERROR_CATALOGUE[code as ErrorCode].status, code).toBe(status);
  });

  it('tells a login limit (429 rate_limited) from a full AAA queue (503 overloaded), and a stale revision from a thing in use', () => {
    expect(ERROR_CATALOGUE.rate_limited.status).toBe(429);
    expect(ERROR_CATALOGUE.overloaded.status).toBe(503);
    expect(codesWithStatus(409)).toEqual(expect.arrayContaining(['datastore_conflict', 'in_use', 'already_exists']));
    expect(Object.keys(ERROR_CATALOGUE)).not.toContain('too_many_requests');
  });

  it("makes every error with its code's status, whatever a caller passes", () => {
    expect(apiError('in_use', 'x')).toMatchObject({ status: 409, code: 'in_use' });
    expect(new ValidationError({})).toMatchObject({ status: 400, code: 'validation_error' });
    expect(new AppError(500, 'bad_identifier', 'legacy call').status).toBe(404);
  });

  it('is the only place in src that builds an AppError', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(SRC)) {
      if (isCatalogue(file)) continue;
      const text = readFileSync(file, 'utf8');
      text.split('\n').forEach((line, index) => {
        // A direct construction, or a subclass handing a status of its own to AppError.
        if (/new AppError\s*\(/.test(line) || /\bsuper\(\s*\d/.test(line))
          offenders.push(`${relative(SRC, file)}:${index + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('knows every code the source raises', () => {
    const known = new Set(Object.keys(ERROR_CATALOGUE));
    const unknown: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const text = readFileSync(file, 'utf8');
      const raises = /extends AppError\b/.test(text)
        ? /(?:apiError|super|badRequest)\(\s*'([a-z_]+)'/g
        : /(?:apiError|badRequest)\(\s*'([a-z_]+)'/g;
      for (const match of text.matchAll(raises)) {
        if (!known.has(match[1]!)) unknown.push(`${relative(SRC, file)}: ${match[1]}`);
      }
    }
    expect(unknown).toEqual([]);
  });
});
