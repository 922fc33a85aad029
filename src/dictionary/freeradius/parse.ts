/**
 * FreeRADIUS (v3) dictionary text → the JSON dictionary format of `dictionary-doc.ts`.
 *
 * Pure: no file system. `$INCLUDE` goes through the caller's `include` callback, so an upload
 * (no callback) cannot make the service read its own files. The parser is as strict as
 * FreeRADIUS's own `dict.c` where the dictionary would not load there (unknown directive, type,
 * flag or vendor, bad number, unbalanced blocks), and every such line becomes a
 * `DictionaryParseError` naming the file, the line number and what is wrong.
 */
import { AppError } from '../../errors.js';
import { FREERADIUS_TYPES, baseType, flagProblem, type FlagName, type FlaggedAttribute } from '../../radius/dictionary/index.js';
import type { AttributeEntry, AttributeFlags, DictionaryEntry, VendorEntry } from '../dictionary-doc.js';

/** Attribute names as FreeRADIUS v3 allows them (and as the JSON schema's pattern says). */
export const ATTRIBUTE_NAME = /^[A-Za-z0-9_.:/-]{1,128}$/;
export const VENDOR_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** A VALUE name is one whitespace-free token; `#` would start a comment. */
export const VALUE_NAME = /^[^\s#]{1,128}$/;

export const MAX_VENDOR_ID = 16_777_215;
export const MAX_UINT32 = 4_294_967_295;
/** FreeRADIUS v3 (`fr_attr_max_tlv`): an attribute number has at most 1 + 4 components. */
export const MAX_OID_COMPONENTS = 5;
/** FreeRADIUS v3 (`MAX_TLV_NEST`). */
const MAX_TLV_NEST = 4;
const DEFAULT_MAX_INCLUDE_DEPTH = 16;

/**
 * FreeRADIUS gives these vendors a format when their VENDOR line has none (`dict.c`), so the
 * format of such a line is not "1,1". The writer spells out `format=1,1` for them.
 */
export const IMPLICIT_VENDOR_FORMATS: ReadonlyMap<number, string> = new Map([
  [429, '4,0'], // USR
  [4846, '2,1'], // Lucent
  [8164, '2,2'], // Starent
]);

/** A line FreeRADIUS would refuse. Status 400: bad text is the client's error. */
export class DictionaryParseError extends AppError {
  constructor(
    readonly fileName: string,
    readonly line: number,
    readonly reason: string,
  ) {
    const message = `${fileName} line ${line}: ${reason}`;
    super(400, 'invalid_dictionary', message, { file: fileName, line, reason, message });
    this.name = 'DictionaryParseError';
  }
}

/** Something FreeRADIUS accepts but that does not make it into the entries (a repeated line). */
export interface ParseWarning {
  fileName: string;
  line: number;
  message: string;
}

export interface IncludedFile {
  text: string;
  /** The included file's own name (a resolved path): error messages name it, and it identifies the file. */
  fileName: string;
}

/**
 * Resolves `$INCLUDE path` written in `fromFile`; undefined when there is no such file. Anything
 * it throws (a size bound, say) becomes a parse error on the `$INCLUDE` line.
 */
export type IncludeResolver = (path: string, fromFile: string) => IncludedFile | undefined;

export interface ParseOptions {
  /** Named in error messages; `<text>` if absent. */
  fileName?: string;
  /** Without it, `$INCLUDE` is an error: uploaded text cannot include files. */
  include?: IncludeResolver;
  /**
   * Entries of dictionaries loaded before this one (FreeRADIUS reads all its files into one
   * table). Only used to look names up: a vendor for BEGIN-VENDOR, END-VENDOR or the old
   * fifth-field form, a `tlv` attribute for BEGIN-TLV, an `evs` attribute for `format=`.
   * Nothing from it is copied into the result.
   */
  context?: readonly DictionaryEntry[];
  maxIncludeDepth?: number;
}

export interface ParseResult {
  entries: DictionaryEntry[];
  warnings: ParseWarning[];
}

/** Where a definition comes from, for a message; `file` is undefined for the context. */
function describeSource(file: string | undefined, line: number): string {
  return file !== undefined ? `${file} line ${line}` : 'another dictionary (context)';
}

interface VendorInfo {
  name: string;
  id: number;
  /** The format FreeRADIUS uses for it, "1,1" included. */
  format: string;
  /** Octets of the vendor's type field and the largest attribute number they hold: worked out once per vendor, not per attribute. */
  typeWidth: number;
  maxNumber: number;
  file: string | undefined;
  line: number;
}

/** An attribute as BEGIN-TLV and BEGIN-VENDOR format= look it up. */
interface AttributeInfo {
  name: string;
  vid: number;
  evs: string | undefined;
  /** All components, the TLV parents' included. */
  path: number[];
  type: string;
}

/**
 * Which file each of a growing list of lines came from, as runs: the file changes only at an
 * `$INCLUDE`, and a name is needed only for a message, so a column with a pointer per line
 * would be allocated for nothing.
 */
class FileRuns {
  private readonly starts: number[] = [];
  private readonly names: string[] = [];

  /** Records that line `index` (the next one of the list) is in `fileName`. */
  note(index: number, fileName: string): void {
    if (this.names[this.names.length - 1] !== fileName) {
      this.starts.push(index);
      this.names.push(fileName);
    }
  }

  /** The file of line `index`: the last run starting at or before it. */
  at(index: number): string {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if ((this.starts[middle] as number) <= index) low = middle;
      else high = middle - 1;
    }
    return this.names[low] as string;
  }
}

