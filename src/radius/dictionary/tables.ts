import type { Loss } from './conflicts.js';
import type { DictionaryOrigin, EncryptMethod, ResolvedAttribute, ResolvedVendor, UnattachedValue } from './model.js';
import type { AttributeEntry, ValueEntry } from './entries.js';
import type { ValueRecord, VendorRecord } from './records.js';
import { STANDARD_FORMAT } from './vendor-format.js';

// The tables of a compile: what a CompiledDictionary looks names and numbers up in.

/** The values of one attribute number, both ways. */
export class ValueTable {
  readonly byName = new Map<string, ValueRecord>();
  readonly byNumber = new Map<number, ValueRecord>();
}

/**
 * A node of the number trie: vendor id → first number → child number → ... Walking it costs one
 * Map lookup per component and allocates nothing, which a string key (`"9:1.2"`) would not.
 * Values hang off the node, so they belong to the number, whichever name the winner has.
 */
export class CodeNode {
  record: AttributeRecord | undefined = undefined;
  children: Map<number, CodeNode> | undefined = undefined;
  /** Built on first use from `pendingValues` (see `DeferredValues`): read it through `DeferredValues.tableOf`. */
  values: ValueTable | undefined = undefined;
  /** The VALUE entries for this number not yet in `values`, in line order, and where each is in the list. */
  pendingValues: { readonly entries: ValueEntry['val'][]; readonly positions: number[] } | undefined = undefined;
}

/** Vendor id → first number → node. */
export type VendorCodes = Map<number, Map<number, CodeNode>>;

/**
 * One attribute line of a compile. What the compile checks (number path, encryption, vendor) is
 * worked out when the line is read; the frozen `ResolvedAttribute` the codec is handed is built on
 * first use and kept. A request names a handful of the thousands of attributes a list has, so most
 * lines are never resolved: a compile is cheaper, and so is keeping it (thousands of tenants each
 * hold their own dictionaries compiled).
 *
 * It keeps the entry it was read from: entries are never changed once stored (the compiler's cache
 * relies on an (id, rev) always meaning the same entries).
 */
export class AttributeRecord {
  #attribute: ResolvedAttribute | undefined = undefined;

  constructor(
    readonly entry: AttributeEntry['attr'],
    readonly path: readonly number[],
    readonly encrypt: EncryptMethod,
    /** The vendor the list resolves `entry.vid` to, if one declares it. */
    readonly vendor: ResolvedVendor | undefined,
    readonly origin: DictionaryOrigin,
    readonly lowerName: string,
    /** The index of its dictionary in the list: lower wins. */
    readonly dictIndex: number,
    readonly node: CodeNode,
  ) {}

  get attribute(): ResolvedAttribute {
    return (this.#attribute ??= this.#resolve());
  }

  #resolve(): ResolvedAttribute {
    const { vid = 0, name, type, length, flags, evs } = this.entry;
    const vendor = this.vendor;
    return Object.freeze({
      name,
      vendorId: vid,
      vendorName: vendor?.name,
      path: this.path,
      type: type.toLowerCase(),
      length,
      encrypt: this.encrypt,
      hasTag: flags?.has_tag === true,
      concat: flags?.concat === true,
      array: flags?.array === true,
      virtual: flags?.virtual === true,
      secret: flags?.secret === true,
      evs,
      format: vendor?.format ?? STANDARD_FORMAT,
      dictionary: this.origin,
    });
  }
}

/**
 * Vendor id → the vendor a composed list resolves it to, for the ids where that is not what the
 * dictionary alone would say (an earlier dictionary of the list declares the vendor too, or only
 * another dictionary declares it): attributes take their vendor's name and wire format from it.
 */
export type VendorContext = ReadonlyMap<number, ResolvedVendor>;

/** A `val` entry its own dictionary has no attribute for, and its index in that dictionary. */
export interface ForeignValue {
  readonly entry: ValueEntry['val'];
  readonly line: number;
}

/** What a compile does with its VALUE entries (`DeferredValues`: claimed when first asked for). */
export interface ValueClaims {
  /** A VALUE entry (its `val`) for the attribute at `node`, at entry `line` of dictionary `dictIndex`. */
  add(node: CodeNode, entry: ValueEntry['val'], dictIndex: number, line: number): void;
  /** The node's values. */
  tableOf(node: CodeNode): ValueTable | undefined;
  /** Distinct (number, value name) pairs. */
  count(): number;
  /** The lines that lost a value name or number to an earlier dictionary, in line order. */
  losses(): readonly Loss[];
}

export interface Tables {
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
  /** The same unattached `val` entries as written, in line order: a list composed later may know their attribute. */
  readonly foreign: ForeignValue[];
  /** Vendors the list around this compile declares first (see `VendorContext`). */
  readonly vendorContext: VendorContext | undefined;
  /** Vendor ids the attributes name: whose vendor a composed list must agree on. */
  readonly vendorIdsUsed: Set<number>;
  /** The VALUE entries, each waiting at its attribute's node until that attribute's values are asked for. */
  readonly values: ValueClaims;
  /** Distinct attribute names (`attributesByName` also holds spellings). */
  attributeCount: number;
}

/**
 * Sets `record` under its lower-cased name and, when spelled otherwise, under its own spelling as
 * a second key, so a lookup spelled as the dictionary spells it (the usual case) costs one Map hit
 * and no `toLowerCase()`. A spelling with an upper-case letter can never equal a lower-cased key,
 * so the two kinds of key cannot collide. `replaced` is the spelling of the record it takes the
 * name from (a later line of the same dictionary), whose key goes. Done as each name is claimed,
 * not in a pass over the finished tables: that pass was a twentieth of a cold compile.
 */
export function setNamed<R>(map: Map<string, R>, lowerName: string, spelling: string, record: R, replaced: string | undefined): void {
  if (replaced !== undefined && replaced !== lowerName && replaced !== spelling) map.delete(replaced);
  map.set(lowerName, record);
  if (spelling !== lowerName) map.set(spelling, record);
}

/** `setNamed`'s second keys added to a finished map (the values a composed list attaches). */
export function addExactSpellings<R>(map: Map<string, R>, spelling: (record: R) => string): void {
  // Keys added while iterating are visited too; they are their own spelling, so they add nothing.
  map.forEach((record, key) => {
    const spelled = spelling(record);
    if (spelled !== key) map.set(spelled, record);
  });
}
