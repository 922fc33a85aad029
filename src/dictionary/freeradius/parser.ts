/**
 * The FreeRADIUS (v3) dictionary parser: directives, blocks and includes, on top of the scanner
 * (lines, words, numbers) and the type table. The parser is as strict as FreeRADIUS's own `dict.c`
 * where the dictionary would not load there (unknown directive, type, flag or vendor, bad number,
 * unbalanced blocks), and every such line becomes a `DictionaryParseError` naming the file, the
 * line number and what is wrong.
 */
import { flagProblem, type FlagName, type FlaggedAttribute } from '../../radius/dictionary/index.js';
import type { AttributeEntry, AttributeFlags, DictionaryEntry, VendorEntry } from '../dictionary-doc.js';
import { type AttributeInfo, type ContextIndex, type VendorInfo, describeSource, indexContext } from './context-index.js';
import { DictionaryParseError, type ParseWarning } from './parse-error.js';
import { FileRuns, PendingValues, settleValues } from './pending-values.js';
import {
  type Words,
  argumentsOf,
  hasAttrPrefix,
  isAttributeName,
  isValueName,
  parseNumber,
  parseNumberIn,
  readComponents,
  scanLines,
  word,
  wordIs,
} from './scanner.js';
import {
  IMPLICIT_VENDOR_FORMATS,
  MAX_OID_COMPONENTS,
  MAX_TLV_NEST,
  MAX_UINT32,
  MAX_VENDOR_ID,
  TYPE_NAMES,
  VENDOR_FORMAT,
  VENDOR_NAME,
  isFlag,
  typeWidthOf,
} from './type-table.js';

const DEFAULT_MAX_INCLUDE_DEPTH = 16;

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

interface VendorBlock {
  vendor: VendorInfo;
  evs: string | undefined;
  line: number;
}

interface TlvBlock {
  parent: AttributeInfo;
  line: number;
}

/** Per-file state: FreeRADIUS keeps BEGIN-VENDOR / BEGIN-TLV per file, not across `$INCLUDE`. */
interface FileState extends Words {
  readonly fileName: string;
  vendorBlock: VendorBlock | undefined;
  readonly tlvBlocks: TlvBlock[];
}

export class Parser {
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
  /**
   * Lower-cased name → index, as FreeRADIUS looks names up case-insensitively. Names get here only
   * after `isAttributeName` (ASCII), where `toLowerCase()` folds A-Z and nothing else.
   */
  private readonly attributeIndexes = new Map<string, number>();
  /** The number path of a dotted (TLV, extended) attribute, by index; a plain one's path is `[id]`. */
  private readonly attributePaths = new Map<number, number[]>();
  private readonly attributeLines: number[] = [];
  private readonly attributeFiles = new FileRuns();
  private contextIndex: ContextIndex | undefined;
  private readonly loaded = new Set<string>();
  private readonly stack: string[] = [];

  constructor(private readonly options: ParseOptions) {}

