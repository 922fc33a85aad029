/**
 * One codec per FreeRADIUS data type: a JavaScript value to the octets of an attribute value and
 * back (the table in types.ts says which value each type has). Tags, hiding, arrays and framing
 * are the attribute layer's business; this file only knows what a value of a type looks like.
 */
import { isUtf8 } from 'node:buffer';
import type { CompiledDictionary, ResolvedAttribute } from '../dictionary/index.js';
import { baseType } from '../dictionary/attribute-types.js';
import {
  formatEther,
  formatIfid,
  formatIpv4,
  formatIpv6,
  hostBitsZero,
  parseEther,
  parseIfid,
  parseIpv4,
  parseIpv6,
  parsePrefix,
} from './addresses.js';
import type { InputScalar, ScalarValue } from './types.js';

/** A value that does not fit its type; the attribute encoder adds the attribute's name. */
export class ValueProblem extends Error {}

function problem(message: string): never {
  throw new ValueProblem(message);
}

export interface TypeCodec {
  /** Octets on the wire when every value of the type has the same size. */
  size(attribute: ResolvedAttribute): number | undefined;
  encode(value: InputScalar, attribute: ResolvedAttribute, dictionary: CompiledDictionary): Buffer;
  /** The value, or undefined when the octets cannot be one (the attribute then decodes raw). */
  decode(bytes: Buffer, attribute: ResolvedAttribute, dictionary: CompiledDictionary): ScalarValue | undefined;
}

function describe(value: InputScalar): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (value instanceof Uint8Array) return `${value.length} octets`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : value.toISOString();
  return `${String(value)}${typeof value === 'bigint' ? 'n' : ''}`;
}

const HEX = /^0x((?:[0-9a-fA-F]{2})*)$/;
const DECIMAL = /^[+-]?\d+$/;
const HEX_NUMBER = /^0x[0-9a-fA-F]+$/;

/** Text or octets as octets: `0x`+hex is hex (FreeRADIUS's octets syntax), other text its UTF-8. */
function octetsOf(value: InputScalar): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (typeof value === 'string') {
    const hex = HEX.exec(value);
    if (hex) return Buffer.from(hex[1] as string, 'hex');
    if (/^0x/i.test(value)) problem(`${describe(value)} starts with 0x but is not an even number of hex digits`);
    return Buffer.from(value, 'utf8');
  }
  return problem(`expected octets (a Uint8Array, or a string), got ${describe(value)}`);
}

// ---------------------------------------------------------------------------------------------
// Numbers.

/** An integer in [min, max]: a number, a bigint, a decimal or 0x string, or a VALUE name of the attribute. */
function integerOf(value: InputScalar, min: number, max: number, attribute: ResolvedAttribute, dictionary: CompiledDictionary): number {
  let number: number | undefined;
  if (typeof value === 'number') number = value;
  else if (typeof value === 'bigint') number = value >= BigInt(min) && value <= BigInt(max) ? Number(value) : Number.NaN;
  else if (typeof value === 'string') {
    number = dictionary.valueNumber(attribute, value);
    if (number === undefined) {
      if (DECIMAL.test(value) || HEX_NUMBER.test(value)) number = Number(value);
      else problem(`${describe(value)} is neither a number nor a value name of ${attribute.name}`);
    }
  } else problem(`expected an integer, got ${describe(value)}`);
  if (!Number.isInteger(number) || number < min || number > max) problem(`${describe(value)} is not an integer in ${min}..${max}`);
  return number;
}

function bigintOf(value: InputScalar, min: bigint, max: bigint, attribute: ResolvedAttribute, dictionary: CompiledDictionary): bigint {
  let number: bigint | undefined;
  if (typeof value === 'bigint') number = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) number = BigInt(value);
  else if (typeof value === 'string') {
    const named = dictionary.valueNumber(attribute, value);
    if (named !== undefined) number = BigInt(named);
    else if (DECIMAL.test(value) || HEX_NUMBER.test(value)) number = BigInt(value.replace(/^\+/, ''));
  }
  if (number === undefined) return problem(`expected a 64-bit integer (bigint), got ${describe(value)}`);
  if (number < min || number > max) problem(`${describe(value)} is outside ${min}..${max}`);
  return number;
}

