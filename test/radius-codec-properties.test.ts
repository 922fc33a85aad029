/**
 * decode(encode(x)) == x, by fast-check, for every type the dictionary engine knows, in every
 * place an attribute can live: standard, Vendor-Specific in each vendor format (1,1 ... 4,2 and
 * WiMAX's 1,1,c), TLV children (standard and vendor), extended, long-extended, and
 * Extended-Vendor-Specific (short and long); plus tags, arrays, concat, hidden values (encrypt
 * 1/2/3), structs, raw attributes, and each packet kind's hiding key.
 */
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileDictionaries } from '../src/radius/dictionary/index.js';
import type { AttributeEntry, DictionaryEntry } from '../src/dictionary/dictionary-doc.js';
import { baseType } from '../src/radius/dictionary/index.js';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  flattenAttributes,
  PacketCode,
  RadiusEncodeError,
  type AttributeInput,
  type AttributesInput,
  type DecodedAttribute,
  type InputScalar,
  type ScalarValue,
} from '../src/radius/codec/index.js';
import { seed } from './support/seed.js';

// ---------------------------------------------------------------------------------------------
// The type matrix: one attribute per leaf type in every placement.

const LEAF_TYPES = [
  'string',
  'octets',
  'abinary',
  'ipaddr',
  'ipv4addr',
  'ipv6addr',
  'ipv4prefix',
  'cidr',
  'ipv6prefix',
  'ifid',
  'ether',
  'combo-ip',
  'combo-prefix',
  'byte',
  'uint8',
  'short',
  'uint16',
  'integer',
  'uint32',
  'signed',
  'int32',
  'int8',
  'int16',
  'integer64',
  'uint64',
  'int64',
  'float32',
  'float64',
  'bool',
  'date',
  'date_milliseconds',
  'date_microseconds',
  'date_nanoseconds',
  'time_delta',
] as const;

const FORMATS = ['1,1', '1,0', '1,2', '2,0', '2,1', '2,2', '4,0', '4,1', '4,2', '1,1,c'] as const;
const vendorIdOf = (format: string): number => 60001 + FORMATS.indexOf(format as (typeof FORMATS)[number]);
const EVS_VENDOR = 60100;

function attr(name: string, vid: number, id: number, type: string, more: Partial<AttributeEntry['attr']> = {}): AttributeEntry {
  return { attr: { vid, id, type, name, enc: 'no', ...more } };
}

/** Where each matrix attribute sits, and how many value octets fit there. */
interface Placement {
  readonly prefix: string;
  readonly capacity: number;
}

const PLACEMENTS: Placement[] = [
  { prefix: 'Std', capacity: 253 },
  { prefix: 'StdTlv', capacity: 253 },
  { prefix: 'Ext', capacity: 252 },
  { prefix: 'LExt', capacity: 2000 },
  { prefix: 'Evs', capacity: 247 },
  { prefix: 'LEvs', capacity: 2000 },
  { prefix: 'WxTlv', capacity: 2000 },
  ...FORMATS.map((format) => ({
    prefix: `V${format.replaceAll(',', '')}`,
    capacity: format.endsWith('c') ? 2000 : 253 - 4 - Number(format[0]) - Number(format[2]),
  })),
];

