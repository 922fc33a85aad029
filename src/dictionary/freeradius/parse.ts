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
import type { AttributeEntry, AttributeFlags, DictionaryEntry, VendorEntry } from '../dictionary-doc.js';

/**
 * Every type name an attribute may have: the JSON schema's list (FreeRADIUS v3's types, their
 * v3 aliases such as `uint32` and `cidr`, and the v4 names the JSON format also accepts). Type
 * names are kept as written (lower-cased), so an alias survives export → import unchanged. The
 * dictionary tests check that this list and `schemas/aaa_dict.json` agree.
 */
export const FREERADIUS_TYPES: readonly string[] = [
  'string', 'octets', 'ipaddr', 'ipv4prefix', 'ipv6addr', 'ipv6prefix', 'ifid', 'integer', 'date',
  'byte', 'short', 'signed', 'integer64', 'ether', 'abinary', 'tlv', 'struct', 'vsa', 'extended',
  'long-extended', 'evs', 'combo-ip', 'combo-prefix', 'bool', 'uint8', 'uint16', 'uint32', 'uint64',
  'int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'time_delta', 'date_milliseconds',
  'date_microseconds', 'date_nanoseconds', 'ipv4addr', 'cidr',
];

/** FreeRADIUS v3 aliases, for the checks that depend on what a type really is. */
const TYPE_ALIASES: Readonly<Record<string, string>> = {
  uint8: 'byte',
  uint16: 'short',
  uint32: 'integer',
  int32: 'signed',
  uint64: 'integer64',
  cidr: 'ipv4prefix',
  ipv4addr: 'ipaddr',
};

/** The type a check should see: `uint32` is `integer` to FreeRADIUS. */
export function baseType(type: string): string {
  return TYPE_ALIASES[type] ?? type;
}

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

/** Where a definition comes from; formatted only for a message. */
interface Source {
  fileName: string;
  line: number;
}

function describeSource(source: Source | undefined): string {
  return source ? `${source.fileName} line ${source.line}` : 'another dictionary (context)';
}

interface VendorInfo {
  name: string;
  id: number;
  /** The format FreeRADIUS uses for it, "1,1" included. */
  format: string;
  source: Source | undefined;
}

interface AttributeInfo {
  name: string;
  vid: number;
  evs: string | undefined;
  /** All components, the TLV parents' included. */
  path: number[];
  type: string;
  source: Source | undefined;
}

/** A VALUE line, made an entry once every attribute of the parse is known (FreeRADIUS fixes forward references up the same way). */
class PendingValue {
  constructor(
    readonly attr: string,
    readonly name: string,
    readonly val: number,
    readonly fileName: string,
    readonly line: number,
  ) {}
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
interface FileState {
  fileName: string;
  vendorBlock: VendorBlock | undefined;
  tlvBlocks: TlvBlock[];
}

export type FlagName = keyof AttributeFlags | 'encrypt=3';

export interface FlaggedAttribute {
  type: string;
  vid: number;
  /** The attribute number (the first component of a dotted one). */
  number: number;
}

const ARRAY_TYPES = new Set(['ipaddr', 'ipv6addr', 'byte', 'short', 'integer', 'date', 'string']);

/**
 * Why FreeRADIUS (`dict.c`) refuses a flag on an attribute, or undefined if it allows it. The
 * JSON validator applies the same rules, so every valid document can be exported and read back.
 */
export function flagProblem(flag: FlagName, attribute: FlaggedAttribute): string | undefined {
  const type = baseType(attribute.type);
  switch (flag) {
    case 'has_tag':
      return type === 'string' || type === 'integer' ? undefined : `flag has_tag is for string and integer attributes, not ${attribute.type}`;
    case 'encrypt=3':
      return type === 'string' ? undefined : `flag encrypt=3 is for string attributes, not ${attribute.type}`;
    case 'array':
      return ARRAY_TYPES.has(type) ? undefined : `flag array is not allowed for type ${attribute.type}`;
    case 'concat':
      return type === 'octets' ? undefined : `flag concat is for octets attributes, not ${attribute.type}`;
    case 'virtual':
      if (attribute.vid !== 0) return 'flag virtual is not allowed on vendor attributes';
      return attribute.number >= 256 ? undefined : 'flag virtual is for attribute numbers from 256 (server-side attributes)';
    case 'secret':
      return type === 'string' || type === 'octets' ? undefined : `flag secret is for string and octets attributes, not ${attribute.type}`;
  }
}

/** Decimal or `0x` hex, unsigned, as FreeRADIUS's `sscanf_i` reads numbers; undefined otherwise. */
export function parseNumber(text: string): number | undefined {
  let value: number;
  if (/^0x[0-9a-f]+$/i.test(text)) value = Number.parseInt(text.slice(2), 16);
  else if (/^[0-9]+$/.test(text)) value = Number.parseInt(text, 10);
  else return undefined;
  return value <= MAX_UINT32 ? value : undefined;
}

const FORMAT = /^format=([124]),([012])(?:,(c))?$/i;

/** Splits a line into words, dropping the comment: FreeRADIUS cuts every line at its first `#`. */
function words(line: string): string[] {
  const hash = line.indexOf('#');
  const content = hash >= 0 ? line.slice(0, hash) : line;
  return content.split(/[ \t\r\f\v]+/).filter((word) => word !== '');
}

class Parser {
  /** Entries in file order, VALUE lines still pending until `finish`. */
  private readonly items: (DictionaryEntry | PendingValue)[] = [];
  readonly warnings: ParseWarning[] = [];
  private readonly vendors = new Map<string, VendorInfo>();
  private readonly attributes = new Map<string, AttributeInfo>();
  private contextIndex: ContextIndex | undefined;
  private readonly loaded = new Set<string>();
  private readonly stack: string[] = [];

