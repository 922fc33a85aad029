/**
 * Exact wire layouts of the formats (tags, prefixes, each vendor format, extended, long-extended
 * fragments, WiMAX continuation, concat), what a malformed attribute decodes to, every refusal
 * of the encoder, and the API's promises (inputs untouched, tenants' dictionaries independent).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compileDictionaries, type DictionarySource } from '../src/radius/dictionary/index.js';
import type { AttributeEntry, DictionaryEntry } from '../src/dictionary/dictionary-doc.js';
import { packetDigest } from '../src/radius/codec/authenticators.js';
import {
  decodeRequest,
  decodeResponse,
  encodePacket,
  encodeRequest,
  encodeResponse,
  findAttribute,
  findAttributes,
  PacketCode,
  RadiusCodecError,
  RadiusEncodeError,
  type AttributeInput,
  type AttributesInput,
  type DecodedAttribute,
} from '../src/radius/codec/index.js';
import { seed } from './support/seed.js';

function attr(name: string, vid: number, id: number, type: string, more: Partial<AttributeEntry['attr']> = {}): AttributeEntry {
  return { attr: { vid, id, type, name, enc: 'no', ...more } };
}

function custom(owner: string, value: DictionaryEntry[]): DictionarySource {
  return { id: `${owner}~custom`, rev: '1-a', name: 'custom', owner, value };
}

const formats = custom('acct', [
  { vendor: { Usr: 429 }, format: '4,0' },
  { vendor: { Lucent: 4846 }, format: '2,1' },
  { vendor: { Starent: 8164 }, format: '2,2' },
  attr('Usr-Channel', 429, 0xbf38, 'integer'),
  attr('Lucent-Users', 4846, 2, 'integer'),
  attr('Starent-Name', 8164, 2, 'string'),
  attr('Cui', 0, 89, 'string'),
  attr('Server-Side', 0, 1000, 'integer', { flags: { virtual: true } }),
  attr('Bool-Flag', 0, 230, 'bool'),
  attr('Prefix4', 0, 231, 'ipv4prefix'),
  attr('Stamp', 0, 232, 'date'),
  attr('Mac', 0, 233, 'ether'),
  attr('Tiny', 0, 234, 'byte'),
  attr('Ascend-Send-Secret', 0, 214, 'string', { enc: 'encrypt=3' }),
]);
const dictionary = compileDictionaries([
  formats,
  seed('dictionary'),
  seed('dictionary_cisco'),
  seed('dictionary_microsoft'),
  seed('dictionary_wimax'),
]);
const secret = 'values';
const AUTHENTICATOR = Buffer.alloc(16, 0x42);

/** The attribute octets (after the header and Message-Authenticator) of a fixed-authenticator Access-Request. */
function wire(attributes: AttributesInput): string {
  return encodePacket({
    code: PacketCode.AccessRequest,
    identifier: 1,
    authenticator: AUTHENTICATOR,
    messageAuthenticator: false,
    secret,
    dictionary,
    attributes,
  })
    .bytes.subarray(20)
    .toString('hex');
}

/** An Access-Request around raw attribute octets, decoded. */
function decodeWire(hex: string): DecodedAttribute[] {
  const body = Buffer.from(hex.replace(/\s+/g, ''), 'hex');
  const packet = Buffer.concat([Buffer.from([1, 1, 0, 0]), AUTHENTICATOR, body]);
  packet.writeUInt16BE(packet.length, 2);
  return decodeRequest(packet, { secret, dictionary }).attributes;
}

function pairs(attributes: readonly DecodedAttribute[]): unknown[] {
  return attributes.map((attribute) =>
    attribute.malformed === undefined
      ? [attribute.name, attribute.value, attribute.tag]
      : [attribute.name, attribute.value, attribute.malformed],
  );
}

function encodeError(attributes: AttributesInput): RadiusEncodeError {
  try {
    wire(attributes);
  } catch (error) {
    if (error instanceof RadiusEncodeError) return error;
    throw error;
  }
  throw new Error('expected a RadiusEncodeError');
}

