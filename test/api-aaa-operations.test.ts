/**
 * POST /v2/accounts/{ID}/aaa/authn|authz|accounting end to end: the service, a real store, and
 * RADIUS servers played by the project's responder on 127.0.0.1 (short timeouts throughout).
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileDictionaries } from '../src/radius/dictionary/index.js';
import { type DecodedPacket, findAttribute, PacketCode } from '../src/radius/codec/index.js';
import { RadiusResponder, type ResponderReply } from '../src/radius/responder/index.js';
import { type Api, type TestAccount, createAccount } from './support/api.js';
import type { TestService } from './support/service.js';
import { useSuiteService } from './support/suite.js';
import { until } from './support/poll.js';
import { seed } from './support/seed.js';

let service: TestService;
let api: Api;

// One queued request per worker, so the queue bound is reachable with three requests; dead
// servers probed every 200 ms.
useSuiteService((started) => ({ service, api } = started), { AAA_QUEUE_PER_WORKER: '1', AAA_PROBE_INTERVAL_MS: '200' });

const dictionary = compileDictionaries([seed('dictionary')]);
const SECRET = 'live-secret';
let live: RadiusResponder;
let deadPort: number;
const received: DecodedPacket[] = [];

beforeAll(async () => {
  live = await RadiusResponder.start({
    dictionary,
    clients: { '127.0.0.1': SECRET },
    handlers: {
      [PacketCode.AccessRequest]: ({ packet }): ResponderReply => {
        received.push(packet);
        return findAttribute(packet.attributes, 'User-Password')?.value === 'right'
          ? { code: PacketCode.AccessAccept, attributes: { 'Reply-Message': 'welcome alice', 'Session-Timeout': 3600 } }
          : { code: PacketCode.AccessReject, attributes: { 'Reply-Message': 'denied' } };
      },
      [PacketCode.AccountingRequest]: ({ packet }): ResponderReply => {
        received.push(packet);
        return { code: PacketCode.AccountingResponse };
      },
    },
  });
  // A port with nothing listening: bound once to learn a free one, then closed.
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', () => resolve()));
  deadPort = probe.address().port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  await live?.close();
});

const liveServer = (name = 'live') => ({
  name,
  address: '127.0.0.1',
  port: live.port,
  secret: SECRET,
  dicts: ['dictionary'],
  retries: 0,
  timeout: 1000,
});
const deadServer = (name = 'dead') => ({
  name,
  address: '127.0.0.1',
  port: deadPort,
  secret: 'dead-secret',
  dicts: ['dictionary'],
  retries: 0,
  timeout: 200,
});

const translation = (request_key: string, attribute: string, extra: Record<string, unknown> = {}) => ({
  request_key,
  attribute,
  request_value_regexp: '^(.*)$',
  attr_value_regexp: '^(.*)$',
  ...extra,
});

const TRANSLATIONS = {
  authn_avp_translation: [
    translation('User-Name', 'User-Name', { request_value_regexp: '^([^@]+)@' }),
    translation('User-Password', 'User-Password'),
    translation('Greeting', 'Reply-Message', { attr_value_regexp: '^welcome (\\w+)$' }),
    translation('Max-Duration', 'Session-Timeout', { cast: 'string_to_integer' }),
  ],
  authz_avp_translation: [translation('User-Name', 'User-Name'), translation('User-Password', 'User-Password')],
  accounting_avp_translation: [
    translation('User-Name', 'User-Name'),
    translation('Acct-Status-Type', 'Acct-Status-Type'),
    translation('Billing-Seconds', 'Acct-Session-Time', { cast: 'string_to_integer' }),
  ],
};

/** An AAA document whose three operations use `servers`, in that order. */
const aaaDoc = (mode: string, servers: Record<string, unknown>[], extra: Record<string, unknown> = {}) => {
  const names = servers.map((server) => String(server.name));
  return {
    aaa_mode: mode,
    servers,
    authentication: names,
    authorization: names,
    accounting: names,
    nas_address: '127.0.0.1',
    nas_port: '2000',
    ...TRANSLATIONS,
    ...extra,
  };
};

let serial = 0;
async function accountWith(doc: Record<string, unknown> | undefined, parent = service.masterAccountId): Promise<TestAccount> {
  const account = await createAccount(api, parent, `aaa-ops-${(serial += 1)}`);
  if (doc) {
    const saved = await api.put(`/v2/accounts/${account.id}/aaa`, doc);
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
  }
  return account;
}

const run = (account: TestAccount, operation: string, data: unknown) =>
  api.as(account.token).post(`/v2/accounts/${account.id}/aaa/${operation}`, data);

