import fs from 'node:fs';
import path from 'node:path';
import type { DictionaryEntry } from '../dictionary/dictionary-doc.js';
import { dictionaryNameOf, importFile, importText } from '../dictionary/freeradius/import-files.js';
import type { ParseWarning } from '../dictionary/freeradius/parse.js';

/** One file read for upload: what it defines, or why it cannot be uploaded. */
export type FileReading =
  | { kind: 'definitions'; entries: DictionaryEntry[]; warnings: ParseWarning[] }
  | { kind: 'empty'; warnings: ParseWarning[] }
  | { kind: 'invalid'; reason: string };

export interface ImportSource {
  file: string;
  /** The dictionary's name in the service. */
  name: string;
  read(): FileReading;
}

export interface ImportPlan {
  sources: ImportSource[];
  /** Said once before the files: what changed about how they are read. */
  notes: string[];
  /** True for a directory: a file that defines nothing is skipped there, but is an error when named alone. */
  directory: boolean;
}

function isDictionaryFile(name: string): boolean {
  return name === 'dictionary' || name.startsWith('dictionary.');
}

function readingOf(load: () => { entries: DictionaryEntry[]; warnings: ParseWarning[] }): FileReading {
  try {
    const { entries, warnings } = load();
    return entries.length > 0 ? { kind: 'definitions', entries, warnings } : { kind: 'empty', warnings };
  } catch (error) {
    return { kind: 'invalid', reason: error instanceof Error ? error.message : String(error) };
  }
}

/** The file's text without its `$INCLUDE`s: in a directory each included file is a dictionary of its own. */
function ownText(file: string): string {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*\$INCLUDE/.test(line))
    .join('\n');
}

function readOwn(file: string, context: readonly DictionaryEntry[]): FileReading {
  return readingOf(() => importText(ownText(file), file, { context }));
}

/**
 * The names the directory's files may use without defining: what its main `dictionary` loads (as
 * FreeRADIUS loads them all together). When that does not load (one of its files is bad), the
 * definitions of each file that reads on its own, so one bad file does not take the others' vendors away.
 */
function directoryContext(dir: string, files: readonly string[]): { context: DictionaryEntry[]; notes: string[] } {
  const main = path.join(dir, 'dictionary');
  if (!files.includes(main)) return { context: [], notes: [] };
  const whole = readingOf(() => importFile(main));
  if (whole.kind === 'definitions') return { context: whole.entries, notes: [] };
  if (whole.kind === 'empty') return { context: [], notes: [] };
  const context = files.flatMap((file) => {
    const alone = readOwn(file, []);
    return alone.kind === 'definitions' ? alone.entries : [];
  });
  return { context, notes: [`${main} does not load as a whole (${whole.reason}); each file is read with what the others define`] };
}

/**
 * What to upload. A file becomes one dictionary with its `$INCLUDE`s inlined (FreeRADIUS's own
 * meaning), named `name` or after the file. A directory becomes one dictionary per `dictionary*`
 * file, each without its includes, read with the others' definitions as context. Files are read
 * when their turn comes, so a bad one is reported in its place and the rest still go.
 */
export function planImport(target: string, name?: string): ImportPlan {
  if (!fs.statSync(target).isDirectory()) {
    return {
      directory: false,
      notes: [],
      sources: [{ file: target, name: name ?? dictionaryNameOf(target), read: () => readingOf(() => importFile(target)) }],
    };
  }
  const files = fs
    .readdirSync(target, { withFileTypes: true })
    .filter((entry) => entry.isFile() && isDictionaryFile(entry.name))
    .map((entry) => path.join(target, entry.name))
    .sort();
  const { context, notes } = directoryContext(target, files);
  return {
    directory: true,
    notes,
    sources: files.map((file) => ({ file, name: dictionaryNameOf(file), read: () => readOwn(file, context) })),
  };
}
