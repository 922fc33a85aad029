/**
 * Authenticity: Message-Authenticator placement (BlastRADIUS), every authenticator of every code,
 * and that any single-octet change anywhere in a signed packet is caught.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileDictionaries } from '../src/radius/dictionary/index.js';
import {
  decodeRequest,
  decodeResponse,
  encodePacket,
  encodeRequest,
  encodeResponse,
  PacketCode,
  RadiusCodecError,
  RadiusDecodeError,
  RadiusEncodeError,
  readHeader,
  type AttributeInput,
  type EncodedPacket,
} from '../src/radius/codec/index.js';
import { seed } from './support/seed.js';

const dictionary = compileDictionaries([
  seed('dictionary'),
  seed('dictionary_cisco'),
  seed('dictionary_microsoft'),
  seed('dictionary_wimax'),
]);
const secret = 'auth-test-secret';

function decodeError(run: () => unknown): RadiusDecodeError {
  try {
    run();
  } catch (error) {
    if (error instanceof RadiusDecodeError) return error;
    throw error;
  }
  throw new Error('expected a RadiusDecodeError');
}

const requestAttributes: AttributeInput[] = [
  { name: 'User-Name', value: 'dave' },
  { name: 'User-Password', value: 'correct horse' },
  { name: 'NAS-IP-Address', value: '192.0.2.10' },
  { name: 'Cisco-AVPair', value: 'ip:addr-pool=p1' },
];

const replyAttributes: AttributeInput[] = [
  { name: 'Reply-Message', value: 'hello' },
  { name: 'Tunnel-Type', value: 'L2TP', tag: 1 },
  { name: 'Tunnel-Password', value: 'tunnel secret', tag: 1 },
  { name: 'MS-MPPE-Send-Key', value: Buffer.alloc(32, 0x5a) },
  { name: 'WiMAX-Release', value: '2.1' },
];

describe('Message-Authenticator placement', () => {
  it('is the first attribute of every Access-Request and Status-Server, whatever else is in it', () => {
    const names = ['User-Name', 'NAS-Identifier', 'Calling-Station-Id', 'Reply-Message', 'Cisco-AVPair', 'Filter-Id'];
    fc.assert(
      fc.property(
        fc.constantFrom(PacketCode.AccessRequest, PacketCode.StatusServer),
        fc.array(
          fc.record({
            name: fc.constantFrom(...names),
            value: fc.string({ minLength: 1, maxLength: 30 }).filter((text) => text.charCodeAt(0) >= 0x20),
          }),
          { maxLength: 12 },
        ),
        (code, attributes) => {
          const packet = encodeRequest({ code, identifier: 1, secret, dictionary, attributes });
          expect(packet.bytes[20]).toBe(80);
          expect(packet.bytes[21]).toBe(18);
          const decoded = decodeRequest(packet.bytes, { secret, dictionary, requireMessageAuthenticator: true });
          expect(decoded.messageAuthenticator).toBe('valid');
          expect(decoded.attributes.map((attribute) => attribute.value)).toEqual(attributes.map((attribute) => attribute.value));
        },
      ),
    );
  });

  it('cannot be left out of an Access-Request or Status-Server, nor given as an attribute', () => {
    expect(() =>
      encodeRequest({ code: PacketCode.AccessRequest, identifier: 1, secret, dictionary, attributes: {}, messageAuthenticator: false }),
    ).toThrow(RadiusEncodeError);
    expect(() =>
      encodeRequest({
        code: PacketCode.AccessRequest,
        identifier: 1,
        secret,
        dictionary,
        attributes: { 'Message-Authenticator': Buffer.alloc(16) },
      }),
    ).toThrow(/computed by the codec/);
  });

  it('is first in replies to Access-Request by default, and optional (first) in other requests and replies', () => {
    const access = encodeRequest({ code: PacketCode.AccessRequest, identifier: 5, secret, dictionary, attributes: requestAttributes });
    expect(encodeResponse({ code: PacketCode.AccessReject, request: access, secret, dictionary, attributes: {} }).bytes[20]).toBe(80);

    const accounting = encodeRequest({
      code: PacketCode.AccountingRequest,
      identifier: 6,
      secret,
      dictionary,
      attributes: { 'Acct-Status-Type': 'Start' },
    });
    expect(accounting.bytes[20]).not.toBe(80);
    expect(
      encodeResponse({ code: PacketCode.AccountingResponse, request: accounting, secret, dictionary, attributes: {} }).bytes.length,
    ).toBe(20);

    const coa = encodeRequest({
      code: PacketCode.CoaRequest,
      identifier: 7,
      secret,
      dictionary,
      messageAuthenticator: true,
      attributes: { 'User-Name': 'dave' },
    });
    expect(coa.bytes[20]).toBe(80);
    const request = decodeRequest(coa.bytes, { secret, dictionary, requireMessageAuthenticator: true });
    expect(request.messageAuthenticator).toBe('valid');
    const ack = encodeResponse({ code: PacketCode.CoaAck, request, secret, dictionary, messageAuthenticator: true, attributes: {} });
    expect(decodeResponse(ack.bytes, { secret, dictionary, request: coa, requireMessageAuthenticator: true }).messageAuthenticator).toBe(
      'valid',
    );
  });

  it('is required of Status-Server, and of Access-Request when the responder asks', () => {
    const bare = encodePacket({
      code: PacketCode.StatusServer,
      identifier: 1,
      authenticator: Buffer.alloc(16, 1),
      messageAuthenticator: false,
      secret,
      dictionary,
      attributes: {},
    });
    expect(decodeError(() => decodeRequest(bare.bytes, { secret, dictionary })).reason).toBe('missing-message-authenticator');
    const access = encodePacket({
      code: PacketCode.AccessRequest,
      identifier: 1,
      authenticator: Buffer.alloc(16, 1),
      messageAuthenticator: false,
      secret,
      dictionary,
      attributes: { 'User-Name': 'x' },
    });
    expect(decodeRequest(access.bytes, { secret, dictionary }).messageAuthenticator).toBe('absent');
    expect(decodeError(() => decodeRequest(access.bytes, { secret, dictionary, requireMessageAuthenticator: true })).reason).toBe(
      'missing-message-authenticator',
    );
  });

  it('refuses a second Message-Authenticator and one of the wrong length', () => {
    const packet = encodePacket({
      code: PacketCode.AccessRequest,
      identifier: 1,
      authenticator: Buffer.alloc(16, 2),
      messageAuthenticator: true,
      secret,
      dictionary,
      attributes: {},
    });
    const twice = Buffer.concat([packet.bytes, packet.bytes.subarray(20, 38)]);
    twice.writeUInt16BE(twice.length, 2);
    expect(decodeError(() => decodeRequest(twice, { secret, dictionary })).reason).toBe('duplicate-message-authenticator');
    const short = Buffer.concat([packet.bytes.subarray(0, 20), Buffer.from([80, 4, 0, 0])]);
    short.writeUInt16BE(short.length, 2);
    expect(decodeError(() => decodeRequest(short, { secret, dictionary })).reason).toBe('bad-message-authenticator-length');
  });
});

/** Every packet position, flipped three ways: every change must be refused. */
function expectEveryTamperRefused(bytes: Buffer, decode: (bytes: Buffer) => unknown): number {
  let refused = 0;
  for (let offset = 0; offset < bytes.length; offset += 1) {
    for (const mask of [0x01, 0x80, 0xff]) {
      const tampered = Buffer.from(bytes);
      tampered[offset] = (tampered[offset] as number) ^ mask;
      const error = decodeError(() => decode(tampered));
      expect(error).toBeInstanceOf(RadiusCodecError);
      refused += 1;
    }
  }
  return refused;
}

