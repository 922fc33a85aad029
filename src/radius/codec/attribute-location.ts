/**
 * Where an attribute lives on the wire. Every attribute sits in a *container*, the unit that
 * becomes one or more top-level RADIUS attributes: a standard attribute (RFC 2865), a
 * Vendor-Specific sub-attribute in its vendor's format (RFC 2865 §5.26, FreeRADIUS `format=`), an
 * extended or long-extended attribute, or an Extended-Vendor-Specific one (RFC 6929). Below the
 * container, a TLV attribute nests its children by number (`tlvPath`).
 *
 * The location follows from the number alone, which is why raw attributes (`Attr-26.9.1`) can be
 * sent as easily as named ones.
 */
import type { CompiledDictionary, ResolvedAttribute, VendorFormat } from '../dictionary/index.js';
import { MAX_VALUE_LENGTH } from './header.js';

export const VENDOR_SPECIFIC = 26;
/** RFC 6929 §2.4: Extended-Type 26 of an extended attribute carries vendor attributes. */
export const EXTENDED_VENDOR_SPECIFIC = 26;
export const MAX_VENDOR_ID = 0xff_ffff;

/** RFC 6929 §2.1: 241..244 are Extended-Attribute-1..4, 245 and 246 their long (fragmentable) forms. */
export function isExtendedType(type: number): boolean {
  return type >= 241 && type <= 246;
}

export function isLongExtendedType(type: number): boolean {
  return type === 245 || type === 246;
}

export const RFC_FORMAT: VendorFormat = Object.freeze({ typeOctets: 1, lengthOctets: 1, continuation: false });

export type Container =
  /** A top-level attribute; its value is the container's payload. */
  | { readonly kind: 'standard'; readonly type: number }
  /** `Attr-26.<vendor>`: a Vendor-Specific attribute whose payload after the Vendor-Id is given whole. */
  | { readonly kind: 'vendor-payload'; readonly vendorId: number }
  | { readonly kind: 'vsa'; readonly vendorId: number; readonly format: VendorFormat; readonly vendorType: number }
  | { readonly kind: 'extended'; readonly type: number; readonly long: boolean; readonly extendedType: number }
  | { readonly kind: 'evs'; readonly type: number; readonly long: boolean; readonly vendorId: number; readonly vendorType: number };

export interface Location {
  readonly container: Container;
  /** TLV numbers below the container's value: `[]` when the attribute is the container itself. */
  readonly tlvPath: readonly number[];
  /** The full number as FreeRADIUS writes it (`26.9.1`, `241.5.1`), for raw names and messages. */
  readonly oid: string;
}

export function sameContainer(a: Container, b: Container): boolean {
  switch (a.kind) {
    case 'standard':
      return b.kind === 'standard' && a.type === b.type;
    case 'vendor-payload':
      return b.kind === 'vendor-payload' && a.vendorId === b.vendorId;
    case 'vsa':
      return b.kind === 'vsa' && a.vendorId === b.vendorId && a.vendorType === b.vendorType && a.format === b.format;
    case 'extended':
      return b.kind === 'extended' && a.type === b.type && a.extendedType === b.extendedType;
    case 'evs':
      return b.kind === 'evs' && a.type === b.type && a.vendorId === b.vendorId && a.vendorType === b.vendorType;
  }
}

/**
 * The most value octets one wire attribute of the container carries; Infinity where the format
 * splits a long value over several attributes by itself (WiMAX continuation, RFC 6929 'More').
 */
export function containerCapacity(container: Container): number {
  switch (container.kind) {
    case 'standard':
      return MAX_VALUE_LENGTH;
    case 'vendor-payload':
      return MAX_VALUE_LENGTH - 4;
    case 'vsa':
      if (container.format.continuation) return Number.POSITIVE_INFINITY;
      return MAX_VALUE_LENGTH - 4 - container.format.typeOctets - container.format.lengthOctets;
    case 'extended':
      return container.long ? Number.POSITIVE_INFINITY : MAX_VALUE_LENGTH - 1;
    case 'evs':
      return container.long ? Number.POSITIVE_INFINITY : MAX_VALUE_LENGTH - 1 - 5;
  }
}

function maxVendorType(format: VendorFormat): number {
  return format.typeOctets === 1 ? 0xff : format.typeOctets === 2 ? 0xffff : 0xffff_ffff;
}

function checkTlvPath(path: readonly number[], from: number): string | undefined {
  for (let index = from; index < path.length; index += 1) {
    const component = path[index] as number;
    if (!Number.isInteger(component) || component < 1 || component > 255) return `TLV number ${component} is not 1..255`;
  }
  return undefined;
}

function location(container: Container, tlvPath: readonly number[], oid: string): Location {
  return { container, tlvPath, oid };
}

/** The full number of a dictionary attribute, as FreeRADIUS writes it. */
export function attributeOid(attribute: ResolvedAttribute, dictionary: CompiledDictionary): string {
  const path = attribute.path.join('.');
  if (attribute.vendorId === 0) return path;
  if (attribute.evs !== undefined) {
    const container = dictionary.attribute(attribute.evs);
    return `${container ? container.path.join('.') : attribute.evs}.${attribute.vendorId}.${path}`;
  }
  return `${VENDOR_SPECIFIC}.${attribute.vendorId}.${path}`;
}

