/**
 * The character level of the FreeRADIUS parser: lines, words, numbers and names. The parser reads
 * every line of 237 files (about 30,000 lines), so it scans with indexOf and charCodeAt instead of
 * running a regex per line or per word; each helper says which regex it stands for and accepts
 * exactly what that regex accepts.
 */
import { MAX_UINT32, VALUE_NAME } from './type-table.js';

/**
 * The words of the current line, as offsets into the file's text: a word becomes a string only
 * where one is kept (a name) or a message needs it, not for keywords, numbers or a repeated name.
 */
export interface Words {
  readonly text: string;
  /** Word `i` of the current line is `text.slice(starts[i], ends[i])`, for `i < count`; later slots are stale. */
  readonly starts: number[];
  readonly ends: number[];
  count: number;
}

/**
 * Walks `words.text` line by line, fills `words` with each line's words and calls `visit` for
 * every line that has any (1-based line numbers). No array of lines, no regex split.
 * FreeRADIUS cuts every line at its first `#`; the next `#` is looked up once and reused until
 * the walk passes it, so a file costs one search per comment.
 */
export function scanLines(words: Words, visit: (line: number) => void): void {
  const { text, starts, ends } = words;
  const length = text.length;
  let hash = text.indexOf('#');
  let start = 0;
  for (let line = 1; ; line += 1) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = length;
    if (hash >= 0 && hash < start) hash = text.indexOf('#', start);
    const stop = hash >= 0 && hash < end ? hash : end;
    let count = 0;
    let index = start;
    // Separators are `[ \t\r\f\v]` (9 to 13 but `\n`, which cannot occur inside a line, and 32).
    // The test is written out rather than called: the first parse in a process runs in the
    // interpreter, where a call per character costs more than the test itself.
    while (index < stop) {
      let code = text.charCodeAt(index);
      if (code === 32 || (code >= 9 && code <= 13)) {
        index += 1;
        continue;
      }
      starts[count] = index;
      do {
        index += 1;
        if (index === stop) break;
        code = text.charCodeAt(index);
      } while (code !== 32 && (code < 9 || code > 13));
      ends[count] = index;
      count += 1;
    }
    if (count > 0) {
      words.count = count;
      visit(line);
    }
    if (end === length) return;
    start = end + 1;
  }
}

export function word(words: Words, index: number): string {
  return words.text.slice(words.starts[index], words.ends[index]);
}

/** `word(words, index) === expected` without making the word a string. */
export function wordIs(words: Words, index: number, expected: string): boolean {
  const start = words.starts[index] as number;
  const length = expected.length;
  if ((words.ends[index] as number) - start !== length) return false;
  // A loop the compiler inlines; text.startsWith(expected, start) is a call per word, and slower.
  const text = words.text;
  for (let offset = 0; offset < length; offset += 1) {
    if (text.charCodeAt(start + offset) !== expected.charCodeAt(offset)) return false;
  }
  return true;
}

/** The words after the keyword, as the rarer directives take them. */
export function argumentsOf(words: Words): string[] {
  const args: string[] = [];
  for (let index = 1; index < words.count; index += 1) args.push(word(words, index));
  return args;
}

/** 1 for the characters of `ATTRIBUTE_NAME` (`[A-Za-z0-9_.:/-]`), by ASCII code. */
const ATTRIBUTE_NAME_CHARS = new Uint8Array(128);
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:/-') ATTRIBUTE_NAME_CHARS[char.charCodeAt(0)] = 1;

/** `ATTRIBUTE_NAME.test(text)` without the regex. */
export function isAttributeName(text: string): boolean {
  const length = text.length;
  if (length < 1 || length > 128) return false;
  for (let index = 0; index < length; index += 1) {
    const code = text.charCodeAt(index);
    if (code >= 128 || ATTRIBUTE_NAME_CHARS[code] === 0) return false;
  }
  return true;
}

/** `/^attr-/i.test(name)` for a name that already passed `isAttributeName` (ASCII only). */
export function hasAttrPrefix(name: string): boolean {
  return (
    name.length >= 5 &&
    (name.charCodeAt(0) | 0x20) === 0x61 && // a
    (name.charCodeAt(1) | 0x20) === 0x74 && // t
    (name.charCodeAt(2) | 0x20) === 0x74 && // t
    (name.charCodeAt(3) | 0x20) === 0x72 && // r
    name.charCodeAt(4) === 0x2d // -
  );
}

/**
 * `VALUE_NAME.test(name)` for a word of a line. Printable ASCII (what every real dictionary uses)
 * holds no `\s` character, so only the length matters; anything else is left to the regex, which
 * knows Unicode's spaces.
 */
export function isValueName(name: string): boolean {
  const length = name.length;
  if (length > 128) return false;
  for (let index = 0; index < length; index += 1) {
    const code = name.charCodeAt(index);
    // `#` cannot be in a word (the line is cut there); it goes to the regex all the same.
    if (code <= 32 || code >= 127 || code === 35) return VALUE_NAME.test(name);
  }
  return length > 0;
}

/** The value of a hex digit, or -1. */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/**
 * `parseNumber(text.slice(start, end))` without the slice: `0x` hex (either case of `x` and of the
 * digits) or decimal, at most `MAX_UINT32`. Digits only ever make the value larger, so once past
 * the bound the number is too large whatever follows; the scan stops there, as too large and
 * malformed both mean undefined.
 */
export function parseNumberIn(text: string, start: number, end: number): number | undefined {
  let value = 0;
  if (end - start > 2 && text.charCodeAt(start) === 48 && (text.charCodeAt(start + 1) | 0x20) === 0x78) {
    for (let index = start + 2; index < end; index += 1) {
      const digit = hexDigit(text.charCodeAt(index));
      if (digit < 0) return undefined;
      value = value * 16 + digit;
      if (value > MAX_UINT32) return undefined;
    }
    return value;
  }
  if (end <= start) return undefined;
  for (let index = start; index < end; index += 1) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
    if (value > MAX_UINT32) return undefined;
  }
  return value;
}

/** Decimal or `0x` hex, unsigned, as FreeRADIUS's `sscanf_i` reads numbers; undefined otherwise. */
export function parseNumber(text: string): number | undefined {
  return parseNumberIn(text, 0, text.length);
}

/**
 * Reads word `index` as an attribute number (decimal or hex, or dotted: `241.26`) into
 * `components`, as `split('.').map(parseNumber)` would; returns how many components, or -1 if
 * one is not a number.
 */
export function readComponents(words: Words, index: number, components: number[]): number {
  const { text } = words;
  const end = words.ends[index] as number;
  let from = words.starts[index] as number;
  let count = 0;
  for (let at = from; ; at += 1) {
    if (at === end || text.charCodeAt(at) === 46) {
      const value = parseNumberIn(text, from, at);
      if (value === undefined) return -1;
      components[count] = value;
      count += 1;
      if (at === end) return count;
      from = at + 1;
    }
  }
}
