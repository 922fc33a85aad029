/**
 * Named attributes to wire attributes. The steps, each a function below:
 *
 * 1. every input entry is resolved to a target: a dictionary definition and its location, or a
 *    raw `Attr-<number>` location;
 * 2. its value becomes one or more *chunks* of value octets: typed, tagged and hidden as the
 *    definition says, and split where the flags allow it (`array`, `concat`);
 * 3. an attribute below a TLV is wrapped in its parents, and consecutive children of one parent
 *    share it, as FreeRADIUS does;
 * 4. each container's payload is framed as one or more top-level attributes (container-framing.ts).
 *
 * Nothing here mutates the caller's input, and every refusal is a `RadiusEncodeError` naming the
 * attribute.
 */
import type { CompiledDictionary, ResolvedAttribute } from '../dictionary/index.js';
import { baseType } from '../dictionary/attribute-types.js';
import { type Container, containerCapacity, type Location, locateAttribute, locateRawName, sameContainer } from './attribute-location.js';
import { MESSAGE_AUTHENTICATOR_TYPE } from './authenticators.js';
import { framedLength, writeFramed } from './container-framing.js';
import { RadiusEncodeError } from './errors.js';
import { MAX_VALUE_LENGTH } from './header.js';
import { ASCEND_SECRET_LENGTH, hideAscendSecret, hideTunnelPassword, hideUserPassword, MAX_USER_PASSWORD } from './hiding.js';
import { structMembers } from './struct-members.js';
import type { AttributeInput, AttributeInputValue, AttributeRecord, AttributesInput, InputScalar, RandomSource } from './types.js';
import { CONTAINER_TYPES, isTaggedInteger, type TypeCodec, typeCodec, ValueProblem } from './value-types.js';

export interface EncodeContext {
  readonly dictionary: CompiledDictionary;
  readonly secret: Buffer;
  /** What hidden attributes are keyed with (see `hidingVector` in packet.ts). */
  readonly vector: Uint8Array;
  readonly random: RandomSource;
  /** Tunnel-Password salts already used in this packet: RFC 2868 §3.5 wants each unique. */
  readonly salts: Set<number>;
}

/** Chargeable-User-Identity may be empty (RFC 4372 §2); every other attribute carries at least one octet. */
const CHARGEABLE_USER_IDENTITY = 89;
const MAX_TAG = 0x1f;

interface Target {
  readonly name: string;
  readonly definition: ResolvedAttribute | undefined;
  readonly location: Location;
  /** The leaf type's codec, looked up once per definition. */
  readonly codec: TypeCodec | undefined;
}

/** A TLV under construction; `shared` marks a parent made to wrap a child given by name, which later siblings may join. */
interface TlvNode {
  readonly type: number;
  readonly value: Buffer | TlvNode[];
  readonly shared: boolean;
}

interface Unit {
  readonly name: string;
  readonly container: Container;
  readonly payload: Buffer | TlvNode[];
  readonly shared: boolean;
}

// ---------------------------------------------------------------------------------------------
// Step 1: targets.

/** A definition's target, or why it cannot be sent; cached because definitions are unique per compiled list. */
const targets = new WeakMap<ResolvedAttribute, Target | string>();

/** Location plus the check that every TLV ancestor exists and is a tlv. */
function locateDefined(definition: ResolvedAttribute, dictionary: CompiledDictionary): Location | string {
  const located = locateAttribute(definition, dictionary);
  if (typeof located === 'string') return located;
  const { path } = definition;
  for (let depth = path.length - located.tlvPath.length; depth < path.length; depth += 1) {
    const parent = dictionary.attributeByCode(definition.vendorId, path.slice(0, depth), definition.evs);
    if (parent?.type !== 'tlv') return `its parent ${parent?.name ?? path.slice(0, depth).join('.')} is not a tlv attribute`;
  }
  return located;
}

function isMessageAuthenticator(location: Location): boolean {
  return location.container.kind === 'standard' && location.container.type === MESSAGE_AUTHENTICATOR_TYPE && location.tlvPath.length === 0;
}

const MESSAGE_AUTHENTICATOR_REFUSAL = 'Message-Authenticator is computed by the codec: ask for it with the messageAuthenticator option';

