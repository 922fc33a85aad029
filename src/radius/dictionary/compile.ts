/**
 * Compiling an ordered dictionary list into one set of lookup tables. Three passes: vendors first
 * (attributes take their format), then attributes, then values (a VALUE may name an attribute of a
 * later dictionary, or one defined further down its own). What a request never asks for waits
 * until something does: an attribute's frozen form (`AttributeRecord`) and the claiming of its
 * values into tables (`DeferredValues`); what a compile must refuse (a bad oid, enc or format) is
 * still found here.
 */
import { attributeConflict, sameCode, sameDefinition, vendorConflict } from './conflicts.js';
import type { AttributeEntry, DictionaryEntry, ValueEntry, VendorEntry } from './entries.js';
import { parseEncrypt, parsePath } from './entry-fields.js';
import { DictionaryCompileError } from './errors.js';
import type { DictionaryOrigin, DictionarySource, ResolvedVendor } from './model.js';
import type { VendorRecord } from './records.js';
import { DeferredValues } from './deferred-values.js';
import { MergedDictionary } from './merged-dictionary.js';
import { AttributeRecord, CodeNode, type Tables, type VendorCodes, type VendorContext, setNamed } from './tables.js';
import { formatText, parseVendorFormat } from './vendor-format.js';

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
    setNamed(tables.vendorsByName, record.lowerName, record.vendor.name, record, byName?.vendor.name);
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

