/**
 * Codec throughput, side by side with the `radius` npm package (1.1.4) on the same packets in the
 * same process.
 *
 *   npx tsx bench/radius/codec.ts
 *
 * Environment: BENCH_ROUNDS (7) interleaved rounds of BENCH_ROUND_MS (300) per operation and
 * library; the figure is the median round. Prints a Markdown table to stdout, progress to stderr.
 *
 * Both sides do the same work where the package can: an Access-Request with a Message-Authenticator
 * (ours puts it first; the package appends it), hidden User-Password, an RFC-format VSA; replies
 * verified against the request. Where the package does less, the table says so: it compares
 * authenticators as strings and does not verify a reply's Message-Authenticator unless the request
 * had one, and its dictionary is global state (ours is the tenant's compiled list).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { compileDictionaries, type DictionarySource } from '../../src/radius/dictionary/index.js';
import type { DictionaryFields } from '../../src/dictionary/dictionary-doc.js';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  PacketCode,
  type AttributeInput,
  type EncodedPacket,
} from '../../src/radius/codec/index.js';
import { wholeNumber } from '../support/env.js';

const ROUNDS = wholeNumber('BENCH_ROUNDS', 7);
const ROUND_MS = wholeNumber('BENCH_ROUND_MS', 300);

// ---------------------------------------------------------------------------------------------
// The two libraries.

interface OraclePacket {
  code: string;
  identifier: number;
  authenticator: Buffer;
  attributes: Record<string, unknown>;
  raw_attributes: [number, Buffer][];
}

interface RadiusPackage {
  add_dictionary(file: string): void;
  encode(args: { code: string; identifier: number; secret: string; attributes: unknown[]; add_message_authenticator?: boolean }): Buffer;
  encode_response(args: { packet: OraclePacket; code: string; secret: string; attributes: unknown[] }): Buffer;
  decode(args: { packet: Buffer; secret: string }): OraclePacket;
  verify_response(args: { request: Buffer; response: Buffer; secret: string }): boolean;
}

const radius = createRequire(import.meta.url)('radius') as RadiusPackage;
const cisco = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-radius-')), 'dictionary.cisco');
fs.writeFileSync(cisco, 'VENDOR Cisco 9\nBEGIN-VENDOR Cisco\nATTRIBUTE Cisco-AVPair 1 string\nEND-VENDOR Cisco\n');
radius.add_dictionary(cisco);

function seed(name: string): DictionarySource {
  const file = fileURLToPath(new URL(`../../seed-dictionaries/${name}.json`, import.meta.url));
  const fields = JSON.parse(fs.readFileSync(file, 'utf8')) as DictionaryFields;
  return { id: `system~${fields.name}`, rev: '1', name: fields.name, owner: 'system', value: fields.value };
}

const dictionary = compileDictionaries([seed('dictionary'), seed('dictionary_cisco')]);
const secret = 'bench-secret';

// ---------------------------------------------------------------------------------------------
// The packets: the same attributes for both, as each library spells them.

type Pair = readonly [string, string | number | Buffer];

function ours(pairs: readonly Pair[]): AttributeInput[] {
  return pairs.map(([name, value]) => ({ name, value }));
}

/** The package's form: Cisco attributes inside one Vendor-Specific entry. A new array each call, as it mutates it. */
function theirs(pairs: readonly Pair[]): unknown[] {
  const plain = pairs.filter(([name]) => !name.startsWith('Cisco-')).map(([name, value]) => [name, value]);
  const vendor = pairs.filter(([name]) => name.startsWith('Cisco-')).map(([name, value]) => [name, value]);
  return vendor.length > 0 ? [...plain, ['Vendor-Specific', 9, vendor]] : plain;
}

const accessRequest: Pair[] = [
  ['User-Name', 'alice@example.org'],
  ['User-Password', 'correct horse battery'],
  ['NAS-IP-Address', '192.0.2.10'],
  ['NAS-Port', 4711],
  ['NAS-Identifier', 'bras-01'],
  ['Called-Station-Id', '00-11-22-33-44-55:corp'],
  ['Calling-Station-Id', '66-77-88-99-aa-bb'],
  ['Service-Type', 'Framed-User'],
  ['Framed-Protocol', 'PPP'],
  ['Cisco-AVPair', 'client-mac-address=6677.8899.aabb'],
];

