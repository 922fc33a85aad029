import { AppError } from '../errors.js';
import type { AttributeEntry, DictionaryEntry, ValueEntry, VendorEntry } from './dictionary-doc.js';

/**
 * One dictionary of an ordered list, as the compiler needs it. `rev` identifies the content: the
 * compiler's cache trusts that the same `id` and `rev` always mean the same entries.
 */
export interface DictionarySource {
  readonly id: string;
  readonly rev: string;
  readonly name: string;
  readonly owner: string;
  readonly value: readonly DictionaryEntry[];
}

/** Which dictionary of the list a definition came from. */
export interface DictionaryOrigin {
  readonly id: string;
  readonly rev: string;
  readonly name: string;
  readonly owner: string;
}

/** FreeRADIUS `encrypt=N`: 0 none, 1 User-Password, 2 Tunnel-Password (salted), 3 Ascend-Secret. */
export type EncryptMethod = 0 | 1 | 2 | 3;

/** FreeRADIUS `format=t,l[,c]` of a vendor: octets of the type and length fields, WiMAX-style continuation. */
export interface VendorFormat {
  readonly typeOctets: 1 | 2 | 4;
  readonly lengthOctets: 0 | 1 | 2;
  readonly continuation: boolean;
}

export interface ResolvedVendor {
  readonly name: string;
  readonly id: number;
  readonly format: VendorFormat;
  readonly dictionary: DictionaryOrigin;
}

/** An attribute as the codec and the validators need it; every field is resolved, none optional. */
export interface ResolvedAttribute {
  readonly name: string;
  /** 0 for standard (and extended) attributes. */
  readonly vendorId: number;
  /** The vendor's name when a dictionary of the list declares the vendor. */
  readonly vendorName: string | undefined;
  /** The number path under the vendor: `[1]`, extended `[241, 26]`, TLV child `[1, 2]`. */
  readonly path: readonly number[];
  /** Lower-cased FreeRADIUS type (`integer`, `octets`, `tlv`, ...). */
  readonly type: string;
  /** The fixed length of `octets[N]`. */
  readonly length: number | undefined;
  readonly encrypt: EncryptMethod;
  readonly hasTag: boolean;
  readonly concat: boolean;
  readonly array: boolean;
  readonly virtual: boolean;
  readonly secret: boolean;
  /** The Extended-Vendor-Specific attribute carrying this vendor attribute, as the dictionary names it. */
  readonly evs: string | undefined;
  /** The vendor's wire format; the RFC 2865 one (1,1) for standard attributes and undeclared vendors. */
  readonly format: VendorFormat;
  readonly dictionary: DictionaryOrigin;
}

export type ConflictKind =
  /** The same attribute name means another number or vendor. */
  | 'attribute-name'
  /** The same attribute name and number, but another type, length, encryption or flag. */
  | 'attribute-definition'
  /** The same number under another name: decoding prints the winner's name. */
  | 'attribute-code'
  | 'vendor-name'
  | 'vendor-id'
  | 'vendor-format'
  /** The same value name of one attribute means another number. */
  | 'value-name'
  /** The same number of one attribute has another name: decoding prints the winner's name. */
  | 'value-number';

/** One side of a conflict; which fields are set depends on the kind. */
export interface ConflictSide {
  /** The dictionary's name, its owner and id. */
  readonly dictionary: string;
  readonly owner: string;
  readonly dictionaryId: string;
  /** The attribute, vendor or value name as that dictionary spells it. */
  readonly name: string;
  readonly vendorId?: number;
  /** Attribute kinds: the full RADIUS number (`26.9.1`, `241.26`). */
  readonly code?: string;
  readonly type?: string;
  /** Vendor kinds: `t,l[,c]`. */
  readonly format?: string;
  /** Value kinds: the attribute the value belongs to (as the winner names it), and the value's number. */
  readonly attribute?: string;
  readonly value?: number;
}

/** A readable warning: a later dictionary of the list says something else than an earlier one, and loses. */
export interface DictionaryConflict {
  readonly kind: ConflictKind;
  /** The contested name (attribute, vendor or value), when a name is what collides. */
  readonly name?: string;
  /** The contested number (attribute OID, vendor id, or value number), when a number is what collides. */
  readonly code?: string;
  readonly winner: ConflictSide;
  readonly shadowed: ConflictSide;
  readonly message: string;
}

