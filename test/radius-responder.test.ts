/**
 * The responder on its own: binding, per-NAS secrets, what it refuses to answer, the replies it
 * signs, handlers, Status-Server, CoA/Disconnect as a NAS, and the test hooks. Requests come
 * from a bare UDP socket (bytes made with the codec) or from the library client.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { compileDictionaries } from '../src/radius/dictionary/index.js';
import { decodeResponse, encodePacket, encodeRequest, findAttribute, PacketCode, type EncodedPacket } from '../src/radius/codec/index.js';
import { RadiusClient, RadiusTimeoutError } from '../src/radius/client/index.js';
import { RadiusResponder, type ResponderRequest } from '../src/radius/responder/index.js';
import * as poll from './support/poll.js';
import { seed } from './support/seed.js';
import { radiusKit } from './support/radius-kit.js';

const dictionary = compileDictionaries([seed('dictionary')]);
const secret = 'responder-test-secret';

const { responder, target, until, track } = radiusKit({
  dictionary,
  secret,
  retries: 0,
  timeoutMs: 1000,
  handlers: {
    [PacketCode.AccessRequest]: () => ({ code: PacketCode.AccessAccept, attributes: { 'Reply-Message': 'ok' } }),
    [PacketCode.AccountingRequest]: () => ({ code: PacketCode.AccountingResponse }),
  },
});

/** A bare UDP socket on 127.0.0.1 that sends bytes and collects what comes back. */
async function nas(): Promise<{
  send(bytes: Buffer, port: number): void;
  replies: Buffer[];
  next(limitMs?: number): Promise<Buffer | undefined>;
}> {
  const socket = dgram.createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const replies: Buffer[] = [];
  socket.on('message', (bytes) => replies.push(bytes));
  track({ close: () => new Promise<void>((resolve) => socket.close(() => resolve())) });
  return {
    send: (bytes, port) => socket.send(bytes, port, '127.0.0.1'),
    replies,
    async next(limitMs = 1000) {
      const count = replies.length;
      await poll.until(() => replies.length > count, limitMs, 5);
      return replies[count];
    },
  };
}

function accessRequest(identifier = 1, withSecret = secret): EncodedPacket {
  return encodeRequest({
    code: PacketCode.AccessRequest,
    identifier,
    secret: withSecret,
    dictionary,
    attributes: { 'User-Name': 'bob', 'User-Password': 'pw' },
  });
}