describe('tampering', () => {
  const cases: [string, () => { request: EncodedPacket; reply: EncodedPacket; requireMessageAuthenticator: boolean }][] = [
    [
      'Access-Accept with Message-Authenticator, tags, hidden values, VSAs',
      () => {
        const request = encodeRequest({
          code: PacketCode.AccessRequest,
          identifier: 200,
          secret,
          dictionary,
          attributes: requestAttributes,
        });
        return {
          request,
          reply: encodeResponse({ code: PacketCode.AccessAccept, request, secret, dictionary, attributes: replyAttributes }),
          requireMessageAuthenticator: true,
        };
      },
    ],
    [
      'Access-Challenge without Message-Authenticator',
      () => {
        const request = encodeRequest({ code: PacketCode.AccessRequest, identifier: 3, secret, dictionary, attributes: requestAttributes });
        return {
          request,
          reply: encodeResponse({
            code: PacketCode.AccessChallenge,
            request,
            secret,
            dictionary,
            messageAuthenticator: false,
            attributes: { State: Buffer.from('state-1'), 'Reply-Message': 'PIN?' },
          }),
          requireMessageAuthenticator: false,
        };
      },
    ],
    [
      'Accounting-Response',
      () => {
        const request = encodeRequest({
          code: PacketCode.AccountingRequest,
          identifier: 4,
          secret,
          dictionary,
          attributes: { 'Acct-Status-Type': 'Interim-Update', 'Acct-Session-Id': 's1' },
        });
        return {
          request,
          reply: encodeResponse({
            code: PacketCode.AccountingResponse,
            request,
            secret,
            dictionary,
            attributes: { 'Reply-Message': 'ok' },
          }),
          requireMessageAuthenticator: false,
        };
      },
    ],
    [
      'Disconnect-NAK with Error-Cause and Message-Authenticator',
      () => {
        const request = encodeRequest({
          code: PacketCode.DisconnectRequest,
          identifier: 9,
          secret,
          dictionary,
          messageAuthenticator: true,
          attributes: { 'Acct-Session-Id': 's1' },
        });
        return {
          request,
          reply: encodeResponse({
            code: PacketCode.DisconnectNak,
            request,
            secret,
            dictionary,
            messageAuthenticator: true,
            attributes: { 'Error-Cause': 'Session-Context-Not-Found' },
          }),
          requireMessageAuthenticator: true,
        };
      },
    ],
  ];

  for (const [title, make] of cases) {
    it(`catches a change to any octet of an ${title}`, () => {
      const { request, reply, requireMessageAuthenticator } = make();
      const decode = (bytes: Buffer): unknown => decodeResponse(bytes, { secret, dictionary, request, requireMessageAuthenticator });
      // The untouched reply is fine, and every one of its octets matters.
      expect(() => decode(reply.bytes)).not.toThrow();
      expect(expectEveryTamperRefused(reply.bytes, decode)).toBe(reply.bytes.length * 3);
    });
  }

  it('tells which check failed: header, Response Authenticator, Message-Authenticator', () => {
    const { request, reply } = (cases[0] as (typeof cases)[number])[1]();
    const decode = (bytes: Buffer): RadiusDecodeError => decodeError(() => decodeResponse(bytes, { secret, dictionary, request }));
    const at = (offset: number, mask = 0x01): Buffer => {
      const tampered = Buffer.from(reply.bytes);
      tampered[offset] = (tampered[offset] as number) ^ mask;
      return tampered;
    };
    // Access-Accept (2) to Access-Reject (3) is still a reply to an Access-Request: the authenticator catches it.
    expect(decode(at(0)).reason).toBe('bad-response-authenticator');
    expect(decode(at(0, 0x07)).reason).toBe('unexpected-code');
    expect(decode(at(0, 0x80)).reason).toBe('unknown-code');
    expect(decode(at(1)).reason).toBe('identifier-mismatch');
    expect(['truncated', 'bad-response-authenticator']).toContain(decode(at(3)).reason);
    expect(decode(at(10)).reason).toBe('bad-response-authenticator');
    expect(decode(at(30)).reason).toBe('bad-response-authenticator');
    expect(decode(at(reply.bytes.length - 1)).reason).toBe('bad-response-authenticator');
    // A forger who recomputes the Response Authenticator (knowing the secret) still needs the MAC:
    // what protects the reply without the secret is both together.
    expect(decodeError(() => decodeResponse(reply.bytes, { secret: `${secret}!`, dictionary, request })).authentication).toBe(true);
  });

  it('catches a change to any octet of a signed request (Access-Request with Message-Authenticator, Accounting-Request, CoA-Request)', () => {
    // An Access-Request without a Message-Authenticator cannot be checked at all, so a responder
    // must require one (BlastRADIUS): flipping its type octet then removes it, and is refused.
    const requests: [EncodedPacket, boolean][] = [
      [encodeRequest({ code: PacketCode.AccessRequest, identifier: 1, secret, dictionary, attributes: requestAttributes }), true],
      [
        encodeRequest({ code: PacketCode.StatusServer, identifier: 2, secret, dictionary, attributes: { 'NAS-Identifier': 'probe' } }),
        false,
      ],
      [
        encodeRequest({
          code: PacketCode.AccountingRequest,
          identifier: 3,
          secret,
          dictionary,
          attributes: { 'Acct-Status-Type': 'Stop', 'Acct-Session-Time': 99 },
        }),
        false,
      ],
      [
        encodeRequest({
          code: PacketCode.CoaRequest,
          identifier: 4,
          secret,
          dictionary,
          attributes: { 'User-Name': 'dave', 'Session-Timeout': 10 },
        }),
        false,
      ],
    ];
    for (const [request, requireMessageAuthenticator] of requests) {
      const decode = (bytes: Buffer): unknown => decodeRequest(bytes, { secret, dictionary, requireMessageAuthenticator });
      expect(() => decode(request.bytes)).not.toThrow();
      expectEveryTamperRefused(request.bytes, decode);
    }
  });

  it('refuses every truncation of a reply, and ignores padding past Length', () => {
    const { request, reply, requireMessageAuthenticator } = (cases[0] as (typeof cases)[number])[1]();
    for (let length = 0; length < reply.bytes.length; length += 1) {
      expect(() => decodeResponse(reply.bytes.subarray(0, length), { secret, dictionary, request, requireMessageAuthenticator })).toThrow(
        RadiusDecodeError,
      );
    }
    const padded = Buffer.concat([reply.bytes, Buffer.alloc(7, 0xee)]);
    expect(decodeResponse(padded, { secret, dictionary, request, requireMessageAuthenticator }).length).toBe(reply.bytes.length);
  });
});

