/**
 * Identifiers, sockets and bounds: 1,000 requests in flight at once, the in-flight and
 * per-server socket limits, identifiers given back on completion, idle sockets closed, and a
 * socket that fails taking only its own requests with it.
 */
import { describe, expect, it } from 'vitest';
import { until } from './support/poll.js';
import { compileDictionaries } from '../src/radius/dictionary/index.js';
import { PacketCode } from '../src/radius/codec/index.js';
import {
  RadiusClosedError,
  RadiusOverloadedError,
  RadiusSocketError,
  type DatagramSocket,
  type DatagramSource,
  type RadiusResponse,
} from '../src/radius/client/index.js';
import { IdentifierSpace } from '../src/radius/client/identifier-space.js';
import { MessageAuthenticatorMemory } from '../src/radius/client/message-authenticator-policy.js';
import { seed } from './support/seed.js';
import { radiusKit } from './support/radius-kit.js';

const dictionary = compileDictionaries([seed('dictionary')]);
const secret = 'load-test-secret';

const { responder, client, target } = radiusKit({
  dictionary,
  secret,
  retries: 3,
  timeoutMs: 3000,
  handlers: { [PacketCode.AccessRequest]: () => ({ code: PacketCode.AccessAccept }) },
});

const request = (index: number) => ({
  code: PacketCode.AccessRequest,
  attributes: { 'User-Name': `user-${index}`, 'User-Password': 'pw' },
});

describe('1,000 requests in flight', () => {
  it('all complete, each on its own (socket, identifier), over ceil(1000 / 256) = 4 sockets', async () => {
    const total = 1000;
    // The responder answers nobody until it has seen all 1,000, so all are in flight at once.
    const seen = new Set<string>();
    let open: () => void = () => {};
    const allArrived = new Promise<void>((resolve) => (open = resolve));
    const fallback = setTimeout(open, 20_000);
    const server = await responder({
      handlers: {
        [PacketCode.AccessRequest]: async ({ source, packet }) => {
          seen.add(`${source.port}:${packet.identifier}`);
          if (seen.size >= total) open();
          await allArrived;
          return { code: PacketCode.AccessAccept, attributes: { 'Reply-Message': `for ${String(packet.attributes[0]?.value)}` } };
        },
      },
    });
    const radius = client();
    const sends: Promise<RadiusResponse>[] = [];
    for (let index = 0; index < total; index += 1) sends.push(radius.send(target(server), request(index)));
    expect(radius.stats).toMatchObject({ inFlight: total, sockets: 4 });
    const results = await Promise.all(sends);
    clearTimeout(fallback);

    expect(seen.size).toBe(total);
    results.forEach((result, index) => {
      expect(result.response.code).toBe(PacketCode.AccessAccept);
      // Each caller got the reply to its own request.
      expect(result.response.attributes[0]?.value).toBe(`for user-${index}`);
    });
    const pairs = new Set(results.map((result) => `${String(result.localPort)}:${result.identifier}`));
    expect(pairs.size).toBe(total);
    const ports = new Set(results.map((result) => result.localPort));
    expect(ports.size).toBe(4);
    // Sockets fill up in turn: three full ones, and the rest on the fourth.
    const perPort = [...ports].map((port) => results.filter((result) => result.localPort === port).length).sort((a, b) => b - a);
    expect(perPort).toEqual([256, 256, 256, 232]);
    expect(radius.stats).toMatchObject({ sent: total, accepted: total, inFlight: 0, sockets: 4 });
    expect(radius.stats.received).toBe(radius.stats.accepted + radius.stats.dropped.unmatched);
  });
});

