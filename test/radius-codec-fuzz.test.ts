/**
 * Untrusted input: whatever arrives, decoding returns or throws the codec's own error, never
 * anything else (no RangeError from a Buffer read, no TypeError). Inputs: random datagrams,
 * datagrams with a plausible header and random attributes aimed at the interesting numbers (26
 * with real vendors of every format, 241..246, 80), and valid packets with flipped, truncated,
 * spliced octets, re-signed so that attribute decoding is reached. And what decodes, encodes
 * back to the same attributes (or is refused with the codec's error).
 */
import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileDictionaries, type CompiledDictionary } from '../src/radius/dictionary/index.js';
import { importFile } from '../src/dictionary/freeradius/import-files.js';
import { messageAuthenticator, packetDigest } from '../src/radius/codec/authenticators.js';
import {
  decodeRequest,
  decodeResponse,
  encodePacket,
  encodeRequest,
  encodeResponse,
  PacketCode,
  RadiusCodecError,
  RadiusEncodeError,
  type AttributeInput,
  type DecodedAttribute,
  type DecodedPacket,
  type EncodedPacket,
} from '../src/radius/codec/index.js';
import { seed } from './support/seed.js';

/** FreeRADIUS's whole dictionary where it is installed (every vendor format, EVS, TLVs), else the seed set. */
function fuzzDictionary(): CompiledDictionary {
  if (fs.existsSync('/usr/share/freeradius/dictionary')) {
    const { entries } = importFile('/usr/share/freeradius/dictionary');
    return compileDictionaries([{ id: 'system~freeradius', rev: '1', name: 'freeradius', owner: 'system', value: entries }]);
  }
  return compileDictionaries(
    ['dictionary', 'dictionary_microsoft', 'dictionary_wimax', 'dictionary_cisco', 'dictionary_3gpp'].map((name) => seed(name)),
  );
}

const dictionary = fuzzDictionary();
/** RADIUS_CODEC_FUZZ_SCALE=100 runs a hundred times as many cases (a soak run; the default keeps the suite quick). */
const scale = Math.max(1, Number(process.env.RADIUS_CODEC_FUZZ_SCALE ?? '1'));
const runs = (count: number): { numRuns: number } => ({ numRuns: Math.round(count * scale) });
const timeout = 30_000 * scale;
const secret = 'fuzz';
const SECRET = Buffer.from(secret);
const CODES = [1, 2, 3, 4, 5, 11, 12, 40, 41, 42, 43, 44, 45];
const request: EncodedPacket = encodeRequest({
  code: PacketCode.AccessRequest,
  identifier: 1,
  secret,
  dictionary,
  attributes: { 'User-Name': 'x' },
});

/** Runs a decode; anything but success or a RadiusCodecError fails the property. */
function survives(run: () => unknown): DecodedPacket | undefined {
  try {
    return run() as DecodedPacket;
  } catch (error) {
    if (error instanceof RadiusCodecError) return undefined;
    throw error;
  }
}

function decodeEveryWay(bytes: Buffer): void {
  survives(() => decodeRequest(bytes, { secret, dictionary }));
  survives(() => decodeResponse(bytes, { secret, dictionary, request }));
  survives(() =>
    decodeResponse(bytes, {
      secret,
      dictionary,
      request: {
        code: bytes[0] === 5 ? 4 : bytes[0] === 44 || bytes[0] === 45 ? 43 : 1,
        identifier: bytes[1] ?? 0,
        authenticator: request.authenticator,
      },
    }),
  );
}