/**
 * The VALUE lines of a parse, made entries once every attribute of the parse is known (FreeRADIUS
 * fixes forward references up the same way). Kept as columns rather than an object per line:
 * what a parse builds survives until it ends, and every young-generation collection on the way
 * copies each surviving object, which cost more than the parsing itself.
 */
class PendingValues {
  readonly attrs: string[] = [];
  readonly names: string[] = [];
  readonly numbers: number[] = [];
  readonly lines: number[] = [];
  readonly files = new FileRuns();

  /** Adds a line and returns its index. */
  add(attr: string, name: string, val: number, fileName: string, line: number): number {
    const index = this.lines.length;
    this.files.note(index, fileName);
    this.attrs.push(attr);
    this.names.push(name);
    this.numbers.push(val);
    this.lines.push(line);
    return index;
  }
}

interface VendorBlock {
  vendor: VendorInfo;
  evs: string | undefined;
  line: number;
}

interface TlvBlock {
  parent: AttributeInfo;
  line: number;
}

/**
 * Per-file state: FreeRADIUS keeps BEGIN-VENDOR / BEGIN-TLV per file, not across `$INCLUDE`.
 * The current line's words are offsets into the file's text: a word becomes a string only where
 * one is kept (a name) or a message needs it, not for keywords, numbers or a repeated name.
 */
interface FileState {
  fileName: string;
  vendorBlock: VendorBlock | undefined;
  tlvBlocks: TlvBlock[];
  text: string;
  /** Word `i` of the current line is `text.slice(starts[i], ends[i])`, for `i < count`; later slots are stale. */
  starts: number[];
  ends: number[];
  count: number;
}

function word(state: FileState, index: number): string {
  return state.text.slice(state.starts[index], state.ends[index]);
}

/** `word(state, index) === expected` without making the word a string. */
function wordIs(state: FileState, index: number, expected: string): boolean {
  const start = state.starts[index] as number;
  const length = expected.length;
  if ((state.ends[index] as number) - start !== length) return false;
  // A loop the compiler inlines; text.startsWith(expected, start) is a call per word, and slower.
  const text = state.text;
  for (let offset = 0; offset < length; offset += 1) {
    if (text.charCodeAt(start + offset) !== expected.charCodeAt(offset)) return false;
  }
  return true;
}

/** The words after the keyword, as the rarer directives take them. */
function argumentsOf(state: FileState): string[] {
  const args: string[] = [];
  for (let index = 1; index < state.count; index += 1) args.push(word(state, index));
  return args;
}

// ---------------------------------------------------------------------------------------------
// Character-level helpers. The parser reads every line of 237 files (about 30,000 lines), so it
// scans with charCodeAt instead of running a regex per line or per word; each helper says which
// regex it stands for and accepts exactly what that regex accepts.

/** 1 for the characters of `ATTRIBUTE_NAME` (`[A-Za-z0-9_.:/-]`), by ASCII code. */
const ATTRIBUTE_NAME_CHARS = new Uint8Array(128);
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:/-') ATTRIBUTE_NAME_CHARS[char.charCodeAt(0)] = 1;

/** `ATTRIBUTE_NAME.test(text)` without the regex. */
function isAttributeName(text: string): boolean {
  const length = text.length;
  if (length < 1 || length > 128) return false;
  for (let index = 0; index < length; index += 1) {
    const code = text.charCodeAt(index);
    if (code >= 128 || ATTRIBUTE_NAME_CHARS[code] === 0) return false;
  }
  return true;
}

/** `/^attr-/i.test(name)` for a name that already passed `isAttributeName` (ASCII only). */
function hasAttrPrefix(name: string): boolean {
  return (
    name.length >= 5 &&
    (name.charCodeAt(0) | 0x20) === 0x61 && // a
    (name.charCodeAt(1) | 0x20) === 0x74 && // t
    (name.charCodeAt(2) | 0x20) === 0x74 && // t
    (name.charCodeAt(3) | 0x20) === 0x72 && // r
    name.charCodeAt(4) === 0x2d // -
  );
}

/** `a.toLowerCase() === b.toLowerCase()` when `a` is ASCII and `b` is ASCII or already lower-cased. */
function sameFolded(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) {
    let x = a.charCodeAt(index);
    let y = b.charCodeAt(index);
    if (x === y) continue;
    if (x >= 65 && x <= 90) x += 32;
    if (y >= 65 && y <= 90) y += 32;
    if (x !== y) return false;
  }
  return true;
}

/**
 * This parse's attribute names, looked up case-insensitively as FreeRADIUS does, without a
 * lower-cased copy of every name as a Map key: an open-addressing table of indexes into the
 * parse's attributes. Names get here only after `isAttributeName` (ASCII), where folding A-Z is
 * all `toLowerCase()` does. Typed arrays, so the table adds no object for the collector to copy.
 */
