/** Where a later dictionary of a list says something else than an earlier one, as readable warnings. */
import { oidText } from './entry-fields.js';
import type { DictionaryOrigin, ResolvedAttribute } from './model.js';
import type { ValueRecord, VendorRecord } from './records.js';

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

function side(
  origin: DictionaryOrigin,
  name: string,
  detail: Omit<ConflictSide, 'dictionary' | 'owner' | 'dictionaryId' | 'name'>,
): ConflictSide {
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

export function attributeConflict(kind: ConflictKind, winner: ResolvedAttribute, shadowed: ResolvedAttribute): DictionaryConflict {
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

export function vendorConflict(kind: ConflictKind, winner: VendorRecord, shadowed: VendorRecord): DictionaryConflict {
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

export function valueConflict(
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
export function sameDefinition(a: ResolvedAttribute, b: ResolvedAttribute): boolean {
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

export function sameCode(a: ResolvedAttribute, b: ResolvedAttribute): boolean {
  if (a.vendorId !== b.vendorId || a.path.length !== b.path.length) return false;
  if (a.evs?.toLowerCase() !== b.evs?.toLowerCase()) return false;
  return a.path.every((component, index) => component === b.path[index]);
}

/**
 * A line that lost its name or number to an earlier dictionary. Whether that is a conflict depends
 * on what the later dictionary finally says (its last line for that name or number: a file may
 * redefine an alias further down), so it is judged after all lines are read. `slot` and `key`
 * identify the name or number; the winner is already final, as its dictionary was read before.
 */
export interface Loss {
  readonly slot: object;
  readonly key: string | number;
  readonly dictIndex: number;
  readonly judge: () => DictionaryConflict | undefined;
}

/**
 * The conflicts, in the order of the lines that lost. Only the last losing line per dictionary and
 * name (or number) is judged: it is what that dictionary finally means.
 */
export function judgeLosses(losses: readonly Loss[]): DictionaryConflict[] {
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