/** A `val` entry naming an attribute that no dictionary of the list defines. */
export interface UnattachedValue {
  readonly dictionary: DictionaryOrigin;
  /** The attribute as the entry names it: its name, or `vid:id`. */
  readonly attribute: string;
  readonly name: string;
  readonly value: number;
}

export interface DictionaryCounts {
  /** Distinct vendor ids. */
  readonly vendors: number;
  /** Distinct attribute names (aliases count once each). */
  readonly attributes: number;
  /** Distinct (attribute number, value name) pairs. */
  readonly values: number;
}

/**
 * A malformed entry: compiling cannot guess what it means (an unknown `enc` must not be sent in
 * clear), so the whole list is refused. A 400 `invalid_dictionary`, like a FreeRADIUS parse error.
 */
export class DictionaryCompileError extends AppError {
  constructor(
    readonly dictionaryId: string,
    readonly entryIndex: number,
    readonly reason: string,
  ) {
    const message = `Dictionary ${dictionaryId}, value.${entryIndex}: ${reason}`;
    super(400, 'invalid_dictionary', message, { dictionary: dictionaryId, entry: `value.${entryIndex}`, reason, message });
    this.name = 'DictionaryCompileError';
  }
}

// ---------------------------------------------------------------------------------------------
// Internal records. Each carries the index of its dictionary in the list: that index is the whole
// ordering rule (lower wins across dictionaries; within one dictionary a later line overrides an
// earlier one, as FreeRADIUS does when it reads a file).

interface VendorRecord {
  readonly vendor: ResolvedVendor;
  readonly lowerName: string;
  readonly dictIndex: number;
  readonly formatText: string;
}

interface ValueRecord {
  readonly name: string;
  readonly lowerName: string;
  readonly value: number;
  readonly dictIndex: number;
}

/** The values of one attribute number, both ways. */
class ValueTable {
  readonly byName = new Map<string, ValueRecord>();
  readonly byNumber = new Map<number, ValueRecord>();
}

/**
 * A node of the number trie: vendor id → first number → child number → ... Walking it costs one
 * Map lookup per component and allocates nothing, which a string key (`"9:1.2"`) would not.
 * Values hang off the node, so they belong to the number, whichever name the winner has.
 */
class CodeNode {
  record: AttributeRecord | undefined = undefined;
  children: Map<number, CodeNode> | undefined = undefined;
  values: ValueTable | undefined = undefined;
}

/** Vendor id → first number → node. */
type VendorCodes = Map<number, Map<number, CodeNode>>;

interface AttributeRecord {
  readonly attribute: ResolvedAttribute;
  readonly lowerName: string;
  readonly dictIndex: number;
  readonly node: CodeNode;
}

/**
 * A line that lost its name or number to an earlier dictionary. Whether that is a conflict depends
 * on what the later dictionary finally says (its last line for that name or number: a file may
 * redefine an alias further down), so it is judged after all lines are read. `slot` and `key`
 * identify the name or number; the winner is already final, as its dictionary was read before.
 */
interface Loss {
  readonly slot: object;
  readonly key: string | number;
  readonly dictIndex: number;
  readonly judge: () => DictionaryConflict | undefined;
}

interface Tables {
  readonly dictionaries: readonly DictionaryOrigin[];
  readonly vendorsByName: Map<string, VendorRecord>;
  readonly vendorsById: Map<number, VendorRecord>;
  readonly attributesByName: Map<string, AttributeRecord>;
  /** Attributes carried directly (not inside an Extended-Vendor-Specific attribute). */
  readonly codes: VendorCodes;
  /** Lower-cased EVS container name → its own number space. */
  readonly evsCodes: Map<string, VendorCodes>;
  /** Definitions that lost their name to an earlier dictionary, in line order: their own dictionary's VALUEs still reach them. */
  readonly shadowedByName: Map<string, AttributeRecord[]>;
  /** Lines that lost to an earlier dictionary; whether each is a conflict is judged once everything is read. */
  readonly losses: Loss[];
  readonly unattached: UnattachedValue[];
  /** Every value table, to add exact spellings once all are filled. */
  readonly valueTables: ValueTable[];
  valueCount: number;
}

// ---------------------------------------------------------------------------------------------
// Parsing the few fields that are text.

const STANDARD_FORMAT: VendorFormat = Object.freeze({ typeOctets: 1, lengthOctets: 1, continuation: false });

