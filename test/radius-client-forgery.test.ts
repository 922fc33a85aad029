/**
 * What the client does with replies it must not believe: every byte of a reply tampered, Message-
 * Authenticators forged or stripped by someone who can re-sign the rest, replies from the wrong
 * address or port, with another request's identifier, unmatched or garbled. Each is dropped and
 * counted, and the genuine reply that follows is still accepted.
 */
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileDictionaries } from '../src/radius/dictionary/index.js';
import { encodeRequest, encodeResponse, PacketCode } from '../src/radius/codec/index.js';
import {
  RadiusClient,
  RadiusTimeoutError,
  type DatagramSocket,
  type DatagramSource,
  type RadiusClientStats,
  type RadiusTarget,
} from '../src/radius/client/index.js';
import { verifyReply } from '../src/radius/client/reply-verifier.js';
import { RadiusResponder, type ResponderHandler, type ResponderRequest } from '../src/radius/responder/index.js';
import { waitFor } from './support/poll.js';
import { seed } from './support/seed.js';

const dictionary = compileDictionaries([seed('dictionary'), seed('dictionary_microsoft')]);
const secret = 'forgery-test-secret';

/** A reply rich enough that every kind of attribute octet is somewhere in it: text, integer, tag, hidden VSA. */
const accept: ResponderHandler = () => ({
  code: PacketCode.AccessAccept,
  attributes: [
    { name: 'Reply-Message', value: 'welcome' },
    { name: 'Session-Timeout', value: 3600 },
    { name: 'Tunnel-Type', value: 'L2TP', tag: 1 },
    { name: 'MS-MPPE-Send-Key', value: Buffer.alloc(16, 0x42) },
  ],
});

let server: RadiusResponder;
let radius: RadiusClient;

beforeAll(async () => {
  server = await RadiusResponder.start({
    dictionary,
    clients: { '127.0.0.1': secret },
    handlers: {
      [PacketCode.AccessRequest]: accept,
      [PacketCode.AccountingRequest]: () => ({ code: PacketCode.AccountingResponse, attributes: { 'Reply-Message': 'noted' } }),
    },
  });
  radius = new RadiusClient({ bindAddress: '127.0.0.1' });
});

afterAll(async () => {
  await radius.close();
  await server.close();
});

function target(overrides: Partial<RadiusTarget> = {}): RadiusTarget {
  return { address: '127.0.0.1', port: server.port, secret, dictionary, retries: 0, timeoutMs: 2000, ...overrides };
}

const login = { code: PacketCode.AccessRequest, attributes: { 'User-Name': 'mallory', 'User-Password': 'pw' } };

function dropped(stats: RadiusClientStats): number {
  return stats.dropped.unmatched + stats.dropped.wrongSource + stats.dropped.malformed + stats.dropped.unauthentic;
}

function flip(bytes: Buffer, offset: number, mask: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[offset] = (copy[offset] as number) ^ mask;
  return copy;
}

/**
 * Recomputes the Response Authenticator over the packet as it is: what a forger holding the
 * secret, or a BlastRADIUS-style collision, achieves. Whatever the Message-Authenticator then
 * says is all that stands between the client and the forgery.
 */
function resign(bytes: Buffer, request: ResponderRequest): Buffer {
  const copy = Buffer.from(bytes);
  copy.writeUInt16BE(copy.length, 2);
  const digest = createHash('md5')
    .update(copy.subarray(0, 4))
    .update(request.packet.authenticator)
    .update(copy.subarray(20))
    .update(secret)
    .digest();
  digest.copy(copy, 4);
  return copy;
}

/** Sends one request while `onReply` sends `forged(genuine)` first and the genuine reply after it. */
async function forgedThenGenuine(forged: (genuine: Buffer, request: ResponderRequest) => Buffer, overrides: Partial<RadiusTarget> = {}) {
  let genuine: Buffer | undefined;
  server.hooks = {
    onReply: (bytes, request) => {
      genuine = bytes;
      return [forged(bytes, request), bytes];
    },
  };
  const before = radius.stats;
  const result = await radius.send(target(overrides), login);
  server.hooks = {};
  const after = radius.stats;
  expect(result.response.authenticator.equals(genuine!.subarray(4, 20))).toBe(true);
  return { result, dropped: dropped(after) - dropped(before), unauthentic: after.dropped.unauthentic - before.dropped.unauthentic, after };
}