const accessAccept: Pair[] = [
  ['Reply-Message', 'welcome'],
  ['Session-Timeout', 3600],
  ['Idle-Timeout', 600],
  ['Framed-IP-Address', '10.1.2.3'],
  ['Class', Buffer.from('billing-class-7')],
  ['Cisco-AVPair', 'ip:addr-pool=pool-1'],
  ['Cisco-AVPair', 'ip:inacl#1=permit ip any any'],
  ['Cisco-AVPair', 'subscriber:accounting-list=default'],
];

const accountingRequest: Pair[] = [
  ['User-Name', 'alice@example.org'],
  ['Acct-Status-Type', 'Interim-Update'],
  ['Acct-Session-Id', '0a1b2c3d4e5f'],
  ['Acct-Input-Octets', 123456789],
  ['Acct-Output-Octets', 987654321],
  ['Acct-Input-Packets', 12345],
  ['Acct-Output-Packets', 54321],
  ['Acct-Session-Time', 7200],
  ['NAS-IP-Address', '192.0.2.10'],
  ['NAS-Port', 4711],
  ['Framed-IP-Address', '10.1.2.3'],
  ['Acct-Delay-Time', 0],
];

// ---------------------------------------------------------------------------------------------
// Measuring.

interface Operation {
  readonly packet: string;
  readonly operation: string;
  readonly ours: () => unknown;
  readonly theirs: () => unknown;
  readonly note?: string;
}

/** Calls per second over one round of at least ROUND_MS, in batches so the clock is read rarely. */
function round(run: () => unknown): number {
  let calls = 0;
  let batch = 64;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ROUND_MS) {
    for (let index = 0; index < batch; index += 1) run();
    calls += batch;
    elapsed = performance.now() - start;
    if (elapsed < ROUND_MS / 10) batch *= 2;
  }
  return (calls / elapsed) * 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function fixtures(): Operation[] {
  const request = encodeRequest({ code: PacketCode.AccessRequest, identifier: 1, secret, dictionary, attributes: ours(accessRequest) });
  const theirRequest = radius.encode({
    code: 'Access-Request',
    identifier: 1,
    secret,
    attributes: theirs(accessRequest),
    add_message_authenticator: true,
  });
  const decodedRequest = decodeRequest(request.bytes, { secret, dictionary });
  const theirDecodedRequest = radius.decode({ packet: theirRequest, secret });
  const reply = encodeResponse({
    code: PacketCode.AccessAccept,
    request: decodedRequest,
    secret,
    dictionary,
    attributes: ours(accessAccept),
  });
  const theirReply = radius.encode_response({
    packet: theirDecodedRequest,
    code: 'Access-Accept',
    secret,
    attributes: theirs(accessAccept),
  });
  const accounting = encodeRequest({
    code: PacketCode.AccountingRequest,
    identifier: 2,
    secret,
    dictionary,
    attributes: ours(accountingRequest),
  });
  const theirAccounting = radius.encode({ code: 'Accounting-Request', identifier: 2, secret, attributes: theirs(accountingRequest) });
  const accountingReply: EncodedPacket = encodeResponse({
    code: PacketCode.AccountingResponse,
    request: accounting,
    secret,
    dictionary,
    attributes: [],
  });
  const theirAccountingReply = radius.encode_response({
    packet: radius.decode({ packet: theirAccounting, secret }),
    code: 'Accounting-Response',
    secret,
    attributes: [],
  });

  // Sanity: each side reads the other's packets, so both build the same thing.
  decodeRequest(theirRequest, { secret, dictionary });
  radius.decode({ packet: request.bytes, secret });
  if (!radius.verify_response({ request: request.bytes, response: Buffer.from(reply.bytes), secret }))
    throw new Error('radius rejects our reply');
  decodeResponse(theirReply, { secret, dictionary, request: { code: 1, identifier: 1, authenticator: theirRequest.subarray(4, 20) } });

  return [
    {
      packet: 'Access-Request (10 attrs, MA, User-Password, VSA)',
      operation: 'encode',
      ours: () => encodeRequest({ code: PacketCode.AccessRequest, identifier: 1, secret, dictionary, attributes: ours(accessRequest) }),
      theirs: () =>
        radius.encode({
          code: 'Access-Request',
          identifier: 1,
          secret,
          attributes: theirs(accessRequest),
          add_message_authenticator: true,
        }),
    },
    {
      packet: 'Access-Request (10 attrs, MA, User-Password, VSA)',
      operation: 'decode + verify MA',
      ours: () => decodeRequest(request.bytes, { secret, dictionary, requireMessageAuthenticator: true }),
      theirs: () => radius.decode({ packet: theirRequest, secret }),
      note: 'radius verifies the MA by re-encoding the whole packet',
    },
    {
      packet: 'Access-Accept (8 attrs, 3 VSAs, MA)',
      operation: 'encode',
      ours: () =>
        encodeResponse({ code: PacketCode.AccessAccept, request: decodedRequest, secret, dictionary, attributes: ours(accessAccept) }),
      theirs: () =>
        radius.encode_response({ packet: theirDecodedRequest, code: 'Access-Accept', secret, attributes: theirs(accessAccept) }),
    },
    {
      packet: 'Access-Accept (8 attrs, 3 VSAs, MA)',
      operation: 'verify + decode',
      ours: () => decodeResponse(reply.bytes, { secret, dictionary, request, requireMessageAuthenticator: true }),
      theirs: () => {
        if (!radius.verify_response({ request: theirRequest, response: theirReply, secret })) throw new Error('unverified');
        return radius.decode({ packet: theirReply, secret });
      },
      note: 'radius: string comparison; verify_response decodes the request and reply again inside',
    },
    {
      packet: 'Accounting-Request (12 attrs)',
      operation: 'encode',
      ours: () =>
        encodeRequest({ code: PacketCode.AccountingRequest, identifier: 2, secret, dictionary, attributes: ours(accountingRequest) }),
      theirs: () => radius.encode({ code: 'Accounting-Request', identifier: 2, secret, attributes: theirs(accountingRequest) }),
    },
    {
      packet: 'Accounting-Request (12 attrs)',
      operation: 'verify + decode',
      ours: () => decodeRequest(accounting.bytes, { secret, dictionary }),
      theirs: () => radius.decode({ packet: theirAccounting, secret }),
    },
    {
      packet: 'Accounting-Response (empty)',
      operation: 'verify + decode',
      ours: () => decodeResponse(accountingReply.bytes, { secret, dictionary, request: accounting }),
      theirs: () => {
        if (!radius.verify_response({ request: theirAccounting, response: theirAccountingReply, secret })) throw new Error('unverified');
        return radius.decode({ packet: theirAccountingReply, secret });
      },
    },
  ];
}