describe('bounds', () => {
  it('rejects at once past maxInFlight, with a clear error, sending nothing', async () => {
    const server = await responder({ handlers: {} });
    const radius = client({ maxInFlight: 10 });
    const pending = Array.from({ length: 10 }, (_, index) =>
      radius.send(target(server), request(index)).catch((failure: unknown) => failure),
    );
    const refused = await radius.send(target(server), request(10)).catch((failure: unknown) => failure);
    expect(refused).toBeInstanceOf(RadiusOverloadedError);
    const overloaded = refused as RadiusOverloadedError;
    expect(overloaded.kind).toBe('overloaded');
    expect(overloaded.limit).toBe(10);
    expect(overloaded.attempts).toEqual([]);
    expect(overloaded.message).toMatch(/10 requests in flight, its limit \(maxInFlight 10\); nothing was sent/);
    expect(radius.stats).toMatchObject({ sent: 10, inFlight: 10 });
    await until(() => server.stats.received >= 10, 5000, 5);
    expect(server.stats.received).toBe(10);
    await radius.close();
    for (const error of await Promise.all(pending)) expect(error).toBeInstanceOf(RadiusClosedError);
  });

  it('opens no more than maxSocketsPerDestination sockets per server: 256 identifiers each, then refuses', async () => {
    const silent = await responder({ handlers: {} });
    const other = await responder();
    const radius = client({ maxSocketsPerDestination: 1 });
    const pending = Array.from({ length: 256 }, (_, index) =>
      radius.send(target(silent, { timeoutMs: 10_000 }), request(index)).catch((failure: unknown) => failure),
    );
    const refused = (await radius.send(target(silent), request(256)).catch((failure: unknown) => failure)) as RadiusOverloadedError;
    expect(refused).toBeInstanceOf(RadiusOverloadedError);
    expect(refused.limit).toBe(256);
    expect(refused.message).toMatch(/all 256 identifiers of its 1 sockets \(maxSocketsPerDestination\)/);
    // The bound is per server: another one still gets its socket.
    expect((await radius.send(target(other), request(0))).response.code).toBe(PacketCode.AccessAccept);
    expect(radius.stats.sockets).toBe(2);
    await radius.close();
    expect(await Promise.all(pending)).toHaveLength(256);
  });

  it('gives identifiers back on completion: 600 requests one after another on a single socket', async () => {
    const server = await responder();
    const radius = client({ maxSocketsPerDestination: 1 });
    const identifiers = new Set<number>();
    for (let index = 0; index < 600; index += 1) identifiers.add((await radius.send(target(server), request(index))).identifier);
    expect(identifiers.size).toBe(256);
    expect(radius.stats).toMatchObject({ sent: 600, accepted: 600, sockets: 1, inFlight: 0 });
  });

  it('closes sockets that stay idle', async () => {
    const server = await responder();
    const radius = client({ idleSocketMs: 30 });
    await Promise.all(Array.from({ length: 300 }, (_, index) => radius.send(target(server), request(index))));
    expect(radius.stats.sockets).toBe(2);
    await until(() => radius.stats.sockets === 0, 2000, 5);
    expect(radius.stats.sockets).toBe(0);
    // And opens a new one when needed.
    expect((await radius.send(target(server), request(0))).response.code).toBe(PacketCode.AccessAccept);
    expect(radius.stats.sockets).toBe(1);
  });

  it('fails the requests of a socket that breaks with a socket error, and only those', async () => {
    class BrokenSocket implements DatagramSocket {
      #onError: ((error: Error) => void) | undefined;
      bind(): void {
        setTimeout(() => this.#onError?.(Object.assign(new Error('bind EADDRNOTAVAIL'), { code: 'EADDRNOTAVAIL' })), 5);
      }
      send(_message: Buffer, _port: number, _address: string, callback: (error: Error | null) => void): void {
        callback(null);
      }
      on(event: 'message', listener: (message: Buffer, source: DatagramSource) => void): this;
      on(event: 'error', listener: (error: Error) => void): this;
      on(event: 'message' | 'error', listener: ((message: Buffer, source: DatagramSource) => void) | ((error: Error) => void)): this {
        if (event === 'error') this.#onError = listener as (error: Error) => void;
        return this;
      }
      address(): DatagramSource {
        throw new Error('not bound');
      }
      close(callback?: () => void): void {
        callback?.();
      }
    }
    const server = await responder();
    const radius = client({ socketFactory: () => new BrokenSocket() });
    const error = (await radius.send(target(server), request(0)).catch((failure: unknown) => failure)) as RadiusSocketError;
    expect(error).toBeInstanceOf(RadiusSocketError);
    expect(error.kind).toBe('socket');
    expect(error.message).toMatch(/EADDRNOTAVAIL/);
    expect(error.attempts).toHaveLength(1);
    expect(radius.stats).toMatchObject({ inFlight: 0, sockets: 0 });
  });
});

describe('IdentifierSpace', () => {
  it('hands out each of 256 identifiers once, walking on from the last, and frees only what the holder owns', () => {
    const space = new IdentifierSpace<string>(250);
    const taken: number[] = [];
    for (let index = 0; index < 256; index += 1) {
      const identifier = space.reserve();
      expect(identifier).toBeDefined();
      space.assign(identifier!, `r${index}`);
      taken.push(identifier!);
    }
    expect(taken.slice(0, 8)).toEqual([250, 251, 252, 253, 254, 255, 0, 1]);
    expect(new Set(taken).size).toBe(256);
    expect(space.full).toBe(true);
    expect(space.reserve()).toBeUndefined();
    expect(space.release(3, 'someone else')).toBe(false);
    expect(space.get(3)).toBe('r9');
    expect(space.release(3, 'r9')).toBe(true);
    expect(space.reserve()).toBe(3);
    expect(space.get(3)).toBeUndefined(); // reserved, not yet assigned: no reply can match it
    expect(() => space.assign(4, 'x')).toThrow(/not reserved/);
  });
});

describe('MessageAuthenticatorMemory', () => {
  it('learns only from signed replies to Access-Request under auto, and forgets the oldest past its limit', () => {
    const memory = new MessageAuthenticatorMemory(2);
    memory.observe('auto', 'a', PacketCode.StatusServer, 'valid');
    memory.observe('auto', 'a', PacketCode.AccessRequest, 'absent');
    memory.observe('never', 'a', PacketCode.AccessRequest, 'valid');
    expect(memory.required('auto', 'a', PacketCode.AccessRequest)).toBe(false);
    memory.observe('auto', 'a', PacketCode.AccessRequest, 'valid');
    expect(memory.required('auto', 'a', PacketCode.AccessRequest)).toBe(true);
    expect(memory.required('auto', 'a', PacketCode.AccountingRequest)).toBe(false);
    expect(memory.required('auto', 'a', PacketCode.StatusServer)).toBe(false);
    expect(memory.required('always', 'z', PacketCode.StatusServer)).toBe(true);
    expect(memory.required('always', 'z', PacketCode.CoaRequest)).toBe(false);
    memory.observe('auto', 'b', PacketCode.AccessRequest, 'valid');
    memory.observe('auto', 'c', PacketCode.AccessRequest, 'valid');
    expect(memory.size).toBe(2);
    expect(memory.remembers('a')).toBe(false);
    expect(memory.remembers('c')).toBe(true);
  });
});