describe('tampered replies', () => {
  it('drops a reply changed at any byte position, three ways, and accepts the genuine one that follows', async () => {
    let length = 0;
    server.hooks = {
      onReply: (bytes) => {
        length = bytes.length;
        return bytes;
      },
    };
    await radius.send(target(), login);
    expect(length).toBeGreaterThan(60);
    let forgeries = 0;
    for (let offset = 0; offset < length; offset += 1) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const { result, dropped, unauthentic } = await forgedThenGenuine((bytes) => flip(bytes, offset, mask));
        expect(result.response.code).toBe(PacketCode.AccessAccept);
        expect(result.attempts).toHaveLength(1);
        expect(dropped, `offset ${offset} mask ${mask}`).toBe(1);
        // The Response Authenticator (4..19) and the Message-Authenticator's value (22..37) are
        // checked with the secret; a change there is a forgery, not noise.
        if ((offset >= 4 && offset < 20) || (offset >= 22 && offset < 38)) expect(unauthentic, `offset ${offset}`).toBe(1);
        forgeries += 1;
      }
    }
    expect(forgeries).toBe(length * 3);
    const stats = radius.stats;
    expect(stats.received).toBe(stats.accepted + dropped(stats));
  });

  it('drops a re-signed reply whose Message-Authenticator was changed at any of its 16 octets', async () => {
    for (let offset = 22; offset < 38; offset += 1) {
      const { unauthentic } = await forgedThenGenuine((bytes, request) => resign(flip(bytes, offset, 0x01), request), {
        requireMessageAuthenticator: 'never',
      });
      expect(unauthentic, `offset ${offset}`).toBe(1);
    }
  });

  it('drops a re-signed reply stripped of its Message-Authenticator once the server is known to sign (auto)', async () => {
    // A fresh client: its `auto` memory learns from this server's first signed reply.
    const fresh = new RadiusClient({ bindAddress: '127.0.0.1' });
    try {
      const strip = (bytes: Buffer, request: ResponderRequest): Buffer =>
        resign(Buffer.concat([bytes.subarray(0, 20), bytes.subarray(38)]), request);
      server.hooks = { onReply: (bytes, request) => [strip(bytes, request), bytes] };
      // Before the server has been seen signing, `auto` takes the stripped reply: FreeRADIUS's rule too.
      const first = await fresh.send(target(), login);
      expect(first.response.messageAuthenticator).toBe('absent');
      // The genuine, signed reply to the same request arrives next: unmatched now, but it is not
      // what teaches `auto`; the next signed reply that is accepted does.
      server.hooks = {};
      expect((await fresh.send(target(), login)).response.messageAuthenticator).toBe('valid');
      server.hooks = { onReply: (bytes, request) => [strip(bytes, request), bytes] };
      const second = await fresh.send(target(), login);
      expect(second.response.messageAuthenticator).toBe('valid');
      expect(fresh.stats.dropped.unauthentic).toBe(1);
    } finally {
      server.hooks = {};
      await fresh.close();
    }
  });

  it('drops a reply that answers with the wrong code, and garbage, as malformed', async () => {
    const before = radius.stats;
    const wrongCode = await forgedThenGenuine((bytes, request) => {
      const copy = Buffer.from(bytes);
      copy[0] = PacketCode.AccountingResponse;
      return resign(copy, request);
    });
    expect(wrongCode.after.dropped.malformed - before.dropped.malformed).toBe(1);
    const garbage = await forgedThenGenuine(() => Buffer.from('not radius at all'));
    expect(garbage.after.dropped.malformed - before.dropped.malformed).toBe(2);
  });
});