  /** Reads one file (and what it includes, depth first); `finish` gives the entries once all are read. */
  parseFile(text: string, fileName: string): void {
    this.loaded.add(fileName);
    this.stack.push(fileName);
    // An include gets its own state, words included, so the including line's words survive it.
    const state: FileState = { fileName, vendorBlock: undefined, tlvBlocks: [], text, starts: [], ends: [], count: 0 };
    scanLines(state, (line) => this.directive(state, line));
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
    const index = this.attributeIndexes.get(key);
    if (index === undefined) return this.context.attributes.get(key);
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
      const match = VENDOR_FORMAT.exec(format);
      if (!match)
        this.fail(
          state,
          line,
          `invalid vendor format "${format}" (expected format=t,l with type 1, 2 or 4 and length 0, 1 or 2, or format=1,1,c)`,
        );
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
        this.warnings.push({
          fileName: state.fileName,
          line,
          message: `VENDOR ${name} repeats ${describeSource(previous.file, previous.line)}; ignored`,
        });
        return;
      }
      this.fail(
        state,
        line,
        `vendor ${name} is already declared at ${describeSource(previous.file, previous.line)} as ${previous.id} format=${previous.format}`,
      );
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
      this.warnings.push({
        fileName: state.fileName,
        line,
        message: `${keyword} ${path}: ${included.fileName} is already loaded; skipped`,
      });
      return;
    }
    const maxDepth = this.options.maxIncludeDepth ?? DEFAULT_MAX_INCLUDE_DEPTH;
    if (this.stack.length > maxDepth) this.fail(state, line, `${keyword} ${path}: includes nested more than ${maxDepth} deep`);
    this.parseFile(included.text, included.fileName);
  }

  /**
   * `ATTRIBUTE name number type [flags]`. The checks run in a fixed order (name, number, type,
   * flags, ranges, duplicate), and the first that fails is the error, so they must stay in it.
   */
  private attribute(state: FileState, line: number): void {
    const { count } = state;
    if (count < 4 || count > 5) this.fail(state, line, 'ATTRIBUTE needs a name, a number, a type and optionally flags');
    const name = word(state, 1);
    if (!isAttributeName(name))
      this.fail(state, line, `invalid attribute name "${name}" (letters, digits and _ . : / - only, at most 128)`);
    // FreeRADIUS prints unknown attributes as Attr-<number>, so a dictionary may not define such names.
    if (hasAttrPrefix(name)) this.fail(state, line, `invalid attribute name "${name}" (Attr- names are reserved for unknown attributes)`);

    const components = readComponents(state, 2, this.components);
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

    const key = name.toLowerCase();
    const previous = this.attributeIndexes.get(key);
    if (previous !== undefined) {
      this.fail(
        state,
        line,
        `attribute ${name} is already defined at ${describeSource(this.attributeFiles.at(previous), this.attributeLines[previous] as number)}`,
      );
    }

    // Keys in the order the JSON format has always had them: stored documents compare byte for byte.
    const attr: AttributeEntry['attr'] = { vid, id, type, name, enc };
    if (path) attr.oid = path.join('.');
    if (length !== undefined) attr.length = length;
    if (flags !== undefined && hasKeys(flags)) attr.flags = flags;
    if (evs !== undefined) attr.evs = evs;
    this.items.push({ attr });
    const index = this.attributeEntries.push(attr) - 1;
    this.attributeIndexes.set(key, index);
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
      if (length === undefined || length < 1 || length > 253)
        this.fail(state, line, `invalid length in "${rawType}" (octets[1] to octets[253])`);
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
  private checkNumber(
    state: FileState,
    line: number,
    first: number,
    path: number[] | undefined,
    vendor: VendorInfo | undefined,
    evs: string | undefined,
  ): void {
    if (path && path.length > MAX_OID_COMPONENTS)
      this.fail(state, line, `attribute number "${word(state, 2)}" has more than ${MAX_OID_COMPONENTS} components`);
    if (vendor) {
      // Extended-Vendor-Specific attributes carry a one-octet vendor type whatever the vendor's format.
      const width = evs !== undefined ? 1 : vendor.typeWidth;
      const max = evs !== undefined ? 255 : vendor.maxNumber;
      if (first > max)
        this.fail(state, line, `attribute number ${first} is too large for a vendor with ${width}-octet types (at most ${max})`);
    } else if (path && first > 255) {
      this.fail(
        state,
        line,
        `attribute number "${word(state, 2)}": the first component of a dotted number is a RADIUS attribute (1 to 255)`,
      );
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

  /** The entries, once every file is read: VALUE lines become entries now that every attribute is known. */
  finish(): DictionaryEntry[] {
    return settleValues(this.items, this.pending, (lowerName) => this.attributeNamed(lowerName), this.warnings);
  }

  private attributeNamed(lowerName: string): AttributeEntry['attr'] | undefined {
    const index = this.attributeIndexes.get(lowerName);
    return index === undefined ? undefined : this.attributeEntries[index];
  }
}

/** `Object.keys(object).length > 0` without building the array. */
function hasKeys(object: object): boolean {
  for (const _ in object) return true;
  return false;
}