describe('authn', () => {
  it('accept: only translated keys are sent (with NAS-IP-Address/NAS-Port), the reply comes back by name and translated', async () => {
    const account = await accountWith(aaaDoc('on', [liveServer()]));
    received.length = 0;
    const response = await run(account, 'authn', { 'User-Name': 'alice@example.com', 'User-Password': 'right', 'Not-Translated': 'x' });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.data).toMatchObject({
      result: 'accept',
      server: 'live',
      account: account.id,
      attributes: { 'Reply-Message': 'welcome alice', 'Session-Timeout': 3600 },
      translated: { Greeting: 'alice', 'Max-Duration': '3600' },
    });
    expect(response.body.data.attempts).toEqual([
      expect.objectContaining({ server: 'live', account: account.id, attempt: 1, outcome: 'answered', rtt_ms: expect.any(Number) }),
    ]);
    expect(received).toHaveLength(1);
    const sent = Object.fromEntries(received[0]!.attributes.map((attribute) => [attribute.name, attribute.value]));
    expect(sent).toEqual({ 'User-Name': 'alice', 'User-Password': 'right', 'NAS-IP-Address': '127.0.0.1', 'NAS-Port': 2000 });
  });

  it('reject is an answer: 200 with result reject', async () => {
    const account = await accountWith(aaaDoc('on', [liveServer()]));
    const response = await run(account, 'authn', { 'User-Name': 'alice@example.com', 'User-Password': 'wrong' });
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ result: 'reject', attributes: { 'Reply-Message': 'denied' }, translated: {} });
  });

  it('a value the regex does not match is a 400 naming data.<key>, and nothing is sent', async () => {
    const account = await accountWith(aaaDoc('on', [liveServer()]));
    const before = live.stats.received;
    const response = await run(account, 'authn', { 'User-Name': 'no-realm', 'User-Password': 'right' });
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('validation_error');
    expect(response.body.data).toHaveProperty(['data.User-Name', 'regex']);
    expect(live.stats.received).toBe(before);
  });

  it("strict AVP: a translated attribute the server's dictionaries no longer define is a 400, nothing sent", async () => {
    const account = await createAccount(api, service.masterAccountId, `aaa-ops-${(serial += 1)}`);
    const dict = (attrs: { id: number; name: string }[]) => ({
      name: 'ops_custom',
      value: [
        { vendor: { OpsVendor: 64999 } },
        ...attrs.map((attr) => ({ attr: { vid: 64999, id: attr.id, type: 'string', name: attr.name } })),
      ],
    });
    const added = await api.put(`/v2/accounts/${account.id}/aaa/dictionary`, dict([{ id: 1, name: 'Ops-Custom' }]));
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const doc = aaaDoc('on', [{ ...liveServer(), dicts: ['dictionary', 'ops_custom'] }], {
      authn_avp_translation: [translation('User-Name', 'User-Name'), translation('Custom', 'Ops-Custom')],
    });
    expect((await api.put(`/v2/accounts/${account.id}/aaa`, doc)).status).toBe(201);
    // The dictionary changes after the document was checked against it.
    const changed = await api.post(
      `/v2/accounts/${account.id}/aaa/dictionary/${encodeURIComponent(String(added.body.data.id))}`,
      dict([{ id: 2, name: 'Ops-Other' }]),
    );
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const before = live.stats.received;
    const response = await run(account, 'authn', { 'User-Name': 'alice', Custom: 'x' });
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.body.data).toHaveProperty(['data.Custom', 'unknown_attribute']);
    expect(live.stats.received).toBe(before);
  });

  it('fails over from a dead server to a live one and lists both attempts', async () => {
    const account = await accountWith(aaaDoc('on', [deadServer(), liveServer()]));
    const response = await run(account, 'authn', { 'User-Name': 'alice@example.com', 'User-Password': 'right' });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.data.result).toBe('accept');
    expect(response.body.data.server).toBe('live');
    expect(response.body.data.attempts.map((a: { server: string; outcome: string }) => [a.server, a.outcome])).toEqual([
      ['dead', 'timeout'],
      ['live', 'answered'],
    ]);
  });

  it('every server dead: 504 radius_unreachable listing every attempt', async () => {
    const account = await accountWith(aaaDoc('on', [deadServer('dead1'), { ...deadServer('dead2'), retries: 1 }]));
    const response = await run(account, 'authn', { 'User-Name': 'alice@example.com', 'User-Password': 'right' });
    expect(response.status).toBe(504);
    expect(response.body.message).toBe('radius_unreachable');
    expect(
      response.body.data.attempts.map((a: { server: string; attempt: number; outcome: string; account: string }) => [
        a.server,
        a.attempt,
        a.outcome,
        a.account,
      ]),
    ).toEqual([
      ['dead1', 1, 'timeout', account.id],
      ['dead2', 1, 'timeout', account.id],
      ['dead2', 2, 'timeout', account.id],
    ]);
  });

  it("inherit: when the account's servers all fail, the parent's configuration answers", async () => {
    const parent = await accountWith(aaaDoc('on', [liveServer('parent-live')]));
    const child = await accountWith(aaaDoc('inherit', [deadServer('child-dead')]), parent.id);
    const response = await api.post(`/v2/accounts/${child.id}/aaa/authn`, { 'User-Name': 'alice@example.com', 'User-Password': 'right' });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.data).toMatchObject({ result: 'accept', server: 'parent-live', account: parent.id });
    expect(response.body.data.attempts.map((a: { server: string; account: string }) => [a.server, a.account])).toEqual([
      ['child-dead', child.id],
      ['parent-live', parent.id],
    ]);
  });

  it('`on` does not inherit on failure: 504', async () => {
    const parent = await accountWith(aaaDoc('on', [liveServer('parent-live')]));
    const child = await accountWith(aaaDoc('on', [deadServer('child-dead')]), parent.id);
    const response = await api.post(`/v2/accounts/${child.id}/aaa/authn`, { 'User-Name': 'alice@example.com', 'User-Password': 'right' });
    expect(response.status).toBe(504);
    expect(response.body.data.attempts).toHaveLength(1);
  });

  it('off is 409 aaa_disabled; no servers is 422 no_aaa_servers', async () => {
    const off = await accountWith(aaaDoc('off', [liveServer()]));
    const offResponse = await run(off, 'authn', { 'User-Name': 'alice@example.com' });
    expect(offResponse.status).toBe(409);
    expect(offResponse.body.message).toBe('aaa_disabled');
    const none = await accountWith(aaaDoc('on', []));
    const noneResponse = await run(none, 'authn', { 'User-Name': 'alice@example.com' });
    expect(noneResponse.status).toBe(422);
    expect(noneResponse.body.message).toBe('no_aaa_servers');
  });
});