describe('wire layouts', () => {
  it('tags: the high octet of an integer, a leading octet of a string (0 when the string itself starts below 0x20)', () => {
    expect(wire([{ name: 'Tunnel-Type', value: 'L2TP', tag: 1 }])).toBe('40060100' + '0003');
    expect(wire([{ name: 'Tunnel-Type', value: 'L2TP' }])).toBe('4006' + '00000003');
    expect(wire([{ name: 'Tunnel-Private-Group-Id', value: 'vlan', tag: 5 }])).toBe('5107' + '05' + '766c616e');
    expect(wire([{ name: 'Tunnel-Private-Group-Id', value: 'vlan' }])).toBe('5106' + '766c616e');
    expect(wire([{ name: 'Tunnel-Private-Group-Id', value: '\u0005x' }])).toBe('5105' + '00' + '0578');
    expect(pairs(decodeWire('5105 00 0578'))).toEqual([['Tunnel-Private-Group-Id', '\u0005x', undefined]]);
    expect(pairs(decodeWire('5103 05'))).toEqual([['Tunnel-Private-Group-Id', '\u0005', undefined]]);
  });

  it('Tunnel-Password: tag, salt with its high bit set, hidden length + password padded to 16 (RFC 2868 §3.5)', () => {
    const bytes = Buffer.from(wire([{ name: 'Tunnel-Password', value: 'pw', tag: 2 }]), 'hex');
    expect(bytes[0]).toBe(69);
    expect(bytes[1]).toBe(2 + 1 + 2 + 16);
    expect(bytes[2]).toBe(2);
    expect((bytes[3] as number) & 0x80).toBe(0x80);
  });

  it('Ascend-Send-Secret (encrypt=3): the value zero padded to 16 octets XOR MD5(vector + secret), vector first', () => {
    const key = createHash('md5').update(AUTHENTICATOR).update(secret).digest();
    const plain = Buffer.alloc(16);
    plain.write('ascend');
    const hidden = Buffer.from(plain.map((octet, index) => octet ^ (key[index] as number)));
    expect(wire({ 'Ascend-Send-Secret': 'ascend' })).toBe(`d612${hidden.toString('hex')}`);
    expect(pairs(decodeWire(`d612${hidden.toString('hex')}`))).toEqual([['Ascend-Send-Secret', 'ascend', undefined]]);
  });

  it('prefixes: Reserved, Prefix-Length, address (IPv6 sent whole, read in any length RFC 3162 allows)', () => {
    expect(wire({ Prefix4: '10.0.0.0/8' })).toBe('e708' + '0008' + '0a000000');
    expect(wire({ 'Framed-IPv6-Prefix': '2001:db8::/32' })).toBe(`6114002020010db8${'00'.repeat(12)}`);
    expect(pairs(decodeWire('610c 0040 20010db800000000'))).toEqual([['Framed-IPv6-Prefix', '2001:db8::/64', undefined]]);
  });

  it('each vendor format: 1,1 (several VSAs per attribute 26 decode), 4,0, 2,1, 2,2', () => {
    expect(wire({ 'Cisco-AVPair': 'a=b' })).toBe('1a0b' + '00000009' + '0105' + '613d62');
    expect(wire({ 'Usr-Channel': 5 })).toBe('1a0e' + '000001ad' + '0000bf38' + '00000005');
    expect(wire({ 'Lucent-Users': 3 })).toBe('1a0d' + '000012ee' + '0002' + '07' + '00000003');
    expect(wire({ 'Starent-Name': 'vpn' })).toBe('1a0d' + '00001fe4' + '0002' + '0007' + '76706e');
    expect(pairs(decodeWire('1a12 00000009 0105 613d62 0207 4173796e63'))).toEqual([
      ['Cisco-AVPair', 'a=b', undefined],
      ['Cisco-NAS-Port', 'Async', undefined],
    ]);
  });

  it('WiMAX continuation: the vendor header repeated, the C flag on every piece but the last', () => {
    const value = Buffer.alloc(300, 0x61);
    const bytes = Buffer.from(wire({ 'WiMAX-AAA-Session-Id': value }), 'hex');
    expect([bytes[0], bytes[1], bytes.readUInt32BE(2), bytes[6], bytes[7], bytes[8]]).toEqual([26, 255, 24757, 4, 249, 0x80]);
    const second = bytes.subarray(255);
    expect([second[0], second[1], second.readUInt32BE(2), second[6], second[7], second[8]]).toEqual([26, 9 + 54, 24757, 4, 3 + 54, 0]);
    expect(pairs(decodeWire(bytes.toString('hex')))).toEqual([['WiMAX-AAA-Session-Id', value, undefined]]);
  });

  it('extended (RFC 6929 §2.1) and long-extended fragments with the More flag (§2.2)', () => {
    expect(wire({ 'Frag-Status': 1 })).toBe('f107' + '01' + '00000001');
    const bytes = Buffer.from(wire({ 'Attr-245.99': Buffer.alloc(300, 0x11) }), 'hex');
    expect([bytes[0], bytes[1], bytes[2], bytes[3]]).toEqual([245, 255, 99, 0x80]);
    expect([bytes[255], bytes[256], bytes[257], bytes[258]]).toEqual([245, 4 + 49, 99, 0]);
    expect(pairs(decodeWire(bytes.toString('hex')))).toEqual([['Attr-245.99', Buffer.alloc(300, 0x11), undefined]]);
  });

  it('concat: EAP-Message over 253 octets split into consecutive attributes, joined on decode', () => {
    const value = Buffer.alloc(300, 0x02);
    const hex = wire({ 'EAP-Message': value });
    expect(hex.slice(0, 4)).toBe('4fff');
    expect(hex.slice(510, 514)).toBe('4f31');
    expect(pairs(decodeWire(hex))).toEqual([['EAP-Message', value, undefined]]);
  });

  it('sends and reads Chargeable-User-Identity empty (RFC 4372); nothing else empty is sent, or read but raw', () => {
    expect(wire({ Cui: '' })).toBe('5902');
    expect(pairs(decodeWire('5902'))).toEqual([['Cui', '', undefined]]);
    expect(encodeError({ 'User-Name': '' }).reason).toBe('invalid-value');
    expect(pairs(decodeWire('0102'))).toEqual([['Attr-1', Buffer.alloc(0), 'User-Name: an empty value']]);
  });
});

