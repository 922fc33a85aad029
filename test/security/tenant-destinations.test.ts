/**
 * Tenants choose where the service sends UDP (issue 7, item 7): the operator's destination policy
 * (`tenant_destinations` in the system AAA document, over built-in reserved ranges) is enforced
 * when a tenant's document is saved (IP addresses: 400 naming the field) and before every send
 * (host names after resolving them: the attempt is `refused` and nothing is sent). The master
 * account's and the system's documents are the operator's own and exempt.
 *
 * This service runs with the built-in default (the suite's support lifts loopback for every
 * other file; here AAA_TENANT_DESTINATIONS_ALLOW is emptied).
 */
import { lookup } from 'node:dns/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DestinationGuard } from '../../src/aaa/destination-guard.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { compileDictionaries } from '../../src/radius/dictionary/index.js';
import { PacketCode } from '../../src/radius/codec/index.js';
import { RadiusResponder, type ResponderReply } from '../../src/radius/responder/index.js';
import { type Api, type TestAccount, createAccount } from '../support/api.js';
import { seed } from '../support/seed.js';
import type { TestService } from '../support/service.js';
import { useSuiteService } from '../support/suite.js';

let service: TestService;
let api: Api;

useSuiteService((started) => ({ service, api } = started), { AAA_TENANT_DESTINATIONS_ALLOW: '' });

const dictionary = compileDictionaries([seed('dictionary')]);
const SECRET = 'policy-secret';
/** Listens where `localhost` resolves (127.0.0.1 or ::1), as a RADIUS server and as a NAS. */
let atLocalhost: RadiusResponder;
/** Listens on 127.0.0.2: loopback too, but a different /32 from the one `localhost` gives. */
let atSecondLoopback: RadiusResponder;
let localhostAddress: string;

const LOOPBACK = ['127.0.0.0/8', '::1/128'];
const handlers = {
  [PacketCode.AccessRequest]: (): ResponderReply => ({ code: PacketCode.AccessAccept, attributes: { 'Reply-Message': 'hello' } }),
  [PacketCode.CoaRequest]: (): ResponderReply => ({ code: PacketCode.CoaAck }),
  [PacketCode.DisconnectRequest]: (): ResponderReply => ({ code: PacketCode.DisconnectAck }),
};
const clients = { '127.0.0.1': SECRET, '127.0.0.2': SECRET, '::1': SECRET };

beforeAll(async () => {
  localhostAddress = (await lookup('localhost')).address;
  atLocalhost = await RadiusResponder.start({ address: localhostAddress, dictionary, clients, handlers });
  atSecondLoopback = await RadiusResponder.start({ address: '127.0.0.2', dictionary, clients, handlers });
  expect((await api.put('/v1/system_configs/circlemaker', { aaa_mode: 'off' })).status).toBe(201);
});

afterAll(async () => {
  await atLocalhost?.close();
  await atSecondLoopback?.close();
});