/** At most 18 valid formats exist, so interning them keeps every attribute's `format` shared. */
const formats = new Map<string, VendorFormat>([['1,1', STANDARD_FORMAT]]);
const FORMAT_PATTERN = /^\s*([124])\s*,\s*([012])\s*(,\s*c\s*)?$/;

function parseVendorFormat(text: string | undefined): VendorFormat | undefined {
  if (text === undefined) return STANDARD_FORMAT;
  const known = formats.get(text);
  if (known) return known;
  const match = FORMAT_PATTERN.exec(text);
  if (!match) return undefined;
  const canonical = `${match[1]},${match[2]}${match[3] ? ',c' : ''}`;
  let format = formats.get(canonical);
  if (!format) {
    format = Object.freeze({
      typeOctets: Number(match[1]) as 1 | 2 | 4,
      lengthOctets: Number(match[2]) as 0 | 1 | 2,
      continuation: match[3] !== undefined,
    });
    formats.set(canonical, format);
  }
  return format;
}

function formatText(format: VendorFormat): string {
  return `${format.typeOctets},${format.lengthOctets}${format.continuation ? ',c' : ''}`;
}

/** Kazoo writes `no`; FreeRADIUS's flag is `encrypt=N`. Anything else is refused rather than sent in clear. */
function parseEncrypt(enc: string | undefined): EncryptMethod | undefined {
  switch (enc) {
    case undefined:
    case 'no':
    case 'encrypt=0':
      return 0;
    case 'encrypt=1':
      return 1;
    case 'encrypt=2':
      return 2;
    case 'encrypt=3':
      return 3;
    default:
      return undefined;
  }
}

const OID_PATTERN = /^\d+(\.\d+)*$/;

/**
 * Frozen one-number paths, shared by every attribute and every compiled list: most attributes
 * have one, and the same few hundred numbers recur across vendors, so sharing them saves an
 * allocation per attribute (which is most of what compiling costs: garbage collection).
 */
const SHARED_PATHS = 256;
const singlePaths: readonly (readonly number[])[] = Array.from({ length: SHARED_PATHS }, (_, id) => Object.freeze([id]));

function singlePath(id: number): readonly number[] {
  return singlePaths[id] ?? Object.freeze([id]);
}

/** `id` alone, or the dotted `oid` whose last component must be `id`. */
function parsePath(id: number, oid: string | undefined): readonly number[] | undefined {
  if (oid === undefined) return singlePath(id);
  if (!OID_PATTERN.test(oid)) return undefined;
  const path = oid.split('.').map(Number);
  if (path[path.length - 1] !== id) return undefined;
  return Object.freeze(path);
}

/** The full RADIUS number, for messages: `1`, `241.26`, `26.9.1`, `Extended-Vendor-Specific-5.11344.1`. */
function oidText(attribute: ResolvedAttribute): string {
  const path = attribute.path.join('.');
  if (attribute.evs !== undefined) return `${attribute.evs}.${attribute.vendorId}.${path}`;
  return attribute.vendorId === 0 ? path : `26.${attribute.vendorId}.${path}`;
}

// ---------------------------------------------------------------------------------------------
// Conflicts.

function side(origin: DictionaryOrigin, name: string, detail: Omit<ConflictSide, 'dictionary' | 'owner' | 'dictionaryId' | 'name'>): ConflictSide {
  return Object.freeze({ dictionary: origin.name, owner: origin.owner, dictionaryId: origin.id, name, ...detail });
}

function where(origin: DictionaryOrigin): string {
  return `dictionary "${origin.name}" of ${origin.owner}`;
}

function attributeSide(attribute: ResolvedAttribute): ConflictSide {
  return side(attribute.dictionary, attribute.name, { vendorId: attribute.vendorId, code: oidText(attribute), type: attribute.type });
}

function describeAttribute(attribute: ResolvedAttribute): string {
  const flags = [
    attribute.length === undefined ? '' : `length ${attribute.length}`,
    attribute.encrypt === 0 ? '' : `encrypt=${attribute.encrypt}`,
    attribute.hasTag ? 'has_tag' : '',
    attribute.concat ? 'concat' : '',
    attribute.array ? 'array' : '',
    attribute.virtual ? 'virtual' : '',
    attribute.secret ? 'secret' : '',
  ].filter((flag) => flag !== '');
  return `${oidText(attribute)} ${attribute.type}${flags.length > 0 ? ` (${flags.join(', ')})` : ''}`;
}

