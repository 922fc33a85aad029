/**
 * Withdrawing a request with an AbortSignal: nothing more is sent, the identifier and the timer
 * are freed at once, and the caller gets a typed abort error (never a timeout) with the attempts made.
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { compileDictionaries } from '../src/radius/dictionary/index.js';
import { findAttribute, PacketCode } from '../src/radius/codec/index.js';
import { RadiusAbortedError, RadiusClientError, RadiusTimeoutError, type RadiusResponse } from '../src/radius/client/index.js';
import type { ResponderReply } from '../src/radius/responder/index.js';
import { seed } from './support/seed.js';
import { radiusKit } from './support/radius-kit.js';

const dictionary = compileDictionaries([seed('dictionary')]);
const secret = 'abort-test-secret';

/** Answers every password but `silent`, which it never answers. */
const { responder, client, target, until } = radiusKit({
  dictionary,
  secret,
  retries: 5,
  timeoutMs: 100,
  untilMs: 3000,
  handlers: {
    [PacketCode.AccessRequest]: ({ packet }): ResponderReply | undefined =>
      findAttribute(packet.attributes, 'User-Password')?.value === 'silent' ? undefined : { code: PacketCode.AccessAccept },
  },
});

const login = (password: string) => ({ code: PacketCode.AccessRequest, attributes: { 'User-Name': 'alice', 'User-Password': password } });

/** Ref'd timers of this process: a pending request's retransmission timer is one; idle-socket timers are unref'd. */
const activeTimers = (): number => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

const failure = (promise: Promise<RadiusResponse>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

/** Out of any timer callback (so timer counts are settled), without arming a timer of its own. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('aborting a request in flight', () => {
  it('stops retransmitting, clears its timer and rejects with an abort error carrying the attempts so far', async () => {
    const server = await responder();
    const radius = client();
    const controller = new AbortController();
    const outcome = failure(radius.send(target(server), login('silent'), { signal: controller.signal }));
    // Let one retransmission happen first, so the error has two attempts to report.
    await until(() => server.stats.received === 2);
    await settled();
    const waiting = activeTimers();
    const reason = new Error('caller gave up');
    controller.abort(reason);

    const error = await outcome;
    expect(error).toBeInstanceOf(RadiusAbortedError);
    expect(error).toBeInstanceOf(RadiusClientError);
    expect(error).not.toBeInstanceOf(RadiusTimeoutError);
    const aborted = error as RadiusAbortedError;
    expect(aborted.kind).toBe('aborted');
    expect(aborted.name).toBe('RadiusAbortedError');
    expect(aborted.cause).toBe(reason);
    expect(aborted.target).toBe(`127.0.0.1:${server.port}`);
    expect(aborted.attempts.map(({ attempt, outcome }) => [attempt, outcome])).toEqual([
      [1, 'timeout'],
      [2, 'aborted'],
    ]);
    await settled();
    expect(activeTimers()).toBe(waiting - 1);
    expect(radius.stats).toMatchObject({ sent: 1, retransmitted: 1, aborted: 1, timedOut: 0, inFlight: 0 });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);

    // A sleep, not a wait: four more timeouts' worth, in which a timer left behind would have sent
    // the third copy; that nothing is sent in this time is what is checked.
    await sleep(400);
    expect(server.stats.received).toBe(2);
    expect(radius.stats).toMatchObject({ retransmitted: 1, timedOut: 0 });
  });

  it('frees the identifier at once: a full socket of aborted requests makes room for as many new ones', async () => {
    const server = await responder();
    const radius = client({ maxSocketsPerDestination: 1 });
    const controller = new AbortController();
    const first = Array.from({ length: 256 }, () => failure(radius.send(target(server), login('silent'), { signal: controller.signal })));
    await expect(radius.send(target(server), login('right'))).rejects.toMatchObject({ name: 'RadiusOverloadedError' });
    controller.abort();
    for (const error of await Promise.all(first)) expect(error).toBeInstanceOf(RadiusAbortedError);
    expect(radius.stats).toMatchObject({ inFlight: 0, aborted: 256 });

    const second = await Promise.all(Array.from({ length: 256 }, () => radius.send(target(server), login('right'))));
    expect(second.every((result) => result.response.code === PacketCode.AccessAccept)).toBe(true);
    expect(new Set(second.map((result) => result.identifier)).size).toBe(256);
    expect(radius.stats).toMatchObject({ sockets: 1, accepted: 256, inFlight: 0 });
  });

  it('drops a reply that arrives after the abort as unmatched', async () => {
    const server = await responder({ hooks: { delayMs: 150 } });
    const radius = client();
    const controller = new AbortController();
    const outcome = failure(radius.send(target(server, { timeoutMs: 2000 }), login('right'), { signal: controller.signal }));
    await until(() => server.stats.received === 1);
    controller.abort();
    expect(await outcome).toBeInstanceOf(RadiusAbortedError);
    await until(() => radius.stats.received === 1);
    expect(radius.stats).toMatchObject({ received: 1, accepted: 0, dropped: { unmatched: 1 } });
  });
});

describe('an already-aborted signal', () => {
  it('sends nothing and takes no identifier', async () => {
    const server = await responder();
    const radius = client();
    const reason = new Error('too late');
    const error = await failure(radius.send(target(server), login('right'), { signal: AbortSignal.abort(reason) }));
    expect(error).toBeInstanceOf(RadiusAbortedError);
    expect((error as RadiusAbortedError).attempts).toEqual([]);
    expect((error as RadiusAbortedError).cause).toBe(reason);
    expect(radius.stats).toMatchObject({ sent: 0, inFlight: 0, sockets: 0 });

    // A request after it is the first datagram the server ever sees.
    await radius.send(target(server), login('right'));
    expect(server.stats.received).toBe(1);
  });
});

describe('a signal that never fires', () => {
  it('is let go of when the request settles, and a later abort changes nothing', async () => {
    const server = await responder();
    const radius = client();
    const controller = new AbortController();
    const result = await radius.send(target(server), login('right'), { signal: controller.signal });
    expect(result.response.code).toBe(PacketCode.AccessAccept);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    controller.abort();
    expect(radius.stats).toMatchObject({ accepted: 1, aborted: 0, inFlight: 0 });
  });

  it('is let go of when the request times out', async () => {
    const server = await responder();
    const radius = client();
    const controller = new AbortController();
    const error = await failure(radius.send(target(server, { retries: 0, timeoutMs: 50 }), login('silent'), { signal: controller.signal }));
    expect(error).toBeInstanceOf(RadiusTimeoutError);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
