/**
 * FreeRADIUS as the oracle: its `radclient` (freeradius-utils) encodes requests that we decode,
 * and decodes (and authenticates) replies that we encode. This covers what the `radius` package
 * cannot: vendor formats 2,1 / 2,2 / 4,0 / WiMAX 1,1,c continuation, extended and long-extended
 * EVS attributes, tags, Tunnel-Password and MS-MPPE keys, concat, and Message-Authenticator in
 * both directions. Skipped where radclient is not installed.
 */
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileDictionaries, type CompiledDictionary } from '../src/radius/dictionary/index.js';
import { importFile } from '../src/dictionary/freeradius/import-files.js';
import { packetDigest } from '../src/radius/codec/authenticators.js';
import {
  decodeRequest,
  encodeResponse,
  flattenAttributes,
  PacketCode,
  type AttributeInput,
  type DecodedPacket,
} from '../src/radius/codec/index.js';

const hasRadclient = spawnSync('radclient', ['-v']).error === undefined && fs.existsSync('/usr/share/freeradius/dictionary');
const secret = 'testing123';

let dictionary: CompiledDictionary;
let raddb: string;

interface Exchange {
  readonly output: string;
  readonly requests: DecodedPacket[];
}

/**
 * Runs radclient against a UDP socket of ours (radclient reads at most about 1,000 characters a
 * line, so long values stay under 450 octets); `answer` builds the reply to each decoded request
 * (or none). radclient prints what it sent and, when a reply authenticates, what it received.
 */