/** Replaces the system document, with `tenant_destinations` when given (none: the built-in default). */
async function setPolicy(lists?: { allow?: string[]; deny?: string[] }, extra: Record<string, unknown> = {}): Promise<void> {
  const response = await api.post('/v1/system_configs/circlemaker', {
    aaa_mode: 'off',
    ...(lists ? { tenant_destinations: lists } : {}),
    ...extra,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
}

beforeEach(async () => {
  await setPolicy();
});

const server = (name: string, address: string, port = 1812) => ({
  name,
  address,
  port,
  secret: SECRET,
  dicts: ['dictionary'],
  retries: 0,
  timeout: 1000,
});
const nas = (name: string, address: string, port = 3799) => ({ name, address, port, secret: SECRET, timeout: 1000, retries: 0 });
const authnDoc = (servers: ReturnType<typeof server>[], extra: Record<string, unknown> = {}) => ({
  aaa_mode: 'on',
  servers,
  authentication: servers.map((entry) => entry.name),
  authn_avp_translation: [
    { request_key: 'User-Name', attribute: 'User-Name', request_value_regexp: '^(.*)$', attr_value_regexp: '^(.*)$' },
  ],
  ...extra,
});

let serial = 0;
const tenant = (): Promise<TestAccount> => createAccount(api, service.masterAccountId, `destinations-${(serial += 1)}`);
const authn = (account: TestAccount) => api.as(account.token).post(`/v2/accounts/${account.id}/aaa/authn`, { 'User-Name': 'alice' });
const received = (responder: RadiusResponder) => responder.stats.received;

describe('saving a tenant document', () => {
  it('an IP address in a denied range is a 400 naming each field, for servers and NAS; nothing is stored', async () => {
    const account = await tenant();
    const response = await api.put(`/v2/accounts/${account.id}/aaa`, {
      aaa_mode: 'on',
      servers: [server('loop', '127.0.0.1'), server('public', '192.0.2.10'), server('private', '10.1.2.3')],
      nas: [nas('metadata', '169.254.169.254'), nas('mapped', '::ffff:127.0.0.1'), nas('v6-loop', '::1')],
    });
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.body.message).toBe('validation_error');
    const fields = response.body.data as Record<string, Record<string, { message: string }>>;
    expect(Object.keys(fields).sort()).toEqual([
      'nas.0.address',
      'nas.1.address',
      'nas.2.address',
      'servers.0.address',
      'servers.2.address',
    ]);
    expect(fields['servers.0.address']!.destination_denied!.message).toContain('127.0.0.1 is in 127.0.0.0/8 (loopback)');
    expect(fields['servers.2.address']!.destination_denied!.message).toContain('10.0.0.0/8 (private, RFC 1918)');
    expect(fields['nas.0.address']!.destination_denied!.message).toContain('169.254.169.254/32 (cloud instance metadata)');
    expect(fields['nas.1.address']!.destination_denied!.message).toContain(
      '::ffff:127.0.0.1 (the IPv4 address 127.0.0.1) is in 127.0.0.0/8',
    );
    expect(fields['nas.2.address']!.destination_denied!.message).toContain('::1/128 (loopback)');
    expect((await api.get(`/v2/accounts/${account.id}/aaa`)).status).toBe(404);
  });

  it('a public address and a host name save (a host name is checked when it is used)', async () => {
    const account = await tenant();
    const response = await api.put(`/v2/accounts/${account.id}/aaa`, {
      aaa_mode: 'on',
      servers: [server('public', '192.0.2.10'), server('named', 'localhost')],
      nas: [nas('named', 'localhost')],
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
  });

  it('PATCH and POST are checked too', async () => {
    const account = await tenant();
    expect((await api.put(`/v2/accounts/${account.id}/aaa`, { aaa_mode: 'on', servers: [server('public', '192.0.2.10')] })).status).toBe(
      201,
    );
    const patched = await api.patch(`/v2/accounts/${account.id}/aaa`, { nas: [nas('edge', '0.0.0.0')] });
    expect(patched.status).toBe(400);
    expect(patched.body.data).toHaveProperty(['nas.0.address', 'destination_denied']);
    const replaced = await api.post(`/v2/accounts/${account.id}/aaa`, { aaa_mode: 'on', servers: [server('multicast', '224.0.0.9')] });
    expect(replaced.status).toBe(400);
    expect(replaced.body.data).toHaveProperty(['servers.0.address', 'destination_denied']);
  });

  it("the superduper admin's own documents are exempt: the master account's and the system's", async () => {
    const master = await api.put(
      `/v2/accounts/${service.masterAccountId}/aaa`,
      authnDoc([server('own', localhostAddress, atLocalhost.port)], { nas: [nas('own-nas', '10.0.0.1')] }),
    );
    expect(master.status, JSON.stringify(master.body)).toBe(201);
    const before = received(atLocalhost);
    const sent = await api.post(`/v2/accounts/${service.masterAccountId}/aaa/authn`, { 'User-Name': 'alice' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body.data).toMatchObject({ result: 'accept', server: 'own' });
    expect(received(atLocalhost)).toBe(before + 1);
    await setPolicy(undefined, { servers: [server('system-radius', '127.0.0.1')], nas: [nas('system-nas', '169.254.169.254')] });
  });

  it('tenant_destinations belongs to the system document, and every entry must be a CIDR range', async () => {
    const account = await tenant();
    const onTenant = await api.put(`/v2/accounts/${account.id}/aaa`, { aaa_mode: 'off', tenant_destinations: { allow: ['127.0.0.0/8'] } });
    expect(onTenant.status).toBe(400);
    expect(onTenant.body.data).toHaveProperty(['tenant_destinations', 'not_allowed']);

    const bad = await api.post('/v1/system_configs/circlemaker', {
      aaa_mode: 'off',
      tenant_destinations: { allow: ['127.0.0.0/8', '10.0.0.1/8'], deny: ['2001:db8::/129', 'nope'] },
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.data).sort()).toEqual([
      'tenant_destinations.allow.1',
      'tenant_destinations.deny.0',
      'tenant_destinations.deny.1',
    ]);
    expect(bad.body.data['tenant_destinations.allow.1'].cidr.message).toContain('host bits set; the network is 10.0.0.0/8');
    const unknownKey = await api.post('/v1/system_configs/circlemaker', { aaa_mode: 'off', tenant_destinations: { permit: [] } });
    expect(unknownKey.status).toBe(400);
  });
});

describe('sending for a tenant', () => {
  it('authn: a host name that resolves into a denied range is refused, and nothing reaches the server listening there', async () => {
    const account = await tenant();
    // Control: with loopback lifted, the very same document reaches the responder.
    await setPolicy({ allow: LOOPBACK });
    expect((await api.put(`/v2/accounts/${account.id}/aaa`, authnDoc([server('named', 'localhost', atLocalhost.port)]))).status).toBe(201);
    const before = received(atLocalhost);
    const allowed = await authn(account);
    expect(allowed.status, JSON.stringify(allowed.body)).toBe(200);
    expect(allowed.body.data.result).toBe('accept');
    expect(received(atLocalhost)).toBe(before + 1);

    await setPolicy();
    const refused = await authn(account);
    expect(refused.status, JSON.stringify(refused.body)).toBe(403);
    expect(refused.body.message).toBe('destination_refused');
    expect(refused.body.data.attempts).toEqual([
      {
        server: 'named',
        account: account.id,
        address: 'localhost',
        port: atLocalhost.port,
        attempt: 0,
        outcome: 'refused',
        error: expect.stringMatching(
          new RegExp(
            `^localhost resolved to ${localhostAddress.replace(/[.:]/g, '\\$&')}; .* is in (127\\.0\\.0\\.0/8|::1/128) \\(loopback\\).*Nothing was sent\\.$`,
          ),
        ),
      },
    ]);
    expect(received(atLocalhost)).toBe(before + 1);
  });

  it('CoA and Disconnect: a NAS whose name resolves into a denied range is refused, nothing sent', async () => {
    const account = await tenant();
    await setPolicy({ allow: LOOPBACK });
    expect(
      (await api.put(`/v2/accounts/${account.id}/aaa`, { aaa_mode: 'on', nas: [nas('named', 'localhost', atLocalhost.port)] })).status,
    ).toBe(201);
    const send = (kind: string) =>
      api.as(account.token).post(`/v2/accounts/${account.id}/aaa/${kind}`, { nas: 'named', attributes: { 'User-Name': 'alice' } });
    const before = received(atLocalhost);
    expect((await send('coa')).body.data?.result).toBe('ack');
    expect((await send('disconnect')).body.data?.result).toBe('ack');
    expect(received(atLocalhost)).toBe(before + 2);

    await setPolicy();
    for (const kind of ['coa', 'disconnect']) {
      const refused = await send(kind);
      expect(refused.status, JSON.stringify(refused.body)).toBe(403);
      expect(refused.body.message).toBe('destination_refused');
      expect(refused.body.data).toMatchObject({
        nas: 'named',
        attempts: [
          {
            nas: 'named',
            address: 'localhost',
            port: atLocalhost.port,
            attempt: 0,
            outcome: 'refused',
            error: expect.stringContaining(`localhost resolved to ${localhostAddress}`),
          },
        ],
      });
    }
    expect(received(atLocalhost)).toBe(before + 2);
  });

  it('a refused server is one attempt among others: the next server, allowed, answers', async () => {
    const account = await tenant();
    await setPolicy({ allow: ['127.0.0.2/32'] });
    const doc = authnDoc([server('named', 'localhost', atLocalhost.port), server('second', '127.0.0.2', atSecondLoopback.port)]);
    expect((await api.put(`/v2/accounts/${account.id}/aaa`, doc)).status).toBe(201);
    const before = received(atLocalhost);
    const response = await authn(account);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.data).toMatchObject({ result: 'accept', server: 'second' });
    expect(response.body.data.attempts.map((attempt: { server: string; outcome: string }) => [attempt.server, attempt.outcome])).toEqual([
      ['named', 'refused'],
      ['second', 'answered'],
    ]);
    expect(received(atLocalhost)).toBe(before);
  });

  it('changing the policy in the system document takes effect at once, for saved documents too', async () => {
    const account = await tenant();
    await setPolicy({ allow: ['127.0.0.2/32'] });
    expect((await api.put(`/v2/accounts/${account.id}/aaa`, authnDoc([server('second', '127.0.0.2', atSecondLoopback.port)]))).status).toBe(
      201,
    );
    expect((await authn(account)).body.data?.result).toBe('accept');

    // The operator denies it explicitly (deny beats allow at equal prefix length).
    await setPolicy({ allow: ['127.0.0.2/32'], deny: ['127.0.0.2/32'] });
    const before = received(atSecondLoopback);
    const refused = await authn(account);
    expect(refused.status).toBe(403);
    expect(refused.body.data.attempts[0]).toMatchObject({
      outcome: 'refused',
      error: "127.0.0.2 is in 127.0.0.2/32, which the operator's destination policy denies to tenants. Nothing was sent.",
    });
    expect(received(atSecondLoopback)).toBe(before);
    const resaved = await api.patch(`/v2/accounts/${account.id}/aaa`, { workers: 2 });
    expect(resaved.status).toBe(400);
    expect(resaved.body.data).toHaveProperty(['servers.0.address', 'destination_denied']);

    // A deny of a public range refuses it at save.
    await setPolicy({ deny: ['192.0.2.0/24'] });
    const publicDenied = await api.put(`/v2/accounts/${(await tenant()).id}/aaa`, {
      aaa_mode: 'on',
      servers: [server('public', '192.0.2.10')],
    });
    expect(publicDenied.status).toBe(400);
    expect(publicDenied.body.data['servers.0.address'].destination_denied.message).toContain(
      "192.0.2.10 is in 192.0.2.0/24, which the operator's destination policy denies",
    );
  });
});

describe('the policy source and the send-time check', () => {
  const noSystemDoc = { system: { get: async () => undefined } } as unknown as ConstructorParameters<typeof DestinationGuard>[0];

  it('a host name that does not resolve within the deadline is unresolvable, not waited for', async () => {
    const guard = new DestinationGuard(noSystemDoc, {
      masterAccountId: 'master',
      lookup: () => new Promise<string>(() => {}),
      lookupDeadlineMs: 50,
    });
    await expect(guard.resolve('slow.example', 'tenant', 60_000)).resolves.toEqual({
      ok: false,
      outcome: 'unresolvable',
      error: 'slow.example did not resolve within 50 ms',
    });
  });

  it('what the name resolves to is checked: an IPv4-mapped loopback answer is refused for a tenant, not for the operator', async () => {
    const guard = new DestinationGuard(noSystemDoc, { masterAccountId: 'master', lookup: async () => '::ffff:127.0.0.1' });
    await expect(guard.resolve('rebind.example', 'tenant', 1000)).resolves.toMatchObject({ ok: false, outcome: 'refused' });
    await expect(guard.resolve('rebind.example', 'master', 1000)).resolves.toEqual({ ok: true, address: '::ffff:127.0.0.1' });
    await expect(guard.resolve('rebind.example', 'system', 1000)).resolves.toEqual({ ok: true, address: '::ffff:127.0.0.1' });
  });

  it('without tenant_destinations in the system document, the environment lists apply', async () => {
    const config = loadConfig({ AAA_TENANT_DESTINATIONS_ALLOW: '127.0.0.1/32, ::1', AAA_TENANT_DESTINATIONS_DENY: '198.51.100.0/24' });
    expect(config.tenantDestinations).toEqual({ allow: ['127.0.0.1/32', '::1'], deny: ['198.51.100.0/24'] });
    const guard = new DestinationGuard(noSystemDoc, { masterAccountId: 'master', defaults: config.tenantDestinations });
    await expect(guard.resolve('127.0.0.1', 'tenant', 1000)).resolves.toEqual({ ok: true, address: '127.0.0.1' });
    await expect(guard.resolve('198.51.100.1', 'tenant', 1000)).resolves.toMatchObject({ ok: false, outcome: 'refused' });
    expect(loadConfig({}).tenantDestinations).toBeUndefined();
  });

  it('a bad range in the environment stops start-up naming the variable', () => {
    expect(() => loadConfig({ AAA_TENANT_DESTINATIONS_DENY: '10.0.0.0/8,10.0.0.1/8' })).toThrow(ConfigError);
    expect(() => loadConfig({ AAA_TENANT_DESTINATIONS_DENY: '10.0.0.0/8,10.0.0.1/8' })).toThrow(
      /^AAA_TENANT_DESTINATIONS_DENY: not a CIDR range: "10.0.0.1\/8" has host bits set/,
    );
  });
});