describe('authz and accounting', () => {
  const blocking = {
    block_authz: [{ channel: ['inbound', 'internal'] }],
    block_accounting: [{ channel: ['outbound', 'external'] }],
  };

  it('a channel equal (as a set) to a block_authz rule is bypassed, to block_accounting blocked: nothing is sent', async () => {
    const account = await accountWith(aaaDoc('on', [liveServer()], blocking));
    const before = live.stats.received;
    const authz = await run(account, 'authz', { 'User-Name': 'alice', channel: ['internal', 'inbound'] });
    expect(authz.status, JSON.stringify(authz.body)).toBe(200);
    expect(authz.body.data).toMatchObject({ result: 'bypassed', server: null, account: account.id, attempts: [] });
    const accounting = await run(account, 'accounting', {
      'User-Name': 'alice',
      'Acct-Status-Type': 'Start',
      channel: ['external', 'outbound'],
    });
    expect(accounting.status).toBe(200);
    expect(accounting.body.data).toMatchObject({ result: 'blocked', server: null, attempts: [] });
    expect(live.stats.received).toBe(before);
    // Another channel is sent.
    const sent = await run(account, 'authz', { 'User-Name': 'alice', 'User-Password': 'right', channel: ['inbound', 'external'] });
    expect(sent.body.data.result).toBe('accept');
    expect(live.stats.received).toBe(before + 1);
  });

  it('accounting: Accounting-Request answered ok, the cast applied; a non-numeric cast is a 400 naming the key', async () => {
    const account = await accountWith(aaaDoc('on', [liveServer()]));
    received.length = 0;
    const ok = await run(account, 'accounting', { 'User-Name': 'alice', 'Acct-Status-Type': 'Stop', 'Billing-Seconds': '60' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.data.result).toBe('ok');
    expect(received[0]!.code).toBe(PacketCode.AccountingRequest);
    expect(findAttribute(received[0]!.attributes, 'Acct-Session-Time')?.value).toBe(60);
    expect(findAttribute(received[0]!.attributes, 'Acct-Status-Type')?.value).toBe('Stop');
    const bad = await run(account, 'accounting', { 'User-Name': 'alice', 'Acct-Status-Type': 'Stop', 'Billing-Seconds': 'sixty' });
    expect(bad.status).toBe(400);
    expect(bad.body.data).toHaveProperty(['data.Billing-Seconds', 'cast']);
  });

  it('a channel that is not a list of strings is a 400', async () => {
    const account = await accountWith(aaaDoc('on', [liveServer()], blocking));
    const response = await run(account, 'authz', { 'User-Name': 'alice', channel: 'inbound' });
    expect(response.status).toBe(400);
    expect(response.body.data).toHaveProperty(['data.channel', 'type']);
  });
});

describe('worker pool', () => {
  it('workers: 1 with one queued request per worker: the third concurrent request is 503 overloaded', async () => {
    const account = await accountWith(aaaDoc('on', [liveServer()], { workers: 1 }));
    let arrived!: () => void;
    const firstArrived = new Promise<void>((resolve) => (arrived = resolve));
    // A deliberately slow server holds the one worker while the other two requests come in.
    live.hooks = { delayMs: 300, onDatagram: () => arrived() };
    const login = () => run(account, 'authn', { 'User-Name': 'alice@example.com', 'User-Password': 'right' });
    try {
      const first = login();
      await firstArrived;
      // The worker is busy: of the next two, one takes the queue's one place and the other is refused.
      const others = await Promise.all([login(), login()]);
      expect((await first).status).toBe(200);
      expect(others.map((response) => response.status).sort()).toEqual([200, 503]);
      expect(others.find((response) => response.status === 503)!.body.message).toBe('overloaded');
    } finally {
      live.hooks = {};
    }
  });
});

describe('dead servers (RFC 5997 style)', () => {
  it('a server that timed out is skipped (skipped_dead, nothing sent) until Status-Server revives it; a list of only dead servers is still tried', async () => {
    const FLAKY_SECRET = 'flaky-secret';
    let accessRequests = 0;
    let statusServers = 0;
    const counting = {
      onDatagram: (bytes: Uint8Array) => {
        if (bytes[0] === PacketCode.AccessRequest) accessRequests += 1;
        if (bytes[0] === PacketCode.StatusServer) statusServers += 1;
      },
    };
    const flaky = await RadiusResponder.start({
      dictionary,
      clients: { '127.0.0.1': FLAKY_SECRET },
      handlers: {
        [PacketCode.AccessRequest]: (): ResponderReply => ({ code: PacketCode.AccessAccept, attributes: { 'Reply-Message': 'flaky' } }),
      },
      // Silent: every copy (Access-Request and Status-Server alike) is dropped.
      hooks: { ...counting, dropFirstCopies: 1_000 },
    });
    try {
      const flakyServer = {
        name: 'flaky',
        address: '127.0.0.1',
        port: flaky.port,
        secret: FLAKY_SECRET,
        dicts: ['dictionary'],
        retries: 0,
        timeout: 200,
      };
      const account = await accountWith(aaaDoc('on', [flakyServer, liveServer()]));
      const login = { 'User-Name': 'alice@example.com', 'User-Password': 'right' };
      const outcomes = (response: Awaited<ReturnType<typeof run>>) =>
        (response.body.data.attempts as { server: string; outcome: string }[]).map((a) => [a.server, a.outcome]);

      const first = await run(account, 'authn', login);
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(outcomes(first)).toEqual([
        ['flaky', 'timeout'],
        ['live', 'answered'],
      ]);
      expect(accessRequests).toBe(1);

      const second = await run(account, 'authn', login);
      expect(second.status).toBe(200);
      expect(outcomes(second)).toEqual([
        ['flaky', 'skipped_dead'],
        ['live', 'answered'],
      ]);
      expect(second.body.data.attempts[0]).toMatchObject({ attempt: 0, account: account.id, port: flaky.port });
      expect(second.body.data.attempts[0]).not.toHaveProperty('sent_at');
      expect(accessRequests).toBe(1);

      // Every server of the list dead: tried anyway, so a total outage is still retried.
      const alone = await accountWith(aaaDoc('on', [flakyServer]));
      const outage = await run(alone, 'authn', login);
      expect(outage.status).toBe(504);
      expect(outcomes(outage)).toEqual([['flaky', 'timeout']]);
      expect(accessRequests).toBe(2);

      // The server comes back: the next Status-Server is answered and live traffic returns to it.
      const probesBefore = statusServers;
      flaky.hooks = counting;
      let revived: Awaited<ReturnType<typeof run>> | undefined;
      await until(async () => {
        const response = await run(account, 'authn', login);
        expect(response.status).toBe(200);
        if (response.body.data.server === 'flaky') {
          revived = response;
          return true;
        }
        expect(outcomes(response)).toEqual([
          ['flaky', 'skipped_dead'],
          ['live', 'answered'],
        ]);
        return false;
      }, 5_000);
      expect(revived?.body.data).toMatchObject({ result: 'accept', server: 'flaky', attributes: { 'Reply-Message': 'flaky' } });
      expect(outcomes(revived!)).toEqual([['flaky', 'answered']]);
      expect(statusServers).toBeGreaterThan(probesBefore);
    } finally {
      await flaky.close();
    }
  });
});