describe('requests and replies belong together', () => {
  const request = encodeRequest({ code: PacketCode.AccessRequest, identifier: 17, secret, dictionary, attributes: requestAttributes });

  it('refuses a reply to another identifier or of a code that does not answer the request', () => {
    const other = encodeResponse({
      code: PacketCode.AccessAccept,
      request: { ...request, identifier: 18 },
      secret,
      dictionary,
      attributes: {},
    });
    expect(decodeError(() => decodeResponse(other.bytes, { secret, dictionary, request })).reason).toBe('identifier-mismatch');
    const accounting = encodePacket({
      code: PacketCode.AccountingResponse,
      identifier: 17,
      authenticator: request.authenticator,
      messageAuthenticator: false,
      secret,
      dictionary,
      attributes: {},
    });
    expect(decodeError(() => decodeResponse(accounting.bytes, { secret, dictionary, request })).reason).toBe('unexpected-code');
    expect(decodeError(() => decodeRequest(accounting.bytes, { secret, dictionary })).reason).toBe('unexpected-code');
    expect(() => encodeResponse({ code: PacketCode.CoaAck, request, secret, dictionary, attributes: {} })).toThrow(RadiusEncodeError);
  });

  it('keeps the same bytes for a retransmission: one reply verifies against every copy', () => {
    const copy = Buffer.from(request.bytes);
    const received = decodeRequest(copy, { secret, dictionary });
    const reply = encodeResponse({ code: PacketCode.AccessAccept, request: received, secret, dictionary, attributes: {} });
    expect(received.authenticator).toEqual(request.authenticator);
    expect(decodeResponse(reply.bytes, { secret, dictionary, request }).code).toBe(PacketCode.AccessAccept);
  });

  it('reads headers cheaply and refuses bad ones', () => {
    expect(readHeader(request.bytes)).toEqual({ code: 1, identifier: 17, length: request.bytes.length });
    expect(() => readHeader(request.bytes.subarray(0, 19))).toThrow(expect.objectContaining({ reason: 'short-packet', offset: 0 }));
    const bad = Buffer.from(request.bytes);
    bad.writeUInt16BE(19, 2);
    expect(() => readHeader(bad)).toThrow(expect.objectContaining({ reason: 'bad-length', offset: 2 }));
    bad.writeUInt16BE(4097, 2);
    expect(() => readHeader(bad)).toThrow(expect.objectContaining({ reason: 'bad-length' }));
    bad.writeUInt16BE(request.bytes.length + 1, 2);
    expect(() => readHeader(bad)).toThrow(expect.objectContaining({ reason: 'truncated' }));
    bad.writeUInt16BE(request.bytes.length, 2);
    bad[0] = 99;
    expect(() => readHeader(bad)).toThrow(expect.objectContaining({ reason: 'unknown-code' }));
  });
});