describe('replies from elsewhere', () => {
  it('drops a genuine reply sent from another port of the server, then accepts the one from the right port', async () => {
    server.hooks = { onReply: (bytes) => [{ bytes, via: 'alternate' }, bytes] };
    const before = radius.stats;
    const result = await radius.send(target(), login);
    server.hooks = {};
    expect(result.response.code).toBe(PacketCode.AccessAccept);
    expect(radius.stats.dropped.wrongSource - before.dropped.wrongSource).toBe(1);
    expect(server.alternatePort).not.toBe(server.port);
  });

  it('times out when only the wrong port answers', async () => {
    server.hooks = { replyFrom: 'alternate' };
    const before = radius.stats;
    const error = await radius.send(target({ timeoutMs: 300, retries: 1 }), login).catch((failure: unknown) => failure);
    server.hooks = {};
    expect(error).toBeInstanceOf(RadiusTimeoutError);
    expect(radius.stats.dropped.wrongSource - before.dropped.wrongSource).toBe(2);
  });

  it('drops a reply whose source address is not the server, as the kernel reports it', async () => {
    // Tests bind to 127.0.0.1 only, so another address is simulated where the kernel reports it:
    // a socket that rewrites the source of the next datagram it hears.
    const spoof: { next: string | undefined } = { next: undefined };
    class SpoofingSocket implements DatagramSocket {
      readonly #socket: dgram.Socket;
      constructor(family: 'udp4' | 'udp6') {
        this.#socket = dgram.createSocket(family);
      }
      bind(port: number, address: string | undefined, callback: () => void): void {
        this.#socket.bind(port, address, callback);
      }
      send(message: Buffer, port: number, address: string, callback: (error: Error | null) => void): void {
        this.#socket.send(message, port, address, callback);
      }
      on(event: 'message', listener: (message: Buffer, source: DatagramSource) => void): this;
      on(event: 'error', listener: (error: Error) => void): this;
      on(event: 'message' | 'error', listener: ((message: Buffer, source: DatagramSource) => void) | ((error: Error) => void)): this {
        if (event === 'error') this.#socket.on('error', listener as (error: Error) => void);
        else {
          const onMessage = listener as (message: Buffer, source: DatagramSource) => void;
          this.#socket.on('message', (message, source) => {
            const address = spoof.next ?? source.address;
            spoof.next = undefined;
            onMessage(message, { address, port: source.port });
          });
        }
        return this;
      }
      address(): DatagramSource {
        return this.#socket.address();
      }
      close(callback?: () => void): void {
        this.#socket.close(callback);
      }
    }
    const spoofed = new RadiusClient({ bindAddress: '127.0.0.1', socketFactory: (family) => new SpoofingSocket(family) });
    try {
      server.hooks = {
        onReply: (bytes) => {
          spoof.next = '192.0.2.99';
          return [bytes, bytes];
        },
      };
      const result = await spoofed.send(target(), login);
      expect(result.response.code).toBe(PacketCode.AccessAccept);
      expect(spoofed.stats.dropped).toEqual({ unmatched: 0, wrongSource: 1, malformed: 0, unauthentic: 0 });
    } finally {
      server.hooks = {};
      await spoofed.close();
    }
  });

  it('matches on address and port exactly (the verifier on its own)', () => {
    const packet = encodeRequest({ code: PacketCode.AccessRequest, identifier: 9, secret, dictionary, attributes: { 'User-Name': 'x' } });
    const reply = encodeResponse({ code: PacketCode.AccessAccept, request: packet, secret, dictionary, attributes: {} }).bytes;
    const pending = { target: { address: '127.0.0.1', port: 1812, secret, dictionary }, packet };
    const lookup = (identifier: number) => (identifier === 9 ? pending : undefined);
    const verdict = (address: string, port: number) => verifyReply(reply, { address, port }, lookup, () => false);
    expect(verdict('127.0.0.1', 1812).accepted).toBe(true);
    expect(verdict('127.0.0.2', 1812)).toMatchObject({ accepted: false, reason: 'wrongSource' });
    expect(verdict('127.0.0.1', 1813)).toMatchObject({ accepted: false, reason: 'wrongSource' });
    expect(verifyReply(flip(reply, 1, 0x01), { address: '127.0.0.1', port: 1812 }, lookup, () => false)).toMatchObject({
      accepted: false,
      reason: 'unmatched',
    });
    expect(verifyReply(reply.subarray(0, 19), { address: '127.0.0.1', port: 1812 }, lookup, () => false)).toMatchObject({
      accepted: false,
      reason: 'malformed',
    });
    expect(verifyReply(reply, { address: '127.0.0.1', port: 1812 }, lookup, () => true)).toMatchObject({ accepted: true });
  });

  it('matches IPv6 sources in their canonical form', () => {
    const packet = encodeRequest({ code: PacketCode.AccessRequest, identifier: 3, secret, dictionary, attributes: {} });
    const reply = encodeResponse({ code: PacketCode.AccessAccept, request: packet, secret, dictionary, attributes: {} }).bytes;
    const pending = { target: { address: '2001:db8::1', port: 1812, secret, dictionary }, packet };
    expect(
      verifyReply(
        reply,
        { address: '2001:0db8:0:0::1', port: 1812 },
        () => pending,
        () => false,
      ).accepted,
    ).toBe(true);
    expect(
      verifyReply(
        reply,
        { address: '2001:db8::2', port: 1812 },
        () => pending,
        () => false,
      ),
    ).toMatchObject({ reason: 'wrongSource' });
  });
});