function attributeConflict(kind: ConflictKind, winner: ResolvedAttribute, shadowed: ResolvedAttribute): DictionaryConflict {
  const byName = kind !== 'attribute-code';
  const contested = byName ? `Attribute ${winner.name}` : `Attribute number ${oidText(winner)}`;
  const loser = byName
    ? `the definition as ${describeAttribute(shadowed)} in ${where(shadowed.dictionary)} is shadowed`
    : `${shadowed.name} of ${where(shadowed.dictionary)} keeps only its name`;
  return Object.freeze({
    kind,
    ...(byName ? { name: winner.name } : { code: oidText(winner) }),
    winner: attributeSide(winner),
    shadowed: attributeSide(shadowed),
    message: `${contested} is ${byName ? describeAttribute(winner) : winner.name} in ${where(winner.dictionary)}; ${loser}`,
  });
}

function vendorConflict(kind: ConflictKind, winner: VendorRecord, shadowed: VendorRecord): DictionaryConflict {
  const describe = (record: VendorRecord): string => `${record.vendor.name} ${record.vendor.id} format=${record.formatText}`;
  const vendorSide = (record: VendorRecord): ConflictSide =>
    side(record.vendor.dictionary, record.vendor.name, { vendorId: record.vendor.id, format: record.formatText });
  return Object.freeze({
    kind,
    ...(kind === 'vendor-id' ? { code: String(winner.vendor.id) } : { name: winner.vendor.name }),
    winner: vendorSide(winner),
    shadowed: vendorSide(shadowed),
    message: `Vendor ${describe(winner)} in ${where(winner.vendor.dictionary)} shadows vendor ${describe(shadowed)} in ${where(shadowed.vendor.dictionary)}`,
  });
}

function valueConflict(
  kind: ConflictKind,
  attribute: ResolvedAttribute,
  winner: ValueRecord,
  shadowed: ValueRecord,
  origins: readonly DictionaryOrigin[],
): DictionaryConflict {
  const winnerOrigin = origins[winner.dictIndex] as DictionaryOrigin;
  const shadowedOrigin = origins[shadowed.dictIndex] as DictionaryOrigin;
  const valueSide = (record: ValueRecord, origin: DictionaryOrigin): ConflictSide =>
    side(origin, record.name, { attribute: attribute.name, value: record.value });
  const byName = kind === 'value-name';
  return Object.freeze({
    kind,
    ...(byName ? { name: winner.name } : { code: String(winner.value) }),
    winner: valueSide(winner, winnerOrigin),
    shadowed: valueSide(shadowed, shadowedOrigin),
    message: byName
      ? `Value ${winner.name} of ${attribute.name} is ${winner.value} in ${where(winnerOrigin)}; ${shadowed.value} in ${where(shadowedOrigin)} is shadowed`
      : `Value ${winner.value} of ${attribute.name} is named ${winner.name} in ${where(winnerOrigin)}; ` +
        `the name ${shadowed.name} in ${where(shadowedOrigin)} still encodes, but decoding prints ${winner.name}`,
  });
}

/** Identical duplicates (a tenant copying a system attribute) are not conflicts; the case of the name is not a difference. */
function sameDefinition(a: ResolvedAttribute, b: ResolvedAttribute): boolean {
  return (
    sameCode(a, b) &&
    a.type === b.type &&
    a.length === b.length &&
    a.encrypt === b.encrypt &&
    a.hasTag === b.hasTag &&
    a.concat === b.concat &&
    a.array === b.array &&
    a.virtual === b.virtual &&
    a.secret === b.secret
  );
}

function sameCode(a: ResolvedAttribute, b: ResolvedAttribute): boolean {
  if (a.vendorId !== b.vendorId || a.path.length !== b.path.length) return false;
  if (a.evs?.toLowerCase() !== b.evs?.toLowerCase()) return false;
  return a.path.every((component, index) => component === b.path[index]);
}

// ---------------------------------------------------------------------------------------------
// The three passes: vendors first (attributes take their format), then attributes, then values
// (a VALUE may name an attribute of a later dictionary, or one defined further down its own).