function matrixEntries(): DictionaryEntry[] {
  const entries: DictionaryEntry[] = [];
  for (const format of FORMATS) entries.push({ vendor: { [`Fmt-${format.replaceAll(',', '-')}`]: vendorIdOf(format) }, format });
  entries.push({ vendor: { 'Evs-Vendor': EVS_VENDOR } });
  entries.push(attr('StdTlv', 0, 225, 'tlv'));
  entries.push(
    attr('Nested', 0, 100, 'tlv', { oid: '225.100' }),
    attr('Nested-Text', 0, 1, 'string', { oid: '225.100.1' }),
    attr('Nested-Number', 0, 2, 'integer', { oid: '225.100.2' }),
  );
  entries.push(attr('Deep', 0, 3, 'tlv', { oid: '225.100.3' }), attr('Deep-Address', 0, 1, 'ipaddr', { oid: '225.100.3.1' }));
  entries.push(attr('WxTlv', vendorIdOf('1,1,c'), 200, 'tlv'));
  LEAF_TYPES.forEach((type, index) => {
    entries.push(attr(`Std-${type}`, 0, 191 + index, type));
    entries.push(attr(`StdTlv-${type}`, 0, 1 + index, type, { oid: `225.${1 + index}` }));
    entries.push(attr(`Ext-${type}`, 0, 100 + index, type, { oid: `241.${100 + index}` }));
    entries.push(attr(`LExt-${type}`, 0, 100 + index, type, { oid: `245.${100 + index}` }));
    entries.push(attr(`Evs-${type}`, EVS_VENDOR, 1 + index, type, { evs: 'Extended-Vendor-Specific-1' }));
    entries.push(attr(`LEvs-${type}`, EVS_VENDOR, 1 + index, type, { evs: 'Extended-Vendor-Specific-5' }));
    entries.push(attr(`WxTlv-${type}`, vendorIdOf('1,1,c'), 1 + index, type, { oid: `200.${1 + index}` }));
    for (const format of FORMATS) {
      const width = Number(format[0]);
      const number = (width === 1 ? 1 : width === 2 ? 300 : 70000) + index;
      entries.push(attr(`V${format.replaceAll(',', '')}-${type}`, vendorIdOf(format), number, type));
    }
  });
  // Flags.
  entries.push(
    attr('Arr-ipaddr', 0, 226, 'ipaddr', { flags: { array: true } }),
    attr('Arr-integer', 0, 227, 'integer', { flags: { array: true } }),
    attr('Arr-string', 0, 228, 'string', { flags: { array: true } }),
    attr('Concat-octets', 0, 229, 'octets', { flags: { concat: true } }),
    attr('Hide1-string', 0, 230, 'string', { enc: 'encrypt=1' }),
    attr('Hide1-fixed', 0, 231, 'octets', { enc: 'encrypt=1', length: 24 }),
    attr('Hide2-tagged', 0, 232, 'string', { enc: 'encrypt=2', flags: { has_tag: true } }),
    attr('Hide2-octets', 0, 233, 'octets', { enc: 'encrypt=2' }),
    attr('Hide3-string', 0, 234, 'string', { enc: 'encrypt=3' }),
    attr('Enum-int', 0, 235, 'integer'),
    { val: { attr: 'Enum-int', name: 'Gold', val: 1 } },
    { val: { attr: 'Enum-int', name: 'Silver', val: 2 } },
    attr('Struct', 0, 236, 'struct'),
    attr('Struct-Number', 0, 1, 'integer', { oid: '236.1' }),
    attr('Struct-Address', 0, 2, 'ipaddr', { oid: '236.2' }),
    attr('Struct-Text', 0, 3, 'string', { oid: '236.3' }),
    attr('Fixed-octets', 0, 237, 'octets', { length: 6 }),
    attr('Tag-string', 0, 238, 'string', { flags: { has_tag: true } }),
    attr('Tag-int', 0, 239, 'integer', { flags: { has_tag: true } }),
    attr('Ext-Concat', 0, 99, 'octets', { oid: '241.99', flags: { concat: true } }),
    attr('V22-Arr-short', vendorIdOf('2,2'), 500, 'short', { flags: { array: true } }),
    attr('V22-Concat', vendorIdOf('2,2'), 501, 'octets', { flags: { concat: true } }),
    attr('V22-Hide2', vendorIdOf('2,2'), 502, 'octets', { enc: 'encrypt=2' }),
    attr('V11-Hide1', vendorIdOf('1,1'), 250, 'string', { enc: 'encrypt=1' }),
    attr('V40-Hide3', vendorIdOf('4,0'), 80000, 'string', { enc: 'encrypt=3' }),
  );
  return entries;
}

const dictionary = compileDictionaries([
  { id: 'acct~matrix', rev: '1-a', name: 'matrix', owner: 'acct', value: matrixEntries() },
  seed('dictionary'),
  seed('dictionary_microsoft'),
]);
const secret = 'property secret';

// ---------------------------------------------------------------------------------------------
// Values: what goes in, and what must come back.

interface Case {
  readonly input: InputScalar;
  readonly expected: ScalarValue;
}

const bytes = (min: number, max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: min, maxLength: max });