/** A well-formed attribute list of random content, aimed at the numbers with structure. */
const VENDORS = [9, 311, 429, 4846, 8164, 24757, 11344, 10415, 5535, 77777];
const attributeBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  // Any type, any value.
  fc
    .tuple(fc.integer({ min: 1, max: 255 }), fc.uint8Array({ maxLength: 60 }))
    .map(([type, value]) => Uint8Array.from([type, value.length + 2, ...value])),
  // Vendor-Specific: a real vendor id, then sub-attributes that may or may not fit its format.
  fc
    .tuple(
      fc.constantFrom(...VENDORS),
      fc.uint8Array({ maxLength: 60 }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 20 })), { maxLength: 4 }),
    )
    .map(([vendor, tail, subs]) => {
      const body = [...subs.flatMap(([type, value]) => [type, value.length + 2, ...value]), ...tail.slice(0, tail.length % 3)];
      const value = [0, (vendor >> 16) & 0xff, (vendor >> 8) & 0xff, vendor & 0xff, ...body].slice(0, 253);
      return Uint8Array.from([26, value.length + 2, ...value]);
    }),
  // WiMAX continuation: header 1,1 plus a flags octet with the More bit at random.
  fc
    .tuple(fc.integer({ min: 0, max: 255 }), fc.boolean(), fc.uint8Array({ maxLength: 40 }))
    .map(([type, more, value]) =>
      Uint8Array.from([26, 9 + value.length, 0, 0, 0x60, 0xb5, type, 3 + value.length, more ? 0x80 : 0, ...value]),
    ),
  // Extended and long-extended (More flag at random), EVS with a real vendor.
  fc
    .tuple(
      fc.integer({ min: 241, max: 246 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      fc.uint8Array({ maxLength: 40 }),
    )
    .map(([type, extended, flags, value]) => Uint8Array.from([type, value.length + 4, extended, flags, ...value])),
  fc
    .tuple(
      fc.integer({ min: 241, max: 246 }),
      fc.constantFrom(...VENDORS),
      fc.integer({ min: 0, max: 255 }),
      fc.uint8Array({ maxLength: 30 }),
    )
    .map(([type, vendor, vendorType, value]) => {
      const long = type >= 245;
      const header = long ? [26, 0] : [26];
      const body = [...header, 0, (vendor >> 16) & 0xff, (vendor >> 8) & 0xff, vendor & 0xff, vendorType, ...value];
      return Uint8Array.from([type, body.length + 2, ...body]);
    }),
  // TLV-typed standard attributes with a random inside.
  fc
    .tuple(fc.constantFrom(173, 179, 180, 187), fc.uint8Array({ maxLength: 30 }))
    .map(([type, value]) => Uint8Array.from([type, value.length + 2, ...value])),
);

function packetOf(code: number, identifier: number, attributes: readonly Uint8Array[]): Buffer {
  const body = Buffer.concat(attributes);
  const packet = Buffer.concat([Buffer.from([code, identifier, 0, 0]), request.authenticator, body]).subarray(0, 4096);
  packet.writeUInt16BE(packet.length, 2);
  return packet;
}

/** Makes every authenticator of a (mutated) packet right again, so decoding gets past them to the attributes. */
function resign(packet: Buffer, asResponseTo: Buffer | undefined): Buffer {
  const out = Buffer.from(packet);
  if (out.length < 20) return out;
  const length = Math.min(out.readUInt16BE(2), out.length);
  // Find the Message-Authenticator, if the framing lets us.
  let ma = -1;
  for (let offset = 20; offset + 2 <= length && (out[offset + 1] as number) >= 2; offset += out[offset + 1] as number) {
    if (out[offset] === 80 && out[offset + 1] === 18 && offset + 18 <= length) ma = offset + 2;
  }
  const random = out[0] === 1 || out[0] === 12;
  const authenticator = asResponseTo ?? (random ? out.subarray(4, 20) : Buffer.alloc(16));
  if (ma >= 0) messageAuthenticator(out, length, Buffer.from(authenticator), ma, SECRET).copy(out, ma);
  if (asResponseTo !== undefined || !random) packetDigest(out, length, authenticator, SECRET).copy(out, 4);
  return out;
}

interface Projected {
  readonly name: string;
  readonly value: unknown;
  readonly tag: number | undefined;
  readonly malformed: string | undefined;
}

function project(attributes: readonly DecodedAttribute[]): Projected[] {
  return attributes.map((attribute) => ({
    name: attribute.name,
    value:
      attribute.definition?.type === 'tlv' && Array.isArray(attribute.value)
        ? project(attribute.value as DecodedAttribute[])
        : attribute.value,
    tag: attribute.tag,
    malformed: attribute.malformed,
  }));
}

/**
 * Whatever decoded must encode back (or be refused by the codec) and decode to the same
 * attributes. Hidden values are re-keyed with what the original was keyed with: the packet's own
 * authenticator (Access-Request), zeros (other requests), or the request's (replies).
 */
function reencodes(decoded: DecodedPacket, asReply: boolean): void {
  const vector = asReply
    ? request.authenticator
    : decoded.code === PacketCode.AccessRequest || decoded.code === PacketCode.StatusServer
      ? decoded.authenticator
      : Buffer.alloc(16);
  let again: EncodedPacket;
  try {
    again = encodePacket({
      code: PacketCode.AccessRequest,
      identifier: 9,
      authenticator: vector,
      messageAuthenticator: false,
      secret,
      dictionary,
      attributes: decoded.attributes,
    });
  } catch (error) {
    if (error instanceof RadiusEncodeError) return;
    throw error;
  }
  expect(project(decodeRequest(again.bytes, { secret, dictionary }).attributes)).toEqual(project(decoded.attributes));
}

describe('decoding untrusted datagrams', () => {
  it(
    'random octets never throw anything but the codec error',
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 4200 }), (octets) => decodeEveryWay(Buffer.from(octets))),
        runs(3000),
      );
    },
    timeout,
  );

  it(
    'random octets behind a plausible header never throw anything but the codec error',
    () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...CODES),
          fc.integer({ min: 0, max: 255 }),
          fc.uint8Array({ maxLength: 600 }),
          fc.boolean(),
          (code, identifier, body, honest) => {
            const packet = packetOf(code, identifier, [body]);
            if (!honest) packet.writeUInt16BE(Math.max(0, packet.length - (body[0] ?? 0)), 2);
            decodeEveryWay(packet);
            decodeEveryWay(resign(packet, request.authenticator));
            decodeEveryWay(resign(packet, undefined));
          },
        ),
        runs(3000),
      );
    },
    timeout,
  );

  it(
    'well-framed random attributes (VSAs of every vendor format, WiMAX continuation, extended, EVS, TLVs) decode, raw where they make no sense',
    () => {
      fc.assert(
        fc.property(fc.array(attributeBytes, { minLength: 1, maxLength: 25 }), (attributes) => {
          // An Access-Request without Message-Authenticator has nothing to verify, so every one reaches the attribute decoder.
          const decoded = survives(() => decodeRequest(packetOf(PacketCode.AccessRequest, 7, attributes), { secret, dictionary }));
          if (decoded === undefined) return;
          for (const attribute of decoded.attributes) {
            expect(typeof attribute.name).toBe('string');
            if (attribute.definition === undefined) expect(attribute.name).toMatch(/^Attr-\d+(\.\d+)*$/);
          }
          reencodes(decoded, false);
          // The same attributes in signed packets of every other kind.
          for (const code of [PacketCode.AccountingRequest, PacketCode.CoaRequest])
            survives(() => decodeRequest(resign(packetOf(code, 7, attributes), undefined), { secret, dictionary }));
          survives(() =>
            decodeResponse(resign(packetOf(PacketCode.AccessAccept, 1, attributes), request.authenticator), {
              secret,
              dictionary,
              request,
            }),
          );
        }),
        runs(3000),
      );
    },
    timeout,
  );

  const rich: AttributeInput[] = [
    { name: 'User-Name', value: 'fuzz@example.org' },
    { name: 'User-Password', value: 'a password of some length' },
    { name: 'NAS-IP-Address', value: '192.0.2.1' },
    { name: 'Framed-IPv6-Prefix', value: '2001:db8::/48' },
    { name: 'Tunnel-Type', value: 'VLAN', tag: 3 },
    { name: 'Tunnel-Private-Group-Id', value: '\u0001vlan', tag: 3 },
    { name: 'EAP-Message', value: Buffer.alloc(400, 7) },
    { name: 'Cisco-AVPair', value: 'a=b' },
    { name: 'MS-MPPE-Send-Key', value: Buffer.alloc(32, 1) },
    { name: 'WiMAX-Release', value: '1.0' },
    { name: 'WiMAX-Accounting-Capabilities', value: 'IP-Session-Based' },
    { name: 'Frag-Status', value: 1 },
  ];
  const extra: AttributeInput[] = dictionary.attribute('USR-Channel')
    ? [
        { name: 'USR-Channel', value: 3 },
        { name: 'Lucent-Max-Shared-Users', value: 2 },
        { name: 'SN-VPN-Name', value: 'vpn' },
        { name: 'WiMAX-AAA-Session-Id', value: Buffer.alloc(500, 9) },
        { name: 'FreeRADIUS-802.1X-EAPoL-Key-Msg', value: Buffer.alloc(600, 3) },
        { name: 'Tunnel-Password', value: 'pw', tag: 1 },
      ]
    : [];
  const valid = [
    encodePacket({
      code: PacketCode.AccessRequest,
      identifier: 3,
      authenticator: request.authenticator,
      messageAuthenticator: false,
      secret,
      dictionary,
      attributes: [...rich, ...extra],
    }),
    encodeRequest({ code: PacketCode.AccessRequest, identifier: 4, secret, dictionary, attributes: [...rich, ...extra] }),
    encodeRequest({ code: PacketCode.AccountingRequest, identifier: 5, secret, dictionary, attributes: rich }),
    encodeResponse({ code: PacketCode.AccessAccept, request, secret, dictionary, attributes: [...rich, ...extra] }),
  ];

  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), offset: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), offset: fc.nat(), mask: fc.constant(0) }),
    fc.record({ kind: fc.constant('splice' as const), offset: fc.nat(), mask: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('length' as const), offset: fc.nat(), mask: fc.constant(0) }),
  );

  function mutate(bytes: Buffer, mutations: readonly { kind: string; offset: number; mask: number }[]): Buffer {
    let out = Buffer.from(bytes);
    for (const { kind, offset, mask } of mutations) {
      if (out.length === 0) break;
      const at = offset % out.length;
      if (kind === 'flip') out[at] = (out[at] as number) ^ mask;
      else if (kind === 'truncate') out = out.subarray(0, at);
      else if (kind === 'splice') out = Buffer.concat([out.subarray(0, at), out.subarray(at, at + mask), out.subarray(at)]);
      else if (out.length >= 4) out.writeUInt16BE(Math.min(out.length, 4096), 2);
    }
    return out;
  }

  it(
    'valid packets with flipped, truncated and spliced octets never throw anything but the codec error; re-signed, they decode as far as they can',
    () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...valid),
          fc.array(mutation, { minLength: 1, maxLength: 6 }),
          fc.boolean(),
          (packet, mutations, fixLength) => {
            let bytes = mutate(packet.bytes, mutations);
            if (fixLength && bytes.length >= 4) bytes.writeUInt16BE(Math.min(bytes.length, 4096), 2);
            decodeEveryWay(bytes);
            const isReply = packet.code === PacketCode.AccessAccept;
            bytes = resign(bytes, isReply ? request.authenticator : undefined);
            const decoded = isReply
              ? survives(() => decodeResponse(bytes, { secret, dictionary, request }))
              : survives(() => decodeRequest(bytes, { secret, dictionary }));
            if (decoded !== undefined) reencodes(decoded, isReply);
          },
        ),
        runs(4000),
      );
    },
    timeout,
  );

  it('valid packets decode and re-encode to the same attributes', () => {
    for (const packet of valid) {
      const decoded =
        packet.code === PacketCode.AccessAccept
          ? decodeResponse(packet.bytes, { secret, dictionary, request })
          : decodeRequest(packet.bytes, { secret, dictionary });
      expect(decoded.attributes.some((attribute) => attribute.malformed !== undefined)).toBe(false);
      reencodes(decoded, packet.code === PacketCode.AccessAccept);
    }
  });
});