function addVendors(tables: Tables, entry: VendorEntry, dictIndex: number, entryIndex: number): void {
  const origin = tables.dictionaries[dictIndex] as DictionaryOrigin;
  const format = parseVendorFormat(entry.format);
  if (!format) throw new DictionaryCompileError(origin.id, entryIndex, `vendor format ${JSON.stringify(entry.format)} is not t,l[,c]`);
  for (const [name, id] of Object.entries(entry.vendor)) {
    const vendor: ResolvedVendor = Object.freeze({ name, id, format, dictionary: origin });
    claimVendor(tables, { vendor, lowerName: name.toLowerCase(), dictIndex, formatText: formatText(format) });
  }
}

function claimVendor(tables: Tables, record: VendorRecord): void {
  const { dictIndex } = record;
  const byName = tables.vendorsByName.get(record.lowerName);
  if (byName === undefined || byName.dictIndex === dictIndex) {
    tables.vendorsByName.set(record.lowerName, record);
  } else {
    tables.losses.push({
      slot: tables.vendorsByName,
      key: record.lowerName,
      dictIndex,
      judge: () => {
        if (byName.vendor.id !== record.vendor.id) return vendorConflict('vendor-name', byName, record);
        if (byName.vendor.format !== record.vendor.format) return vendorConflict('vendor-format', byName, record);
        return undefined;
      },
    });
  }
  const byId = tables.vendorsById.get(record.vendor.id);
  if (byId === undefined || byId.dictIndex === dictIndex) {
    tables.vendorsById.set(record.vendor.id, record);
  } else {
    tables.losses.push({
      slot: tables.vendorsById,
      key: record.vendor.id,
      dictIndex,
      judge: () => (byId.lowerName === record.lowerName ? undefined : vendorConflict('vendor-id', byId, record)),
    });
  }
}

function resolveAttribute(tables: Tables, entry: AttributeEntry, dictIndex: number, entryIndex: number): ResolvedAttribute {
  const origin = tables.dictionaries[dictIndex] as DictionaryOrigin;
  const { vid = 0, id, oid, type, name, enc, length, flags, evs } = entry.attr;
  const path = parsePath(id, oid);
  if (!path) throw new DictionaryCompileError(origin.id, entryIndex, `attribute ${name}: oid ${JSON.stringify(oid)} is not a dotted number ending in ${id}`);
  const encrypt = parseEncrypt(enc);
  if (encrypt === undefined) throw new DictionaryCompileError(origin.id, entryIndex, `attribute ${name}: enc ${JSON.stringify(enc)} is not no or encrypt=1|2|3`);
  const vendor = vid === 0 ? undefined : tables.vendorsById.get(vid)?.vendor;
  return Object.freeze({
    name,
    vendorId: vid,
    vendorName: vendor?.name,
    path,
    type: type.toLowerCase(),
    length,
    encrypt,
    hasTag: flags?.has_tag === true,
    concat: flags?.concat === true,
    array: flags?.array === true,
    virtual: flags?.virtual === true,
    secret: flags?.secret === true,
    evs,
    format: vendor?.format ?? STANDARD_FORMAT,
    dictionary: origin,
  });
}

function codeSpace(tables: Tables, evs: string | undefined): VendorCodes {
  if (evs === undefined) return tables.codes;
  const key = evs.toLowerCase();
  let space = tables.evsCodes.get(key);
  if (!space) {
    space = new Map();
    tables.evsCodes.set(key, space);
  }
  return space;
}

/** The node of a number, created on the way: every definition gets one, shadowed or not. */
function codeNode(tables: Tables, attribute: ResolvedAttribute): CodeNode {
  const space = codeSpace(tables, attribute.evs);
  let level = space.get(attribute.vendorId);
  if (!level) {
    level = new Map();
    space.set(attribute.vendorId, level);
  }
  let node: CodeNode | undefined;
  for (const component of attribute.path) {
    if (node) level = node.children ??= new Map();
    let next = level.get(component);
    if (!next) {
      next = new CodeNode();
      level.set(component, next);
    }
    node = next;
  }
  // parsePath never yields an empty path.
  return node as CodeNode;
}

function addAttribute(tables: Tables, entry: AttributeEntry, dictIndex: number, entryIndex: number): void {
  const attribute = resolveAttribute(tables, entry, dictIndex, entryIndex);
  const record: AttributeRecord = { attribute, lowerName: attribute.name.toLowerCase(), dictIndex, node: codeNode(tables, attribute) };
  claimAttributeName(tables, record);
  claimAttributeCode(tables, record);
}