/** What a browser's URL parser prints for an IPv6 address: RFC 5952's form, computed independently of the codec. */
function canonicalIpv6(text: string): string {
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

function fullIpv6(octets: Uint8Array, upper: boolean): string {
  const groups: string[] = [];
  for (let index = 0; index < 16; index += 2)
    groups.push((((octets[index] as number) << 8) | (octets[index + 1] as number)).toString(16).padStart(4, '0'));
  const text = groups.join(':');
  return upper ? text.toUpperCase() : text;
}

function masked(octets: Uint8Array, length: number): Uint8Array {
  const out = Uint8Array.from(octets);
  for (let bit = length; bit < out.length * 8; bit += 1) out[bit >> 3] = (out[bit >> 3] as number) & ~(0x80 >> (bit & 7));
  return out;
}

const ipv4Case: fc.Arbitrary<Case> = bytes(4, 4).map((octets) => {
  const text = Array.from(octets).join('.');
  return { input: text, expected: text };
});
const ipv6Case: fc.Arbitrary<Case> = fc.tuple(bytes(16, 16), fc.boolean()).map(([octets, upper]) => {
  const text = fullIpv6(octets, upper);
  return { input: text, expected: canonicalIpv6(text) };
});
const ipv4PrefixCase: fc.Arbitrary<Case> = fc.tuple(fc.integer({ min: 0, max: 32 }), bytes(4, 4)).map(([length, octets]) => {
  const text = `${Array.from(masked(octets, length)).join('.')}/${length}`;
  return { input: text, expected: text };
});
const ipv6PrefixCase: fc.Arbitrary<Case> = fc.tuple(fc.integer({ min: 0, max: 128 }), bytes(16, 16)).map(([length, octets]) => {
  const text = fullIpv6(masked(octets, length), false);
  return { input: `${text}/${length}`, expected: `${canonicalIpv6(text)}/${length}` };
});

const integerCase = (min: number, max: number): fc.Arbitrary<Case> =>
  fc.tuple(fc.integer({ min, max }), fc.constantFrom('number', 'string', 'bigint')).map(([number, as]) => ({
    input: as === 'number' ? number : as === 'string' ? String(number) : BigInt(number),
    expected: number,
  }));
const bigCase = (min: bigint, max: bigint): fc.Arbitrary<Case> =>
  fc.tuple(fc.bigInt(min, max), fc.boolean()).map(([number, asText]) => ({ input: asText ? number.toString() : number, expected: number }));

/** A value of each leaf type, at most `max` octets on the wire for the variable-size ones. */
function caseOf(type: string, max: number): fc.Arbitrary<Case> {
  switch (baseType(type)) {
    case 'string':
      return fc.oneof(
        fc
          .string({ unit: 'binary', minLength: 1, maxLength: Math.max(1, Math.floor(max / 2)) })
          .filter((text) => Buffer.byteLength(text) <= max && Buffer.from(text, 'utf8').toString('utf8') === text)
          .map((text) => ({ input: text, expected: text })),
        bytes(1, max)
          .filter((octets) => !isUtf8(octets))
          .map((octets) => ({ input: octets, expected: Buffer.from(octets) })),
      );
    case 'octets':
    case 'abinary':
      return fc
        .tuple(bytes(1, max), fc.boolean())
        .map(([octets, asHex]) => ({ input: asHex ? `0x${Buffer.from(octets).toString('hex')}` : octets, expected: Buffer.from(octets) }));
    case 'ipaddr':
      return ipv4Case;
    case 'ipv6addr':
      return ipv6Case;
    case 'ipv4prefix':
      return ipv4PrefixCase;
    case 'ipv6prefix':
      return ipv6PrefixCase;
    case 'combo-ip':
      return fc.oneof(ipv4Case, ipv6Case);
    case 'combo-prefix':
      return fc.oneof(ipv4PrefixCase, ipv6PrefixCase);
    case 'ifid':
      return bytes(8, 8).map((octets) => {
        const groups = [0, 2, 4, 6].map((index) => (((octets[index] as number) << 8) | (octets[index + 1] as number)).toString(16));
        return {
          input: groups
            .map((group) => group.padStart(4, '0'))
            .join(':')
            .toUpperCase(),
          expected: groups.join(':'),
        };
      });
    case 'ether':
      return bytes(6, 6).map((octets) => {
        const parts = Array.from(octets, (octet) => octet.toString(16).padStart(2, '0'));
        return { input: parts.join('-').toUpperCase(), expected: parts.join(':') };
      });
    case 'byte':
      return integerCase(0, 0xff);
    case 'short':
      return integerCase(0, 0xffff);
    case 'integer':
    case 'time_delta':
      return integerCase(0, 0xffff_ffff);
    case 'signed':
      return integerCase(-(2 ** 31), 2 ** 31 - 1);
    case 'int8':
      return integerCase(-128, 127);
    case 'int16':
      return integerCase(-32768, 32767);
    case 'integer64':
    case 'date_milliseconds':
    case 'date_microseconds':
    case 'date_nanoseconds':
      return bigCase(0n, 2n ** 64n - 1n);
    case 'int64':
      return bigCase(-(2n ** 63n), 2n ** 63n - 1n);
    case 'float32':
      return fc.float().map((number) => ({ input: number, expected: number }));
    case 'float64':
      return fc.double().map((number) => ({ input: number, expected: number }));
    case 'bool':
      return fc.boolean().map((value) => ({ input: value, expected: value }));
    case 'date':
      return fc
        .tuple(fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0, max: 999 }), fc.boolean())
        .map(([seconds, ms, asDate]) => ({
          input: asDate ? new Date(seconds * 1000 + ms) : seconds,
          expected: new Date(seconds * 1000),
        }));
    default:
      throw new Error(`no generator for ${type}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Round trips through each kind of packet.

type Kind = 'access' | 'accounting' | 'coa' | 'reply';
const KINDS: readonly Kind[] = ['access', 'accounting', 'coa', 'reply'];

/** Encodes `attributes` in a packet of `kind` and decodes it back, verifying everything. */
function roundTrip(kind: Kind, attributes: AttributesInput): DecodedAttribute[] {
  const options = { secret, dictionary };
  if (kind === 'reply') {
    const request = encodeRequest({ ...options, code: PacketCode.AccessRequest, identifier: 1, attributes: {} });
    const reply = encodeResponse({ ...options, code: PacketCode.AccessAccept, request, attributes });
    return decodeResponse(reply.bytes, { ...options, request, requireMessageAuthenticator: true }).attributes;
  }
  const code = kind === 'access' ? PacketCode.AccessRequest : kind === 'accounting' ? PacketCode.AccountingRequest : PacketCode.CoaRequest;
  const request = encodeRequest({ ...options, code, identifier: 2, attributes });
  return decodeRequest(request.bytes, options).attributes;
}

interface Leaf {
  readonly name: string;
  readonly value: unknown;
  readonly tag: number | undefined;
}

function leaves(attributes: readonly DecodedAttribute[]): Leaf[] {
  return flattenAttributes(attributes).map((attribute) => ({ name: attribute.name, value: attribute.value, tag: attribute.tag }));
}

const kind = fc.constantFrom(...KINDS);

/** A matrix attribute (placement x type) and a value for it. */
const matrixItem: fc.Arbitrary<{ input: AttributeInput; expected: Leaf }> = fc
  .tuple(fc.constantFrom(...PLACEMENTS), fc.constantFrom(...LEAF_TYPES))
  .chain(([placement, type]) =>
    caseOf(type, Math.min(60, placement.capacity)).map(({ input, expected }) => ({
      input: { name: `${placement.prefix}-${type}`, value: input },
      expected: { name: `${placement.prefix}-${type}`, value: expected, tag: undefined },
    })),
  );

describe('decode(encode(x)) == x', () => {
  it('for every leaf type in every placement and vendor format, in every packet kind', () => {
    fc.assert(
      fc.property(kind, fc.array(matrixItem, { minLength: 1, maxLength: 4 }), (packetKind, items) => {
        expect(
          leaves(
            roundTrip(
              packetKind,
              items.map((item) => item.input),
            ),
          ),
        ).toEqual(items.map((item) => item.expected));
      }),
      { numRuns: 1500 },
    );
  });

  it('covers each placement and type at least once, one at a time', () => {
    for (const placement of PLACEMENTS) {
      for (const type of LEAF_TYPES) {
        fc.assert(
          fc.property(caseOf(type, Math.min(60, placement.capacity)), ({ input, expected }) => {
            const name = `${placement.prefix}-${type}`;
            expect(leaves(roundTrip('reply', [{ name, value: input }]))).toEqual([{ name, value: expected, tag: undefined }]);
          }),
          { numRuns: 5 },
        );
      }
    }
  });

  it('for values as long as a placement allows, and longer where the format splits them', () => {
    const variable = ['string', 'octets'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...PLACEMENTS), fc.constantFrom(...variable), (placement, type) => {
        const name = `${placement.prefix}-${type}`;
        // StdTlv's child sits inside a 253-octet parent: 2 octets of its header, 2 of its own.
        const room = placement.prefix === 'StdTlv' ? 251 : Math.min(placement.capacity, placement.prefix === 'WxTlv' ? 253 : 2000);
        const value = Buffer.alloc(room, 0x61);
        const input = type === 'string' ? value.toString() : value;
        const decoded = leaves(roundTrip('accounting', [{ name, value: input }]));
        expect(decoded).toEqual([{ name, value: input, tag: undefined }]);
        // One more octet does not fit where nothing splits.
        if (placement.capacity < 2000) {
          const over = Buffer.alloc(room + 1, 0x61);
          expect(() => roundTrip('accounting', [{ name, value: over }])).toThrow(expect.objectContaining({ reason: 'too-long' }));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('in the record form too, with enumerated values by name or number', () => {
    fc.assert(
      fc.property(kind, fc.constantFrom('Gold', 'Silver', 1, 2, 3, '7'), (packetKind, value) => {
        const expected = value === 1 || value === 'Gold' ? 'Gold' : value === 2 || value === 'Silver' ? 'Silver' : Number(value);
        expect(leaves(roundTrip(packetKind, { 'Enum-int': value, 'Std-string': 'x' }))).toEqual([
          { name: 'Enum-int', value: expected, tag: undefined },
          { name: 'Std-string', value: 'x', tag: undefined },
        ]);
      }),
    );
  });
});

describe('TLVs', () => {
  const child = fc.constantFrom(...LEAF_TYPES).chain((type) => caseOf(type, 20).map(({ input, expected }) => ({ type, input, expected })));

  it('nest as given, and decode to the same tree', () => {
    fc.assert(
      fc.property(
        kind,
        fc.array(child, { minLength: 1, maxLength: 5 }),
        fc.string({ minLength: 1, maxLength: 10 }).filter((text) => text.charCodeAt(0) >= 0x20),
        (packetKind, children, text) => {
          const decoded = roundTrip(packetKind, [
            {
              name: 'StdTlv',
              value: [
                ...children.map(({ type, input }) => ({ name: `StdTlv-${type}`, value: input })),
                {
                  name: 'Nested',
                  value: [
                    { name: 'Nested-Text', value: text },
                    { name: 'Deep', value: { 'Deep-Address': '10.1.2.3' } },
                  ],
                },
              ],
            },
          ]);
          expect(decoded).toHaveLength(1);
          const tree = decoded[0] as DecodedAttribute;
          expect(tree.name).toBe('StdTlv');
          const project = (list: readonly DecodedAttribute[]): unknown[] =>
            list.map((attribute) => [
              attribute.name,
              attribute.definition?.type === 'tlv' ? project(attribute.value as DecodedAttribute[]) : attribute.value,
            ]);
          expect(project(tree.value as DecodedAttribute[])).toEqual([
            ...children.map(({ type, expected }) => [`StdTlv-${type}`, expected]),
            [
              'Nested',
              [
                ['Nested-Text', text],
                ['Deep', [['Deep-Address', '10.1.2.3']]],
              ],
            ],
          ]);
        },
      ),
    );
  });

  it('group children given by name into their parents, as FreeRADIUS does, and flatten back', () => {
    const decoded = roundTrip('access', [
      { name: 'StdTlv-integer', value: 1 },
      { name: 'Nested-Text', value: 'a' },
      { name: 'Deep-Address', value: '192.0.2.1' },
      { name: 'Nested-Number', value: 2 },
      { name: 'Std-string', value: 'between' },
      { name: 'StdTlv-integer', value: 3 },
    ]);
    expect(decoded.map((attribute) => attribute.name)).toEqual(['StdTlv', 'Std-string', 'StdTlv']);
    expect(leaves(decoded).map((leaf) => [leaf.name, leaf.value])).toEqual([
      ['StdTlv-integer', 1],
      ['Nested-Text', 'a'],
      ['Deep-Address', '192.0.2.1'],
      ['Nested-Number', 2],
      ['Std-string', 'between'],
      ['StdTlv-integer', 3],
    ]);
  });

  it('in a WiMAX-style vendor, split over several Vendor-Specific attributes when long', () => {
    fc.assert(
      fc.property(fc.array(bytes(1, 200), { minLength: 1, maxLength: 12 }), (chunks) => {
        const decoded = roundTrip(
          'reply',
          chunks.map((value) => ({ name: 'WxTlv-octets', value })),
        );
        expect(decoded).toHaveLength(1);
        expect(leaves(decoded).map((leaf) => leaf.value)).toEqual(chunks.map((chunk) => Buffer.from(chunk)));
      }),
    );
  });
});

describe('flags', () => {
  it('tags: RFC 2868 tags on strings (a leading octet) and integers (the high octet)', () => {
    const stringTag = fc.record({
      name: fc.constant('Tag-string'),
      value: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 30 }),
      tag: fc.integer({ min: 0, max: 31 }),
    });
    const integerTag = fc.integer({ min: 0, max: 31 }).chain((tag) =>
      (tag === 0
        ? fc.oneof(fc.integer({ min: 0, max: 0xff_ffff }), fc.integer({ min: 0x2000_0000, max: 0xffff_ffff }))
        : fc.integer({ min: 0, max: 0xff_ffff })
      ).map((value) => ({
        name: 'Tag-int',
        value,
        tag,
      })),
    );
    const seedTags = fc.oneof(
      fc.record({ name: fc.constant('Tunnel-Type'), value: fc.constantFrom('L2TP', 'PPTP', 'VLAN'), tag: fc.integer({ min: 0, max: 31 }) }),
      fc.record({
        name: fc.constant('Tunnel-Private-Group-Id'),
        value: fc.string({ minLength: 1, maxLength: 10 }),
        tag: fc.integer({ min: 0, max: 31 }),
      }),
      fc.record({ name: fc.constant('Tunnel-Password'), value: fc.string({ maxLength: 20 }), tag: fc.integer({ min: 0, max: 31 }) }),
      fc.record({
        name: fc.constant('Hide2-tagged'),
        value: fc.string({ minLength: 0, maxLength: 40 }),
        tag: fc.integer({ min: 0, max: 31 }),
      }),
    );
    fc.assert(
      fc.property(kind, fc.array(fc.oneof(stringTag, integerTag, seedTags), { minLength: 1, maxLength: 6 }), (packetKind, items) => {
        expect(leaves(roundTrip(packetKind, items))).toEqual(
          items.map(({ name, value, tag }) => ({ name, value, tag: tag === 0 ? undefined : tag })),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('array: fixed-size elements packed, spilling into more attributes; joined again', () => {
    fc.assert(
      fc.property(
        kind,
        fc.oneof(
          fc.array(ipv4Case, { minLength: 1, maxLength: 200 }).map((cases) => ({ name: 'Arr-ipaddr', cases })),
          fc.array(integerCase(0, 0xffff_ffff), { minLength: 1, maxLength: 200 }).map((cases) => ({ name: 'Arr-integer', cases })),
          fc.array(integerCase(0, 0xffff), { minLength: 1, maxLength: 300 }).map((cases) => ({ name: 'V22-Arr-short', cases })),
          fc.array(caseOf('string', 100), { minLength: 1, maxLength: 8 }).map((cases) => ({ name: 'Arr-string', cases })),
        ),
        (packetKind, { name, cases }) => {
          // The record form: for an array attribute, the array is the one value.
          const decoded = leaves(roundTrip(packetKind, { [name]: cases.map((one) => one.input) }));
          expect(decoded).toEqual([{ name, value: cases.map((one) => one.expected), tag: undefined }]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('concat: long octets split over consecutive attributes (standard, vendor, extended) and joined', () => {
    fc.assert(
      fc.property(
        kind,
        fc.constantFrom('Concat-octets', 'V22-Concat', 'Ext-Concat', 'EAP-Message'),
        bytes(1, 1500),
        (packetKind, name, value) => {
          expect(leaves(roundTrip(packetKind, [{ name, value }]))).toEqual([{ name, value: Buffer.from(value), tag: undefined }]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('long-extended (RFC 6929 More flag) and long EVS values of any length up to the packet', () => {
    fc.assert(
      fc.property(
        kind,
        fc.constantFrom('LExt-octets', 'LEvs-octets', 'LExt-string', 'V11c-octets'),
        bytes(1, 3000),
        (packetKind, name, value) => {
          const input = name.endsWith('string') ? Buffer.from(value).toString('latin1') : value;
          const expected = name.endsWith('string') ? input : Buffer.from(value);
          expect(leaves(roundTrip(packetKind, [{ name, value: input }]))).toEqual([{ name, value: expected, tag: undefined }]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('hidden values: encrypt=1 (User-Password, MS-CHAP-MPPE-Keys), 2 (Tunnel-Password, MS-MPPE keys), 3 (Ascend secret)', () => {
    const noTrailingZero = (max: number): fc.Arbitrary<string> =>
      fc
        .string({ unit: 'binary', maxLength: max })
        .filter((text) => Buffer.byteLength(text) <= max && !text.endsWith('\0') && Buffer.from(text).toString() === text);
    const item = fc.oneof(
      noTrailingZero(128).map((value) => ({ name: 'User-Password', value, expected: value as unknown })),
      noTrailingZero(128).map((value) => ({ name: 'Hide1-string', value, expected: value as unknown })),
      noTrailingZero(100).map((value) => ({ name: 'V11-Hide1', value, expected: value as unknown })),
      bytes(24, 24).map((value) => ({ name: 'Hide1-fixed', value: value as InputScalar, expected: Buffer.from(value) as unknown })),
      bytes(24, 24).map((value) => ({ name: 'MS-CHAP-MPPE-Keys', value: value as InputScalar, expected: Buffer.from(value) as unknown })),
      bytes(0, 239).map((value) => ({ name: 'Hide2-octets', value: value as InputScalar, expected: Buffer.from(value) as unknown })),
      bytes(0, 200).map((value) => ({ name: 'V22-Hide2', value: value as InputScalar, expected: Buffer.from(value) as unknown })),
      bytes(32, 32).map((value) => ({ name: 'MS-MPPE-Recv-Key', value: value as InputScalar, expected: Buffer.from(value) as unknown })),
      fc
        .string({ unit: 'binary-ascii', minLength: 1, maxLength: 16 })
        .filter((text) => !text.includes('\0'))
        .map((value) => ({ name: 'Hide3-string', value, expected: value as unknown })),
      fc
        .string({ unit: 'binary-ascii', minLength: 1, maxLength: 16 })
        .filter((text) => !text.includes('\0'))
        .map((value) => ({ name: 'V40-Hide3', value, expected: value as unknown })),
    );
    fc.assert(
      fc.property(kind, fc.array(item, { minLength: 1, maxLength: 5 }), (packetKind, items) => {
        const decoded = leaves(
          roundTrip(
            packetKind,
            items.map(({ name, value }) => ({ name, value })),
          ),
        );
        expect(decoded).toEqual(items.map(({ name, expected }) => ({ name, value: expected, tag: undefined })));
      }),
      { numRuns: 500 },
    );
  });

  it('hidden values need the right secret: another secret reveals something else, or nothing', () => {
    const request = encodeRequest({ secret, dictionary, code: PacketCode.AccessRequest, identifier: 1, attributes: {} });
    const reply = encodeResponse({
      secret,
      dictionary,
      code: PacketCode.AccessAccept,
      request,
      attributes: [{ name: 'Tunnel-Password', value: 'hunter2', tag: 3 }],
    });
    const decoded = decodeResponse(reply.bytes, { secret, dictionary, request });
    expect(decoded.attributes[0]).toMatchObject({ name: 'Tunnel-Password', value: 'hunter2', tag: 3 });
    // The salts of one packet are distinct and have the high bit set (RFC 2868 §3.5).
    const many = encodeResponse({
      secret,
      dictionary,
      code: PacketCode.AccessAccept,
      request,
      attributes: Array.from({ length: 40 }, () => ({ name: 'Hide2-octets', value: Buffer.from([1]) })),
    });
    const salts = new Set<number>();
    for (let offset = 38; offset < many.bytes.length; offset += many.bytes[offset + 1] as number) {
      expect((many.bytes[offset + 2] as number) & 0x80).toBe(0x80);
      salts.add(many.bytes.readUInt16BE(offset + 2));
    }
    expect(salts.size).toBe(40);
  });

  it('structs: members packed in order', () => {
    fc.assert(
      fc.property(
        kind,
        fc.integer({ min: 0, max: 0xffff_ffff }),
        ipv4Case,
        fc.string({ minLength: 0, maxLength: 30 }),
        (packetKind, number, address, text) => {
          const value = { 'Struct-Number': number, 'Struct-Address': address.input, 'Struct-Text': text };
          expect(leaves(roundTrip(packetKind, { Struct: value }))).toEqual([
            { name: 'Struct', value: { ...value, 'Struct-Address': address.expected }, tag: undefined },
          ]);
        },
      ),
    );
  });
});

describe('raw attributes', () => {
  it('unknown numbers decode as Attr-<number> octets and encode back from that name', () => {
    const names = [
      'Attr-250',
      'Attr-26.77777.5',
      'Attr-26.60001.251',
      'Attr-241.200',
      'Attr-245.200',
      'Attr-241.26.77777.9',
      'Attr-225.222',
      'Attr-26.60010.200.99',
    ];
    fc.assert(
      fc.property(
        kind,
        fc.array(fc.record({ name: fc.constantFrom(...names), value: bytes(1, 60) }), { minLength: 1, maxLength: 6 }),
        (packetKind, items) => {
          const decoded = leaves(roundTrip(packetKind, items));
          expect(decoded).toEqual(items.map(({ name, value }) => ({ name, value: Buffer.from(value), tag: undefined })));
        },
      ),
    );
  });
});

describe('limits', () => {
  it('refuses values longer than their attribute allows, unless the flags allow splitting', () => {
    const cases: [string, number][] = [
      ['Std-string', 254],
      ['Std-octets', 254],
      ['V11-octets', 248],
      ['V42-string', 244],
      ['Ext-octets', 253],
      ['Evs-octets', 248],
      ['User-Password', 129],
      ['Hide3-string', 17],
      ['Tunnel-Password', 240],
    ];
    for (const [name, length] of cases) {
      const error = ((): unknown => {
        try {
          roundTrip('access', [{ name, value: 'x'.repeat(length) }]);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error, name).toBeInstanceOf(RadiusEncodeError);
      expect(error, name).toMatchObject({ reason: 'too-long', attribute: name });
      expect(() => roundTrip('access', [{ name, value: 'x'.repeat(length - 1) }]), name).not.toThrow();
    }
  });

  it('refuses a packet over 4096 octets, and builds one of exactly 4096', () => {
    // 20 header + 18 Message-Authenticator + 15 x 255 + 1 x 233 = 4096.
    const full = [
      ...Array.from({ length: 15 }, () => ({ name: 'Std-octets', value: Buffer.alloc(253, 1) })),
      { name: 'Std-octets', value: Buffer.alloc(231, 1) },
    ];
    const request = encodeRequest({ secret, dictionary, code: PacketCode.AccessRequest, identifier: 1, attributes: full });
    expect(request.bytes.length).toBe(4096);
    expect(decodeRequest(request.bytes, { secret, dictionary }).attributes).toHaveLength(16);
    const over = [...full, { name: 'Std-byte', value: 1 }];
    expect(() => encodeRequest({ secret, dictionary, code: PacketCode.AccessRequest, identifier: 1, attributes: over })).toThrow(
      expect.objectContaining({ reason: 'packet-too-large' }),
    );
    expect(() => roundTrip('reply', [{ name: 'LExt-octets', value: Buffer.alloc(4100) }])).toThrow(
      expect.objectContaining({ reason: 'packet-too-large' }),
    );
  });
});