describe('binding', () => {
  it('binds an ephemeral port on 127.0.0.1 when asked for port 0, and a second socket for alternate replies', async () => {
    const server = await responder();
    expect(server.address).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.alternatePort).toBeGreaterThan(0);
    expect(server.alternatePort).not.toBe(server.port);
    await server.close();
    await server.close();
  });

  it('refuses to start on a port already taken', async () => {
    const server = await responder();
    await expect(RadiusResponder.start({ dictionary, clients: {}, handlers: {}, port: server.port })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('verification of requests', () => {
  it('answers a signed Access-Request with a verifiable reply, Message-Authenticator first', async () => {
    const server = await responder();
    const client = await nas();
    const request = accessRequest(7);
    client.send(request.bytes, server.port);
    const reply = await client.next();
    expect(reply).toBeDefined();
    expect(reply![20]).toBe(80);
    const decoded = decodeResponse(reply!, { secret, dictionary, request, requireMessageAuthenticator: true });
    expect(decoded.code).toBe(PacketCode.AccessAccept);
    expect(decoded.identifier).toBe(7);
    expect(findAttribute(decoded.attributes, 'Reply-Message')?.value).toBe('ok');
  });

  it('drops requests from unknown NASes, with the wrong secret, tampered, garbled or not requests at all', async () => {
    const server = await responder({ clients: new Map([['127.0.0.1', secret]]) });
    const client = await nas();
    client.send(accessRequest(1, 'wrong secret').bytes, server.port);
    const accounting = encodeRequest({
      code: PacketCode.AccountingRequest,
      identifier: 2,
      secret: 'wrong secret',
      dictionary,
      attributes: { 'Acct-Status-Type': 'Start' },
    });
    client.send(accounting.bytes, server.port);
    const tampered = Buffer.from(accessRequest(3).bytes);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    client.send(tampered, server.port);
    client.send(Buffer.from('hello'), server.port);
    const request = accessRequest(4);
    const reply = encodePacket({
      code: PacketCode.AccessAccept,
      identifier: 4,
      authenticator: request.authenticator,
      secret,
      dictionary,
      attributes: {},
      messageAuthenticator: false,
    });
    client.send(reply.bytes, server.port);
    await until(() => server.stats.received === 5);
    expect(server.stats).toMatchObject({ received: 5, answered: 0, dropped: { unauthentic: 3, malformed: 2, unknownClient: 0 } });
    expect(client.replies).toHaveLength(0);

    const stranger = await responder({ clients: {} });
    client.send(accessRequest(5).bytes, stranger.port);
    await until(() => stranger.stats.received === 1);
    expect(stranger.stats.dropped.unknownClient).toBe(1);
  });

  it('looks secrets up by the source address', async () => {
    const asked: string[] = [];
    const server = await responder({
      clients: (address) => {
        asked.push(address);
        return address === '127.0.0.1' ? 'per-nas secret' : undefined;
      },
    });
    const client = new RadiusClient({ bindAddress: '127.0.0.1' });
    track(client);
    expect(
      (
        await client.send(target(server, { secret: 'per-nas secret' }), {
          code: PacketCode.AccessRequest,
          attributes: { 'User-Name': 'x' },
        })
      ).response.code,
    ).toBe(PacketCode.AccessAccept);
    expect(asked).toEqual(['127.0.0.1']);
  });

  it('takes an Access-Request without Message-Authenticator unless told to require one; never a Status-Server without', async () => {
    const unsigned = encodePacket({
      code: PacketCode.AccessRequest,
      identifier: 9,
      authenticator: Buffer.alloc(16, 9),
      secret,
      dictionary,
      attributes: { 'User-Name': 'old-nas' },
      messageAuthenticator: false,
    });
    const lenient = await responder();
    const client = await nas();
    client.send(unsigned.bytes, lenient.port);
    const reply = await client.next();
    expect(decodeResponse(reply!, { secret, dictionary, request: unsigned }).code).toBe(PacketCode.AccessAccept);

    const strict = await responder({ requireMessageAuthenticator: true });
    client.send(unsigned.bytes, strict.port);
    const status = encodePacket({
      code: PacketCode.StatusServer,
      identifier: 10,
      authenticator: Buffer.alloc(16, 10),
      secret,
      dictionary,
      attributes: {},
      messageAuthenticator: false,
    });
    client.send(status.bytes, strict.port);
    await until(() => strict.stats.received === 2);
    expect(strict.stats.dropped.unauthentic).toBe(2);
    expect(client.replies).toHaveLength(1);
  });
});

describe('replies', () => {
  it('puts a Message-Authenticator in replies to Access-Request and Status-Server by default, and leaves it out when configured', async () => {
    const client = await nas();
    const codec = await responder();
    const request = accessRequest(11);
    client.send(request.bytes, codec.port);
    expect(decodeResponse((await client.next())!, { secret, dictionary, request }).messageAuthenticator).toBe('valid');

    const without = await responder({ replyMessageAuthenticator: false });
    client.send(request.bytes, without.port);
    expect(decodeResponse((await client.next())!, { secret, dictionary, request }).messageAuthenticator).toBe('absent');

    const perReply = await responder({
      replyMessageAuthenticator: (requestCode) => requestCode === PacketCode.StatusServer,
      handlers: {
        [PacketCode.AccessRequest]: ({ packet }) => ({ code: PacketCode.AccessReject, messageAuthenticator: packet.identifier === 12 }),
      },
    });
    client.send(request.bytes, perReply.port);
    expect(decodeResponse((await client.next())!, { secret, dictionary, request }).messageAuthenticator).toBe('absent');
    const overridden = accessRequest(12);
    client.send(overridden.bytes, perReply.port);
    expect(decodeResponse((await client.next())!, { secret, dictionary, request: overridden }).messageAuthenticator).toBe('valid');
    const status = encodeRequest({ code: PacketCode.StatusServer, identifier: 13, secret, dictionary, attributes: {} });
    client.send(status.bytes, perReply.port);
    expect(decodeResponse((await client.next())!, { secret, dictionary, request: status, requireMessageAuthenticator: true }).code).toBe(
      PacketCode.AccessAccept,
    );
  });

  it('stays silent when a handler returns nothing, has no handler, throws, or answers with a code that does not fit', async () => {
    const server = await responder({
      handlers: {
        [PacketCode.AccessRequest]: ({ packet }) => {
          if (packet.identifier === 1) return undefined;
          if (packet.identifier === 2) throw new Error('handler bug');
          return { code: PacketCode.AccountingResponse };
        },
      },
    });
    const client = await nas();
    for (const identifier of [1, 2, 3]) client.send(accessRequest(identifier).bytes, server.port);
    client.send(
      encodeRequest({ code: PacketCode.CoaRequest, identifier: 4, secret, dictionary, attributes: { 'User-Name': 'x' } }).bytes,
      server.port,
    );
    await until(() => server.stats.silent + server.stats.dropped.failed + server.stats.dropped.unhandled === 4);
    expect(server.stats).toMatchObject({ received: 4, answered: 0, silent: 1, dropped: { failed: 2, unhandled: 1 } });
    expect(client.replies).toHaveLength(0);
  });

  it('answers Status-Server with Access-Accept unless a handler says otherwise (an accounting port answers Accounting-Response)', async () => {
    const client = new RadiusClient({ bindAddress: '127.0.0.1' });
    track(client);
    const auth = await responder();
    const probe = await client.probe(target(auth));
    expect(probe.alive && probe.response.code).toBe(PacketCode.AccessAccept);
    const accounting = await responder({ handlers: { [PacketCode.StatusServer]: () => ({ code: PacketCode.AccountingResponse }) } });
    const accountingProbe = await client.probe(target(accounting));
    expect(accountingProbe.alive && accountingProbe.response.code).toBe(PacketCode.AccountingResponse);
  });

  it('plays a NAS for CoA and Disconnect: ACK, and NAK with Error-Cause', async () => {
    const server = await responder({
      handlers: {
        [PacketCode.CoaRequest]: ({ packet }) =>
          findAttribute(packet.attributes, 'User-Name')?.value === 'online'
            ? { code: PacketCode.CoaAck }
            : { code: PacketCode.CoaNak, attributes: { 'Error-Cause': 'Session-Context-Not-Found' } },
        [PacketCode.DisconnectRequest]: () => ({ code: PacketCode.DisconnectAck }),
      },
    });
    const client = new RadiusClient({ bindAddress: '127.0.0.1' });
    track(client);
    const ack = await client.send(target(server), {
      code: PacketCode.CoaRequest,
      attributes: { 'User-Name': 'online', 'Session-Timeout': 60 },
    });
    expect(ack.response.code).toBe(PacketCode.CoaAck);
    const nak = await client.send(target(server), {
      code: PacketCode.CoaRequest,
      attributes: { 'User-Name': 'gone' },
      messageAuthenticator: true,
    });
    expect(nak.response.code).toBe(PacketCode.CoaNak);
    expect(findAttribute(nak.response.attributes, 'Error-Cause')?.value).toBe('Session-Context-Not-Found');
    const disconnect = await client.send(target(server), { code: PacketCode.DisconnectRequest, attributes: { 'User-Name': 'online' } });
    expect(disconnect.response.code).toBe(PacketCode.DisconnectAck);
  });
});

describe('hooks', () => {
  it('numbers the copies of a request and drops the first N of them', async () => {
    const copies: number[] = [];
    const server = await responder({
      hooks: { dropFirstCopies: 2 },
      handlers: {
        [PacketCode.AccessRequest]: ({ copy }) => {
          copies.push(copy);
          return { code: PacketCode.AccessAccept };
        },
      },
    });
    const client = await nas();
    const request = accessRequest(20);
    for (let copy = 0; copy < 4; copy += 1) client.send(request.bytes, server.port);
    await until(() => server.stats.answered === 2);
    expect(copies).toEqual([3, 4]);
    expect(server.stats.dropped.byHook).toBe(2);
    // Another request starts its own count.
    client.send(accessRequest(21).bytes, server.port);
    await until(() => server.stats.received === 5);
    expect(server.stats.dropped.byHook).toBe(3);
  });

  it('delays replies, and close() sends nothing that was still waiting', async () => {
    const server = await responder({ hooks: { delayMs: 80 } });
    const client = await nas();
    const started = performance.now();
    client.send(accessRequest(30).bytes, server.port);
    expect(await client.next()).toBeDefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);

    server.hooks = { delayMs: (request: ResponderRequest) => (request.packet.identifier === 31 ? 10_000 : 0) };
    client.send(accessRequest(31).bytes, server.port);
    await until(() => server.stats.received === 2);
    await server.close();
    expect(client.replies).toHaveLength(1);
  });

  it('rewrites replies: other bytes, several datagrams, or nothing', async () => {
    const server = await responder();
    const client = await nas();
    server.hooks = { onReply: () => null };
    client.send(accessRequest(40).bytes, server.port);
    await until(() => server.stats.answered === 1);
    server.hooks = { onReply: (bytes) => [Buffer.from('first'), { bytes, via: 'listener' }] };
    client.send(accessRequest(41).bytes, server.port);
    await until(() => client.replies.length === 2);
    expect(client.replies.map((reply) => reply.length === 5)).toEqual([true, false]);
    expect(client.replies[1]![1]).toBe(41);
  });

  it('bounds the handlers running at once', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const server = await responder({
      maxPending: 1,
      handlers: {
        [PacketCode.AccessRequest]: async () => {
          await held;
          return { code: PacketCode.AccessAccept };
        },
      },
    });
    const client = await nas();
    client.send(accessRequest(50).bytes, server.port);
    client.send(accessRequest(51).bytes, server.port);
    await until(() => server.stats.received === 2);
    expect(server.stats.dropped.overloaded).toBe(1);
    release();
    await until(() => client.replies.length === 1);
    expect(client.replies[0]![1]).toBe(50);
  });

  it('serves the client a timeout when every reply is suppressed', async () => {
    const server = await responder({ hooks: { onReply: () => null } });
    const client = new RadiusClient({ bindAddress: '127.0.0.1' });
    track(client);
    await expect(
      client.send(target(server, { timeoutMs: 40, retries: 1 }), { code: PacketCode.AccessRequest, attributes: {} }),
    ).rejects.toBeInstanceOf(RadiusTimeoutError);
    await until(() => server.stats.answered === 2);
    expect(server.stats.answered).toBe(2);
  });
});