class AttributeNames {
  /** Index + 1 of an attribute, 0 for an empty slot. */
  private slots = new Int32Array(1024);
  private hashes = new Int32Array(1024);
  private size = 0;
  /**
   * A random start per parse: uploaded text is a tenant's, and names made to collide under a
   * fixed hash would make every probe long (quadratic time). V8's own string hash is seeded too.
   */
  private readonly seed = (Math.random() * 0x100000000) >>> 0;

  constructor(private readonly names: (index: number) => string) {}

  /**
   * The hash of `text.toLowerCase()` for ASCII text: FNV-1a over the code units with A-Z folded,
   * then murmur3's finalizer so that the slot (the low bits) depends on every character.
   * Other code units are hashed as they are: such a key finds nothing, as `sameFolded` tells it
   * from every (ASCII) name.
   */
  hash(text: string): number {
    let hash = this.seed;
    for (let index = 0; index < text.length; index += 1) {
      const code = text.charCodeAt(index);
      hash = Math.imul(hash ^ (code >= 65 && code <= 90 ? code + 32 : code), 0x01000193);
    }
    hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
    hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
    return (hash ^ (hash >>> 16)) | 0;
  }

  /** The index of the attribute named `key` (ASCII, or lower-cased), or -1; `hash` is `this.hash(key)`. */
  find(key: string, hash: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] as number;
      if (entry === 0) return -1;
      if (this.hashes[slot] === hash && sameFolded(this.names(entry - 1), key)) return entry - 1;
    }
  }

  /** Adds an attribute whose name `find` did not find. */
  add(hash: number, index: number): void {
    // At most half full, so a probe ends soon at an empty slot.
    if ((this.size + 1) * 2 > this.slots.length) this.grow();
    this.place(hash, index + 1);
    this.size += 1;
  }

  private place(hash: number, entry: number): void {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = entry;
    this.hashes[slot] = hash;
  }

  private grow(): void {
    const { slots, hashes } = this;
    this.slots = new Int32Array(slots.length * 2);
    this.hashes = new Int32Array(slots.length * 2);
    for (let slot = 0; slot < slots.length; slot += 1) {
      const entry = slots[slot] as number;
      if (entry !== 0) this.place(hashes[slot] as number, entry);
    }
  }
}

/**
 * `VALUE_NAME.test(name)` for a word of a line. Printable ASCII (what every real dictionary uses)
 * holds no `\s` character, so only the length matters; anything else is left to the regex, which
 * knows Unicode's spaces.
 */