function definedTarget(definition: ResolvedAttribute, dictionary: CompiledDictionary): Target {
  let target = targets.get(definition);
  if (target === undefined) {
    const location = locateDefined(definition, dictionary);
    target =
      typeof location === 'string'
        ? location
        : isMessageAuthenticator(location)
          ? MESSAGE_AUTHENTICATOR_REFUSAL
          : { name: definition.name, definition, location, codec: typeCodec(definition.type) };
    targets.set(definition, target);
  }
  if (typeof target === 'string')
    throw new RadiusEncodeError(target === MESSAGE_AUTHENTICATOR_REFUSAL ? 'invalid-value' : 'unsupported', target, definition.name);
  return target;
}

function targetOf(name: unknown, dictionary: CompiledDictionary): Target {
  if (typeof name !== 'string') throw new RadiusEncodeError('invalid-value', `an attribute name must be a string, got ${typeof name}`);
  const definition = dictionary.attribute(name);
  if (definition !== undefined) return definedTarget(definition, dictionary);
  const location = locateRawName(name, dictionary);
  if (location === undefined)
    throw new RadiusEncodeError('unknown-attribute', `no dictionary of the list defines ${JSON.stringify(name)}`, name);
  if (typeof location === 'string') throw new RadiusEncodeError('unsupported', location, name);
  if (isMessageAuthenticator(location)) throw new RadiusEncodeError('invalid-value', MESSAGE_AUTHENTICATOR_REFUSAL, name);
  return { name, definition: undefined, location, codec: undefined };
}

// ---------------------------------------------------------------------------------------------
// Input shapes.

function isScalar(value: unknown): value is InputScalar {
  const type = typeof value;
  return (
    type === 'string' ||
    type === 'number' ||
    type === 'bigint' ||
    type === 'boolean' ||
    value instanceof Date ||
    value instanceof Uint8Array
  );
}

function isRecord(value: unknown): value is AttributeRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Uint8Array);
}

function isEntry(value: unknown): value is AttributeInput {
  return isRecord(value) && typeof value.name === 'string' && 'value' in value;
}

/** The entry's tag, 0 and absent both meaning none. */
function tagOf(entry: AttributeInput): number | undefined {
  const { tag } = entry;
  if (tag === undefined || tag === 0) return undefined;
  if (!Number.isInteger(tag) || tag < 0 || tag > MAX_TAG)
    throw new RadiusEncodeError('invalid-tag', `tag ${String(tag)} is not 1..31`, entry.name);
  return tag;
}

/**
 * Entries of a list (used as they are: an entry is read, never kept or changed), or of a record
 * (an array value there meaning several attributes, unless the attribute is an array or a tlv).
 */
