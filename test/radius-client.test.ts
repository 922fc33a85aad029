/**
 * The library client against the project's responder on loopback: round trips, retransmission,
 * timeouts, Status-Server, the Message-Authenticator policies, and close().
 */
import { describe, expect, it } from 'vitest';
import { compileDictionaries } from '../src/radius/dictionary/index.js';
import { findAttribute, PacketCode } from '../src/radius/codec/index.js';
import { RadiusClient, RadiusClosedError, RadiusTimeoutError } from '../src/radius/client/index.js';
import type { ResponderReply } from '../src/radius/responder/index.js';
import { seed } from './support/seed.js';
import { radiusKit } from './support/radius-kit.js';

const dictionary = compileDictionaries([seed('dictionary'), seed('dictionary_cisco')]);
const secret = 'client-test-secret';

/** Everything a test opens, closed after it whatever happened. */
const { responder, client, target, until } = radiusKit({
  dictionary,
  secret,
  retries: 2,
  timeoutMs: 1000,
  untilMs: 2000,
  handlers: {
    [PacketCode.AccessRequest]: ({ packet }): ResponderReply =>
      findAttribute(packet.attributes, 'User-Password')?.value === 'right'
        ? {
            code: PacketCode.AccessAccept,
            attributes: { 'Reply-Message': 'welcome', 'Session-Timeout': 3600, 'Cisco-AVPair': 'ip:addr-pool=p1' },
          }
        : { code: PacketCode.AccessReject, attributes: { 'Reply-Message': 'denied' } },
    [PacketCode.AccountingRequest]: () => ({ code: PacketCode.AccountingResponse }),
  },
});

const login = (password: string) => ({ code: PacketCode.AccessRequest, attributes: { 'User-Name': 'alice', 'User-Password': password } });

/** Access-Request replies without a Message-Authenticator, Status-Server replies with one: Debian's FreeRADIUS 3.2.1. */
const freeradius321 = (requestCode: number): boolean => requestCode === PacketCode.StatusServer;

describe('round trips', () => {
  it('accepts, rejects and accounts, decoding reply attributes by name with the seed dictionaries', async () => {
    const server = await responder();
    const radius = client();
    const accepted = await radius.send(target(server), login('right'));
    expect(accepted.response.code).toBe(PacketCode.AccessAccept);
    expect(accepted.response.messageAuthenticator).toBe('valid');
    expect(accepted.response.attributes.map(({ name, value }) => [name, value])).toEqual([
      ['Reply-Message', 'welcome'],
      ['Session-Timeout', 3600],
      ['Cisco-AVPair', 'ip:addr-pool=p1'],
    ]);
    expect(accepted.rttMs).toBeGreaterThan(0);
    expect(accepted.attempts).toEqual([{ attempt: 1, sentAt: expect.any(Number), outcome: 'answered', rttMs: accepted.rttMs }]);

    const rejected = await radius.send(target(server), login('wrong'));
    expect(rejected.response.code).toBe(PacketCode.AccessReject);
    expect(findAttribute(rejected.response.attributes, 'Reply-Message')?.value).toBe('denied');

    const accounting = await radius.send(target(server), {
      code: PacketCode.AccountingRequest,
      attributes: { 'User-Name': 'alice', 'Acct-Status-Type': 'Start', 'Acct-Session-Id': 's1' },
    });
    expect(accounting.response.code).toBe(PacketCode.AccountingResponse);

    expect(radius.stats).toMatchObject({ sent: 3, retransmitted: 0, received: 3, accepted: 3, inFlight: 0, sockets: 1 });
    expect(server.stats).toMatchObject({ received: 3, answered: 3 });
  });

  it('refuses a request the codec cannot build, and a malformed target, without sending anything', async () => {
    const server = await responder();
    const radius = client();
    await expect(
      radius.send(target(server), { code: PacketCode.AccessRequest, attributes: { 'No-Such-Attribute': 1 } }),
    ).rejects.toMatchObject({
      name: 'RadiusEncodeError',
    });
    await expect(radius.send(target(server, { address: 'localhost' }), login('right'))).rejects.toThrow(TypeError);
    await expect(radius.send(target(server, { retries: -1 }), login('right'))).rejects.toThrow(RangeError);
    await expect(radius.send(target(server, { timeoutMs: 0 }), login('right'))).rejects.toThrow(RangeError);
    expect(radius.stats).toMatchObject({ sent: 0, inFlight: 0 });
    // The identifier taken for the refused request was given back.
    expect((await radius.send(target(server), login('right'))).response.code).toBe(PacketCode.AccessAccept);
  });
});