describe('malformed attributes decode raw, with the reason', () => {
  it('values that do not fit their type', () => {
    expect(pairs(decodeWire('0505 000003'))).toEqual([
      ['Attr-5', Buffer.from('000003', 'hex'), 'NAS-Port: 3 octets is not a valid integer'],
    ]);
    expect(pairs(decodeWire('0407 c0000201 01'))[0]).toMatchObject([
      'Attr-4',
      expect.any(Buffer),
      expect.stringMatching(/^NAS-IP-Address/),
    ]);
    expect(pairs(decodeWire('e708 0008 0a000001'))[0]).toMatchObject(['Attr-231', expect.any(Buffer), expect.stringMatching(/^Prefix4/)]);
    expect(pairs(decodeWire('e603 02'))[0]).toMatchObject(['Attr-230', expect.any(Buffer), expect.stringMatching(/^Bool-Flag/)]);
    expect(pairs(decodeWire(`0213 ${'00'.repeat(17)}`))[0]).toMatchObject([
      'Attr-2',
      expect.any(Buffer),
      expect.stringMatching(/encrypt=1/),
    ]);
  });

  it('Vendor-Specific attributes that do not fit their format, or no vendor at all', () => {
    expect(pairs(decodeWire('1a0a 00000009 0109 6162'))).toEqual([
      ['Attr-26', Buffer.from('0000000901096162', 'hex'), expect.stringMatching(/do not fit format 1,1/)],
    ]);
    expect(pairs(decodeWire('1a08 01000009 0102'))[0]).toMatchObject(['Attr-26', expect.any(Buffer), expect.stringMatching(/24 bits/)]);
    expect(decodeWire('1a05 000000')[0]?.name).toBe('Attr-26');
    expect(pairs(decodeWire('1a09 0000fde8 0103 61'))).toEqual([['Attr-26.65000.1', Buffer.from('61', 'hex'), undefined]]);
  });

  it('TLVs that do not parse, unknown children, broken fragment chains', () => {
    // IPv6-6rd-Configuration (173) with a child Length running past its parent.
    expect(pairs(decodeWire('ad06 0109 0000'))[0]).toMatchObject([
      'Attr-173',
      expect.any(Buffer),
      expect.stringMatching(/TLVs do not parse/),
    ]);
    const children = decodeWire('ad0a 0106 00000010 6302')[0];
    expect(children?.name).toBe('IPv6-6rd-Configuration');
    expect(pairs(children?.value as DecodedAttribute[])).toEqual([
      ['IPv6-6rd-IPv4MaskLen', 16, undefined],
      ['Attr-173.99', Buffer.alloc(0), undefined],
    ]);
    expect(pairs(decodeWire('f506 63 80 1111'))).toEqual([
      ['Attr-245', Buffer.from('63801111', 'hex'), expect.stringMatching(/'More' is set/)],
    ]);
    expect(pairs(decodeWire('f102'))).toEqual([['Attr-241', Buffer.alloc(0), expect.stringMatching(/no room/)]]);
  });

  it('a hidden fixed-size value revealed with the wrong secret is raw, not garbage (its padding is not zeros)', () => {
    const sent = encodePacket({
      code: PacketCode.AccessRequest,
      identifier: 1,
      authenticator: AUTHENTICATOR,
      messageAuthenticator: false,
      secret,
      dictionary,
      attributes: { 'MS-CHAP-MPPE-Keys': Buffer.alloc(24, 7) },
    });
    expect(pairs(decodeRequest(sent.bytes, { secret, dictionary }).attributes)).toEqual([
      ['MS-CHAP-MPPE-Keys', Buffer.alloc(24, 7), undefined],
    ]);
    const wrong = decodeRequest(sent.bytes, { secret: 'not it', dictionary }).attributes[0];
    expect(wrong).toMatchObject({ name: 'Attr-26.311.12', malformed: expect.stringMatching(/encrypt=1/) });
  });

  it('unknown attributes keep their number and octets', () => {
    expect(pairs(decodeWire('fa04 0102 f104 c8ff'))).toEqual([
      ['Attr-250', Buffer.from('0102', 'hex'), undefined],
      ['Attr-241.200', Buffer.from('ff', 'hex'), undefined],
    ]);
  });

  it('frames that RADIUS says to drop are errors, not attributes', () => {
    expect(() => decodeWire('0101')).toThrow(expect.objectContaining({ reason: 'bad-attribute-length', offset: 21 }));
    expect(() => decodeWire('0100')).toThrow(expect.objectContaining({ reason: 'bad-attribute-length' }));
    expect(() => decodeWire('0109 6162')).toThrow(expect.objectContaining({ reason: 'attribute-overflow' }));
    expect(() => decodeWire('01')).toThrow(expect.objectContaining({ reason: 'bad-attribute-length' }));
  });
});