function format(rate: number): string {
  return Math.round(rate).toLocaleString('en-US');
}

function main(): void {
  const operations = fixtures();
  const results = operations.map(() => ({ ours: [] as number[], theirs: [] as number[] }));
  // Warm both up, then interleave rounds so drift (GC, turbo) hits both sides alike.
  for (const operation of operations) {
    round(operation.ours);
    round(operation.theirs);
  }
  for (let index = 0; index < ROUNDS; index += 1) {
    process.stderr.write(`round ${index + 1}/${ROUNDS}\n`);
    operations.forEach((operation, at) => {
      const result = results[at] as { ours: number[]; theirs: number[] };
      if (index % 2 === 0) {
        result.ours.push(round(operation.ours));
        result.theirs.push(round(operation.theirs));
      } else {
        result.theirs.push(round(operation.theirs));
        result.ours.push(round(operation.ours));
      }
    });
  }
  const lines = [
    `Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}; median of ${ROUNDS} rounds of ${ROUND_MS} ms; packets/s on one core.`,
    '',
    '| packet | operation | this codec | radius 1.1.4 | ratio | note |',
    '| --- | --- | ---: | ---: | ---: | --- |',
  ];
  operations.forEach((operation, at) => {
    const result = results[at] as { ours: number[]; theirs: number[] };
    const mine = median(result.ours);
    const other = median(result.theirs);
    lines.push(
      `| ${operation.packet} | ${operation.operation} | ${format(mine)} | ${format(other)} | ${(mine / other).toFixed(2)}x | ${operation.note ?? ''} |`,
    );
  });
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