function itemsOf(input: AttributesInput | AttributeInputValue, dictionary: CompiledDictionary, what: string): readonly AttributeInput[] {
  if (Array.isArray(input)) {
    for (const entry of input as readonly unknown[]) {
      if (!isEntry(entry)) throw new RadiusEncodeError('invalid-value', `each entry of ${what} must be { name, value, tag? }`);
    }
    return input as readonly AttributeInput[];
  }
  if (!isRecord(input))
    throw new RadiusEncodeError('invalid-value', `${what} must be a list of { name, value } or a { name: value } record`);
  const items: AttributeInput[] = [];
  for (const name of Object.keys(input)) {
    const value = input[name];
    // An absent value means "do not send": handy for optional fields of a record.
    if (value === undefined) continue;
    const definition = dictionary.attribute(name);
    const whole = definition !== undefined && (definition.array || definition.type === 'tlv' || definition.type === 'struct');
    if (Array.isArray(value) && !whole) {
      for (const one of value as readonly AttributeInputValue[]) items.push({ name, value: one });
    } else {
      items.push({ name, value });
    }
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// Step 2: values.

function invalid(target: Target, message: string): RadiusEncodeError {
  return new RadiusEncodeError('invalid-value', message, target.name);
}

function typed(codec: TypeCodec, value: InputScalar, definition: ResolvedAttribute, dictionary: CompiledDictionary): Buffer {
  try {
    return codec.encode(value, definition, dictionary);
  } catch (error) {
    if (error instanceof ValueProblem) throw new RadiusEncodeError('invalid-value', error.message, definition.name);
    throw error;
  }
}

function scalarOf(target: Target, value: AttributeInputValue): InputScalar {
  if (!isScalar(value))
    throw invalid(
      target,
      `expected a single ${target.definition?.type ?? 'octets'} value, got ${Array.isArray(value) ? 'a list' : 'an object'}`,
    );
  return value;
}

/** Raw attributes, and containers given whole: octets as they are, or `0x` hex. */
function verbatim(target: Target, value: AttributeInputValue): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (typeof value === 'string' && /^0x(?:[0-9a-fA-F]{2})*$/.test(value)) return Buffer.from(value.slice(2), 'hex');
  throw invalid(target, 'a raw or container attribute takes octets (a Uint8Array or 0x-hex text)');
}

function uniqueSalt(context: EncodeContext): Buffer {
  for (;;) {
    const salt = context.random(2);
    salt[0] = (salt[0] as number) | 0x80;
    const key = ((salt[0] as number) << 8) | (salt[1] as number);
    if (!context.salts.has(key)) {
      context.salts.add(key);
      return salt;
    }
  }
}

/**
 * One hidden value (encrypt=1/2/3). Hiding pads with zeros that decoding must strip again, so a
 * variable-length value that ends in (encrypt=1) or contains (encrypt=3) a zero octet would come
 * back different: it is refused rather than silently changed.
 */
function hide(target: Target, definition: ResolvedAttribute, plain: Buffer, fixedSize: number | undefined, context: EncodeContext): Buffer {
  switch (definition.encrypt) {
    case 1:
      if (plain.length > MAX_USER_PASSWORD)
        throw new RadiusEncodeError(
          'too-long',
          `a hidden (encrypt=1) value is at most ${MAX_USER_PASSWORD} octets, not ${plain.length}`,
          target.name,
        );
      if (fixedSize === undefined && plain.length > 0 && plain[plain.length - 1] === 0)
        throw invalid(target, 'a hidden (encrypt=1) value cannot end with a zero octet');
      return hideUserPassword(plain, context.secret, context.vector);
    case 2:
      return hideTunnelPassword(plain, context.secret, context.vector, uniqueSalt(context));
    case 3:
      if (plain.length > ASCEND_SECRET_LENGTH)
        throw new RadiusEncodeError(
          'too-long',
          `an Ascend secret (encrypt=3) is at most ${ASCEND_SECRET_LENGTH} octets, not ${plain.length}`,
          target.name,
        );
      if (plain.includes(0)) throw invalid(target, 'an Ascend secret (encrypt=3) cannot contain a zero octet');
      return hideAscendSecret(plain, context.secret, context.vector);
    default:
      return plain;
  }
}

/**
 * One leaf value: typed octets, the RFC 2868 tag (the high octet of an integer, a leading octet of
 * anything else), hidden when the definition says so. A string whose first octet is below 0x20
 * would read back as a tag, so it gets an explicit "no tag" (0) octet in front.
 */
function leafOctets(
  target: Target,
  definition: ResolvedAttribute,
  codec: TypeCodec,
  value: InputScalar,
  tag: number | undefined,
  context: EncodeContext,
): Buffer {
  let octets = typed(codec, value, definition, context.dictionary);
  const taggedInteger = definition.hasTag && isTaggedInteger(definition);
  if (taggedInteger) {
    if (tag !== undefined) {
      if (octets[0] !== 0) throw invalid(target, `a tagged integer carries 24 bits; ${String(value)} does not fit`);
      octets[0] = tag;
    } else if ((octets[0] as number) !== 0 && (octets[0] as number) <= MAX_TAG) {
      throw invalid(target, `${String(value)} would read back as a tagged value; give a tag or a value below 2^24`);
    }
  }
  if (octets.length === 0 && definition.encrypt === 0) {
    if (definition.path[0] === CHARGEABLE_USER_IDENTITY && definition.vendorId === 0 && !definition.hasTag) return octets;
    throw invalid(target, 'RADIUS attributes carry at least one octet (RFC 2865 §5); an empty value cannot be sent');
  }
  if (definition.encrypt !== 0) octets = hide(target, definition, octets, codec.size(definition), context);
  if (definition.hasTag && !taggedInteger && (tag !== undefined || definition.encrypt !== 0 || (octets[0] as number) <= MAX_TAG)) {
    const withTag = Buffer.allocUnsafe(octets.length + 1);
    withTag[0] = tag ?? 0;
    octets.copy(withTag, 1);
    octets = withTag;
  }
  return octets;
}

/** Splits octets into chunks of at most `capacity` (a finite capacity: the container does not split by itself). */
function split(octets: Buffer, capacity: number): Buffer[] {
  if (octets.length <= capacity) return [octets];
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < octets.length; offset += capacity) chunks.push(octets.subarray(offset, offset + capacity));
  return chunks;
}

/**
 * An `array` attribute: fixed-size elements packed as many to an attribute as fit, more attributes
 * when they do not (FreeRADIUS 4); variable-size elements one to an attribute.
 */