function floatOf(value: InputScalar): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && (!Number.isNaN(Number(value)) || value === 'NaN')) return Number(value);
  return problem(`expected a number, got ${describe(value)}`);
}

/** The VALUE name of a number when the dictionary has one, as FreeRADIUS prints it. */
export function named(attribute: ResolvedAttribute, dictionary: CompiledDictionary, number: number): number | string {
  return dictionary.valueName(attribute, number) ?? number;
}

function namedBig(attribute: ResolvedAttribute, dictionary: CompiledDictionary, number: bigint): bigint | string {
  if (number > BigInt(Number.MAX_SAFE_INTEGER) || number < BigInt(Number.MIN_SAFE_INTEGER)) return number;
  return dictionary.valueName(attribute, Number(number)) ?? number;
}

// Number writers below fill every octet they allocate, so they take pooled, unzeroed memory.

function fixed(size: number): () => number {
  return () => size;
}

function unsigned(size: 1 | 2 | 4): TypeCodec {
  const max = 2 ** (size * 8) - 1;
  return {
    size: fixed(size),
    encode: (value, attribute, dictionary) => {
      const out = Buffer.allocUnsafe(size);
      out.writeUIntBE(integerOf(value, 0, max, attribute, dictionary), 0, size);
      return out;
    },
    decode: (bytes, attribute, dictionary) => (bytes.length === size ? named(attribute, dictionary, bytes.readUIntBE(0, size)) : undefined),
  };
}

function signed(size: 1 | 2 | 4): TypeCodec {
  const max = 2 ** (size * 8 - 1) - 1;
  return {
    size: fixed(size),
    encode: (value, attribute, dictionary) => {
      const out = Buffer.allocUnsafe(size);
      out.writeIntBE(integerOf(value, -max - 1, max, attribute, dictionary), 0, size);
      return out;
    },
    decode: (bytes, attribute, dictionary) => (bytes.length === size ? named(attribute, dictionary, bytes.readIntBE(0, size)) : undefined),
  };
}

const UINT64_MAX = 2n ** 64n - 1n;
const INT64_MAX = 2n ** 63n - 1n;

const uint64: TypeCodec = {
  size: fixed(8),
  encode: (value, attribute, dictionary) => {
    const out = Buffer.allocUnsafe(8);
    out.writeBigUInt64BE(bigintOf(value, 0n, UINT64_MAX, attribute, dictionary));
    return out;
  },
  decode: (bytes, attribute, dictionary) => (bytes.length === 8 ? namedBig(attribute, dictionary, bytes.readBigUInt64BE(0)) : undefined),
};

const int64: TypeCodec = {
  size: fixed(8),
  encode: (value, attribute, dictionary) => {
    const out = Buffer.allocUnsafe(8);
    out.writeBigInt64BE(bigintOf(value, -INT64_MAX - 1n, INT64_MAX, attribute, dictionary));
    return out;
  },
  decode: (bytes, attribute, dictionary) => (bytes.length === 8 ? namedBig(attribute, dictionary, bytes.readBigInt64BE(0)) : undefined),
};

const FLOAT32_MAX = 3.4028234663852886e38;

const float32: TypeCodec = {
  size: fixed(4),
  encode: (value) => {
    const number = floatOf(value);
    if (Number.isFinite(number) && Math.abs(number) > FLOAT32_MAX) problem(`${describe(value)} is too large for a float32`);
    const out = Buffer.allocUnsafe(4);
    out.writeFloatBE(number);
    return out;
  },
  decode: (bytes) => (bytes.length === 4 ? bytes.readFloatBE(0) : undefined),
};