describe('the encoder refuses, naming the attribute', () => {
  const refusals: [string, AttributesInput, string][] = [
    ['an unknown name', { 'No-Such-Attribute': 1 }, 'unknown-attribute'],
    ['a value name the attribute does not have', { 'Service-Type': 'Teleport-User' }, 'invalid-value'],
    ['text for an integer', { 'NAS-Port': 'twelve' }, 'invalid-value'],
    ['a fraction for an integer', { 'NAS-Port': 1.5 }, 'invalid-value'],
    ['a byte over 255', { Tiny: 256 }, 'invalid-value'],
    ['a negative unsigned integer', { 'NAS-Port': -1 }, 'invalid-value'],
    ['a malformed IPv4 address', { 'NAS-IP-Address': '1.2.3' }, 'invalid-value'],
    ['an IPv4 octet over 255', { 'NAS-IP-Address': '1.2.3.256' }, 'invalid-value'],
    ['an IPv6 address with two ::', { 'NAS-IPv6-Address': '1::2::3' }, 'invalid-value'],
    ['a prefix with host bits set', { Prefix4: '10.0.0.1/8' }, 'invalid-value'],
    ['a prefix length over 32', { Prefix4: '10.0.0.0/33' }, 'invalid-value'],
    ['a MAC address with 5 octets', { Mac: '00:11:22:33:44' }, 'invalid-value'],
    ['a boolean that is not', { 'Bool-Flag': 'maybe' }, 'invalid-value'],
    ['a date before 1970', { Stamp: new Date('1969-12-31T23:59:59Z') }, 'invalid-value'],
    ['an unparsable date', { Stamp: 'yesterday' }, 'invalid-value'],
    ['octets with bad hex', { Class: '0x123' }, 'invalid-value'],
    ['a wrong fixed length', { 'MS-CHAP-MPPE-Keys': Buffer.alloc(23) }, 'invalid-value'],
    ['an object for a string', { 'User-Name': { nested: 'x' } }, 'invalid-value'],
    ['a list for a single value', [{ name: 'User-Name', value: ['a', 'b'] }], 'invalid-value'],
    ['a tag on an untagged attribute', [{ name: 'User-Name', value: 'x', tag: 1 }], 'invalid-tag'],
    ['a tag over 31', [{ name: 'Tunnel-Type', value: 'L2TP', tag: 32 }], 'invalid-tag'],
    ['a tagged integer over 24 bits', [{ name: 'Tunnel-Preference', value: 0x0100_0000, tag: 1 }], 'invalid-value'],
    ['an untagged integer that would read as tagged', [{ name: 'Tunnel-Preference', value: 0x0100_0000 }], 'invalid-value'],
    ['a password ending in a zero octet', { 'User-Password': 'pw\u0000' }, 'invalid-value'],
    ['a server-side (virtual) attribute', { 'Server-Side': 1 }, 'unsupported'],
    ['a Message-Authenticator given by hand', { 'Message-Authenticator': Buffer.alloc(16) }, 'invalid-value'],
    ['a child outside its TLV', [{ name: 'WiMAX-Capability', value: [{ name: 'User-Name', value: 'x' }] }], 'invalid-value'],
    ['a raw number past 255', { 'Attr-256': Buffer.alloc(1) }, 'unsupported'],
    ['a raw attribute given text', { 'Attr-250': 'text' }, 'invalid-value'],
    ['an entry without a name', [{ value: 'x' } as unknown as AttributeInput], 'invalid-value'],
  ];

  for (const [what, attributes, reason] of refusals) {
    it(what, () => {
      const error = encodeError(attributes);
      expect(error.reason).toBe(reason);
      expect(error.message.length).toBeGreaterThan(10);
    });
  }

  it('names the attribute in the error', () => {
    expect(encodeError({ 'NAS-Port': 'twelve' })).toMatchObject({ attribute: 'NAS-Port', message: expect.stringMatching(/^NAS-Port: /) });
    expect(encodeError({ 'No-Such-Attribute': 1 })).toMatchObject({ attribute: 'No-Such-Attribute' });
  });

  it('refuses bad packet arguments', () => {
    const options = { secret, dictionary, attributes: {} };
    expect(() => encodeRequest({ ...options, code: PacketCode.AccessRequest, identifier: 256 })).toThrow(
      expect.objectContaining({ reason: 'invalid-packet' }),
    );
    expect(() => encodeRequest({ ...options, code: PacketCode.AccessAccept, identifier: 1 })).toThrow(
      expect.objectContaining({ reason: 'invalid-packet' }),
    );
    expect(() => encodeRequest({ ...options, code: PacketCode.AccountingRequest, identifier: 1, authenticator: AUTHENTICATOR })).toThrow(
      expect.objectContaining({ reason: 'invalid-packet' }),
    );
    expect(() => encodeRequest({ ...options, code: PacketCode.AccessRequest, identifier: 1, authenticator: Buffer.alloc(15) })).toThrow(
      RadiusCodecError,
    );
    expect(() => encodeRequest({ ...options, secret: '', code: PacketCode.AccessRequest, identifier: 1 })).toThrow(RadiusCodecError);
    expect(() => decodeRequest(Buffer.alloc(20), { secret: '', dictionary })).toThrow(RadiusCodecError);
  });
});

