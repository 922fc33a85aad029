import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, type TestAccount, createAccount } from './support/api.js';
import { type FreeRadiusServer, freeRadiusInstalled, freeUdpPort, startFreeRadius } from './support/freeradius.js';
import type { TestService } from './support/service.js';
import { useSuiteService } from './support/suite.js';

let service: TestService;
let api: Api;
useSuiteService((started) => ({ service, api } = started), { AAA_PROBE_INTERVAL_MS: '60000' });

const USERS = `bob	Cleartext-Password := "hello"
	Reply-Message = "Hello, bob",
	Cisco-AVPair = "shell:priv-lvl=15",
	Tunnel-Password:1 = "tunnel-secret"
`;

const installed = freeRadiusInstalled();

const translation = (key: string, attribute = key) => ({
  request_key: key,
  attribute,
  request_value_regexp: '^(.*)$',
  attr_value_regexp: '^(.*)$',
});

describe.runIf(installed)('POST …/aaa/authn and …/aaa/accounting over HTTP, against FreeRADIUS', () => {
  let radius: FreeRadiusServer;
  let deadPort: number;
  let parent: TestAccount;
  let child: TestAccount;

  beforeAll(async () => {
    radius = await startFreeRadius(USERS);
    deadPort = await freeUdpPort();
    const server = (name: string, port: number, timeout: number) => ({
      name,
      address: '127.0.0.1',
      port,
      secret: radius.secret,
      dicts: ['dictionary_cisco', 'dictionary'],
      retries: 0,
      timeout,
    });
    parent = await createAccount(api, service.masterAccountId, 'fr-parent');
    // The dead server comes first: every request fails over to FreeRADIUS.
    const saved = await api.put(`/v2/accounts/${parent.id}/aaa`, {
      aaa_mode: 'on',
      servers: [
        server('dead', deadPort, 200),
        { ...server('freeradius', radius.authPort, 2000) },
        server('freeradius-acct', radius.acctPort, 2000),
      ],
      authentication: ['dead', 'freeradius'],
      authorization: ['freeradius'],
      accounting: ['freeradius-acct'],
      authn_avp_translation: [
        translation('User-Name'),
        translation('User-Password'),
        translation('Greeting', 'Reply-Message'),
        translation('Privilege', 'Cisco-AVPair'),
      ],
      accounting_avp_translation: [translation('User-Name'), translation('Acct-Status-Type'), translation('Acct-Session-Id')],
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    child = await createAccount(api.as(parent.token), parent.id, 'fr-child');
    expect((await api.as(child.token).put(`/v2/accounts/${child.id}/aaa`, { aaa_mode: 'inherit' })).status).toBe(201);
  });

  afterAll(async () => {
    await radius?.stop();
  });

  it('fails over from a dead server to FreeRADIUS: accept, reply decoded and translated, every attempt listed', async () => {
    const response = await api
      .as(parent.token)
      .post(`/v2/accounts/${parent.id}/aaa/authn`, { 'User-Name': 'bob', 'User-Password': 'hello' });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const data = response.body.data;
    expect(data.result).toBe('accept');
    expect(data.server).toBe('freeradius');
    expect(data.attributes['Cisco-AVPair']).toBe('shell:priv-lvl=15');
    expect(data.attributes['Tunnel-Password']).toBeDefined();
    expect(data.translated).toMatchObject({ Greeting: 'Hello, bob', Privilege: 'shell:priv-lvl=15' });
    expect(data.attempts.map((a: { server: string; outcome: string }) => [a.server, a.outcome])).toEqual(
      expect.arrayContaining([['freeradius', 'answered']]),
    );
    expect(data.attempts[0].server).toBe('dead');
    expect(['timeout', 'skipped_dead']).toContain(data.attempts[0].outcome);
  });

  it('a wrong password is a reject, answered with 200', async () => {
    const response = await api
      .as(parent.token)
      .post(`/v2/accounts/${parent.id}/aaa/authn`, { 'User-Name': 'bob', 'User-Password': 'nope' });
    expect(response.status).toBe(200);
    expect(response.body.data.result).toBe('reject');
  });

  it('a child with aaa_mode inherit and no servers is answered through its parent’s configuration', async () => {
    const response = await api.as(child.token).post(`/v2/accounts/${child.id}/aaa/authn`, { 'User-Name': 'bob', 'User-Password': 'hello' });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.data).toMatchObject({ result: 'accept', server: 'freeradius', account: parent.id });
  });

  it('accounting start, interim and stop are each answered ok', async () => {
    for (const status of ['Start', 'Interim-Update', 'Stop']) {
      const response = await api
        .as(parent.token)
        .post(`/v2/accounts/${parent.id}/aaa/accounting`, { 'User-Name': 'bob', 'Acct-Status-Type': status, 'Acct-Session-Id': 'http-1' });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body.data.result).toBe('ok');
    }
  });
});