function claimAttributeName(tables: Tables, record: AttributeRecord): void {
  const existing = tables.attributesByName.get(record.lowerName);
  if (existing === undefined || existing.dictIndex === record.dictIndex) {
    tables.attributesByName.set(record.lowerName, record);
    return;
  }
  tables.losses.push({
    slot: tables.attributesByName,
    key: record.lowerName,
    dictIndex: record.dictIndex,
    judge: () => {
      if (sameDefinition(existing.attribute, record.attribute)) return undefined;
      const kind = sameCode(existing.attribute, record.attribute) ? 'attribute-definition' : 'attribute-name';
      return attributeConflict(kind, existing.attribute, record.attribute);
    },
  });
  // Every losing line is kept, even one with the winner's number: its dictionary's VALUEs must find
  // that dictionary's last definition of the name, whichever number it has.
  const shadowed = tables.shadowedByName.get(record.lowerName);
  if (shadowed) shadowed.push(record);
  else tables.shadowedByName.set(record.lowerName, [record]);
}

function claimAttributeCode(tables: Tables, record: AttributeRecord): void {
  const existing = record.node.record;
  if (existing === undefined || existing.dictIndex === record.dictIndex) {
    // Within one dictionary the later name is printed, as FreeRADIUS does for an alias.
    record.node.record = record;
    return;
  }
  tables.losses.push({
    slot: record.node,
    key: 0,
    dictIndex: record.dictIndex,
    // Same name but another type is already an 'attribute-definition' conflict.
    judge: () => (existing.lowerName === record.lowerName ? undefined : attributeConflict('attribute-code', existing.attribute, record.attribute)),
  });
}

/** A VALUE naming an attribute means its own dictionary's attribute first, then the list's. */
function attributeNodeByName(tables: Tables, lowerName: string, dictIndex: number): CodeNode | undefined {
  const record = tables.attributesByName.get(lowerName);
  if (record === undefined || record.dictIndex === dictIndex) return record?.node;
  const own = tables.shadowedByName.get(lowerName)?.findLast((shadowed) => shadowed.dictIndex === dictIndex);
  return (own ?? record).node;
}

function attributeNodeByNumber(tables: Tables, vendorId: number, id: number): CodeNode | undefined {
  const node = tables.codes.get(vendorId)?.get(id);
  return node?.record === undefined ? undefined : node;
}

function addValue(tables: Tables, entry: ValueEntry, dictIndex: number): void {
  const { vid = 0, id, val, name, attr } = entry.val;
  const node =
    attr !== undefined
      ? attributeNodeByName(tables, attr.toLowerCase(), dictIndex)
      : id === undefined
        ? undefined
        : attributeNodeByNumber(tables, vid, id);
  if (node?.record === undefined) {
    const origin = tables.dictionaries[dictIndex] as DictionaryOrigin;
    tables.unattached.push(Object.freeze({ dictionary: origin, attribute: attr ?? `${vid}:${id ?? '?'}`, name, value: val }));
    return;
  }
  if (!node.values) {
    node.values = new ValueTable();
    tables.valueTables.push(node.values);
  }
  claimValue(tables, node.record.attribute, node.values, { name, lowerName: name.toLowerCase(), value: val, dictIndex });
}

function claimValue(tables: Tables, attribute: ResolvedAttribute, table: ValueTable, record: ValueRecord): void {
  const byName = table.byName.get(record.lowerName);
  if (byName === undefined || byName.dictIndex === record.dictIndex) {
    if (byName === undefined) tables.valueCount += 1;
    table.byName.set(record.lowerName, record);
  } else {
    tables.losses.push({
      slot: table.byName,
      key: record.lowerName,
      dictIndex: record.dictIndex,
      judge: () => (byName.value === record.value ? undefined : valueConflict('value-name', attribute, byName, record, tables.dictionaries)),
    });
  }
  const byNumber = table.byNumber.get(record.value);
  if (byNumber === undefined || byNumber.dictIndex === record.dictIndex) {
    // Within one dictionary the later name is printed (FreeRADIUS: "prefer the new name").
    table.byNumber.set(record.value, record);
  } else {
    tables.losses.push({
      slot: table.byNumber,
      key: record.value,
      dictIndex: record.dictIndex,
      judge: () => (byNumber.lowerName === record.lowerName ? undefined : valueConflict('value-number', attribute, byNumber, record, tables.dictionaries)),
    });
  }
}