async function exchange(
  command: string,
  input: string,
  answer: (request: DecodedPacket) => Buffer | undefined,
  timeoutSeconds = 2,
): Promise<Exchange> {
  const socket = dgram.createSocket('udp4');
  const requests: DecodedPacket[] = [];
  socket.on('message', (message, remote) => {
    const request = decodeRequest(message, { secret, dictionary });
    requests.push(request);
    const reply = answer(request);
    if (reply) socket.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  try {
    const output = await new Promise<string>((resolve) => {
      const child = spawn('radclient', ['-d', raddb, '-x', '-t', String(timeoutSeconds), '-r', '1', `127.0.0.1:${port}`, command, secret], {
        env: { ...process.env, TZ: 'UTC' },
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('close', () => resolve(text));
      child.stdin.end(input);
    });
    return { output, requests };
  } finally {
    socket.close();
  }
}

/** The attribute lines radclient printed for the reply it accepted, or undefined if it accepted none. */
function received(output: string): string[] | undefined {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => /^Received [A-Za-z-]+ Id \d+/.test(line));
  if (start < 0) return undefined;
  const attributes: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('\t')) break;
    attributes.push(line.trim());
  }
  return attributes;
}

function leaves(packet: DecodedPacket): [string, unknown, number | undefined][] {
  return flattenAttributes(packet.attributes).map((attribute) => [attribute.name, attribute.value, attribute.tag]);
}

describe.skipIf(!hasRadclient)('FreeRADIUS radclient as the oracle', () => {
  beforeAll(() => {
    // The whole of FreeRADIUS's dictionary, as radclient sees it: one compiled list, 7,000+ attributes.
    const { entries } = importFile('/usr/share/freeradius/dictionary');
    dictionary = compileDictionaries([{ id: 'system~freeradius', rev: '1', name: 'freeradius', owner: 'system', value: entries }]);
    raddb = fs.mkdtempSync(path.join(os.tmpdir(), 'raddb-'));
    fs.writeFileSync(path.join(raddb, 'dictionary'), '# empty: everything comes from /usr/share/freeradius\n');
  });

  const password = 'a long password that takes more than one block: 0123456789abcdefghij';

  it('decodes what FreeRADIUS encodes: every vendor format, extended, EVS, tags, concat, Message-Authenticator', async () => {
    const input = [
      'User-Name = "bob"',
      `User-Password = "${password}"`,
      'NAS-IP-Address = 192.0.2.1',
      'NAS-IPv6-Address = 2001:db8::1',
      'Framed-IPv6-Prefix = 2001:db8:1::/48',
      'Framed-Interface-Id = a:b:c:d',
      'Event-Timestamp = 1700000000',
      'WiMAX-Release = "5.0"',
      `WiMAX-AAA-Session-Id = 0x${'11'.repeat(400)}`,
      'USR-Channel = 5',
      'Lucent-Max-Shared-Users = 3',
      'SN-VPN-Name = "vpn"',
      'Frag-Status = Fragmentation-Supported',
      `FreeRADIUS-802.1X-EAPoL-Key-Msg = 0x${'cd'.repeat(400)}`,
      'Tunnel-Type:1 = L2TP',
      'Tunnel-Private-Group-Id:2 = "vlan10"',
      'Acct-Input-Octets-64 = 12345678901234',
      'Cisco-AVPair = "a=b"',
      'Cisco-AVPair = "c=d"',
      `EAP-Message = 0x${'02'.repeat(400)}`,
      'Message-Authenticator = 0x00',
    ].join('\n');
    const { requests } = await exchange(
      'auth',
      `${input}\n`,
      (request) => encodeResponse({ code: PacketCode.AccessAccept, request, secret, dictionary, attributes: {} }).bytes,
    );
    const request = requests[0] as DecodedPacket;
    expect(request.messageAuthenticator).toBe('valid');
    expect(leaves(request)).toEqual([
      ['User-Name', 'bob', undefined],
      ['User-Password', password, undefined],
      ['NAS-IP-Address', '192.0.2.1', undefined],
      ['NAS-IPv6-Address', '2001:db8::1', undefined],
      ['Framed-IPv6-Prefix', '2001:db8:1::/48', undefined],
      ['Framed-Interface-Id', 'a:b:c:d', undefined],
      ['Event-Timestamp', new Date(1_700_000_000_000), undefined],
      ['WiMAX-Release', '5.0', undefined],
      ['WiMAX-AAA-Session-Id', Buffer.alloc(400, 0x11), undefined],
      ['USR-Channel', 5, undefined],
      ['Lucent-Max-Shared-Users', 3, undefined],
      ['SN-VPN-Name', 'vpn', undefined],
      ['Frag-Status', 'Fragmentation-Supported', undefined],
      ['FreeRADIUS-802.1X-EAPoL-Key-Msg', Buffer.alloc(400, 0xcd), undefined],
      ['Tunnel-Type', 'L2TP', 1],
      ['Tunnel-Private-Group-Id', 'vlan10', 2],
      ['Acct-Input-Octets-64', 12345678901234n, undefined],
      ['Cisco-AVPair', 'a=b', undefined],
      ['Cisco-AVPair', 'c=d', undefined],
      ['EAP-Message', Buffer.alloc(400, 0x02), undefined],
    ]);
  });

  it('FreeRADIUS authenticates and decodes what we encode: Tunnel-Password, MS-MPPE, WiMAX continuation, 4,0 / 2,1 / 2,2 vendors, long EVS', async () => {
    const reply: AttributeInput[] = [
      { name: 'Tunnel-Password', value: 'tunnel-pw', tag: 1 },
      { name: 'Tunnel-Type', value: 'L2TP', tag: 1 },
      { name: 'MS-MPPE-Send-Key', value: Buffer.alloc(32, 0xab) },
      { name: 'MS-MPPE-Recv-Key', value: Buffer.alloc(32, 0xba) },
      { name: 'WiMAX-Release', value: 'x'.repeat(200) },
      // radclient prints at most about 500 octets of a value: 450 still takes two WiMAX fragments.
      { name: 'WiMAX-AAA-Session-Id', value: Buffer.alloc(450, 0x11) },
      { name: 'WiMAX-MSK', value: Buffer.alloc(64, 0x22) },
      { name: 'WiMAX-DHCPv6-Server', value: '2001:db8::1' },
      { name: 'USR-Channel', value: 7 },
      { name: 'Lucent-Max-Shared-Users', value: 3 },
      { name: 'SN-VPN-Name', value: 'vpn' },
      { name: 'FreeRADIUS-802.1X-EAPoL-Key-Msg', value: Buffer.alloc(400, 0xcd) },
      { name: 'Framed-IPv6-Prefix', value: '2001:db8::/32' },
      { name: 'Framed-Interface-Id', value: '1:2:3:4' },
      { name: 'Event-Timestamp', value: new Date(1_700_000_000_000) },
      { name: 'EAP-Message', value: Buffer.alloc(300, 1) },
      { name: 'Session-Timeout', value: 3600 },
    ];
    const { output } = await exchange(
      'auth',
      'User-Name = "bob"\nUser-Password = "pw"\n',
      (request) => encodeResponse({ code: PacketCode.AccessAccept, request, secret, dictionary, attributes: reply }).bytes,
    );
    expect(received(output), output).toEqual([
      expect.stringMatching(/^Message-Authenticator = 0x[0-9a-f]{32}$/),
      'Tunnel-Password:1 = "tunnel-pw"',
      'Tunnel-Type:1 = L2TP',
      `MS-MPPE-Send-Key = 0x${'ab'.repeat(32)}`,
      `MS-MPPE-Recv-Key = 0x${'ba'.repeat(32)}`,
      `WiMAX-Release = "${'x'.repeat(200)}"`,
      `WiMAX-AAA-Session-Id = 0x${'11'.repeat(450)}`,
      `WiMAX-MSK = 0x${'22'.repeat(64)}`,
      'WiMAX-DHCPv6-Server = 2001:db8::1',
      'USR-Channel = 7',
      'Lucent-Max-Shared-Users = 3',
      'SN-VPN-Name = "vpn"',
      `FreeRADIUS-802.1X-EAPoL-Key-Msg = 0x${'cd'.repeat(400)}`,
      'Framed-IPv6-Prefix = 2001:db8::/32',
      'Framed-Interface-Id = 1:2:3:4',
      'Event-Timestamp = "Nov 14 2023 22:13:20 UTC"',
      `EAP-Message = 0x${'01'.repeat(300)}`,
      'Session-Timeout = 3600',
    ]);
  });

  it('FreeRADIUS refuses our reply signed with another secret, or with a forged Message-Authenticator', async () => {
    const wrongSecret = await exchange(
      'auth',
      'User-Name = "bob"\n',
      (request) => encodeResponse({ code: PacketCode.AccessAccept, request, secret: 'not the secret', dictionary, attributes: {} }).bytes,
      0.5,
    );
    expect(received(wrongSecret.output)).toBeUndefined();
    expect(wrongSecret.output).toContain('Reply verification failed');
    const forgedMac = await exchange(
      'auth',
      'User-Name = "bob"\n',
      (request) => {
        const bytes = Buffer.from(
          encodeResponse({ code: PacketCode.AccessAccept, request, secret, dictionary, attributes: { 'Reply-Message': 'hi' } }).bytes,
        );
        bytes[25] = (bytes[25] as number) ^ 0x01;
        // Re-sign the Response Authenticator so that only the Message-Authenticator is wrong.
        packetDigest(bytes, bytes.length, request.authenticator, Buffer.from(secret)).copy(bytes, 4);
        return bytes;
      },
      0.5,
    );
    expect(received(forgedMac.output)).toBeUndefined();
    expect(forgedMac.output).toContain('invalid Message-Authenticator');
  });

  it('agrees on Accounting, CoA, Disconnect and Status-Server authenticators, both ways', async () => {
    const accounting = await exchange(
      'acct',
      'User-Name = "bob"\nAcct-Status-Type = Start\nAcct-Session-Id = "s-1"\nAcct-Delay-Time = 2\n',
      (request) => encodeResponse({ code: PacketCode.AccountingResponse, request, secret, dictionary, attributes: {} }).bytes,
    );
    expect(leaves(accounting.requests[0] as DecodedPacket)).toEqual([
      ['User-Name', 'bob', undefined],
      ['Acct-Status-Type', 'Start', undefined],
      ['Acct-Session-Id', 's-1', undefined],
      ['Acct-Delay-Time', 2, undefined],
    ]);
    expect(accounting.output).toContain('Received Accounting-Response');

    const coa = await exchange(
      'coa',
      'User-Name = "bob"\nSession-Timeout = 60\n',
      (request) =>
        encodeResponse({ code: PacketCode.CoaNak, request, secret, dictionary, attributes: { 'Error-Cause': 'Session-Context-Not-Found' } })
          .bytes,
    );
    expect(leaves(coa.requests[0] as DecodedPacket)).toEqual([
      ['User-Name', 'bob', undefined],
      ['Session-Timeout', 60, undefined],
    ]);
    expect(received(coa.output)).toEqual(['Error-Cause = Session-Context-Not-Found']);

    const disconnect = await exchange(
      'disconnect',
      'Acct-Session-Id = "s-1"\nMessage-Authenticator = 0x00\n',
      (request) =>
        encodeResponse({ code: PacketCode.DisconnectAck, request, secret, dictionary, messageAuthenticator: true, attributes: {} }).bytes,
    );
    expect(disconnect.requests[0]?.messageAuthenticator).toBe('valid');
    expect(received(disconnect.output)).toEqual([expect.stringMatching(/^Message-Authenticator = 0x[0-9a-f]{32}$/)]);

    // radclient 3.2.1 sends Status-Server without Message-Authenticator unless told to, which
    // RFC 5997 §3 forbids (and decodeRequest refuses): ask for it.
    const status = await exchange(
      'status',
      'NAS-Identifier = "probe"\nMessage-Authenticator = 0x00\n',
      (request) =>
        encodeResponse({ code: PacketCode.AccessAccept, request, secret, dictionary, attributes: { 'Reply-Message': 'alive' } }).bytes,
    );
    expect(status.requests[0]?.messageAuthenticator).toBe('valid');
    expect(status.output).toContain('Received Access-Accept');
  });
});