  constructor(private readonly options: ParseOptions) {}

  parseFile(text: string, fileName: string): void {
    this.loaded.add(fileName);
    this.stack.push(fileName);
    const state: FileState = { fileName, vendorBlock: undefined, tlvBlocks: [] };
    const lines = text.split('\n');
    lines.forEach((raw, index) => {
      const args = words(raw);
      if (args.length > 0) this.directive(state, index + 1, args);
    });
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

  private directive(state: FileState, line: number, args: string[]): void {
    const [keyword = '', ...rest] = args;
    if (rest.length === 0) this.fail(state, line, `${keyword} has no arguments`);
    // FreeRADIUS compares keywords case-insensitively.
    switch (keyword.toUpperCase()) {
      case 'ATTRIBUTE':
        return this.attribute(state, line, rest);
      case 'VALUE':
        return this.value(state, line, rest);
      case 'VENDOR':
        return this.vendor(state, line, rest);
      case 'BEGIN-VENDOR':
        return this.beginVendor(state, line, rest);
      case 'END-VENDOR':
        return this.endVendor(state, line, rest);
      case 'BEGIN-TLV':
        return this.beginTlv(state, line, rest);
      case 'END-TLV':
        return this.endTlv(state, line, rest);
      case '$INCLUDE':
        return this.includeFile(state, line, rest, false);
      case '$INCLUDE-':
        return this.includeFile(state, line, rest, true);
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
    return this.attributes.get(key) ?? this.context.attributes.get(key);
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
    const info: VendorInfo = { name, id, format: written ?? IMPLICIT_VENDOR_FORMATS.get(id) ?? '1,1', source: { fileName: state.fileName, line } };
    const previous = this.vendors.get(name.toLowerCase());
    if (previous) {
      // FreeRADIUS accepts a vendor declared again with the same number (dictionary.wimax and its variants do).
      if (previous.id === id && previous.format === info.format) {
        this.warnings.push({ fileName: state.fileName, line, message: `VENDOR ${name} repeats ${describeSource(previous.source)}; ignored` });
        return;
      }
      this.fail(state, line, `vendor ${name} is already declared at ${describeSource(previous.source)} as ${previous.id} format=${previous.format}`);
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

  private attribute(state: FileState, line: number, args: string[]): void {
    const [name = '', number = '', rawType = '', options, extra] = args;
    if (args.length < 3 || extra !== undefined) this.fail(state, line, 'ATTRIBUTE needs a name, a number, a type and optionally flags');
    if (!ATTRIBUTE_NAME.test(name)) this.fail(state, line, `invalid attribute name "${name}" (letters, digits and _ . : / - only, at most 128)`);
    // FreeRADIUS prints unknown attributes as Attr-<number>, so a dictionary may not define such names.
    if (/^attr-/i.test(name)) this.fail(state, line, `invalid attribute name "${name}" (Attr- names are reserved for unknown attributes)`);

    const components = number.split('.').map(parseNumber);
    const numbers: number[] = [];
    for (const component of components) {
      if (component === undefined) this.fail(state, line, `invalid attribute number "${number}" (decimal, 0x hex, or dotted like 241.26)`);
      numbers.push(component);
    }

    const { type, length } = this.attributeType(state, line, rawType);

    let vendor = state.vendorBlock?.vendor;
    const evs = state.vendorBlock?.evs;
    const tlv = state.tlvBlocks.at(-1);
    const path = tlv ? [...tlv.parent.path, ...numbers] : numbers;

    let enc = 'no';
    const flags: AttributeFlags = {};
    if (options !== undefined) {
      const keys = options.split(',');
      const named = keys.length === 1 && !isFlag(options) ? this.findVendor(options) : undefined;
      if (named) {
        // The old form `ATTRIBUTE Name 1 string Vendor`: FreeRADIUS allows it outside blocks only.
        if (state.vendorBlock) this.fail(state, line, `vendor name "${options}" as a flag inside BEGIN-VENDOR ${state.vendorBlock.vendor.name}`);
        if (path.length > 1) this.fail(state, line, `vendor name "${options}" as a flag with a dotted number`);
        vendor = named;
      } else {
        enc = this.attributeFlags(state, line, keys, { type, vid: vendor?.id ?? 0, number: path[0] ?? 0 }, flags);
      }
    }
    const vid = vendor?.id ?? 0;

    this.checkNumber(state, line, number, path, vendor, evs);

    const previous = this.attributes.get(name.toLowerCase());
    if (previous) {
      this.fail(state, line, `attribute ${name} is already defined at ${describeSource(previous.source)}`);
    }
    const info: AttributeInfo = { name, vid, evs, path, type, source: { fileName: state.fileName, line } };
    this.attributes.set(name.toLowerCase(), info);

    const attr: AttributeEntry['attr'] = { vid, id: path.at(-1) ?? 0, type, name, enc };
    if (path.length > 1) attr.oid = path.join('.');
    if (length !== undefined) attr.length = length;
    if (Object.keys(flags).length > 0) attr.flags = flags;
    if (evs !== undefined) attr.evs = evs;
    this.items.push({ attr });
  }

  private attributeType(state: FileState, line: number, rawType: string): { type: string; length: number | undefined } {
    const lowered = rawType.toLowerCase();
    const fixed = /^octets\[(.*)\]$/.exec(lowered);
    if (fixed) {
      const length = parseNumber(fixed[1] ?? '');
      if (length === undefined || length < 1 || length > 253) this.fail(state, line, `invalid length in "${rawType}" (octets[1] to octets[253])`);
      return { type: 'octets', length };
    }
    // FreeRADIUS reads type names case-insensitively (dictionary.juniper writes `String`).
    if (!FREERADIUS_TYPES.includes(lowered)) this.fail(state, line, `unknown type "${rawType}"`);
    return { type: lowered, length: undefined };
  }

  /** Parses has_tag, encrypt=N, array, concat, virtual and secret; returns the `enc` value. */
  private attributeFlags(state: FileState, line: number, keys: string[], attribute: FlaggedAttribute, flags: AttributeFlags): string {
    let enc = 'no';
    const check = (flag: FlagName): void => {
      const problem = flagProblem(flag, attribute);
      if (problem) this.fail(state, line, problem);
    };
    for (const key of keys) {
      const lowered = key.toLowerCase();
      if (lowered === 'has_tag' || lowered === 'has_tag=1') {
        check('has_tag');
        flags.has_tag = true;
      } else if (lowered.startsWith('encrypt=')) {
        const method = parseNumber(key.slice('encrypt='.length));
        if (method === undefined || method < 1 || method > 3) this.fail(state, line, `invalid flag "${key}" (encrypt=1, 2 or 3)`);
        if (method === 3) check('encrypt=3');
        enc = `encrypt=${method}`;
      } else if (lowered === 'array' || lowered === 'concat' || lowered === 'virtual' || lowered === 'secret') {
        check(lowered);
        flags[lowered] = true;
      } else {
        this.fail(state, line, `unknown flag "${key}"${this.findVendor(key) ? ' (a vendor name must be the only option)' : ''}`);
      }
    }
    return enc;
  }

  /** The ranges FreeRADIUS enforces: the vendor format's type width, one octet per TLV level. */
  private checkNumber(
    state: FileState,
    line: number,
    written: string,
    path: number[],
    vendor: VendorInfo | undefined,
    evs: string | undefined,
  ): void {
    if (path.length > MAX_OID_COMPONENTS) this.fail(state, line, `attribute number "${written}" has more than ${MAX_OID_COMPONENTS} components`);
    const [first = 0, ...children] = path;
    if (vendor) {
      // Extended-Vendor-Specific attributes carry a one-octet vendor type whatever the vendor's format.
      const width = evs !== undefined ? 1 : Number(vendor.format.split(',')[0]);
      const max = width === 4 ? MAX_UINT32 : 2 ** (8 * width) - 1;
      if (first > max) this.fail(state, line, `attribute number ${first} is too large for a vendor with ${width}-octet types (at most ${max})`);
    } else if (path.length > 1 && first > 255) {
      this.fail(state, line, `attribute number "${written}": the first component of a dotted number is a RADIUS attribute (1 to 255)`);
    }
    if (children.some((child) => child < 1 || child > 255)) {
      this.fail(state, line, `attribute number "${path.join('.')}": TLV components are 1 to 255`);
    }
  }

  private value(state: FileState, line: number, args: string[]): void {
    const [attr = '', name = '', number = '', extra] = args;
    if (args.length < 3 || extra !== undefined) this.fail(state, line, 'VALUE needs an attribute name, a value name and a number');
    if (!ATTRIBUTE_NAME.test(attr)) this.fail(state, line, `invalid attribute name "${attr}" in VALUE`);
    if (!VALUE_NAME.test(name)) this.fail(state, line, `invalid value name "${name}" (at most 128 characters)`);
    const val = parseNumber(number);
    if (val === undefined) this.fail(state, line, `invalid value number "${number}" (decimal or 0x hex, 0 to ${MAX_UINT32})`);
    this.items.push(new PendingValue(attr, name, val, state.fileName, line));
  }

  /**
   * The entries, each value given its attribute's vid and id where the attribute is a plain one
   * of this parse (for a TLV, extended or EVS attribute the id alone would be ambiguous, so `attr`
   * says it). Checks byte/short ranges, and drops exact repeats as FreeRADIUS does
   * (dictionary.ascend.illegal has some); one name for two numbers is an error.
   */
  finish(): DictionaryEntry[] {
    const seen = new Map<string, PendingValue>();
    const entries: DictionaryEntry[] = [];
    for (const item of this.items) {
      if (!(item instanceof PendingValue)) {
        entries.push(item);
        continue;
      }
      const attribute = this.attributes.get(item.attr.toLowerCase());
      if (attribute) checkValueRange(item, attribute);
      // Keyed by the attribute's name as the line writes it, as the validator keys `attr`: two aliases
      // of one number may each list the same value (dictionary.altiga and dictionary.cisco.asa do).
      const key = `${item.attr.toLowerCase()}:${item.name.toLowerCase()}`;
      const previous = seen.get(key);
      if (previous) {
        if (previous.val !== item.val) {
          throw new DictionaryParseError(item.fileName, item.line, `VALUE ${item.attr} ${item.name} is already ${previous.val} at ${previous.fileName} line ${previous.line}`);
        }
        const message = `VALUE ${item.attr} ${item.name} repeats ${previous.fileName} line ${previous.line}; ignored`;
        this.warnings.push({ fileName: item.fileName, line: item.line, message });
        continue;
      }
      seen.set(key, item);
      entries.push(
        attribute && attribute.path.length === 1 && attribute.evs === undefined
          ? { val: { vid: attribute.vid, id: attribute.path[0], val: item.val, name: item.name, attr: item.attr } }
          : { val: { val: item.val, name: item.name, attr: item.attr } },
      );
    }
    return entries;
  }
}

function checkValueRange(value: PendingValue, attribute: AttributeInfo): void {
  const type = baseType(attribute.type);
  const max = type === 'byte' ? 255 : type === 'short' ? 65535 : MAX_UINT32;
  if (value.val > max) throw new DictionaryParseError(value.fileName, value.line, `value ${value.val} is too large for ${attribute.type} attribute ${attribute.name} (at most ${max})`);
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
        index.vendors.set(name.toLowerCase(), { name, id, format: entry.format ?? '1,1', source: undefined });
      }
    } else if ('attr' in entry) {
      const { vid = 0, id, oid, type, name, evs } = entry.attr;
      const path = oid === undefined ? [id] : oid.split('.').map(Number);
      index.attributes.set(name.toLowerCase(), { name, vid, evs, path, type, source: undefined });
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
