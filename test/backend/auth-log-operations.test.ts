/** The service's own POST …/aaa/authn and …/aaa/authz decisions land in the account's auth log. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PacketCode, findAttribute } from '../../src/radius/codec/index.js';
import { compileDictionaries } from '../../src/radius/dictionary/index.js';
import { RadiusResponder } from '../../src/radius/responder/index.js';
import { type Api, createAccount } from '../support/api.js';
import { until } from '../support/poll.js';
import { seed } from '../support/seed.js';
import type { TestService } from '../support/service.js';
import { useSuiteService } from '../support/suite.js';

let service: TestService;
let api: Api;
useSuiteService((started) => ({ service, api } = started));

const SECRET = 'ops-log-secret';
let responder: RadiusResponder;

beforeAll(async () => {
  responder = await RadiusResponder.start({
    dictionary: compileDictionaries([seed('dictionary')]),
    clients: { '127.0.0.1': SECRET },
    handlers: {
      [PacketCode.AccessRequest]: ({ packet }) =>
        findAttribute(packet.attributes, 'User-Password')?.value === 'right'
          ? { code: PacketCode.AccessAccept, attributes: { 'Session-Timeout': 3600 } }
          : { code: PacketCode.AccessReject },
    },
  });
});

afterAll(async () => {
  await responder?.close();
});

const pass = (key: string) => ({ request_key: key, attribute: key, request_value_regexp: '^(.*)$', attr_value_regexp: '^(.*)$' });

describe("auth log of the service's own operations", () => {
  it('records accept and reject with the server and the round trip, never the password', async () => {
    const account = await createAccount(api, service.masterAccountId, 'ops-log');
    const server = {
      name: 'live',
      address: '127.0.0.1',
      port: responder.port,
      secret: SECRET,
      dicts: ['dictionary'],
      retries: 0,
      timeout: 1000,
    };
    const translations = [pass('User-Name'), pass('User-Password'), pass('NAS-Identifier')];
    const saved = await api.put(`/v2/accounts/${account.id}/aaa`, {
      aaa_mode: 'on',
      servers: [server],
      authentication: ['live'],
      authorization: ['live'],
      accounting: ['live'],
      authn_avp_translation: translations,
      authz_avp_translation: translations,
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const ok = await api.post(`/v2/accounts/${account.id}/aaa/authn`, {
      'User-Name': 'zoe',
      'User-Password': 'right',
      'NAS-Identifier': 'nas-z',
    });
    expect(ok.body.data.result).toBe('accept');
    const no = await api.post(`/v2/accounts/${account.id}/aaa/authz`, { 'User-Name': 'zoe', 'User-Password': 'wrong-secret-9' });
    expect(no.body.data.result).toBe('reject');
    let entries: Record<string, any>[] = [];
    // The log is written by a buffered background writer: poll until both entries are stored.
    await until(async () => {
      entries = (await api.get(`/v2/accounts/${account.id}/aaa/auth_log`)).body.data;
      return entries.length >= 2;
    }, 5_000);
    expect(entries.map((e) => [e.source, e.result, e.reason])).toEqual([
      ['authz', 'reject', 'reject'],
      ['authn', 'accept', 'accepted'],
    ]);
    expect(entries[1]).toMatchObject({ username: 'zoe', server: 'live', nas_identifier: 'nas-z', reply: { 'Session-Timeout': 3600 } });
    expect(entries[1]!.rtt_ms).toBeGreaterThan(0);
    expect(JSON.stringify(entries)).not.toContain('wrong-secret-9');
  });
});
