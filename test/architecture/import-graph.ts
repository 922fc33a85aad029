/**
 * The import graph of `src`: every file and the files (or packages) it imports, type-only imports
 * included (a type import still couples the two files). TypeScript's own pre-processor finds the
 * specifiers, so comments, strings and multi-line imports cannot fool it.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** Importing file, relative to the repository root with `/` separators (`src/radius/codec/packet.ts`). */
  readonly from: string;
  /** The imported file (same form) for a relative specifier; the specifier itself for a package. */
  readonly to: string;
  readonly external: boolean;
}

function sourceFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** `./packet.js` (NodeNext style) names `packet.ts`; `./codec/index.js` names that index. */
function resolveRelative(root: string, fromFile: string, specifier: string): string {
  const absolute = path.resolve(path.dirname(fromFile), specifier).replace(/\.js$/, '.ts');
  return path.relative(root, absolute).split(path.sep).join('/');
}

export function importsOf(root: string, file: string, text: string): ImportEdge[] {
  const from = path.relative(root, file).split(path.sep).join('/');
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.map(({ fileName }) => {
    const external = !fileName.startsWith('.');
    return { from, to: external ? fileName : resolveRelative(root, file, fileName), external };
  });
}

export function importGraph(root: string, directory = 'src'): ImportEdge[] {
  return sourceFiles(path.join(root, directory)).flatMap((file) => importsOf(root, file, fs.readFileSync(file, 'utf8')));
}