/**
 * Adds each winner's own spelling as a second key, so a lookup spelled as the dictionary spells
 * it (the usual case) costs one Map hit and no `toLowerCase()`. A spelling with an upper-case
 * letter can never equal a lower-cased key, so the two kinds of key cannot collide.
 */
function addExactSpellings<R>(map: Map<string, R>, spelling: (record: R) => string): void {
  // Keys added while iterating are visited too; they are their own spelling, so they add nothing.
  map.forEach((record, key) => {
    const spelled = spelling(record);
    if (spelled !== key) map.set(spelled, record);
  });
}

/**
 * The conflicts, in the order of the lines that lost. Only the last losing line per dictionary and
 * name (or number) is judged: it is what that dictionary finally means.
 */
function judgeLosses(losses: readonly Loss[]): DictionaryConflict[] {
  const judged = new Map<object, Set<string>>();
  const conflicts: DictionaryConflict[] = [];
  for (let index = losses.length - 1; index >= 0; index -= 1) {
    const loss = losses[index] as Loss;
    const key = `${loss.dictIndex}:${loss.key}`;
    let keys = judged.get(loss.slot);
    if (!keys) {
      keys = new Set();
      judged.set(loss.slot, keys);
    }
    if (keys.has(key)) continue;
    keys.add(key);
    const conflict = loss.judge();
    if (conflict) conflicts.push(conflict);
  }
  return conflicts.reverse();
}

function originOf(source: DictionarySource): DictionaryOrigin {
  return Object.freeze({ id: source.id, rev: source.rev, name: source.name, owner: source.owner });
}

function emptyTables(list: readonly DictionarySource[]): Tables {
  return {
    dictionaries: Object.freeze(list.map(originOf)),
    vendorsByName: new Map(),
    vendorsById: new Map(),
    attributesByName: new Map(),
    codes: new Map(),
    evsCodes: new Map(),
    shadowedByName: new Map(),
    losses: [],
    valueTables: [],
    unattached: [],
    valueCount: 0,
  };
}

/**
 * Compiles an ordered list: the first dictionary that defines a name or number wins. Throws
 * DictionaryCompileError for an entry whose format, oid or enc cannot be understood.
 */
export function compileDictionaries(list: readonly DictionarySource[]): CompiledDictionary {
  const tables = emptyTables(list);
  // Plain loops: this is the hot path of a compile (about 18,000 entries for all of FreeRADIUS).
  for (let dictIndex = 0; dictIndex < list.length; dictIndex += 1) {
    const entries = (list[dictIndex] as DictionarySource).value;
    for (let entryIndex = 0; entryIndex < entries.length; entryIndex += 1) {
      const entry = entries[entryIndex] as DictionaryEntry;
      if ('vendor' in entry) addVendors(tables, entry, dictIndex, entryIndex);
    }
  }
  for (let dictIndex = 0; dictIndex < list.length; dictIndex += 1) {
    const entries = (list[dictIndex] as DictionarySource).value;
    for (let entryIndex = 0; entryIndex < entries.length; entryIndex += 1) {
      const entry = entries[entryIndex] as DictionaryEntry;
      if ('attr' in entry) addAttribute(tables, entry, dictIndex, entryIndex);
    }
  }
  for (let dictIndex = 0; dictIndex < list.length; dictIndex += 1) {
    const entries = (list[dictIndex] as DictionarySource).value;
    for (let entryIndex = 0; entryIndex < entries.length; entryIndex += 1) {
      const entry = entries[entryIndex] as DictionaryEntry;
      if ('val' in entry) addValue(tables, entry, dictIndex);
    }
  }
  return new CompiledDictionary(tables);
}

// ---------------------------------------------------------------------------------------------

function lookup<R>(map: ReadonlyMap<string, R>, name: string): R | undefined {
  return map.get(name) ?? map.get(name.toLowerCase());
}

/**
 * The immutable lookup structure of one ordered dictionary list. Build it with
 * `compileDictionaries` (or, shared and cached, with `DictionaryCompiler`). Every object it hands
 * out is frozen and its tables are private, so every server and tenant can share one instance.
 */