describe('retransmission', () => {
  it('sends the same bytes (identifier and authenticator) again after the timeout, and takes the reply to the copy', async () => {
    const seen: Buffer[] = [];
    const server = await responder({ hooks: { dropFirstCopies: 1, onDatagram: (bytes) => seen.push(Buffer.from(bytes)) } });
    const radius = client();
    const result = await radius.send(target(server, { timeoutMs: 150, retries: 3 }), login('right'));
    expect(result.response.code).toBe(PacketCode.AccessAccept);
    expect(seen).toHaveLength(2);
    expect(seen[1]!.equals(seen[0]!)).toBe(true);
    expect(seen[0]![1]).toBe(result.identifier);
    expect(result.attempts.map((attempt) => attempt.outcome)).toEqual(['timeout', 'answered']);
    expect(result.attempts[1]!.sentAt - result.attempts[0]!.sentAt).toBeGreaterThanOrEqual(140);
    expect(result.elapsedMs).toBeGreaterThan(result.rttMs);
    expect(radius.stats).toMatchObject({ sent: 1, retransmitted: 1, accepted: 1 });
    expect(server.stats.dropped.byHook).toBe(1);
  });

  it('fails with a timeout error listing every attempt once the retries are spent', async () => {
    const seen: Buffer[] = [];
    const server = await responder({
      handlers: { [PacketCode.AccessRequest]: () => undefined },
      hooks: { onDatagram: (bytes) => seen.push(Buffer.from(bytes)) },
    });
    const radius = client();
    const error = await radius.send(target(server, { timeoutMs: 60, retries: 2 }), login('right')).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(RadiusTimeoutError);
    const timeout = error as RadiusTimeoutError;
    expect(timeout.kind).toBe('timeout');
    expect(timeout.target).toBe(`127.0.0.1:${server.port}`);
    expect(timeout.message).toMatch(/after 3 attempt\(s\), 60 ms each/);
    expect(timeout.attempts.map(({ attempt, outcome }) => [attempt, outcome])).toEqual([
      [1, 'timeout'],
      [2, 'timeout'],
      [3, 'timeout'],
    ]);
    for (const attempt of timeout.attempts) expect(attempt.rttMs).toBeUndefined();
    expect(timeout.attempts[2]!.sentAt).toBeGreaterThanOrEqual(timeout.attempts[0]!.sentAt + 100);
    await until(() => server.stats.silent === 3);
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((bytes) => bytes.toString('hex'))).size).toBe(1);
    expect(radius.stats).toMatchObject({ sent: 1, retransmitted: 2, timedOut: 1, inFlight: 0 });
    expect(server.stats.silent).toBe(3);
  });

  it('with retries 0 sends exactly one copy', async () => {
    const server = await responder({ handlers: {} });
    const radius = client();
    const error = (await radius
      .send(target(server, { timeoutMs: 40, retries: 0 }), login('right'))
      .catch((failure: unknown) => failure)) as RadiusTimeoutError;
    expect(error.attempts).toHaveLength(1);
    await until(() => server.stats.received === 1);
    expect(server.stats).toMatchObject({ received: 1, dropped: { unhandled: 1 } });
  });
});

describe('Status-Server (RFC 5997)', () => {
  it('probes a live server: signed request, rtt, and no attempt at learning from the signed reply', async () => {
    const seen: Buffer[] = [];
    const server = await responder({
      replyMessageAuthenticator: freeradius321,
      hooks: { onDatagram: (bytes) => seen.push(Buffer.from(bytes)) },
    });
    const radius = client();
    const probe = await radius.probe(target(server));
    expect(probe.alive).toBe(true);
    if (!probe.alive) return;
    expect(probe.rttMs).toBeGreaterThan(0);
    expect(probe.response.code).toBe(PacketCode.AccessAccept);
    expect(probe.response.messageAuthenticator).toBe('valid');
    expect(probe.attempts).toHaveLength(1);
    expect(seen[0]![0]).toBe(PacketCode.StatusServer);
    expect(seen[0]![20]).toBe(80); // Message-Authenticator, first
    // The probe's signed reply taught `auto` nothing: the unsigned Access-Accept still counts.
    expect(radius.requiresMessageAuthenticator(target(server))).toBe(false);
    expect((await radius.send(target(server), login('right'))).response.code).toBe(PacketCode.AccessAccept);
  });

  it('reports a silent server as dead after 1 + retries new packets, each with its own identifier', async () => {
    const seen: Buffer[] = [];
    const server = await responder({
      handlers: { [PacketCode.StatusServer]: () => undefined },
      hooks: { onDatagram: (bytes) => seen.push(Buffer.from(bytes)) },
    });
    const radius = client();
    const probe = await radius.probe(target(server, { timeoutMs: 50, retries: 2 }));
    if (probe.alive) throw new Error('a silent server cannot be alive');
    expect(probe.error).toBeInstanceOf(RadiusTimeoutError);
    expect(probe.attempts.map(({ attempt, outcome }) => [attempt, outcome])).toEqual([
      [1, 'timeout'],
      [2, 'timeout'],
      [3, 'timeout'],
    ]);
    expect((probe.error as RadiusTimeoutError).attempts).toHaveLength(3);
    await until(() => seen.length === 3);
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((bytes) => bytes.subarray(4, 20).toString('hex'))).size).toBe(3);
  });

  it('reports a closed client as a failed probe rather than throwing', async () => {
    const server = await responder();
    const radius = client();
    await radius.close();
    const probe = await radius.probe(target(server));
    if (probe.alive) throw new Error('a closed client cannot probe');
    expect(probe.error).toBeInstanceOf(RadiusClosedError);
  });
});