/**
 * The location of a dictionary attribute, or a message saying why it cannot go on the wire (a
 * server-side number, an EVS container the list does not define, a number too wide for its
 * vendor's format).
 */
export function locateAttribute(attribute: ResolvedAttribute, dictionary: CompiledDictionary): Location | string {
  const { path, vendorId } = attribute;
  const first = path[0] as number;
  const oid = attributeOid(attribute, dictionary);
  if (vendorId === 0) {
    if (attribute.evs !== undefined) return `a standard attribute cannot be carried in ${attribute.evs}`;
    if (attribute.virtual || first < 1 || first > 255) return `number ${first} is server-side only (RADIUS attributes are 1..255)`;
    if (isExtendedType(first) && path.length >= 2) {
      const problem = checkTlvPath(path, 1);
      if (problem) return problem;
      const container: Container = { kind: 'extended', type: first, long: isLongExtendedType(first), extendedType: path[1] as number };
      return location(container, path.slice(2), oid);
    }
    const problem = checkTlvPath(path, 1);
    if (problem) return problem;
    return location({ kind: 'standard', type: first }, path.slice(1), oid);
  }
  if (vendorId > MAX_VENDOR_ID) return `vendor ${vendorId} does not fit RADIUS's 24-bit vendor ids`;
  const problem = checkTlvPath(path, 1);
  if (problem) return problem;
  if (attribute.evs !== undefined) {
    const evs = dictionary.attribute(attribute.evs);
    const type = evs?.path[0];
    if (
      evs === undefined ||
      evs.vendorId !== 0 ||
      evs.path.length !== 2 ||
      evs.path[1] !== EXTENDED_VENDOR_SPECIFIC ||
      type === undefined ||
      !isExtendedType(type)
    ) {
      return `its Extended-Vendor-Specific attribute ${attribute.evs} is not defined as an extended attribute's number 26`;
    }
    if (first > 255) return `vendor type ${first} does not fit the one octet of an Extended-Vendor-Specific attribute`;
    return location({ kind: 'evs', type, long: isLongExtendedType(type), vendorId, vendorType: first }, path.slice(1), oid);
  }
  if (first > maxVendorType(attribute.format))
    return `vendor type ${first} does not fit the vendor's ${attribute.format.typeOctets}-octet type field`;
  return location({ kind: 'vsa', vendorId, format: attribute.format, vendorType: first }, path.slice(1), oid);
}

const RAW_NAME = /^Attr-(\d{1,10}(?:\.\d{1,10})*)$/;

/**
 * The location a raw name (`Attr-26.9.1`) spells, as FreeRADIUS prints attributes it cannot
 * decode; undefined when the name is not of that form, a message when its numbers cannot be sent.
 * A vendor's format comes from the dictionary when it declares the vendor (RFC format otherwise).
 */
export function locateRawName(name: string, dictionary: CompiledDictionary): Location | string | undefined {
  const match = RAW_NAME.exec(name);
  if (!match) return undefined;
  const oid = match[1] as string;
  const path = oid.split('.').map(Number);
  const first = path[0] as number;
  if (first < 1 || first > 255) return `attribute number ${first} is not 1..255`;
  if (first === VENDOR_SPECIFIC && path.length >= 2) {
    const vendorId = path[1] as number;
    if (vendorId > MAX_VENDOR_ID) return `vendor ${vendorId} does not fit RADIUS's 24-bit vendor ids`;
    if (path.length === 2) return location({ kind: 'vendor-payload', vendorId }, [], oid);
    const format = dictionary.vendorById(vendorId)?.format ?? RFC_FORMAT;
    const vendorType = path[2] as number;
    if (vendorType > maxVendorType(format))
      return `vendor type ${vendorType} does not fit the vendor's ${format.typeOctets}-octet type field`;
    const problem = checkTlvPath(path, 3);
    return problem ?? location({ kind: 'vsa', vendorId, format, vendorType }, path.slice(3), oid);
  }
  if (isExtendedType(first) && path.length >= 2) {
    const long = isLongExtendedType(first);
    const extendedType = path[1] as number;
    if (extendedType > 255) return `extended type ${extendedType} is not 0..255`;
    if (extendedType === EXTENDED_VENDOR_SPECIFIC && path.length >= 3) {
      if (path.length === 3) return `${name} names a vendor without an attribute number`;
      const vendorId = path[2] as number;
      const vendorType = path[3] as number;
      if (vendorId > MAX_VENDOR_ID) return `vendor ${vendorId} does not fit RADIUS's 24-bit vendor ids`;
      if (vendorType > 255) return `vendor type ${vendorType} does not fit the one octet of an Extended-Vendor-Specific attribute`;
      const problem = checkTlvPath(path, 4);
      return problem ?? location({ kind: 'evs', type: first, long, vendorId, vendorType }, path.slice(4), oid);
    }
    const problem = checkTlvPath(path, 2);
    return problem ?? location({ kind: 'extended', type: first, long, extendedType }, path.slice(2), oid);
  }
  const problem = checkTlvPath(path, 1);
  return problem ?? location({ kind: 'standard', type: first }, path.slice(1), oid);
}

export function rawName(oid: string): string {
  return `Attr-${oid}`;
}