describe('identifiers', () => {
  it('drops a reply carrying another pending request\u2019s identifier without consuming that request', async () => {
    // Hold both requests until the responder has seen them, then answer the first one under the
    // second one's identifier (a reply crossed with another, or a forger guessing identifiers).
    const arrived: ResponderRequest[] = [];
    let release: () => void = () => {};
    const bothArrived = new Promise<void>((resolve) => (release = resolve));
    const gate = setTimeout(release, 5000);
    server.hooks = {
      onReply: (bytes, request) => {
        const other = arrived.find((candidate) => candidate.packet.identifier !== request.packet.identifier);
        if (other === undefined || request !== arrived[0]) return bytes;
        const crossed = Buffer.from(bytes);
        crossed[1] = other.packet.identifier;
        return [crossed, bytes];
      },
    };
    server.handle(PacketCode.AccessRequest, async (request) => {
      arrived.push(request);
      if (arrived.length === 2) release();
      await bothArrived;
      return { code: PacketCode.AccessAccept, attributes: { 'Reply-Message': 'held' } };
    });
    const before = radius.stats;
    try {
      const [first, second] = await Promise.all([radius.send(target(), login), radius.send(target(), login)]);
      expect(first.identifier).not.toBe(second.identifier);
      expect(first.response.identifier).toBe(first.identifier);
      expect(second.response.identifier).toBe(second.identifier);
      expect(radius.stats.dropped.unauthentic - before.dropped.unauthentic).toBe(1);
      expect(radius.stats.accepted - before.accepted).toBe(2);
    } finally {
      clearTimeout(gate);
      server.hooks = {};
      server.handle(PacketCode.AccessRequest, accept);
    }
  });

  it('counts a reply to a request that already settled as unmatched', async () => {
    server.hooks = { onReply: (bytes) => [bytes, bytes] };
    const before = radius.stats;
    await radius.send(target(), login);
    server.hooks = {};
    await waitFor(() => radius.stats.received - before.received >= 2, 5_000, 'the duplicate reply');
    expect(radius.stats.dropped.unmatched - before.dropped.unmatched).toBe(1);
  });

  it('accepts an accounting reply only when its authenticator matches the request as sent', async () => {
    const { result, unauthentic } = await (async () => {
      let genuine: Buffer | undefined;
      server.hooks = {
        onReply: (bytes) => {
          genuine = bytes;
          return [flip(bytes, 10, 0x01), bytes];
        },
      };
      const before = radius.stats;
      const sent = await radius.send(target(), {
        code: PacketCode.AccountingRequest,
        attributes: { 'Acct-Status-Type': 'Start', 'Acct-Session-Id': 'a' },
      });
      server.hooks = {};
      expect(sent.response.authenticator.equals(genuine!.subarray(4, 20))).toBe(true);
      return { result: sent, unauthentic: radius.stats.dropped.unauthentic - before.dropped.unauthentic };
    })();
    expect(result.response.code).toBe(PacketCode.AccountingResponse);
    expect(unauthentic).toBe(1);
  });
});