const float64: TypeCodec = {
  size: fixed(8),
  encode: (value) => {
    const out = Buffer.allocUnsafe(8);
    out.writeDoubleBE(floatOf(value));
    return out;
  },
  decode: (bytes) => (bytes.length === 8 ? bytes.readDoubleBE(0) : undefined),
};

const bool: TypeCodec = {
  size: fixed(1),
  encode: (value) => {
    if (value === true || value === 1 || value === 'true' || value === 'yes' || value === '1') return Buffer.from([1]);
    if (value === false || value === 0 || value === 'false' || value === 'no' || value === '0') return Buffer.from([0]);
    return problem(`expected a boolean, got ${describe(value)}`);
  },
  // Only 0 and 1: anything else would not survive a round trip, so it stays raw.
  decode: (bytes) => (bytes.length === 1 && (bytes[0] as number) <= 1 ? bytes[0] === 1 : undefined),
};

// ---------------------------------------------------------------------------------------------
// Times.

const UINT32_MAX = 0xffff_ffff;

/** Seconds since the epoch: a Date (its milliseconds dropped), an integer, an integer or ISO 8601 string. */
function epochSeconds(value: InputScalar): number {
  let seconds: number;
  if (value instanceof Date) seconds = Math.floor(value.getTime() / 1000);
  else if (typeof value === 'number') seconds = value;
  else if (typeof value === 'string' && DECIMAL.test(value)) seconds = Number(value);
  else if (typeof value === 'string') seconds = Math.floor(Date.parse(value) / 1000);
  else return problem(`expected a Date, got ${describe(value)}`);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > UINT32_MAX)
    problem(`${describe(value)} is not a date RADIUS can carry (1970..2106, whole seconds)`);
  return seconds;
}

const date: TypeCodec = {
  size: fixed(4),
  encode: (value) => {
    const out = Buffer.allocUnsafe(4);
    out.writeUInt32BE(epochSeconds(value));
    return out;
  },
  decode: (bytes) => (bytes.length === 4 ? new Date(bytes.readUInt32BE(0) * 1000) : undefined),
};

/** FreeRADIUS 4's sub-second dates: an unsigned 64-bit count of `perMillisecond`ths of a millisecond since the epoch. */
function preciseDate(perMillisecond: bigint): TypeCodec {
  return {
    size: fixed(8),
    encode: (value, attribute, dictionary) => {
      let count: bigint;
      if (value instanceof Date) {
        const ms = value.getTime();
        if (!Number.isInteger(ms) || ms < 0) problem(`${describe(value)} is before 1970`);
        count = BigInt(ms) * perMillisecond;
      } else if (typeof value === 'string' && !DECIMAL.test(value)) {
        const ms = Date.parse(value);
        if (!Number.isInteger(ms) || ms < 0) problem(`${describe(value)} is not a date from 1970 on`);
        count = BigInt(ms) * perMillisecond;
      } else count = bigintOf(value, 0n, UINT64_MAX, attribute, dictionary);
      const out = Buffer.allocUnsafe(8);
      out.writeBigUInt64BE(count);
      return out;
    },
    decode: (bytes) => (bytes.length === 8 ? bytes.readBigUInt64BE(0) : undefined),
  };
}

/** A duration in whole seconds, 4 octets, like every RADIUS timer (Session-Timeout, Acct-Interim-Interval). */
const timeDelta: TypeCodec = {
  size: fixed(4),
  encode: (value, attribute, dictionary) => {
    const out = Buffer.allocUnsafe(4);
    out.writeUInt32BE(integerOf(value, 0, UINT32_MAX, attribute, dictionary));
    return out;
  },
  decode: (bytes) => (bytes.length === 4 ? bytes.readUInt32BE(0) : undefined),
};

// ---------------------------------------------------------------------------------------------
// Text and octets.

function textOf(value: InputScalar): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (typeof value === 'number' || typeof value === 'bigint') return Buffer.from(String(value), 'utf8');
  return problem(`expected a string, got ${describe(value)}`);
}