export class CompiledDictionary {
  /** The list it was compiled from, in order. */
  readonly dictionaries: readonly DictionaryOrigin[];
  readonly conflicts: readonly DictionaryConflict[];
  readonly unattachedValues: readonly UnattachedValue[];
  readonly counts: DictionaryCounts;
  readonly #vendorsByName: ReadonlyMap<string, VendorRecord>;
  readonly #vendorsById: ReadonlyMap<number, VendorRecord>;
  readonly #attributesByName: ReadonlyMap<string, AttributeRecord>;
  readonly #codes: VendorCodes;
  readonly #evsCodes: ReadonlyMap<string, VendorCodes>;

  /** Internal: use `compileDictionaries`. */
  constructor(tables: Tables) {
    this.counts = Object.freeze({ vendors: tables.vendorsById.size, attributes: tables.attributesByName.size, values: tables.valueCount });
    addExactSpellings(tables.vendorsByName, (record) => record.vendor.name);
    addExactSpellings(tables.attributesByName, (record) => record.attribute.name);
    for (const table of tables.valueTables) addExactSpellings(table.byName, (record) => record.name);
    this.dictionaries = tables.dictionaries;
    this.conflicts = Object.freeze(judgeLosses(tables.losses));
    this.unattachedValues = Object.freeze(tables.unattached);
    this.#vendorsByName = tables.vendorsByName;
    this.#vendorsById = tables.vendorsById;
    this.#attributesByName = tables.attributesByName;
    this.#codes = tables.codes;
    this.#evsCodes = tables.evsCodes;
    Object.freeze(this);
  }

  /** An attribute by name, case-insensitively as FreeRADIUS. */
  attribute(name: string): ResolvedAttribute | undefined {
    return lookup(this.#attributesByName, name)?.attribute;
  }

  /**
   * An attribute by number: `vendorId` 0 and `[26]`, `[241, 26]`; `vendorId` 9 and `[1]`; a TLV
   * child `[1, 2]`. `evs` names the Extended-Vendor-Specific container for vendor attributes carried in one.
   */
  attributeByCode(vendorId: number, path: readonly number[], evs?: string): ResolvedAttribute | undefined {
    return this.#node(vendorId, path, evs)?.record?.attribute;
  }

  /** The common case of `attributeByCode` (one number, no EVS) without building a path. */
  attributeByNumber(vendorId: number, number: number): ResolvedAttribute | undefined {
    return this.#codes.get(vendorId)?.get(number)?.record?.attribute;
  }

  vendor(name: string): ResolvedVendor | undefined {
    return lookup(this.#vendorsByName, name)?.vendor;
  }

  vendorById(id: number): ResolvedVendor | undefined {
    return this.#vendorsById.get(id)?.vendor;
  }

  /** A named value's number (`Service-Type`, `Framed-User` → 2), value names case-insensitively. */
  valueNumber(attribute: ResolvedAttribute | string, valueName: string): number | undefined {
    const table = this.#values(attribute);
    return table === undefined ? undefined : lookup(table.byName, valueName)?.value;
  }

  /** A number's value name (`Service-Type`, 2 → `Framed-User`), as decoding prints it. */
  valueName(attribute: ResolvedAttribute | string, value: number): string | undefined {
    return this.#values(attribute)?.byNumber.get(value)?.name;
  }

  /** Every value of an attribute by name, for listings; a new frozen array per call. */
  values(attribute: ResolvedAttribute | string): readonly { readonly name: string; readonly value: number }[] {
    const table = this.#values(attribute);
    if (table === undefined) return Object.freeze([]);
    const listed: { readonly name: string; readonly value: number }[] = [];
    // Each value is there under its lower-cased name (and maybe its spelling too): list it once.
    table.byName.forEach((record, key) => {
      if (key === record.lowerName) listed.push(Object.freeze({ name: record.name, value: record.value }));
    });
    return Object.freeze(listed);
  }

  #values(attribute: ResolvedAttribute | string): ValueTable | undefined {
    if (typeof attribute === 'string') return lookup(this.#attributesByName, attribute)?.node.values;
    return this.#node(attribute.vendorId, attribute.path, attribute.evs)?.values;
  }

  #node(vendorId: number, path: readonly number[], evs: string | undefined): CodeNode | undefined {
    const space = evs === undefined ? this.#codes : this.#evsCodes.get(evs.toLowerCase());
    let level = space?.get(vendorId);
    let node: CodeNode | undefined;
    for (let index = 0; index < path.length; index += 1) {
      node = level?.get(path[index] as number);
      if (node === undefined) return undefined;
      level = node.children;
    }
    return node;
  }
}