function readAttribute(tables: Tables, entry: AttributeEntry, dictIndex: number, entryIndex: number): AttributeRecord {
  const origin = tables.dictionaries[dictIndex] as DictionaryOrigin;
  const attr = entry.attr;
  const { vid = 0, id, oid, name, enc, evs } = attr;
  const path = parsePath(id, oid);
  if (!path)
    throw new DictionaryCompileError(
      origin.id,
      entryIndex,
      `attribute ${name}: oid ${JSON.stringify(oid)} is not a dotted number ending in ${id}`,
    );
  const encrypt = parseEncrypt(enc);
  if (encrypt === undefined)
    throw new DictionaryCompileError(origin.id, entryIndex, `attribute ${name}: enc ${JSON.stringify(enc)} is not no or encrypt=1|2|3`);
  let vendor: ResolvedVendor | undefined;
  if (vid !== 0) {
    tables.vendorIdsUsed.add(vid);
    vendor = tables.vendorContext?.get(vid) ?? tables.vendorsById.get(vid)?.vendor;
  }
  return new AttributeRecord(attr, path, encrypt, vendor, origin, name.toLowerCase(), dictIndex, codeNode(tables, vid, path, evs));
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
function codeNode(tables: Tables, vendorId: number, path: readonly number[], evs: string | undefined): CodeNode {
  const space = codeSpace(tables, evs);
  let level = space.get(vendorId);
  if (!level) {
    level = new Map();
    space.set(vendorId, level);
  }
  let node: CodeNode | undefined;
  for (const component of path) {
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
  const record = readAttribute(tables, entry, dictIndex, entryIndex);
  claimAttributeName(tables, record);
  claimAttributeCode(tables, record);
}

function claimAttributeName(tables: Tables, record: AttributeRecord): void {
  const existing = tables.attributesByName.get(record.lowerName);
  if (existing === undefined || existing.dictIndex === record.dictIndex) {
    if (existing === undefined) tables.attributeCount += 1;
    setNamed(tables.attributesByName, record.lowerName, record.entry.name, record, existing?.entry.name);
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
    judge: () =>
      existing.lowerName === record.lowerName ? undefined : attributeConflict('attribute-code', existing.attribute, record.attribute),
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

/**
 * The attribute the last VALUE entry named by name, and its node: a dictionary lists an
 * attribute's values one after another, so most entries name the attribute the one before named.
 * Only used in the values pass, when the attributes are all in and a name's node no longer changes.
 */
interface LastValueAttribute {
  name: string | undefined;
  dictIndex: number;
  node: CodeNode | undefined;
}

function addValue(tables: Tables, last: LastValueAttribute, entry: ValueEntry, dictIndex: number, line: number): void {
  const { vid = 0, id, val, name, attr } = entry.val;
  let node: CodeNode | undefined;
  if (attr !== undefined) {
    if (attr !== last.name || dictIndex !== last.dictIndex) {
      last.name = attr;
      last.dictIndex = dictIndex;
      last.node = attributeNodeByName(tables, attr.toLowerCase(), dictIndex);
    }
    node = last.node;
  } else if (id !== undefined) node = attributeNodeByNumber(tables, vid, id);
  if (node?.record === undefined) {
    const origin = tables.dictionaries[dictIndex] as DictionaryOrigin;
    tables.unattached.push(Object.freeze({ dictionary: origin, attribute: attr ?? `${vid}:${id ?? '?'}`, name, value: val }));
    tables.foreign.push({ entry: entry.val, line });
    return;
  }
  tables.values.add(node, entry.val, dictIndex, line);
}

function originOf(source: DictionarySource): DictionaryOrigin {
  return Object.freeze({ id: source.id, rev: source.rev, name: source.name, owner: source.owner });
}

function emptyTables(list: readonly DictionarySource[], vendorContext: VendorContext | undefined): Tables {
  const dictionaries = Object.freeze(list.map(originOf));
  return {
    dictionaries,
    vendorsByName: new Map(),
    vendorsById: new Map(),
    attributesByName: new Map(),
    codes: new Map(),
    evsCodes: new Map(),
    shadowedByName: new Map(),
    losses: [],
    unattached: [],
    foreign: [],
    vendorContext,
    vendorIdsUsed: new Set(),
    values: new DeferredValues(dictionaries),
    attributeCount: 0,
  };
}

/**
 * Compiles an ordered list into one set of tables: the first dictionary that defines a name or
 * number wins. Throws DictionaryCompileError for an entry whose format, oid or enc cannot be
 * understood. This is the reference for what a list means, and what its conflicts are; a service
 * holding many lists composes shared single-dictionary compiles instead (`composeDictionaries`).
 */
export function compileDictionaries(list: readonly DictionarySource[]): MergedDictionary {
  return compileTables(list, undefined);
}

/**
 * One dictionary compiled alone, to be shared by every list that names it (see
 * `composeDictionaries`). `vendorContext` gives the vendors a list resolves differently.
 */
export function compileDictionary(source: DictionarySource, vendorContext?: VendorContext): MergedDictionary {
  return compileTables([source], vendorContext !== undefined && vendorContext.size > 0 ? vendorContext : undefined);
}

const ATTRIBUTE = 1;
const VALUE = 2;

function compileTables(list: readonly DictionarySource[], vendorContext: VendorContext | undefined): MergedDictionary {
  const tables = emptyTables(list, vendorContext);
  // Plain loops: this is the hot path of a compile (about 18,000 entries for all of FreeRADIUS).
  // The first pass takes the vendors and notes each entry's kind, so that the two passes after it
  // test a byte rather than the entry's shape.
  const kinds = list.map((source) => new Uint8Array(source.value.length));
  for (let dictIndex = 0; dictIndex < list.length; dictIndex += 1) {
    const entries = (list[dictIndex] as DictionarySource).value;
    const kind = kinds[dictIndex] as Uint8Array;
    for (let entryIndex = 0; entryIndex < entries.length; entryIndex += 1) {
      const entry = entries[entryIndex] as DictionaryEntry;
      if ('attr' in entry) kind[entryIndex] = ATTRIBUTE;
      else if ('val' in entry) kind[entryIndex] = VALUE;
      else if ('vendor' in entry) addVendors(tables, entry, dictIndex, entryIndex);
    }
  }
  for (let dictIndex = 0; dictIndex < list.length; dictIndex += 1) {
    const entries = (list[dictIndex] as DictionarySource).value;
    const kind = kinds[dictIndex] as Uint8Array;
    for (let entryIndex = 0; entryIndex < entries.length; entryIndex += 1) {
      if (kind[entryIndex] === ATTRIBUTE) addAttribute(tables, entries[entryIndex] as AttributeEntry, dictIndex, entryIndex);
    }
  }
  const last: LastValueAttribute = { name: undefined, dictIndex: -1, node: undefined };
  for (let dictIndex = 0; dictIndex < list.length; dictIndex += 1) {
    const entries = (list[dictIndex] as DictionarySource).value;
    const kind = kinds[dictIndex] as Uint8Array;
    for (let entryIndex = 0; entryIndex < entries.length; entryIndex += 1) {
      if (kind[entryIndex] === VALUE) addValue(tables, last, entries[entryIndex] as ValueEntry, dictIndex, entryIndex);
    }
  }
  return new MergedDictionary(
    tables,
    list.reduce((sum, source) => sum + source.value.length, 0),
  );
}