describe('API promises', () => {
  it('never changes its inputs', () => {
    const attributes: AttributeInput[] = [
      { name: 'User-Name', value: 'bob' },
      { name: 'Tunnel-Password', value: 'pw', tag: 1 },
      { name: 'WiMAX-Capability', value: [{ name: 'WiMAX-Release', value: '1.0' }] },
      { name: 'EAP-Message', value: Buffer.alloc(300, 9) },
      { name: 'Cisco-AVPair', value: 'x=y' },
    ];
    const record = { 'User-Name': 'bob', 'Cisco-AVPair': ['a=b', 'c=d'], 'WiMAX-Capability': { 'WiMAX-Release': '2.0' } };
    // JSON keeps Buffers as octets, so the snapshot sees a change to any of them.
    const before = JSON.stringify({ attributes, record });
    for (const value of [attributes, record, ...attributes, record['Cisco-AVPair'], record['WiMAX-Capability']]) Object.freeze(value);
    const access = encodeRequest({ code: PacketCode.AccessRequest, identifier: 1, secret, dictionary, attributes });
    encodeRequest({ code: PacketCode.AccessRequest, identifier: 2, secret, dictionary, attributes: record });
    encodeResponse({ code: PacketCode.AccessAccept, request: access, secret, dictionary, attributes });
    expect(JSON.stringify({ attributes, record })).toBe(before);
    const requestBytes = Buffer.from(access.bytes);
    decodeRequest(access.bytes, { secret, dictionary });
    expect(access.bytes).toEqual(requestBytes);
  });

  it('record form: an array is several attributes, names are case-insensitive, TLV children by record', () => {
    const request = encodeRequest({
      code: PacketCode.AccessRequest,
      identifier: 1,
      secret,
      dictionary,
      attributes: {
        'user-name': 'bob',
        'Cisco-AVPair': ['a=b', 'c=d'],
        'WiMAX-Capability': { 'WiMAX-Release': '2.0', 'WiMAX-Accounting-Capabilities': 1 },
      },
    });
    const decoded = decodeRequest(request.bytes, { secret, dictionary }).attributes;
    expect(findAttribute(decoded, 'USER-NAME')?.value).toBe('bob');
    expect(findAttributes(decoded, 'Cisco-AVPair').map((attribute) => attribute.value)).toEqual(['a=b', 'c=d']);
    expect(findAttribute(decoded, 'WiMAX-Accounting-Capabilities')?.value).toBe('IP-Session-Based');
  });

  it('decoded attributes can be sent again as they are (a proxy, or a responder echoing Proxy-State)', () => {
    const request = encodeRequest({
      code: PacketCode.AccessRequest,
      identifier: 1,
      secret,
      dictionary,
      attributes: { 'Proxy-State': Buffer.from('ps1'), 'Attr-250': Buffer.from('??') },
    });
    const received = decodeRequest(request.bytes, { secret, dictionary });
    const reply = encodeResponse({ code: PacketCode.AccessReject, request: received, secret, dictionary, attributes: received.attributes });
    expect(pairs(decodeResponse(reply.bytes, { secret, dictionary, request }).attributes)).toEqual([
      ['Proxy-State', Buffer.from('ps1'), undefined],
      ['Attr-250', Buffer.from('??'), undefined],
    ]);
  });

  it('keeps tenants apart: one name, two dictionaries, two meanings, no shared state', () => {
    const tenantA = compileDictionaries([
      custom('acct-a', [
        { vendor: { Acme: 9999 } },
        attr('Acme-Speed', 9999, 1, 'integer'),
        { val: { attr: 'Acme-Speed', name: 'Fast', val: 1 } },
      ]),
    ]);
    const tenantB = compileDictionaries([custom('acct-b', [attr('Acme-Speed', 0, 240, 'string')])]);
    const a = encodeRequest({
      code: PacketCode.AccountingRequest,
      identifier: 1,
      secret,
      dictionary: tenantA,
      attributes: { 'Acme-Speed': 'Fast' },
    });
    const b = encodeRequest({
      code: PacketCode.AccountingRequest,
      identifier: 1,
      secret,
      dictionary: tenantB,
      attributes: { 'Acme-Speed': 'Fast' },
    });
    expect(a.bytes.subarray(20).toString('hex')).toBe('1a0c0000270f010600000001');
    expect(b.bytes.subarray(20).toString('hex')).toBe('f00646617374');
    expect(pairs(decodeRequest(a.bytes, { secret, dictionary: tenantA }).attributes)).toEqual([['Acme-Speed', 'Fast', undefined]]);
    expect(pairs(decodeRequest(a.bytes, { secret, dictionary: tenantB }).attributes)).toEqual([
      ['Attr-26.9999.1', Buffer.from('00000001', 'hex'), undefined],
    ]);
  });

  it('a reply keeps working when the secret is given as octets', () => {
    const octets = Buffer.from([0xff, 0x00, 0x80]);
    const request = encodeRequest({
      code: PacketCode.AccountingRequest,
      identifier: 3,
      secret: octets,
      dictionary,
      attributes: { 'Acct-Status-Type': 'Start' },
    });
    expect(decodeRequest(request.bytes, { secret: octets, dictionary }).attributes).toHaveLength(1);
    expect(packetDigest(request.bytes, request.bytes.length, Buffer.alloc(16), octets)).toEqual(request.authenticator);
  });
});