/** UTF-8 text as a string; other octets stay octets, so nothing a NAS sends is mangled. */
export function decodeText(bytes: Buffer): string | Buffer {
  return isUtf8(bytes) ? bytes.toString('utf8') : Buffer.from(bytes);
}

const string: TypeCodec = {
  size: () => undefined,
  encode: textOf,
  decode: decodeText,
};

const octets: TypeCodec = {
  size: (attribute) => attribute.length,
  encode: (value, attribute) => {
    const bytes = octetsOf(value);
    if (attribute.length !== undefined && bytes.length !== attribute.length)
      problem(`${attribute.name} is exactly ${attribute.length} octets, not ${bytes.length}`);
    return bytes;
  },
  decode: (bytes, attribute) => (attribute.length !== undefined && bytes.length !== attribute.length ? undefined : Buffer.from(bytes)),
};

const abinary: TypeCodec = {
  size: () => undefined,
  encode: octetsOf,
  decode: (bytes) => Buffer.from(bytes),
};

// ---------------------------------------------------------------------------------------------
// Addresses.

function addressText(value: InputScalar, what: string): string {
  return typeof value === 'string' ? value.trim() : problem(`expected ${what} as text, got ${describe(value)}`);
}

const ipv4: TypeCodec = {
  size: fixed(4),
  encode: (value) => {
    const bytes = parseIpv4(addressText(value, 'an IPv4 address'));
    return bytes ? Buffer.from(bytes) : problem(`${describe(value)} is not an IPv4 address`);
  },
  decode: (bytes) => (bytes.length === 4 ? formatIpv4(bytes) : undefined),
};

const ipv6: TypeCodec = {
  size: fixed(16),
  encode: (value) => {
    const bytes = parseIpv6(addressText(value, 'an IPv6 address'));
    return bytes ? Buffer.from(bytes) : problem(`${describe(value)} is not an IPv6 address`);
  },
  decode: (bytes) => (bytes.length === 16 ? formatIpv6(bytes) : undefined),
};

/** RFC 8044 §3.11: Reserved (0), Prefix-Length (0..32), Prefix (4 octets, host bits zero). */
function encodeIpv4Prefix(value: InputScalar): Buffer {
  const prefix = parsePrefix(addressText(value, 'an IPv4 prefix'), 4);
  if (!prefix) return problem(`${describe(value)} is not an IPv4 prefix a.b.c.d/n with its host bits zero`);
  const out = Buffer.allocUnsafe(6);
  out[0] = 0;
  out[1] = prefix.length;
  out.set(prefix.bytes, 2);
  return out;
}

function decodeIpv4Prefix(bytes: Buffer): string | undefined {
  if (bytes.length !== 6 || bytes[0] !== 0 || (bytes[1] as number) > 32 || !hostBitsZero(bytes, 2, 4, bytes[1] as number)) return undefined;
  return `${formatIpv4(bytes, 2)}/${bytes[1]}`;
}

/**
 * RFC 3162 §2.3 / RFC 8044 §3.10: Reserved (0), Prefix-Length (0..128), then up to 16 octets of
 * prefix. Sent with all 16 octets, as FreeRADIUS does; read with as many as arrive.
 */
function encodeIpv6Prefix(value: InputScalar): Buffer {
  const prefix = parsePrefix(addressText(value, 'an IPv6 prefix'), 6);
  if (!prefix) return problem(`${describe(value)} is not an IPv6 prefix addr/n with its host bits zero`);
  const out = Buffer.allocUnsafe(18);
  out[0] = 0;
  out[1] = prefix.length;
  out.set(prefix.bytes, 2);
  return out;
}

function decodeIpv6Prefix(bytes: Buffer): string | undefined {
  if (bytes.length < 2 || bytes.length > 18 || bytes[0] !== 0) return undefined;
  const length = bytes[1] as number;
  const carried = bytes.length - 2;
  if (length > 128 || length > carried * 8 || !hostBitsZero(bytes, 2, carried, length)) return undefined;
  const full = Buffer.alloc(16);
  bytes.copy(full, 0, 2);
  return `${formatIpv6(full)}/${length}`;
}

