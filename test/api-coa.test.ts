/**
 * POST /v2/accounts/{ID}/aaa/coa and …/aaa/disconnect end to end (RFC 5176): the service, a real
 * store, and a NAS played by the project's responder on 127.0.0.1; plus the save-time checks of
 * `nas` and `coa_templates`.
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileDictionaries } from '../src/radius/dictionary/index.js';
import { type DecodedPacket, PacketCode } from '../src/radius/codec/index.js';
import { RadiusResponder, type ResponderReply } from '../src/radius/responder/index.js';
import { type Api, type TestAccount, createAccount } from './support/api.js';
import type { TestService } from './support/service.js';
import { useSuiteService } from './support/suite.js';
import { seed } from './support/seed.js';

let service: TestService;
let api: Api;

useSuiteService((started) => ({ service, api } = started));

const dictionary = compileDictionaries([seed('dictionary'), seed('dictionary_cisco')]);
const SECRET = 'nas-secret';
let nasDevice: RadiusResponder;
let deadPort: number;
const received: DecodedPacket[] = [];

beforeAll(async () => {
  nasDevice = await RadiusResponder.start({
    dictionary,
    clients: { '127.0.0.1': SECRET },
    handlers: {
      [PacketCode.CoaRequest]: ({ packet }): ResponderReply => {
        received.push(packet);
        return { code: PacketCode.CoaAck, attributes: { 'Reply-Message': 'changed' } };
      },
      [PacketCode.DisconnectRequest]: ({ packet }): ResponderReply => {
        received.push(packet);
        return { code: PacketCode.DisconnectNak, attributes: { 'Error-Cause': 'Session-Context-Not-Found' } };
      },
    },
  });
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', () => resolve()));
  deadPort = probe.address().port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  await nasDevice?.close();
});

const liveNas = (extra: Record<string, unknown> = {}) => ({
  name: 'edge-1',
  address: '127.0.0.1',
  port: nasDevice.port,
  secret: SECRET,
  dicts: ['dictionary', 'dictionary_cisco'],
  timeout: 1000,
  retries: 0,
  ...extra,
});
const deadNas = () => ({ name: 'dead', address: '127.0.0.1', port: deadPort, secret: 'dead-secret', timeout: 200, retries: 0 });

const TEMPLATES = [
  { name: 'cisco-account-logon', attributes: { 'Cisco-AVPair': 'subscriber:command=account-logon', 'User-Name': 'template-user' } },
  {
    name: 'cisco-service-activate',
    attributes: { 'Cisco-AVPair': ['subscriber:command=activate-service', 'subscriber:service-name=gold'] },
  },
];

let serial = 0;
async function accountWith(doc: Record<string, unknown>, parent = service.masterAccountId): Promise<TestAccount> {
  const account = await createAccount(api, parent, `coa-${(serial += 1)}`);
  const saved = await api.put(`/v2/accounts/${account.id}/aaa`, doc);
  expect(saved.status, JSON.stringify(saved.body)).toBe(201);
  return account;
}

const send = (account: TestAccount, kind: 'coa' | 'disconnect', data: unknown) =>
  api.as(account.token).post(`/v2/accounts/${account.id}/aaa/${kind}`, data);
const sentAttributes = (packet: DecodedPacket) => {
  const out: Record<string, unknown> = {};
  for (const attribute of packet.attributes) {
    const existing = out[attribute.name];
    out[attribute.name] =
      existing === undefined ? attribute.value : [...(Array.isArray(existing) ? existing : [existing]), attribute.value];
  }
  return out;
};

describe('CoA and Disconnect against a NAS', () => {
  it('CoA-ACK: 200 ack, the reply by name, attempts; the NAS got a CoA-Request with the attributes', async () => {
    const account = await accountWith({ aaa_mode: 'on', nas: [liveNas()] });
    received.length = 0;
    const response = await send(account, 'coa', { nas: 'edge-1', attributes: { 'User-Name': 'alice', 'Session-Timeout': 600 } });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.status).toBe('success');
    expect(response.body.data).toMatchObject({ result: 'ack', nas: 'edge-1', attributes: { 'Reply-Message': 'changed' } });
    expect(response.body.data).not.toHaveProperty('error_cause');
    expect(response.body.data.attempts).toEqual([
      expect.objectContaining({
        nas: 'edge-1',
        address: '127.0.0.1',
        port: nasDevice.port,
        attempt: 1,
        outcome: 'answered',
        rtt_ms: expect.any(Number),
      }),
    ]);
    expect(received).toHaveLength(1);
    expect(received[0]!.code).toBe(PacketCode.CoaRequest);
    expect(sentAttributes(received[0]!)).toEqual({ 'User-Name': 'alice', 'Session-Timeout': 600 });
  });

  it('Disconnect-NAK: 200 with result nak (not a success in disguise) and the Error-Cause decoded to its name', async () => {
    const account = await accountWith({ aaa_mode: 'on', nas: [liveNas()] });
    received.length = 0;
    const response = await send(account, 'disconnect', { nas: 'edge-1', attributes: { 'Acct-Session-Id': '0A0B0C0D' } });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.data).toMatchObject({
      result: 'nak',
      nas: 'edge-1',
      error_cause: { code: 503, name: 'Session-Context-Not-Found' },
      attributes: { 'Error-Cause': 'Session-Context-Not-Found' },
    });
    expect(received[0]!.code).toBe(PacketCode.DisconnectRequest);
  });

  it('a template is merged under the explicit attributes (names case-insensitively), lists become repeated attributes', async () => {
    const account = await accountWith({ aaa_mode: 'on', nas: [liveNas()], coa_templates: TEMPLATES });
    received.length = 0;
    const logon = await send(account, 'coa', {
      nas: 'edge-1',
      template: 'cisco-account-logon',
      attributes: { 'user-name': 'bob', 'Acct-Session-Id': 's1' },
    });
    expect(logon.status, JSON.stringify(logon.body)).toBe(200);
    expect(sentAttributes(received[0]!)).toEqual({
      'Cisco-AVPair': 'subscriber:command=account-logon',
      'User-Name': 'bob',
      'Acct-Session-Id': 's1',
    });

    const activate = await send(account, 'coa', { nas: 'edge-1', template: 'cisco-service-activate', attributes: { 'User-Name': 'bob' } });
    expect(activate.status, JSON.stringify(activate.body)).toBe(200);
    expect(sentAttributes(received[1]!)).toEqual({
      'Cisco-AVPair': ['subscriber:command=activate-service', 'subscriber:service-name=gold'],
      'User-Name': 'bob',
    });
  });

  it("an attribute the NAS's dictionaries do not define is a 400 naming it, and nothing is sent", async () => {
    // The templates are fine at save time (edge-1 knows Cisco-AVPair), not for the plain NAS.
    const account = await accountWith({
      aaa_mode: 'on',
      nas: [liveNas(), liveNas({ name: 'plain', dicts: ['dictionary'] })],
      coa_templates: TEMPLATES,
    });
    const before = nasDevice.stats.received;
    const response = await send(account, 'coa', { nas: 'plain', attributes: { 'User-Name': 'alice', 'No-Such-Attribute': 'x' } });
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('validation_error');
    expect(response.body.data).toHaveProperty(['data.attributes.No-Such-Attribute', 'unknown_attribute']);
    // A template whose vendor attribute this NAS's dictionaries lack: the template is named.
    const viaTemplate = await send(account, 'coa', { nas: 'plain', template: 'cisco-account-logon' });
    expect(viaTemplate.status).toBe(400);
    expect(viaTemplate.body.data['data.template'].unknown_attribute.attribute).toBe('Cisco-AVPair');
    expect(nasDevice.stats.received).toBe(before);
  });

  it('an unknown NAS (or template) is a 404 naming it; a NAS of the parent is not inherited', async () => {
    const parent = await accountWith({ aaa_mode: 'on', nas: [liveNas({ name: 'parent-nas' })] });
    const child = await accountWith({ aaa_mode: 'inherit', nas: [liveNas()] }, parent.id);
    const unknown = await send(child, 'coa', { nas: 'nope', attributes: { 'User-Name': 'a' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe('bad_identifier');
    expect(JSON.stringify(unknown.body)).toContain('nope');
    expect((await send(child, 'disconnect', { nas: 'parent-nas', attributes: { 'User-Name': 'a' } })).status).toBe(404);
    const template = await send(child, 'coa', { nas: 'edge-1', template: 'missing-template', attributes: { 'User-Name': 'a' } });
    expect(template.status).toBe(404);
    expect(JSON.stringify(template.body)).toContain('missing-template');
    // An account without any AAA document has no NAS either.
    const bare = await createAccount(api, service.masterAccountId, `coa-${(serial += 1)}`);
    expect((await send(bare, 'coa', { nas: 'edge-1', attributes: { 'User-Name': 'a' } })).status).toBe(404);
  });

  it('a dead NAS is a 504 radius_unreachable with every attempt', async () => {
    const account = await accountWith({ aaa_mode: 'on', nas: [deadNas()] });
    const response = await send(account, 'disconnect', { nas: 'dead', attributes: { 'User-Name': 'alice' } });
    expect(response.status, JSON.stringify(response.body)).toBe(504);
    expect(response.body.message).toBe('radius_unreachable');
    expect(response.body.data.nas).toBe('dead');
    expect(response.body.data.attempts).toEqual([
      expect.objectContaining({ nas: 'dead', address: '127.0.0.1', port: deadPort, attempt: 1, outcome: 'timeout' }),
    ]);
  });

  it('the request data is checked: nas required, no unknown keys, nothing to send is a 400', async () => {
    const account = await accountWith({ aaa_mode: 'on', nas: [liveNas()] });
    const noNas = await send(account, 'coa', { attributes: { 'User-Name': 'a' } });
    expect(noNas.status).toBe(400);
    expect(noNas.body.data).toHaveProperty(['data.nas', 'required']);
    expect((await send(account, 'coa', { nas: 'edge-1', attributes: {}, extra: 1 })).body.data).toHaveProperty([
      'data.extra',
      'additionalProperties',
    ]);
    const empty = await send(account, 'coa', { nas: 'edge-1' });
    expect(empty.status).toBe(400);
    expect(empty.body.data).toHaveProperty(['data.attributes', 'required']);
  });
});

describe('nas and coa_templates at save time', () => {
  it('fills NAS defaults (port 3799, dicts, timeout, retries)', async () => {
    const account = await accountWith({ aaa_mode: 'on', nas: [{ name: 'n', address: 'nas.example.com', secret: 's' }] });
    const doc = await api.get(`/v2/accounts/${account.id}/aaa`);
    expect(doc.body.data.nas).toEqual([
      { name: 'n', address: 'nas.example.com', secret: 's', port: 3799, dicts: ['dictionary'], timeout: 5000, retries: 3 },
    ]);
  });

  it('refuses repeated NAS and template names, invisible dictionaries and unknown template attributes in one 400', async () => {
    const account = await createAccount(api, service.masterAccountId, `coa-${(serial += 1)}`);
    const response = await api.put(`/v2/accounts/${account.id}/aaa`, {
      aaa_mode: 'on',
      nas: [liveNas(), liveNas(), liveNas({ name: 'other', dicts: ['no_such_dictionary'] })],
      coa_templates: [TEMPLATES[0], TEMPLATES[0]],
    });
    expect(response.status).toBe(400);
    expect(response.body.data).toHaveProperty(['nas.1.name', 'unique']);
    expect(response.body.data).toHaveProperty(['nas.2.dicts.0', 'unknown_dictionary']);
    expect(response.body.data).toHaveProperty(['coa_templates.1.name', 'unique']);

    const typo = await api.put(`/v2/accounts/${account.id}/aaa`, {
      aaa_mode: 'on',
      nas: [liveNas()],
      coa_templates: [{ name: 't', attributes: { 'Cisco-AVPiar': 'subscriber:command=account-logon', 'User-Name': 'x' } }],
    });
    expect(typo.status).toBe(400);
    expect(typo.body.data).toHaveProperty(['coa_templates.0.attributes.Cisco-AVPiar', 'unknown_attribute']);
    expect(typo.body.data).not.toHaveProperty(['coa_templates.0.attributes.User-Name']);
  });

  it('template attributes need one NAS that defines them; without any NAS the default dictionaries count', async () => {
    const account = await createAccount(api, service.masterAccountId, `coa-${(serial += 1)}`);
    // A Cisco template beside a NAS without the Cisco dictionary and one with it: fine.
    const mixed = await api.put(`/v2/accounts/${account.id}/aaa`, {
      aaa_mode: 'on',
      nas: [liveNas({ name: 'plain', dicts: ['dictionary'] }), liveNas()],
      coa_templates: TEMPLATES,
    });
    expect(mixed.status, JSON.stringify(mixed.body)).toBe(201);
    const noNas = await api.post(`/v2/accounts/${account.id}/aaa`, { aaa_mode: 'on', coa_templates: TEMPLATES });
    expect(noNas.status).toBe(400);
    expect(noNas.body.data).toHaveProperty(['coa_templates.0.attributes.Cisco-AVPair', 'unknown_attribute']);
    const standard = await api.post(`/v2/accounts/${account.id}/aaa`, {
      aaa_mode: 'on',
      coa_templates: [{ name: 'std', attributes: { 'Session-Timeout': 60 } }],
    });
    expect(standard.status, JSON.stringify(standard.body)).toBe(200);
  });

  it('a dictionary a NAS uses cannot be deleted (409)', async () => {
    const account = await createAccount(api, service.masterAccountId, `coa-${(serial += 1)}`);
    const dict = await api.put(`/v2/accounts/${account.id}/aaa/dictionary`, {
      name: 'coa_nas_dict',
      value: [{ attr: { vid: 0, id: 1, type: 'string', name: 'User-Name' } }],
    });
    expect(dict.status, JSON.stringify(dict.body)).toBe(201);
    expect((await api.put(`/v2/accounts/${account.id}/aaa`, { aaa_mode: 'on', nas: [liveNas({ dicts: ['coa_nas_dict'] })] })).status).toBe(
      201,
    );
    const removed = await api.delete(`/v2/accounts/${account.id}/aaa/dictionary/${encodeURIComponent(String(dict.body.data.id))}`);
    expect(removed.status, JSON.stringify(removed.body)).toBe(409);
    expect(removed.body.message).toBe('in_use');
  });
});