function isValueName(name: string): boolean {
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
function parseNumberIn(text: string, start: number, end: number): number | undefined {
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
 * Type names as the list spells them, each mapped to the list's own string: an entry then shares
 * that one string instead of keeping the word sliced from its line alive.
 */
const TYPE_NAMES: ReadonlyMap<string, string> = new Map(FREERADIUS_TYPES.map((type) => [type, type]));

const FORMAT = /^format=([124]),([012])(?:,(c))?$/i;

/** Octets of a vendor's type field (the `t` of `t,l`) and the largest attribute number it holds. */
function typeWidthOf(format: string): { typeWidth: number; maxNumber: number } {
  // A context vendor's format is not checked here: a malformed one gives NaN, a limit no number
  // exceeds, so such a vendor limits nothing rather than refusing the line.
  const typeWidth = Number(format.split(',')[0]);
  return { typeWidth, maxNumber: typeWidth === 4 ? MAX_UINT32 : 2 ** (8 * typeWidth) - 1 };
}

/** The largest VALUE of an attribute of this type. */
function valueMaxOf(type: string): number {
  const base = baseType(type);
  return base === 'byte' ? 255 : base === 'short' ? 65535 : MAX_UINT32;
}

class Parser {
  /**
   * Entries in file order; a number stands for a VALUE line of `pending`. `finish` turns them into
   * entries in place, so this array becomes the result.
   */
  private readonly items: (DictionaryEntry | number)[] = [];
  private readonly pending = new PendingValues();
  /** The attribute a VALUE line named last: the next line usually names it too, and then shares this string (checked once). */
  private lastValueAttr = '';
  /** The type word of the last ATTRIBUTE line and what it means: the next line often has the same one. */
  private lastRawType = '';
  private lastType = '';
  private lastLength: number | undefined = undefined;
  /** The components of the attribute number being read; reused for every line. */
  private readonly components: number[] = [];
  readonly warnings: ParseWarning[] = [];
  private readonly vendors = new Map<string, VendorInfo>();
  /**
   * This parse's attributes, by index: the entry itself carries name, vid, type and evs, so no
   * second object per attribute survives the parse. The other columns hold the rest.
   */
  private readonly attributeEntries: AttributeEntry['attr'][] = [];
  private readonly attributes = new AttributeNames((index) => (this.attributeEntries[index] as AttributeEntry['attr']).name);
  /** The number path of a dotted (TLV, extended) attribute, by index; a plain one's path is `[id]`. */
  private readonly attributePaths = new Map<number, number[]>();
  private readonly attributeLines: number[] = [];
  private readonly attributeFiles = new FileRuns();
  private contextIndex: ContextIndex | undefined;
  private readonly loaded = new Set<string>();
  private readonly stack: string[] = [];

  constructor(private readonly options: ParseOptions) {}

  /**
   * Walks the text line by line with indexOf and finds each line's words with charCodeAt: no
   * array of lines, no regex split. FreeRADIUS cuts every line at its first `#`; the next `#` is
   * looked up once and reused until the walk passes it, so a file costs one search per comment.
   */
  parseFile(text: string, fileName: string): void {
    this.loaded.add(fileName);
    this.stack.push(fileName);
    // An include gets its own state, words included, so the including line's words survive it.
    const state: FileState = { fileName, vendorBlock: undefined, tlvBlocks: [], text, starts: [], ends: [], count: 0 };
    const { starts, ends } = state;
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
        state.count = count;
        this.directive(state, line);
      }
      if (end === length) break;
      start = end + 1;
    }
    const openTlv = state.tlvBlocks.at(-1);
    if (openTlv) this.fail(state, openTlv.line, `BEGIN-TLV ${openTlv.parent.name} is not closed by END-TLV`);
    if (state.vendorBlock) {
      this.fail(state, state.vendorBlock.line, `BEGIN-VENDOR ${state.vendorBlock.vendor.name} is not closed by END-VENDOR`);
    }
    this.stack.pop();
  }

  private fail(state: FileState, line: number, reason: string): never {
    throw new DictionaryParseError(state.fileName, line, reason);
  }

  private directive(state: FileState, line: number): void {
    if (state.count === 1) this.fail(state, line, `${word(state, 0)} has no arguments`);
    // Nearly every line is one of these two, written in upper case: no string, no toUpperCase() for them.
    if (wordIs(state, 0, 'ATTRIBUTE')) return this.attribute(state, line);
    if (wordIs(state, 0, 'VALUE')) return this.value(state, line);
    const keyword = word(state, 0);
    // FreeRADIUS compares keywords case-insensitively.
    switch (keyword.toUpperCase()) {
      case 'ATTRIBUTE':
        return this.attribute(state, line);
      case 'VALUE':
        return this.value(state, line);
      case 'VENDOR':
        return this.vendor(state, line, argumentsOf(state));
      case 'BEGIN-VENDOR':
        return this.beginVendor(state, line, argumentsOf(state));
      case 'END-VENDOR':
        return this.endVendor(state, line, argumentsOf(state));
      case 'BEGIN-TLV':
        return this.beginTlv(state, line, argumentsOf(state));
      case 'END-TLV':
        return this.endTlv(state, line, argumentsOf(state));
      case '$INCLUDE':
        return this.includeFile(state, line, argumentsOf(state), false);
      case '$INCLUDE-':
        return this.includeFile(state, line, argumentsOf(state), true);
      default:
        return this.fail(state, line, `unknown directive "${keyword}"`);
    }
  }

  /** This parse's definitions first, then the context's (indexed on first need). */
  private get context(): ContextIndex {
    this.contextIndex ??= indexContext(this.options.context ?? []);
    return this.contextIndex;
  }

  private findVendor(name: string): VendorInfo | undefined {
    const key = name.toLowerCase();
    return this.vendors.get(key) ?? this.context.vendors.get(key);
  }

  private findAttribute(name: string): AttributeInfo | undefined {
    const key = name.toLowerCase();
    const index = this.attributes.find(key, this.attributes.hash(key));
    if (index < 0) return this.context.attributes.get(key);
    const attr = this.attributeEntries[index] as AttributeEntry['attr'];
    return { name: attr.name, vid: attr.vid ?? 0, evs: attr.evs, path: this.attributePaths.get(index) ?? [attr.id], type: attr.type };
  }

  private vendor(state: FileState, line: number, args: string[]): void {
    const [name = '', number = '', format, extra] = args;
    if (args.length < 2 || extra !== undefined) this.fail(state, line, 'VENDOR needs a name, a number and optionally format=t,l[,c]');
    if (!VENDOR_NAME.test(name)) this.fail(state, line, `invalid vendor name "${name}" (letters, digits, _ and - only)`);
    const id = parseNumber(number);
    if (id === undefined || id < 1 || id > MAX_VENDOR_ID) {
      this.fail(state, line, `invalid vendor number "${number}" (1 to ${MAX_VENDOR_ID})`);
    }
    let written: string | undefined;
    if (format !== undefined) {
      const match = FORMAT.exec(format);
      if (!match) this.fail(state, line, `invalid vendor format "${format}" (expected format=t,l with type 1, 2 or 4 and length 0, 1 or 2, or format=1,1,c)`);
      const [, type, length, continuation] = match;
      // FreeRADIUS 3.0 allowed continuations for WiMAX only; 3.2 for any 1,1 vendor (dictionary.telrad).
      if (continuation && (type !== '1' || length !== '1')) this.fail(state, line, 'only format=1,1 can have continuations (1,1,c)');
      written = `${type},${length}${continuation ? ',c' : ''}`;
    }
    const effective = written ?? IMPLICIT_VENDOR_FORMATS.get(id) ?? '1,1';
    const info: VendorInfo = { name, id, format: effective, ...typeWidthOf(effective), file: state.fileName, line };
    const previous = this.vendors.get(name.toLowerCase());
    if (previous) {
      // FreeRADIUS accepts a vendor declared again with the same number (dictionary.wimax and its variants do).
      if (previous.id === id && previous.format === info.format) {
        this.warnings.push({ fileName: state.fileName, line, message: `VENDOR ${name} repeats ${describeSource(previous.file, previous.line)}; ignored` });
        return;
      }
      this.fail(state, line, `vendor ${name} is already declared at ${describeSource(previous.file, previous.line)} as ${previous.id} format=${previous.format}`);
    }
    this.vendors.set(name.toLowerCase(), info);
    const entry: VendorEntry = { vendor: { [name]: id } };
    // "1,1" is what an absent format means in the JSON format.
    if (info.format !== '1,1') entry.format = info.format;
    this.items.push(entry);
  }

  private beginVendor(state: FileState, line: number, args: string[]): void {
    const [name = '', format, extra] = args;
    if (extra !== undefined) this.fail(state, line, 'BEGIN-VENDOR takes a vendor name and optionally format=<evs attribute>');
    if (state.vendorBlock) {
      this.fail(state, line, `BEGIN-VENDOR ${name} inside BEGIN-VENDOR ${state.vendorBlock.vendor.name} (line ${state.vendorBlock.line})`);
    }
    const vendor = this.findVendor(name);
    if (!vendor) this.fail(state, line, `unknown vendor "${name}" (declare it with VENDOR first)`);
    let evs: string | undefined;
    if (format !== undefined) {
      if (!/^format=/i.test(format)) this.fail(state, line, `invalid BEGIN-VENDOR option "${format}" (expected format=<evs attribute>)`);
      const carrier = this.findAttribute(format.slice('format='.length));
      if (!carrier) this.fail(state, line, `unknown attribute "${format.slice('format='.length)}" in BEGIN-VENDOR format=`);
      if (carrier.type !== 'evs') this.fail(state, line, `attribute ${carrier.name} in BEGIN-VENDOR format= is not of type evs`);
      evs = carrier.name;
    }
    state.vendorBlock = { vendor, evs, line };
  }

  private endVendor(state: FileState, line: number, args: string[]): void {
    const [name = '', extra] = args;
    if (extra !== undefined) this.fail(state, line, 'END-VENDOR takes one vendor name');
    const vendor = this.findVendor(name);
    if (!vendor) this.fail(state, line, `unknown vendor "${name}"`);
    const block = state.vendorBlock;
    if (!block) this.fail(state, line, `END-VENDOR ${name} without BEGIN-VENDOR`);
    // FreeRADIUS compares vendor numbers, so a vendor's alias may close its block.
    if (block.vendor.id !== vendor.id) {
      this.fail(state, line, `END-VENDOR ${name} does not match BEGIN-VENDOR ${block.vendor.name} (line ${block.line})`);
    }
    const tlv = state.tlvBlocks.at(-1);
    if (tlv) this.fail(state, line, `END-VENDOR ${name} inside BEGIN-TLV ${tlv.parent.name} (line ${tlv.line})`);
    state.vendorBlock = undefined;
  }

  private beginTlv(state: FileState, line: number, args: string[]): void {
    const [name = '', extra] = args;
    if (extra !== undefined) this.fail(state, line, 'BEGIN-TLV takes one attribute name');
    const parent = this.findAttribute(name);
    if (!parent) this.fail(state, line, `unknown attribute "${name}" in BEGIN-TLV`);
    if (parent.type !== 'tlv') this.fail(state, line, `attribute ${parent.name} in BEGIN-TLV is not of type tlv`);
    const vid = state.vendorBlock?.vendor.id ?? 0;
    const evs = state.vendorBlock?.evs;
    if (parent.vid !== vid || parent.evs !== evs) {
      this.fail(state, line, `BEGIN-TLV ${parent.name}: the attribute belongs to another vendor block`);
    }
    if (state.tlvBlocks.length >= MAX_TLV_NEST) this.fail(state, line, `BEGIN-TLV nested more than ${MAX_TLV_NEST} deep`);
    state.tlvBlocks.push({ parent, line });
  }

  private endTlv(state: FileState, line: number, args: string[]): void {
    const [name = '', extra] = args;
    if (extra !== undefined) this.fail(state, line, 'END-TLV takes one attribute name');
    const block = state.tlvBlocks.at(-1);
    if (!block) this.fail(state, line, `END-TLV ${name} without BEGIN-TLV`);
    if (block.parent.name.toLowerCase() !== name.toLowerCase()) {
      this.fail(state, line, `END-TLV ${name} does not match BEGIN-TLV ${block.parent.name} (line ${block.line})`);
    }
    state.tlvBlocks.pop();
  }

  private includeFile(state: FileState, line: number, args: string[], optional: boolean): void {
    const keyword = optional ? '$INCLUDE-' : '$INCLUDE';
    const [path = '', extra] = args;
    if (extra !== undefined) this.fail(state, line, `${keyword} takes one file name`);
    const resolve = this.options.include;
    if (!resolve) this.fail(state, line, `${keyword} ${path}: this dictionary cannot include files (upload each file on its own)`);
    let included: IncludedFile | undefined;
    try {
      included = resolve(path, state.fileName);
    } catch (error) {
      if (error instanceof DictionaryParseError) throw error;
      this.fail(state, line, `${keyword} ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!included) {
      if (!optional) this.fail(state, line, `$INCLUDE ${path}: no such file`);
      this.warnings.push({ fileName: state.fileName, line, message: `$INCLUDE- ${path}: no such file; skipped` });
      return;
    }
    if (this.stack.includes(included.fileName)) {
      this.fail(state, line, `${keyword} ${path}: include cycle ${[...this.stack, included.fileName].join(' → ')}`);
    }
    // FreeRADIUS reads a file once, however many files include it.
    if (this.loaded.has(included.fileName)) {
      this.warnings.push({ fileName: state.fileName, line, message: `${keyword} ${path}: ${included.fileName} is already loaded; skipped` });
      return;
    }
    const maxDepth = this.options.maxIncludeDepth ?? DEFAULT_MAX_INCLUDE_DEPTH;
    if (this.stack.length > maxDepth) this.fail(state, line, `${keyword} ${path}: includes nested more than ${maxDepth} deep`);
    this.parseFile(included.text, included.fileName);
  }

  /**
   * Reads word `index` as an attribute number (decimal or hex, or dotted: `241.26`) into
   * `this.components`, as `split('.').map(parseNumber)` would; returns how many components, or
   * -1 if one is not a number.
   */
  private readComponents(state: FileState, index: number): number {
    const { text } = state;
    const end = state.ends[index] as number;
    let from = state.starts[index] as number;
    let count = 0;
    for (let at = from; ; at += 1) {
      if (at === end || text.charCodeAt(at) === 46) {
        const value = parseNumberIn(text, from, at);
        if (value === undefined) return -1;
        this.components[count] = value;
        count += 1;
        if (at === end) return count;
        from = at + 1;
      }
    }
  }

  /**
   * `ATTRIBUTE name number type [flags]`. The checks run in a fixed order (name, number, type,
   * flags, ranges, duplicate), and the first that fails is the error, so they must stay in it.
   */
  private attribute(state: FileState, line: number): void {
    const { count } = state;
    if (count < 4 || count > 5) this.fail(state, line, 'ATTRIBUTE needs a name, a number, a type and optionally flags');
    const name = word(state, 1);
    if (!isAttributeName(name)) this.fail(state, line, `invalid attribute name "${name}" (letters, digits and _ . : / - only, at most 128)`);
    // FreeRADIUS prints unknown attributes as Attr-<number>, so a dictionary may not define such names.
    if (hasAttrPrefix(name)) this.fail(state, line, `invalid attribute name "${name}" (Attr- names are reserved for unknown attributes)`);

    const components = this.readComponents(state, 2);
    if (components < 0) this.fail(state, line, `invalid attribute number "${word(state, 2)}" (decimal, 0x hex, or dotted like 241.26)`);

    let type = this.lastType;
    let length = this.lastLength;
    if (!wordIs(state, 3, this.lastRawType)) {
      const rawType = word(state, 3);
      // A type written as the list spells it (nearly all) needs neither toLowerCase() nor the octets[N] regex.
      const listed = TYPE_NAMES.get(rawType);
      if (listed !== undefined) {
        type = listed;
        length = undefined;
      } else {
        ({ type, length } = this.attributeType(state, line, rawType));
      }
      this.lastRawType = rawType;
      this.lastType = type;
      this.lastLength = length;
    }

    const vendorBlock = state.vendorBlock;
    let vendor = vendorBlock?.vendor;
    const evs = vendorBlock?.evs;
    const tlvBlocks = state.tlvBlocks;
    const tlv = tlvBlocks.length > 0 ? tlvBlocks[tlvBlocks.length - 1] : undefined;
    // An array only for a number of several components; a plain attribute's path is its number.
    let path: number[] | undefined;
    if (tlv) path = [...tlv.parent.path, ...this.components.slice(0, components)];
    else if (components > 1) path = this.components.slice(0, components);
    const first = path ? (path[0] as number) : (this.components[0] as number);
    const id = path ? (path[path.length - 1] as number) : first;

    let enc = 'no';
    let flags: AttributeFlags | undefined;
    if (count === 5) {
      const options = word(state, 4);
      const keys = options.split(',');
      const named = keys.length === 1 && !isFlag(options) ? this.findVendor(options) : undefined;
      if (named) {
        // The old form `ATTRIBUTE Name 1 string Vendor`: FreeRADIUS allows it outside blocks only.
        if (vendorBlock) this.fail(state, line, `vendor name "${options}" as a flag inside BEGIN-VENDOR ${vendorBlock.vendor.name}`);
        if (path) this.fail(state, line, `vendor name "${options}" as a flag with a dotted number`);
        vendor = named;
      } else {
        flags = {};
        enc = this.attributeFlags(state, line, keys, { type, vid: vendor?.id ?? 0, number: first }, flags);
      }
    }
    const vid = vendor?.id ?? 0;

    this.checkNumber(state, line, first, path, vendor, evs);

    const hash = this.attributes.hash(name);
    const previous = this.attributes.find(name, hash);
    if (previous >= 0) {
      this.fail(state, line, `attribute ${name} is already defined at ${describeSource(this.attributeFiles.at(previous), this.attributeLines[previous] as number)}`);
    }

    // Keys in the order the JSON format has always had them: stored documents compare byte for byte.
    const attr: AttributeEntry['attr'] = { vid, id, type, name, enc };
    if (path) attr.oid = path.join('.');
    if (length !== undefined) attr.length = length;
    if (flags !== undefined && hasKeys(flags)) attr.flags = flags;
    if (evs !== undefined) attr.evs = evs;
    this.items.push({ attr });
    const index = this.attributeEntries.push(attr) - 1;
    this.attributes.add(hash, index);
    if (path) this.attributePaths.set(index, path);
    this.attributeLines.push(line);
    this.attributeFiles.note(index, state.fileName);
  }

  /** A type not written as the list spells it: another case, `octets[N]`, or unknown. */
  private attributeType(state: FileState, line: number, rawType: string): { type: string; length: number | undefined } {
    const lowered = rawType.toLowerCase();
    const fixed = /^octets\[(.*)\]$/.exec(lowered);
    if (fixed) {
      const length = parseNumber(fixed[1] ?? '');
      if (length === undefined || length < 1 || length > 253) this.fail(state, line, `invalid length in "${rawType}" (octets[1] to octets[253])`);
      return { type: 'octets', length };
    }
    // FreeRADIUS reads type names case-insensitively (dictionary.juniper writes `String`).
    const type = TYPE_NAMES.get(lowered);
    if (type === undefined) this.fail(state, line, `unknown type "${rawType}"`);
    return { type, length: undefined };
  }

  /** Parses has_tag, encrypt=N, array, concat, virtual and secret; returns the `enc` value. */
  private attributeFlags(state: FileState, line: number, keys: string[], attribute: FlaggedAttribute, flags: AttributeFlags): string {
    let enc = 'no';
    for (const key of keys) {
      const lowered = key.toLowerCase();
      if (lowered === 'has_tag' || lowered === 'has_tag=1') {
        this.checkFlag(state, line, 'has_tag', attribute);
        flags.has_tag = true;
      } else if (lowered.startsWith('encrypt=')) {
        const method = parseNumber(key.slice('encrypt='.length));
        if (method === undefined || method < 1 || method > 3) this.fail(state, line, `invalid flag "${key}" (encrypt=1, 2 or 3)`);
        if (method === 3) this.checkFlag(state, line, 'encrypt=3', attribute);
        enc = `encrypt=${method}`;
      } else if (lowered === 'array' || lowered === 'concat' || lowered === 'virtual' || lowered === 'secret') {
        this.checkFlag(state, line, lowered, attribute);
        flags[lowered] = true;
      } else {
        this.fail(state, line, `unknown flag "${key}"${this.findVendor(key) ? ' (a vendor name must be the only option)' : ''}`);
      }
    }
    return enc;
  }

  private checkFlag(state: FileState, line: number, flag: FlagName, attribute: FlaggedAttribute): void {
    const problem = flagProblem(flag, attribute);
    if (problem) this.fail(state, line, problem);
  }

  /**
   * The ranges FreeRADIUS enforces: the vendor format's type width, one octet per TLV level.
   * `path` is undefined for a number of one component, `first`.
   */
  private checkNumber(state: FileState, line: number, first: number, path: number[] | undefined, vendor: VendorInfo | undefined, evs: string | undefined): void {
    if (path && path.length > MAX_OID_COMPONENTS) this.fail(state, line, `attribute number "${word(state, 2)}" has more than ${MAX_OID_COMPONENTS} components`);
    if (vendor) {
      // Extended-Vendor-Specific attributes carry a one-octet vendor type whatever the vendor's format.
      const width = evs !== undefined ? 1 : vendor.typeWidth;
      const max = evs !== undefined ? 255 : vendor.maxNumber;
      if (first > max) this.fail(state, line, `attribute number ${first} is too large for a vendor with ${width}-octet types (at most ${max})`);
    } else if (path && first > 255) {
      this.fail(state, line, `attribute number "${word(state, 2)}": the first component of a dotted number is a RADIUS attribute (1 to 255)`);
    }
    if (!path) return;
    for (let index = 1; index < path.length; index += 1) {
      const child = path[index] as number;
      if (child < 1 || child > 255) this.fail(state, line, `attribute number "${path.join('.')}": TLV components are 1 to 255`);
    }
  }

  /** `VALUE attribute name number`. */
  private value(state: FileState, line: number): void {
    if (state.count !== 4) this.fail(state, line, 'VALUE needs an attribute name, a value name and a number');
    let attr = this.lastValueAttr;
    // The previous VALUE line's attribute passed the check already.
    if (!wordIs(state, 1, attr)) {
      attr = word(state, 1);
      if (!isAttributeName(attr)) this.fail(state, line, `invalid attribute name "${attr}" in VALUE`);
      this.lastValueAttr = attr;
    }
    const name = word(state, 2);
    if (!isValueName(name)) this.fail(state, line, `invalid value name "${name}" (at most 128 characters)`);
    const val = parseNumberIn(state.text, state.starts[3] as number, state.ends[3] as number);
    if (val === undefined) this.fail(state, line, `invalid value number "${word(state, 3)}" (decimal or 0x hex, 0 to ${MAX_UINT32})`);
    this.items.push(this.pending.add(attr, name, val, state.fileName, line));
  }

  /**
   * The entries, each value given its attribute's vid and id where the attribute is a plain one
   * of this parse (for a TLV, extended or EVS attribute the id alone would be ambiguous, so `attr`
   * says it). Checks byte/short ranges, and drops exact repeats as FreeRADIUS does
   * (dictionary.ascend.illegal has some); one name for two numbers is an error.
   *
   * One pass over the items with a table per lookup: a forward reference costs no more than a
   * backward one. VALUE lines come in runs for one attribute, so the attribute found for the
   * previous line is reused while the next one names it the same way.
   */
  finish(): DictionaryEntry[] {
    const items = this.items;
    const { attrs, names, numbers, lines, files } = this.pending;
    // Repeats are found by (attribute, value name), lower-cased, under the one key
    // `${attribute}:${name}`, as they always have been: an attribute and a value name that contain
    // `:` can meet there (attribute `A:b` value `c` and attribute `A` value `b:c`), and do so in
    // `joined`. Two such keys can only meet when both contain a `:`, so a line without one is looked
    // up in a map per attribute instead, which needs no joined string. Values are line indexes.
    const joined = new Map<string, number>();
    const byAttribute = new Map<string, Map<string, number>>();
    let lastAttr: string | undefined;
    let lastKey = '';
    let keyHasColon = false;
    let seen: Map<string, number> | undefined;
    let attribute: AttributeEntry['attr'] | undefined;
    let valueMax = MAX_UINT32;
    let plain = false;
    let kept = 0;
    for (let position = 0; position < items.length; position += 1) {
      const item = items[position] as DictionaryEntry | number;
      if (typeof item !== 'number') {
        items[kept] = item;
        kept += 1;
        continue;
      }
      const attr = attrs[item] as string;
      const name = names[item] as string;
      const val = numbers[item] as number;
      if (attr !== lastAttr) {
        lastAttr = attr;
        lastKey = attr.toLowerCase();
        keyHasColon = lastKey.includes(':');
        seen = undefined;
        const index = this.attributes.find(attr, this.attributes.hash(attr));
        attribute = index < 0 ? undefined : this.attributeEntries[index];
        valueMax = attribute ? valueMaxOf(attribute.type) : MAX_UINT32;
        plain = attribute !== undefined && attribute.oid === undefined && attribute.evs === undefined;
      }
      if (attribute && val > valueMax) {
        throw new DictionaryParseError(files.at(item), lines[item] as number, `value ${val} is too large for ${attribute.type} attribute ${attribute.name} (at most ${valueMax})`);
      }
      // Keyed by the attribute's name as the line writes it, as the validator keys `attr`: two aliases
      // of one number may each list the same value (dictionary.altiga and dictionary.cisco.asa do).
      const lowerName = name.toLowerCase();
      let previous: number | undefined;
      if (keyHasColon || lowerName.includes(':')) {
        const key = `${lastKey}:${lowerName}`;
        previous = joined.get(key);
        if (previous === undefined) joined.set(key, item);
      } else {
        if (!seen) {
          seen = byAttribute.get(lastKey);
          if (!seen) {
            seen = new Map();
            byAttribute.set(lastKey, seen);
          }
        }
        previous = seen.get(lowerName);
        if (previous === undefined) seen.set(lowerName, item);
      }
      if (previous !== undefined) {
        const where = `${files.at(previous)} line ${lines[previous]}`;
        if (numbers[previous] !== val) {
          throw new DictionaryParseError(files.at(item), lines[item] as number, `VALUE ${attr} ${name} is already ${numbers[previous]} at ${where}`);
        }
        this.warnings.push({ fileName: files.at(item), line: lines[item] as number, message: `VALUE ${attr} ${name} repeats ${where}; ignored` });
        continue;
      }
      items[kept] = plain && attribute ? { val: { vid: attribute.vid, id: attribute.id, val, name, attr } } : { val: { val, name, attr } };
      kept += 1;
    }
    items.length = kept;
    // Every number has been replaced by its entry or dropped.
    return items as DictionaryEntry[];
  }
}

/** `Object.keys(object).length > 0` without building the array. */
function hasKeys(object: object): boolean {
  for (const _ in object) return true;
  return false;
}

interface ContextIndex {
  vendors: Map<string, VendorInfo>;
  attributes: Map<string, AttributeInfo>;
}

/** Indexes are kept per context array: importing a directory parses 237 files against one context. */
const contextIndexes = new WeakMap<readonly DictionaryEntry[], ContextIndex>();

function indexContext(context: readonly DictionaryEntry[]): ContextIndex {
  const cached = contextIndexes.get(context);
  if (cached) return cached;
  const index: ContextIndex = { vendors: new Map(), attributes: new Map() };
  for (const entry of context) {
    if ('vendor' in entry) {
      for (const [name, id] of Object.entries(entry.vendor)) {
        // Absent means "1,1" in the JSON format.
        const format = entry.format ?? '1,1';
        index.vendors.set(name.toLowerCase(), { name, id, format, ...typeWidthOf(format), file: undefined, line: 0 });
      }
    } else if ('attr' in entry) {
      const { vid = 0, id, oid, type, name, evs } = entry.attr;
      const path = oid === undefined ? [id] : oid.split('.').map(Number);
      index.attributes.set(name.toLowerCase(), { name, vid, evs, path, type });
    }
  }
  contextIndexes.set(context, index);
  return index;
}

function isFlag(key: string): boolean {
  return /^(has_tag(=1)?|encrypt=.*|array|concat|virtual|secret)$/i.test(key);
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