const ipv4prefix: TypeCodec = { size: fixed(6), encode: encodeIpv4Prefix, decode: decodeIpv4Prefix };
const ipv6prefix: TypeCodec = { size: () => undefined, encode: encodeIpv6Prefix, decode: decodeIpv6Prefix };

/** combo-ip: an IPv4 or IPv6 address, told apart by length (4 or 16 octets). */
const comboIp: TypeCodec = {
  size: () => undefined,
  encode: (value, attribute, dictionary) => {
    const text = addressText(value, 'an IP address');
    return text.includes(':') ? ipv6.encode(text, attribute, dictionary) : ipv4.encode(text, attribute, dictionary);
  },
  decode: (bytes) => (bytes.length === 4 ? formatIpv4(bytes) : bytes.length === 16 ? formatIpv6(bytes) : undefined),
};

/** combo-prefix: an IPv4 prefix (6 octets) or an IPv6 prefix always sent whole (18), so length tells them apart. */
const comboPrefix: TypeCodec = {
  size: () => undefined,
  encode: (value) => {
    const text = addressText(value, 'an IP prefix');
    return text.includes(':') ? encodeIpv6Prefix(text) : encodeIpv4Prefix(text);
  },
  decode: (bytes) => (bytes.length === 6 ? decodeIpv4Prefix(bytes) : bytes.length === 18 ? decodeIpv6Prefix(bytes) : undefined),
};

const ifid: TypeCodec = {
  size: fixed(8),
  encode: (value) => {
    const bytes = parseIfid(addressText(value, 'an interface id'));
    return bytes ? Buffer.from(bytes) : problem(`${describe(value)} is not an interface id xxxx:xxxx:xxxx:xxxx`);
  },
  decode: (bytes) => (bytes.length === 8 ? formatIfid(bytes) : undefined),
};

const ether: TypeCodec = {
  size: fixed(6),
  encode: (value) => {
    const bytes = parseEther(addressText(value, 'a MAC address'));
    return bytes ? Buffer.from(bytes) : problem(`${describe(value)} is not a MAC address aa:bb:cc:dd:ee:ff`);
  },
  decode: (bytes) => (bytes.length === 6 ? formatEther(bytes) : undefined),
};

// ---------------------------------------------------------------------------------------------

const CODECS: ReadonlyMap<string, TypeCodec> = new Map<string, TypeCodec>([
  ['string', string],
  ['octets', octets],
  ['abinary', abinary],
  ['ipaddr', ipv4],
  ['ipv6addr', ipv6],
  ['ipv4prefix', ipv4prefix],
  ['ipv6prefix', ipv6prefix],
  ['combo-ip', comboIp],
  ['combo-prefix', comboPrefix],
  ['ifid', ifid],
  ['ether', ether],
  ['byte', unsigned(1)],
  ['short', unsigned(2)],
  ['integer', unsigned(4)],
  ['int8', signed(1)],
  ['int16', signed(2)],
  ['signed', signed(4)],
  ['integer64', uint64],
  ['int64', int64],
  ['float32', float32],
  ['float64', float64],
  ['bool', bool],
  ['date', date],
  ['date_milliseconds', preciseDate(1n)],
  ['date_microseconds', preciseDate(1000n)],
  ['date_nanoseconds', preciseDate(1_000_000n)],
  ['time_delta', timeDelta],
]);

/** The codec of a leaf type (aliases resolved: uint32 is integer), or undefined for structural types. */
export function typeCodec(type: string): TypeCodec | undefined {
  return CODECS.get(baseType(type));
}

/** Types whose value is other attributes, not octets of their own. */
export const CONTAINER_TYPES: ReadonlySet<string> = new Set(['vsa', 'extended', 'long-extended', 'evs']);

/** True for integer (uint32) and its alias: RFC 2868 puts their tag in the value's high octet. */
export function isTaggedInteger(attribute: ResolvedAttribute): boolean {
  return baseType(attribute.type) === 'integer';
}
