/**
 * FreeRADIUS (v3) dictionary text → the JSON dictionary format of `dictionary-doc.ts`.
 *
 * Pure: no file system. `$INCLUDE` goes through the caller's `include` callback, so an upload
 * (no callback) cannot make the service read its own files. The work is split in three:
 * `type-table.ts` (what the text may say), `scanner.ts` (lines, words, numbers, names) and
 * `parser.ts` (directives, blocks, includes); VALUE lines are settled in `pending-values.ts`.
 */
import type { DictionaryEntry } from '../dictionary-doc.js';
import type { ParseWarning } from './parse-error.js';
import { type ParseOptions, Parser } from './parser.js';

export { DictionaryParseError, type ParseWarning } from './parse-error.js';
export type { IncludedFile, IncludeResolver, ParseOptions } from './parser.js';
export { parseNumber } from './scanner.js';
export {
  ATTRIBUTE_NAME,
  IMPLICIT_VENDOR_FORMATS,
  MAX_OID_COMPONENTS,
  MAX_UINT32,
  MAX_VENDOR_ID,
  VALUE_NAME,
  VENDOR_NAME,
} from './type-table.js';

export interface ParseResult {
  entries: DictionaryEntry[];
  warnings: ParseWarning[];
}

/**
 * Parses FreeRADIUS dictionary text (and what it `$INCLUDE`s through `options.include`) into
 * entries in file order: VENDOR → `vendor` (+ `format`), ATTRIBUTE → `attr`, VALUE → `val`.
 * Throws `DictionaryParseError` for the first line FreeRADIUS would refuse.
 */
export function parseFreeRadius(text: string, options: ParseOptions = {}): ParseResult {
  const parser = new Parser(options);
  parser.parseFile(text, options.fileName ?? '<text>');
  return { entries: parser.finish(), warnings: parser.warnings };
}