function arrayChunks(
  target: Target,
  definition: ResolvedAttribute,
  codec: TypeCodec,
  value: AttributeInputValue,
  capacity: number,
  context: EncodeContext,
): Buffer[] {
  if (definition.encrypt !== 0 || definition.hasTag)
    throw new RadiusEncodeError('unsupported', 'an array attribute cannot be hidden or tagged', target.name);
  const elements = Array.isArray(value) ? (value as readonly AttributeInputValue[]) : [value];
  if (elements.length === 0) throw invalid(target, 'an array attribute needs at least one element');
  const encoded = elements.map((element) => leafOctets(target, definition, codec, scalarOf(target, element), undefined, context));
  const size = codec.size(definition);
  if (size === undefined) {
    for (const element of encoded) if (element.length > capacity) throw tooLongValue(target, element.length, capacity);
    return encoded;
  }
  const perChunk = Number.isFinite(capacity) ? Math.floor(capacity / size) : encoded.length;
  const chunks: Buffer[] = [];
  for (let index = 0; index < encoded.length; index += perChunk) chunks.push(Buffer.concat(encoded.slice(index, index + perChunk)));
  return chunks;
}

function tooLongValue(target: Target, length: number, capacity: number): RadiusEncodeError {
  return new RadiusEncodeError(
    'too-long',
    `the value is ${length} octets; at most ${capacity} fit in one attribute here, and the dictionary does not allow splitting it (concat)`,
    target.name,
  );
}

function structOctets(target: Target, definition: ResolvedAttribute, value: AttributeInputValue, context: EncodeContext): Buffer {
  if (!isRecord(value)) throw invalid(target, 'a struct value is a { member: value } record');
  const members = structMembers(definition, context.dictionary);
  if (members.length === 0) throw new RadiusEncodeError('unsupported', 'the dictionary defines no members for this struct', target.name);
  const known = new Set(members.map((member) => member.name));
  for (const key of Object.keys(value)) if (!known.has(key)) throw invalid(target, `${key} is not a member of ${definition.name}`);
  const parts = members.map((member, index) => {
    const codec = typeCodec(member.type);
    const memberValue = value[member.name];
    if (codec === undefined)
      throw new RadiusEncodeError('unsupported', `member ${member.name} has type ${member.type}, which a struct cannot hold`, target.name);
    if (codec.size(member) === undefined && index < members.length - 1)
      throw new RadiusEncodeError('unsupported', `member ${member.name} has no fixed size and is not last`, target.name);
    if (memberValue === undefined) throw invalid(target, `member ${member.name} is missing`);
    return typed(codec, scalarOf(target, memberValue), member, context.dictionary);
  });
  return Buffer.concat(parts);
}

/** The value octets of one entry, in as many chunks as it takes; each chunk becomes an attribute (or a TLV) of its own. */
function valueChunks(target: Target, item: AttributeInput, capacity: number, context: EncodeContext): Buffer[] {
  const { definition } = target;
  const tag = tagOf(item);
  if (definition === undefined) {
    if (tag !== undefined) throw new RadiusEncodeError('invalid-tag', 'a raw attribute has no tag', target.name);
    return [verbatim(target, item.value)];
  }
  if (tag !== undefined && !definition.hasTag)
    throw new RadiusEncodeError('invalid-tag', 'the dictionary does not give this attribute a tag (has_tag)', target.name);
  const type = definition.type;
  if (type === 'tlv') return [tlvOctets(target, item.value, context)];
  if (type === 'struct') return [structOctets(target, definition, item.value, context)];
  if (CONTAINER_TYPES.has(type)) return [verbatim(target, item.value)];
  const { codec } = target;
  if (codec === undefined) throw new RadiusEncodeError('unsupported', `the codec has no encoding for type ${type}`, target.name);
  if (definition.array) return arrayChunks(target, definition, codec, item.value, capacity, context);
  const octets = leafOctets(target, definition, codec, scalarOf(target, item.value), tag, context);
  if (octets.length <= capacity) return [octets];
  if (definition.concat && baseType(type) === 'octets' && definition.encrypt === 0 && !definition.hasTag) return split(octets, capacity);
  throw tooLongValue(target, octets.length, capacity);
}

// ---------------------------------------------------------------------------------------------
// Step 3: TLV nesting.

/** `chunks` as leaves under the chain of TLV numbers `path`, the outermost first. */
function chain(path: readonly number[], chunks: readonly Buffer[]): TlvNode[] {
  let nodes: TlvNode[] = chunks.map((chunk) => ({ type: path[path.length - 1] as number, value: chunk, shared: false }));
  for (let index = path.length - 2; index >= 0; index -= 1) nodes = [{ type: path[index] as number, value: nodes, shared: true }];
  return nodes;
}

