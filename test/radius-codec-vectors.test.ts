/**
 * Known answers: RFC 2865 §7's example packets, and cross-checks against the `radius` npm package
 * (1.1.4) on the part of RADIUS it gets right (plain attributes, RFC-format VSAs, User-Password,
 * Request and Response Authenticators). Each direction is checked: its bytes decoded by us, ours
 * by it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileDictionaries } from '../src/radius/dictionary/index.js';
import {
  decodeRequest,
  decodeResponse,
  encodePacket,
  encodeRequest,
  encodeResponse,
  PacketCode,
  RadiusDecodeError,
  type DecodedAttribute,
} from '../src/radius/codec/index.js';
import { seed } from './support/seed.js';

const dictionary = compileDictionaries([seed('dictionary'), seed('dictionary_cisco'), seed('dictionary_microsoft')]);

function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

function pairs(attributes: readonly DecodedAttribute[]): [string, unknown, number | undefined][] {
  return attributes.map((attribute) => [attribute.name, attribute.value, attribute.tag]);
}

// ---------------------------------------------------------------------------------------------
// RFC 2865 §7.1: "User Telnet to Specified Host". NAS 192.168.1.16 sends an Access-Request for
// "nemo" (password "arctangent", secret "xyzzy5461") on port 3; the server answers Access-Accept
// with Service-Type Login, Login-Service Telnet, Login-IP-Host 192.168.1.3.

const SECRET = 'xyzzy5461';
const REQUEST_AUTHENTICATOR = hex('0f403f9473978057bd83d5cb98f4227a');
const RFC_ACCESS_REQUEST = hex(`
  01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb
  98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d
  93 d4 13 ce 31 96 e4 3f 78 2a 0a ee 04 06 c0 a8
  01 10 05 06 00 00 00 03`);
const RFC_ACCESS_ACCEPT = hex(`
  02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf
  9b 55 e0 b2 06 06 00 00 00 01 0f 06 00 00 00 00
  0e 06 c0 a8 01 03`);

describe('RFC 2865 §7.1 example', () => {
  it('hides "arctangent" as §5.2 says: p1 XOR MD5(secret + Request Authenticator), padded to 16 octets', () => {
    // Derived here from the RFC's text, independently of the codec.
    const padded = Buffer.alloc(16);
    padded.write('arctangent');
    const key = createHash('md5').update(SECRET).update(REQUEST_AUTHENTICATOR).digest();
    const hidden = Buffer.from(padded.map((octet, index) => octet ^ (key[index] as number)));
    expect(hidden).toEqual(RFC_ACCESS_REQUEST.subarray(28, 44));

    const encoded = encodePacket({
      code: PacketCode.AccessRequest,
      identifier: 0,
      authenticator: REQUEST_AUTHENTICATOR,
      messageAuthenticator: false,
      secret: SECRET,
      dictionary,
      attributes: [
        { name: 'User-Name', value: 'nemo' },
        { name: 'User-Password', value: 'arctangent' },
        { name: 'NAS-IP-Address', value: '192.168.1.16' },
        { name: 'NAS-Port', value: 3 },
      ],
    });
    expect(encoded.bytes.toString('hex')).toBe(RFC_ACCESS_REQUEST.toString('hex'));
  });

  it('decodes the RFC Access-Request, revealing the password', () => {
    const request = decodeRequest(RFC_ACCESS_REQUEST, { secret: SECRET, dictionary });
    expect(request).toMatchObject({ code: 1, identifier: 0, length: 56, messageAuthenticator: 'absent' });
    expect(pairs(request.attributes)).toEqual([
      ['User-Name', 'nemo', undefined],
      ['User-Password', 'arctangent', undefined],
      ['NAS-IP-Address', '192.168.1.16', undefined],
      ['NAS-Port', 3, undefined],
    ]);
  });

  it('builds the RFC Access-Accept byte for byte, Response Authenticator included', () => {
    const response = encodeResponse({
      code: PacketCode.AccessAccept,
      request: { code: 1, identifier: 0, authenticator: REQUEST_AUTHENTICATOR },
      messageAuthenticator: false,
      secret: SECRET,
      dictionary,
      attributes: { 'Service-Type': 'Login-User', 'Login-Service': 'Telnet', 'Login-IP-Host': '192.168.1.3' },
    });
    expect(response.bytes.toString('hex')).toBe(RFC_ACCESS_ACCEPT.toString('hex'));
    expect(response.authenticator).toEqual(hex('86fe220e7624ba2a1005f6bf9b55e0b2'));
  });

  it('verifies and decodes the RFC Access-Accept against the request', () => {
    const reply = decodeResponse(RFC_ACCESS_ACCEPT, {
      secret: SECRET,
      dictionary,
      request: { code: 1, identifier: 0, authenticator: REQUEST_AUTHENTICATOR },
    });
    expect(reply.messageAuthenticator).toBe('absent');
    expect(pairs(reply.attributes)).toEqual([
      ['Service-Type', 'Login-User', undefined],
      ['Login-Service', 'Telnet', undefined],
      ['Login-IP-Host', '192.168.1.3', undefined],
    ]);
    // The same reply is not authentic for another secret or another request.
    expect(() =>
      decodeResponse(RFC_ACCESS_ACCEPT, {
        secret: 'xyzzy5462',
        dictionary,
        request: { code: 1, identifier: 0, authenticator: REQUEST_AUTHENTICATOR },
      }),
    ).toThrow(RadiusDecodeError);
    expect(() =>
      decodeResponse(RFC_ACCESS_ACCEPT, {
        secret: SECRET,
        dictionary,
        request: { code: 1, identifier: 0, authenticator: Buffer.alloc(16) },
      }),
    ).toThrow(/Response Authenticator/);
    // With the BlastRADIUS policy on, a reply without Message-Authenticator is refused.
    expect(() =>
      decodeResponse(RFC_ACCESS_ACCEPT, {
        secret: SECRET,
        dictionary,
        request: { code: 1, identifier: 0, authenticator: REQUEST_AUTHENTICATOR },
        requireMessageAuthenticator: true,
      }),
    ).toThrow(expect.objectContaining({ reason: 'missing-message-authenticator' }));
  });

  it('decodes §7.2 (CHAP, Framed-User)', () => {
    const chap = hex(`
      01 01 00 47 2a ee 86 f0 8d 0d 55 96 9c a5 97 8e
      0d 33 67 a2 01 08 66 6c 6f 70 73 79 03 13 16 e9
      75 57 c3 16 18 58 95 f2 93 ff 63 44 07 72 75 04
      06 c0 a8 01 10 05 06 00 00 00 14 06 06 00 00 00
      02 07 06 00 00 00 01`);
    const request = decodeRequest(chap, { secret: SECRET, dictionary });
    expect(pairs(request.attributes)).toEqual([
      ['User-Name', 'flopsy', undefined],
      ['CHAP-Password', hex('16e97557c316185895f293ff63440772 75'), undefined],
      ['NAS-IP-Address', '192.168.1.16', undefined],
      ['NAS-Port', 20, undefined],
      ['Service-Type', 'Framed-User', undefined],
      ['Framed-Protocol', 'PPP', undefined],
    ]);
  });
});

describe('hiding derived from the RFC text', () => {
  const md5 = (...parts: (string | Buffer)[]): Buffer => {
    const hash = createHash('md5');
    for (const part of parts) hash.update(part);
    return hash.digest();
  };
  const xor = (a: Buffer, b: Buffer): Buffer => Buffer.from(a.map((octet, index) => octet ^ (b[index] as number)));

  it('Tunnel-Password (RFC 2868 §3.5): tag, salt, then b1 = MD5(S + R + A), c1 = p1 XOR b1, bi = MD5(S + c(i-1))', () => {
    const salt = Buffer.from([0x81, 0x23]);
    const password = 'a tunnel password, 2 blocks';
    const request = { code: PacketCode.AccessRequest, identifier: 9, authenticator: REQUEST_AUTHENTICATOR };
    const reply = encodeResponse({
      code: PacketCode.AccessAccept,
      request,
      secret: SECRET,
      dictionary,
      messageAuthenticator: false,
      random: (size) => Buffer.from(salt.subarray(0, size)),
      attributes: [{ name: 'Tunnel-Password', value: password, tag: 7 }],
    });
    // P = Data-Length + password, zero padded to 32 octets.
    const plain = Buffer.alloc(32);
    plain[0] = password.length;
    plain.write(password, 1);
    const c1 = xor(plain.subarray(0, 16), md5(SECRET, REQUEST_AUTHENTICATOR, salt));
    const c2 = xor(plain.subarray(16), md5(SECRET, c1));
    expect(reply.bytes.subarray(20).toString('hex')).toBe(
      Buffer.concat([Buffer.from([69, 2 + 1 + 2 + 32, 7]), salt, c1, c2]).toString('hex'),
    );
    const decoded = decodeResponse(reply.bytes, { secret: SECRET, dictionary, request });
    expect(pairs(decoded.attributes)).toEqual([['Tunnel-Password', password, 7]]);
  });

  it('MS-MPPE-Send-Key (RFC 2548 §2.4.2): the same without the tag', () => {
    const salt = Buffer.from([0x80, 0x01]);
    const key = Buffer.alloc(16, 0x3c);
    const request = { code: PacketCode.AccessRequest, identifier: 9, authenticator: REQUEST_AUTHENTICATOR };
    const reply = encodeResponse({
      code: PacketCode.AccessAccept,
      request,
      secret: SECRET,
      dictionary,
      messageAuthenticator: false,
      random: () => Buffer.from(salt),
      attributes: { 'MS-MPPE-Send-Key': key },
    });
    const plain = Buffer.concat([Buffer.from([16]), key, Buffer.alloc(15)]);
    const c1 = xor(plain.subarray(0, 16), md5(SECRET, REQUEST_AUTHENTICATOR, salt));
    const c2 = xor(plain.subarray(16), md5(SECRET, c1));
    // Vendor-Specific(26), Microsoft (311), type 16, then salt and cipher.
    expect(reply.bytes.subarray(20).toString('hex')).toBe(
      Buffer.concat([Buffer.from([26, 2 + 4 + 2 + 34, 0, 0, 1, 55, 16, 2 + 34]), salt, c1, c2]).toString('hex'),
    );
  });

  it('User-Password over several blocks: c2 = p2 XOR MD5(S + c1)', () => {
    const password = 'thirty-two octets of password!!!';
    const encoded = encodePacket({
      code: PacketCode.AccessRequest,
      identifier: 0,
      authenticator: REQUEST_AUTHENTICATOR,
      messageAuthenticator: false,
      secret: SECRET,
      dictionary,
      attributes: { 'User-Password': password },
    });
    const plain = Buffer.from(password);
    const c1 = xor(plain.subarray(0, 16), md5(SECRET, REQUEST_AUTHENTICATOR));
    const c2 = xor(plain.subarray(16), md5(SECRET, c1));
    expect(encoded.bytes.subarray(20).toString('hex')).toBe(Buffer.concat([Buffer.from([2, 34]), c1, c2]).toString('hex'));
  });
});

// ---------------------------------------------------------------------------------------------
// The `radius` package as an oracle. It keeps its dictionaries in module state, so this file
// loads them once, with a Cisco vendor dictionary matching the seed's.

interface OraclePacket {
  code: string;
  identifier: number;
  authenticator: Buffer;
  attributes: Record<string, unknown>;
  raw_attributes: [number, Buffer][];
}

interface RadiusOracle {
  add_dictionary(file: string): void;
  encode(args: {
    code: string;
    identifier?: number;
    secret: string;
    attributes: unknown[];
    authenticator?: Buffer;
    add_message_authenticator?: boolean;
  }): Buffer;
  encode_response(args: { packet: OraclePacket; code: string; secret: string; attributes?: unknown[] }): Buffer;
  decode(args: { packet: Buffer; secret: string }): OraclePacket;
  verify_response(args: { request: Buffer; response: Buffer; secret: string }): boolean;
}

const radius = createRequire(import.meta.url)('radius') as RadiusOracle;
const ORACLE_SECRET = 'oracle secret';

describe('cross-checks with the radius package', () => {
  beforeAll(() => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'radius-oracle-'));
    const file = path.join(directory, 'dictionary.cisco');
    fs.writeFileSync(
      file,
      'VENDOR Cisco 9\nBEGIN-VENDOR Cisco\nATTRIBUTE Cisco-AVPair 1 string\nATTRIBUTE Cisco-NAS-Port 2 string\nEND-VENDOR Cisco\n',
    );
    radius.add_dictionary(file);
  });

  const plain = [
    ['User-Name', 'alice@example.org'],
    ['NAS-IP-Address', '10.20.30.40'],
    ['NAS-Port', 4242],
    ['Service-Type', 'Framed-User'],
    ['Called-Station-Id', '00-11-22-33-44-55:eduroam'],
    ['Class', Buffer.from('0102030405', 'hex')],
  ] as const;

  it('decodes its Access-Request: plain attributes, an RFC-format VSA, User-Password', () => {
    const bytes = radius.encode({
      code: 'Access-Request',
      identifier: 42,
      secret: ORACLE_SECRET,
      attributes: [
        ...plain.map(([name, value]) => [name, value]),
        ['User-Password', 's3cr3t-p4ss'],
        [
          'Vendor-Specific',
          9,
          [
            ['Cisco-AVPair', 'shell:priv-lvl=15'],
            ['Cisco-NAS-Port', 'Async1'],
          ],
        ],
      ],
    });
    const request = decodeRequest(bytes, { secret: ORACLE_SECRET, dictionary });
    expect(request.identifier).toBe(42);
    expect(pairs(request.attributes)).toEqual([
      ...plain.map(([name, value]) => [name, value, undefined]),
      ['User-Password', 's3cr3t-p4ss', undefined],
      ['Cisco-AVPair', 'shell:priv-lvl=15', undefined],
      ['Cisco-NAS-Port', 'Async1', undefined],
    ]);
  });

  it('decodes our Access-Request, Message-Authenticator first, password revealed', () => {
    const encoded = encodeRequest({
      code: PacketCode.AccessRequest,
      identifier: 9,
      secret: ORACLE_SECRET,
      dictionary,
      attributes: [
        ...plain.map(([name, value]) => ({ name, value })),
        { name: 'User-Password', value: 'pässwörd' },
        { name: 'Cisco-AVPair', value: 'a=b' },
      ],
    });
    expect(encoded.bytes[20]).toBe(80);
    const theirs = radius.decode({ packet: encoded.bytes, secret: ORACLE_SECRET });
    expect(theirs.code).toBe('Access-Request');
    expect(theirs.attributes).toMatchObject({
      'User-Name': 'alice@example.org',
      'NAS-IP-Address': '10.20.30.40',
      'NAS-Port': 4242,
      'Service-Type': 'Framed-User',
      'User-Password': 'pässwörd',
      'Vendor-Specific': { 'Cisco-AVPair': 'a=b' },
    });
    expect(theirs.attributes['Message-Authenticator']).toBeInstanceOf(Buffer);
  });

  it('agrees on Accounting-Request authenticators both ways', () => {
    const theirBytes = radius.encode({
      code: 'Accounting-Request',
      identifier: 3,
      secret: ORACLE_SECRET,
      attributes: [
        ['User-Name', 'bob'],
        ['Acct-Status-Type', 'Start'],
        ['Acct-Session-Id', 'abc'],
      ],
    });
    const request = decodeRequest(theirBytes, { secret: ORACLE_SECRET, dictionary });
    expect(pairs(request.attributes)).toEqual([
      ['User-Name', 'bob', undefined],
      ['Acct-Status-Type', 'Start', undefined],
      ['Acct-Session-Id', 'abc', undefined],
    ]);
    expect(() => decodeRequest(theirBytes, { secret: 'other', dictionary })).toThrow(
      expect.objectContaining({ reason: 'bad-request-authenticator' }),
    );

    const ours = encodeRequest({
      code: PacketCode.AccountingRequest,
      identifier: 4,
      secret: ORACLE_SECRET,
      dictionary,
      attributes: { 'User-Name': 'bob', 'Acct-Status-Type': 'Stop', 'Acct-Session-Time': 3600 },
    });
    // Its decode checks an accounting request's authenticator and errors out on a mismatch.
    expect(radius.decode({ packet: ours.bytes, secret: ORACLE_SECRET }).attributes).toMatchObject({
      'Acct-Status-Type': 'Stop',
      'Acct-Session-Time': 3600,
    });
  });

  it('accepts our replies, and we accept its replies', () => {
    const request = encodeRequest({
      code: PacketCode.AccessRequest,
      identifier: 77,
      secret: ORACLE_SECRET,
      dictionary,
      attributes: { 'User-Name': 'carol', 'User-Password': 'pw' },
    });
    const reply = encodeResponse({
      code: PacketCode.AccessAccept,
      request,
      secret: ORACLE_SECRET,
      dictionary,
      attributes: { 'Reply-Message': 'welcome', 'Session-Timeout': 600, 'Cisco-AVPair': 'x=y' },
    });
    expect(radius.verify_response({ request: request.bytes, response: Buffer.from(reply.bytes), secret: ORACLE_SECRET })).toBe(true);
    expect(radius.decode({ packet: reply.bytes, secret: ORACLE_SECRET }).attributes).toMatchObject({
      'Reply-Message': 'welcome',
      'Session-Timeout': 600,
      'Vendor-Specific': { 'Cisco-AVPair': 'x=y' },
    });

    // Its reply to our request: it appends Message-Authenticator last, since ours had one.
    const theirReply = radius.encode_response({
      packet: radius.decode({ packet: request.bytes, secret: ORACLE_SECRET }),
      code: 'Access-Reject',
      secret: ORACLE_SECRET,
      attributes: [['Reply-Message', 'no']],
    });
    const decoded = decodeResponse(theirReply, { secret: ORACLE_SECRET, dictionary, request, requireMessageAuthenticator: true });
    expect(decoded).toMatchObject({ code: PacketCode.AccessReject, identifier: 77, messageAuthenticator: 'valid' });
    expect(pairs(decoded.attributes)).toEqual([['Reply-Message', 'no', undefined]]);
  });

  it('rejects a tampered authenticator that the radius package accepts (it compares authenticators as UTF-8 text)', () => {
    // Find a single-octet change to the Response Authenticator that survives its string comparison.
    let shown = false;
    for (let attempt = 0; attempt < 200 && !shown; attempt += 1) {
      const request = encodeRequest({
        code: PacketCode.AccessRequest,
        identifier: attempt & 0xff,
        secret: ORACLE_SECRET,
        dictionary,
        attributes: { 'User-Name': `u${attempt}` },
      });
      const reply = encodeResponse({ code: PacketCode.AccessAccept, request, secret: ORACLE_SECRET, dictionary, attributes: {} });
      for (let offset = 4; offset < 20 && !shown; offset += 1) {
        if ((reply.bytes[offset] as number) < 0x80) continue;
        const tampered = Buffer.from(reply.bytes);
        tampered[offset] = (tampered[offset] as number) ^ 0x01;
        if (!radius.verify_response({ request: request.bytes, response: Buffer.from(tampered), secret: ORACLE_SECRET })) continue;
        expect(() => decodeResponse(tampered, { secret: ORACLE_SECRET, dictionary, request })).toThrow(
          expect.objectContaining({ reason: 'bad-response-authenticator' }),
        );
        shown = true;
      }
    }
    expect(shown).toBe(true);
  });
});
