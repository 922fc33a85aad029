/**
 * Reads FreeRADIUS dictionary files from disk: the only part of the FreeRADIUS support that
 * touches the file system (the CLI and the seed script use it; the API parses uploaded text,
 * which cannot include anything). Synchronous because the parser's include callback is.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DictionaryEntry } from '../dictionary-doc.js';
import { DictionaryParseError, parseFreeRadius, type IncludedFile, type ParseWarning } from './parse.js';

export interface ImportLimits {
  /** How deep `$INCLUDE`s may nest. */
  maxDepth: number;
  /** Bytes read for one import, every included file counted. */
  maxTotalBytes: number;
  /** Files read for one import. */
  maxFiles: number;
}

/**
 * Generous for real sets (all of /usr/share/freeradius is 237 files, about 1.3 MB), small enough
 * that a hostile or looping set of files cannot exhaust memory.
 */
export const DEFAULT_IMPORT_LIMITS: ImportLimits = { maxDepth: 16, maxTotalBytes: 32 * 1024 * 1024, maxFiles: 2000 };

export interface ImportOptions {
  /** Entries loaded before, for names the files use without defining (see `ParseOptions.context`). */
  context?: readonly DictionaryEntry[];
  limits?: Partial<ImportLimits>;
}

export interface ImportResult {
  entries: DictionaryEntry[];
  warnings: ParseWarning[];
  /** Every file read, the first one included, in the order first read. */
  files: string[];
}

function readDictionaryFile(file: string): string | undefined {
  // Undefined for ENOENT only (any other error still throws), without building an exception for
  // each missing `$INCLUDE-` file. The stat stays: a FIFO or a device must not be read.
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat === undefined) return undefined;
  if (!stat.isFile()) throw new Error(`${file} is not a regular file`);
  return fs.readFileSync(file, 'utf8');
}

/**
 * Imports one dictionary file and everything it `$INCLUDE`s. An include is resolved relative to
 * the directory of the file that names it (as FreeRADIUS does); a missing `$INCLUDE-` file is
 * skipped. A cycle, a missing file, or passing a limit is a `DictionaryParseError` on the
 * `$INCLUDE` line.
 */
export function importFile(file: string, options: ImportOptions = {}): ImportResult {
  const resolved = path.resolve(file);
  const text = readDictionaryFile(resolved);
  if (text === undefined) throw new Error(`${resolved}: no such dictionary file`);
  return importText(text, resolved, options);
}

/**
 * Imports `text` as if it were the file `file` (which need not exist): its includes are read
 * from that file's directory. The seed script uses it for a list of `$INCLUDE`s.
 */
export function importText(text: string, file: string, options: ImportOptions = {}): ImportResult {
  const limits = { ...DEFAULT_IMPORT_LIMITS, ...options.limits };
  const root = path.resolve(file);
  const files = [root];
  // `files` keeps the order; the set answers "already listed?" without a scan per include.
  const listed = new Set(files);
  let reads = 1;
  let total = Buffer.byteLength(text);
  if (total > limits.maxTotalBytes) throw new DictionaryParseError(root, 1, `the file is larger than ${limits.maxTotalBytes} bytes`);

  const include = (target: string, fromFile: string): IncludedFile | undefined => {
    const resolved = path.resolve(path.dirname(fromFile), target);
    const included = readDictionaryFile(resolved);
    if (included === undefined) return undefined;
    // Counted before the parser skips a file it has already read, so repeats count too: the bound is on work done.
    reads += 1;
    if (reads > limits.maxFiles) throw new Error(`more than ${limits.maxFiles} files`);
    total += Buffer.byteLength(included);
    if (total > limits.maxTotalBytes) throw new Error(`more than ${limits.maxTotalBytes} bytes in all`);
    if (!listed.has(resolved)) {
      listed.add(resolved);
      files.push(resolved);
    }
    return { text: included, fileName: resolved };
  };

  const result = parseFreeRadius(text, {
    fileName: root,
    include,
    maxIncludeDepth: limits.maxDepth,
    ...(options.context ? { context: options.context } : {}),
  });
  return { ...result, files };
}

/** Kazoo's naming: `dictionary.cisco` → `dictionary_cisco`, `dictionary` → `dictionary`. */
export function dictionaryNameOf(fileName: string): string {
  return path.basename(fileName).replace(/[^A-Za-z0-9_-]/g, '_');
}

export interface ImportedDictionary {
  name: string;
  file: string;
  entries: DictionaryEntry[];
  warnings: ParseWarning[];
}

/**
 * Imports every `dictionary` and `dictionary.*` file of a directory, one dictionary per file
 * (each with what it includes), sorted by name. Unless `options.context` says otherwise, the
 * names the directory's main `dictionary` defines are the context of the other files: FreeRADIUS
 * loads them all together, and a few (dictionary.freeradius.evs5) use vendors and attributes
 * defined elsewhere.
 */
export function importDirectory(dir: string, options: ImportOptions = {}): ImportedDictionary[] {
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && (entry.name === 'dictionary' || entry.name.startsWith('dictionary.')))
    .map((entry) => entry.name)
    .sort();
  const imported = new Map<string, ImportResult>();
  const load = (name: string, context: readonly DictionaryEntry[] | undefined): ImportResult => {
    const result = importFile(path.join(dir, name), { ...options, ...(context ? { context } : {}) });
    imported.set(name, result);
    return result;
  };
  let context = options.context;
  if (!context && names.includes('dictionary')) context = load('dictionary', undefined).entries;
  return names.map((name) => {
    const result = imported.get(name) ?? load(name, context);
    return { name: dictionaryNameOf(name), file: path.join(dir, name), entries: result.entries, warnings: result.warnings };
  });
}