/** Adds a chain to a list of TLVs, joining the last parent made for an earlier sibling when the numbers match. */
function join(list: TlvNode[], incoming: TlvNode[]): void {
  const last = list[list.length - 1];
  const first = incoming[0];
  if (
    incoming.length === 1 &&
    last !== undefined &&
    first !== undefined &&
    last.shared &&
    first.shared &&
    last.type === first.type &&
    Array.isArray(last.value) &&
    Array.isArray(first.value)
  ) {
    join(last.value, first.value);
    return;
  }
  list.push(...incoming);
}

function serialize(nodes: readonly TlvNode[], name: string): Buffer {
  const parts: Buffer[] = [];
  for (const node of nodes) {
    const value = Buffer.isBuffer(node.value) ? node.value : serialize(node.value, name);
    if (value.length > MAX_VALUE_LENGTH)
      throw new RadiusEncodeError(
        'too-long',
        `TLV ${node.type} would hold ${value.length} octets; a TLV holds at most ${MAX_VALUE_LENGTH}`,
        name,
      );
    const header = Buffer.allocUnsafe(2);
    header[0] = node.type;
    header[1] = value.length + 2;
    parts.push(header, value);
  }
  return Buffer.concat(parts);
}

function startsWith(path: readonly number[], prefix: readonly number[]): boolean {
  if (path.length <= prefix.length) return false;
  for (let index = 0; index < prefix.length; index += 1) if (path[index] !== prefix[index]) return false;
  return true;
}

/** A tlv attribute's value: its children, given as a list or record, each (or its own parents) a TLV inside it. */
function tlvOctets(parent: Target, value: AttributeInputValue, context: EncodeContext): Buffer {
  const items = itemsOf(value as AttributesInput, context.dictionary, `the value of ${parent.name}`);
  const base = parent.location.tlvPath;
  const nodes: TlvNode[] = [];
  for (const item of items) {
    const child = targetOf(item.name, context.dictionary);
    if (!sameContainer(child.location.container, parent.location.container) || !startsWith(child.location.tlvPath, base)) {
      throw invalid(parent, `${child.name} is not an attribute inside ${parent.name}`);
    }
    const relative = child.location.tlvPath.slice(base.length);
    join(nodes, chain(relative, valueChunks(child, item, MAX_VALUE_LENGTH, context)));
  }
  if (nodes.length === 0) throw invalid(parent, 'a tlv attribute needs at least one child');
  return serialize(nodes, parent.name);
}

// ---------------------------------------------------------------------------------------------
// Step 4: everything.

/** What `encodeAttributes` produces: each container's payload, framed when written. */
export interface EncodedAttributes {
  readonly units: readonly { readonly container: Container; readonly payload: Buffer }[];
  /** Octets the attributes take on the wire. */
  readonly length: number;
}

/**
 * The attributes for `input`, in input order, ready to be written with `writeAttributes` (the
 * packet is allocated once, at its final size). Throws `RadiusEncodeError` for unknown names,
 * values that do not fit their type, and values too long for their attribute.
 */
export function encodeAttributes(input: AttributesInput, context: EncodeContext): EncodedAttributes {
  const units: Unit[] = [];
  for (const item of itemsOf(input, context.dictionary, 'the attributes')) {
    const target = targetOf(item.name, context.dictionary);
    const { container, tlvPath } = target.location;
    if (tlvPath.length === 0) {
      for (const chunk of valueChunks(target, item, containerCapacity(container), context)) {
        units.push({ name: target.name, container, payload: chunk, shared: false });
      }
      continue;
    }
    const nodes = chain(tlvPath, valueChunks(target, item, MAX_VALUE_LENGTH, context));
    const last = units[units.length - 1];
    if (last?.shared && Array.isArray(last.payload) && sameContainer(last.container, container)) {
      join(last.payload, nodes);
    } else {
      units.push({ name: target.name, container, payload: nodes, shared: true });
    }
  }
  let length = 0;
  const framed = units.map((unit) => {
    const payload = Buffer.isBuffer(unit.payload) ? unit.payload : serialize(unit.payload, unit.name);
    length += framedLength(unit.container, payload.length, unit.name);
    return { container: unit.container, payload };
  });
  return { units: framed, length };
}

/** Writes encoded attributes into `out` from `offset`; returns the offset after them. */
export function writeAttributes(encoded: EncodedAttributes, out: Buffer, offset: number): number {
  let at = offset;
  for (const unit of encoded.units) at = writeFramed(unit.container, unit.payload, out, at);
  return at;
}