describe('requireMessageAuthenticator', () => {
  it('never: accepts replies without one', async () => {
    const server = await responder({ replyMessageAuthenticator: false });
    const radius = client();
    const result = await radius.send(target(server, { requireMessageAuthenticator: 'never' }), login('right'));
    expect(result.response.messageAuthenticator).toBe('absent');
  });

  it('always: drops a reply without one (counted, the request keeps waiting), accepts one with it', async () => {
    const unsigned = await responder({ replyMessageAuthenticator: false });
    const radius = client();
    const error = await radius
      .send(target(unsigned, { requireMessageAuthenticator: 'always', timeoutMs: 300, retries: 1 }), login('right'))
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(RadiusTimeoutError);
    expect(radius.stats.dropped.unauthentic).toBe(2);
    // Status-Server replies must be signed too.
    const probe = await radius.probe(target(unsigned, { requireMessageAuthenticator: 'always', timeoutMs: 60, retries: 0 }));
    expect(probe.alive).toBe(false);

    const signed = await responder();
    const result = await radius.send(target(signed, { requireMessageAuthenticator: 'always' }), login('wrong'));
    expect(result.response.code).toBe(PacketCode.AccessReject);
    expect(result.response.messageAuthenticator).toBe('valid');
    // Accounting-Response never carries one, and is not required to.
    const accounting = await radius.send(target(signed, { requireMessageAuthenticator: 'always' }), {
      code: PacketCode.AccountingRequest,
      attributes: { 'Acct-Status-Type': 'Stop' },
    });
    expect(accounting.response.messageAuthenticator).toBe('absent');
  });

  it('auto (the default): works with a server that never signs Access-Accept (FreeRADIUS 3.2.1)', async () => {
    const server = await responder({ replyMessageAuthenticator: freeradius321 });
    const radius = client();
    for (let round = 0; round < 3; round += 1) {
      expect((await radius.probe(target(server))).alive).toBe(true);
      expect((await radius.send(target(server), login('right'))).response.code).toBe(PacketCode.AccessAccept);
      expect((await radius.send(target(server), login('wrong'))).response.code).toBe(PacketCode.AccessReject);
    }
    expect(radius.stats.dropped.unauthentic).toBe(0);
  });

  it('auto: once a server signed a reply to an Access-Request, an unsigned one is dropped (per address, port and secret)', async () => {
    let signing = true;
    const server = await responder({ replyMessageAuthenticator: () => signing });
    const radius = client();
    expect(radius.requiresMessageAuthenticator(target(server))).toBe(false);
    expect((await radius.send(target(server), login('right'))).response.messageAuthenticator).toBe('valid');
    expect(radius.requiresMessageAuthenticator(target(server))).toBe(true);
    expect(radius.requiresMessageAuthenticator(target(server, { secret: 'another secret' }))).toBe(false);
    expect(radius.requiresMessageAuthenticator(target(server, { port: server.port === 65535 ? 1 : server.port + 1 }))).toBe(false);
    expect(radius.requiresMessageAuthenticator(target(server, { requireMessageAuthenticator: 'never' }))).toBe(false);

    signing = false;
    const error = await radius.send(target(server, { timeoutMs: 300, retries: 1 }), login('right')).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(RadiusTimeoutError);
    expect(radius.stats.dropped.unauthentic).toBe(2);
    // The same server under `never` is still usable: the memory belongs to `auto`.
    expect(
      (await radius.send(target(server, { requireMessageAuthenticator: 'never' }), login('right'))).response.messageAuthenticator,
    ).toBe('absent');
  });
});

describe('close()', () => {
  it('rejects every pending request with the attempts made, closes the sockets, and refuses later sends', async () => {
    const server = await responder({ handlers: { [PacketCode.AccessRequest]: () => undefined } });
    const radius = new RadiusClient({ bindAddress: '127.0.0.1' });
    const pending = [1, 2, 3].map(() =>
      radius.send(target(server, { timeoutMs: 5000 }), login('right')).catch((failure: unknown) => failure),
    );
    // Wait until the responder has seen all three, so each has a transmitted attempt.
    await until(() => server.stats.received === 3);
    expect(radius.stats.inFlight).toBe(3);
    await radius.close();
    const errors = await Promise.all(pending);
    for (const error of errors) {
      expect(error).toBeInstanceOf(RadiusClosedError);
      expect((error as RadiusClosedError).attempts.map((attempt) => attempt.outcome)).toEqual(['closed']);
    }
    expect(radius.stats).toMatchObject({ inFlight: 0, sockets: 0 });
    await expect(radius.send(target(server), login('right'))).rejects.toBeInstanceOf(RadiusClosedError);
    await radius.close();
  });
});
