/**
 * The service as FreeRADIUS's policy backend: Debian's FreeRADIUS 3.2 with its real rlm_rest
 * (`freeradius-rest`), configured as the README documents (test/support/freeradius-rest.ts),
 * calls a test instance of the service; radclient plays the NAS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, type TestAccount, createAccount } from '../support/api.js';
import type { FreeRadiusServer } from '../support/freeradius.js';
import { rlmRestInstalled, startFreeRadiusForAccount } from '../support/freeradius-rest.js';
import { authenticatorResponseOf, msChapV2, msChapV2Attributes } from '../support/mschapv2.js';
import { waitFor } from '../support/poll.js';
import { radclient } from '../support/radclient.js';
import { type TestService, startTestService } from '../support/service.js';
import { Api as ApiClient } from '../support/api.js';

const available = rlmRestInstalled();

let service: TestService;
let api: Api;
let reseller: TestAccount;
let acme: TestAccount;
let globex: TestAccount;
let initech: TestAccount;
let radius: FreeRadiusServer;

const subscribers = (account: TestAccount) => `/v2/accounts/${account.id}/aaa/subscribers`;

async function authLog(account: TestAccount, query = ''): Promise<Record<string, any>[]> {
  const response = await api.get(`/v2/accounts/${account.id}/aaa/auth_log${query}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.data;
}

/** The newest log entry for a username, once the buffered writer has stored it. */
async function logged(account: TestAccount, username: string, query = ''): Promise<Record<string, any>> {
  let entries: Record<string, any>[] = [];
  await waitFor(
    async () => (entries = await authLog(account, `?username=${encodeURIComponent(username)}${query}`)).length > 0,
    5_000,
    `an auth log entry for ${username}`,
  );
  return entries[0]!;
}

/** The log entry of the request a username sent with this Calling-Station-Id, once stored. */
async function loggedFrom(account: TestAccount, username: string, callingStationId: string): Promise<Record<string, any>> {
  let entry: Record<string, any> | undefined;
  await waitFor(
    async () =>
      (entry = (await authLog(account, `?username=${encodeURIComponent(username)}`)).find(
        (candidate) => candidate.calling_station_id === callingStationId,
      )) !== undefined,
    5_000,
    `an auth log entry for ${username} from ${callingStationId}`,
  );
  return entry!;
}

describe.skipIf(!available)('FreeRADIUS + rlm_rest → the service', () => {
  beforeAll(async () => {
    service = await startTestService();
    const anonymous = new ApiClient(service.url);
    api = anonymous.as(await anonymous.login(service.masterApiKey));
    reseller = await createAccount(api, service.masterAccountId, 'reseller');
    acme = await createAccount(api, reseller.id, 'acme');
    globex = await createAccount(api, service.masterAccountId, 'globex');
    expect((await api.post(`/v2/accounts/${acme.id}`, { name: 'acme', realm: 'acme.example.com' })).status).toBe(200);
    expect((await api.post(`/v2/accounts/${globex.id}`, { name: 'globex', realm: 'globex.example.com' })).status).toBe(200);

    // The reseller's groups and subscribers (its own users), and acme's (reached by realm).
    expect(
      (await api.put(`/v2/accounts/${reseller.id}/aaa/groups`, { name: 'gold', reply: { 'Idle-Timeout': 600, 'Session-Timeout': 100 } }))
        .status,
    ).toBe(201);
    const sub = async (account: TestAccount, body: Record<string, unknown>) => {
      const response = await api.put(subscribers(account), body);
      expect(response.status, JSON.stringify(response.body)).toBe(201);
    };
    await sub(reseller, {
      username: 'alice',
      password: 'alice-pw',
      groups: ['gold'],
      reply: { 'Session-Timeout': 3600, 'Reply-Message': ['one', 'two'] },
    });
    await sub(reseller, { username: 'dora', password: 'dora-pw', enabled: false });
    await sub(reseller, { username: 'eve', password: 'eve-pw', expires: '2020-01-01T00:00:00Z' });
    await sub(reseller, { username: 'nas-bound', password: 'nb-pw', check: { 'NAS-Identifier': 'nas-a' } });
    await sub(reseller, { username: 'no-reversible', password: 'nr-pw' });
    expect((await api.post(`/v2/accounts/${acme.id}/aaa/subscriber_settings`, { reversible_credentials: 'cleartext' })).status).toBe(200);
    await sub(acme, { username: 'bob', password: 'acme-bob-pw', reply: { 'Session-Timeout': 111 } });
    await sub(globex, { username: 'bob', password: 'globex-bob-pw', reply: { 'Session-Timeout': 222 } });
    // initech keeps only the NT hash (`nt_password`): enough for MS-CHAP, not for CHAP.
    initech = await createAccount(api, reseller.id, 'initech');
    expect((await api.post(`/v2/accounts/${initech.id}`, { name: 'initech', realm: 'initech.example.com' })).status).toBe(200);
    expect((await api.post(`/v2/accounts/${initech.id}/aaa/subscriber_settings`, { reversible_credentials: 'nt_password' })).status).toBe(
      200,
    );
    await sub(initech, { username: 'carol', password: 'initech-carol-pw', reply: { 'Session-Timeout': 333 } });

    radius = await startFreeRadiusForAccount(api, reseller.id);
  }, 60_000);

  afterAll(async () => {
    await radius?.stop();
    await service?.close();
  });

  it("PAP accept carries the group's and the subscriber's reply attributes (the subscriber's override)", async () => {
    const answer = await radclient(
      radius,
      'auth',
      'User-Name = "alice", User-Password = "alice-pw", NAS-Identifier = "nas-a", Calling-Station-Id = "00-11"',
    );
    expect(answer.code, answer.output + radius.output().slice(-3000)).toBe('Access-Accept');
    expect(answer.attributes).toContain('Session-Timeout = 3600');
    expect(answer.attributes).toContain('Idle-Timeout = 600');
    expect(answer.attributes).toContain('Reply-Message = "one"');
    expect(answer.attributes).toContain('Reply-Message = "two"');
    const entry = await logged(reseller, 'alice');
    expect(entry).toMatchObject({
      result: 'accept',
      reason: 'accepted',
      nas_identifier: 'nas-a',
      calling_station_id: '00-11',
      source: 'rlm_rest',
    });
    expect(entry.reply).toMatchObject({ 'Session-Timeout': 3600, 'Idle-Timeout': 600 });
  });

  it.each([
    ['wrong password', 'User-Name = "alice", User-Password = "nope"', 'alice', 'wrong_password'],
    ['unknown user', 'User-Name = "mallory", User-Password = "x"', 'mallory', 'unknown_user'],
    ['disabled', 'User-Name = "dora", User-Password = "dora-pw"', 'dora', 'disabled'],
    ['expired', 'User-Name = "eve", User-Password = "eve-pw"', 'eve', 'expired'],
    ['check item failed', 'User-Name = "nas-bound", User-Password = "nb-pw", NAS-Identifier = "nas-b"', 'nas-bound', 'check_failed'],
    ['CHAP without the opt-in', 'User-Name = "no-reversible", CHAP-Password = "nr-pw"', 'no-reversible', 'no_reversible_credential'],
  ])('%s → Access-Reject, logged with the reason', async (_label, request, username, reason) => {
    const answer = await radclient(radius, 'auth', request);
    expect(answer.code, answer.output).toBe('Access-Reject');
    const entry = await logged(reseller, username, '&result=reject');
    expect(entry).toMatchObject({ result: 'reject', reason });
  });

  it('a check item that holds lets the subscriber in', async () => {
    const answer = await radclient(radius, 'auth', 'User-Name = "nas-bound", User-Password = "nb-pw", NAS-Identifier = "nas-a"');
    expect(answer.code, answer.output + radius.output().slice(-3000)).toBe('Access-Accept');
  });

  it("a realm reaches its tenant through the reseller's endpoint, never another tenant's subscriber of the same name", async () => {
    const acmeBob = await radclient(radius, 'auth', 'User-Name = "bob@acme.example.com", User-Password = "acme-bob-pw"');
    expect(acmeBob.code, acmeBob.output).toBe('Access-Accept');
    expect(acmeBob.attributes).toContain('Session-Timeout = 111');
    expect(await logged(acme, 'bob@acme.example.com')).toMatchObject({ result: 'accept', account_id: acme.id });
    // globex is outside the reseller's tree: its realm does not route, its bob is never tried.
    const globexBob = await radclient(radius, 'auth', 'User-Name = "bob@globex.example.com", User-Password = "globex-bob-pw"');
    expect(globexBob.code, globexBob.output).toBe('Access-Reject');
    expect(await logged(reseller, 'bob@globex.example.com')).toMatchObject({
      result: 'reject',
      reason: 'unknown_user',
      account_id: reseller.id,
    });
    expect(await authLog(globex)).toEqual([]);
    // Nor does acme's bob answer to globex's password.
    const crossed = await radclient(radius, 'auth', 'User-Name = "bob@acme.example.com", User-Password = "globex-bob-pw"');
    expect(crossed.code).toBe('Access-Reject');
    // The reseller sees its tenants' entries with include_descendants.
    const rejected = await logged(reseller, 'bob@acme.example.com', '&include_descendants=true&result=reject');
    expect(rejected).toMatchObject({ account_id: acme.id, reason: 'wrong_password' });
    // Without include_descendants the reseller's own log has none of acme's entries.
    expect(await authLog(reseller, '?username=bob%40acme.example.com')).toEqual([]);
  });

  it('CHAP and MS-CHAP are accepted for an account that opted in to reversible credentials', async () => {
    const chap = await radclient(radius, 'auth', 'User-Name = "bob@acme.example.com", CHAP-Password = "acme-bob-pw"');
    expect(chap.code, chap.output).toBe('Access-Accept');
    const wrongChap = await radclient(radius, 'auth', 'User-Name = "bob@acme.example.com", CHAP-Password = "wrong"');
    expect(wrongChap.code).toBe('Access-Reject');
    const mschap = await radclient(radius, 'auth', 'User-Name = "bob@acme.example.com", MS-CHAP-Password = "acme-bob-pw"');
    expect(mschap.code, mschap.output).toBe('Access-Accept');
    const wrongMschap = await radclient(radius, 'auth', 'User-Name = "bob@acme.example.com", MS-CHAP-Password = "wrong"');
    expect(wrongMschap.code).toBe('Access-Reject');
  });

  it("MS-CHAPv2 is accepted for an account that opted in, and the server's MS-CHAP2-Success proves it knew the password", async () => {
    // FreeRADIUS's mschap hashes the whole User-Name, realm included, into the challenge.
    const right = msChapV2('bob@acme.example.com', 'acme-bob-pw');
    const accepted = await radclient(
      radius,
      'auth',
      `User-Name = "bob@acme.example.com", Calling-Station-Id = "mschapv2-right", ${msChapV2Attributes(right)}`,
    );
    expect(accepted.code, accepted.output + radius.output().slice(-3000)).toBe('Access-Accept');
    expect(accepted.attributes).toContain('Session-Timeout = 111');
    expect(authenticatorResponseOf(accepted.attributes), accepted.output).toBe(right.authenticatorResponse);
    expect(await loggedFrom(acme, 'bob@acme.example.com', 'mschapv2-right')).toMatchObject({ result: 'accept', account_id: acme.id });

    const wrong = msChapV2('bob@acme.example.com', 'globex-bob-pw');
    const rejected = await radclient(radius, 'auth', `User-Name = "bob@acme.example.com", ${msChapV2Attributes(wrong)}`);
    expect(rejected.code, rejected.output).toBe('Access-Reject');
    expect(authenticatorResponseOf(rejected.attributes)).toBeUndefined();

    // The reseller did not opt in: its subscriber has no NT hash for mschap to check against.
    const notOptedIn = msChapV2('no-reversible', 'nr-pw');
    const refused = await radclient(
      radius,
      'auth',
      `User-Name = "no-reversible", Calling-Station-Id = "mschapv2-no-opt-in", ${msChapV2Attributes(notOptedIn)}`,
    );
    expect(refused.code, refused.output).toBe('Access-Reject');
    expect(await loggedFrom(reseller, 'no-reversible', 'mschapv2-no-opt-in')).toMatchObject({
      result: 'reject',
      reason: 'no_reversible_credential',
    });
  });

  it('an account that keeps only the NT hash (`nt_password`) gets MS-CHAPv2 accepted and CHAP refused', async () => {
    const exchange = msChapV2('carol@initech.example.com', 'initech-carol-pw');
    const accepted = await radclient(
      radius,
      'auth',
      `User-Name = "carol@initech.example.com", Calling-Station-Id = "nt-mschapv2", ${msChapV2Attributes(exchange)}`,
    );
    expect(accepted.code, accepted.output + radius.output().slice(-3000)).toBe('Access-Accept');
    expect(accepted.attributes).toContain('Session-Timeout = 333');
    expect(authenticatorResponseOf(accepted.attributes), accepted.output).toBe(exchange.authenticatorResponse);
    expect(await loggedFrom(initech, 'carol@initech.example.com', 'nt-mschapv2')).toMatchObject({
      result: 'accept',
      account_id: initech.id,
    });

    // CHAP needs the password itself, which an `nt_password` account does not keep.
    const chap = await radclient(
      radius,
      'auth',
      'User-Name = "carol@initech.example.com", Calling-Station-Id = "nt-chap", CHAP-Password = "initech-carol-pw"',
    );
    expect(chap.code, chap.output).toBe('Access-Reject');
    expect(await loggedFrom(initech, 'carol@initech.example.com', 'nt-chap')).toMatchObject({
      result: 'reject',
      reason: 'no_reversible_credential',
    });
  });

  it('accounting is answered', async () => {
    const answer = await radclient(radius, 'acct', 'User-Name = "alice", Acct-Status-Type = Start, Acct-Session-Id = "s1"');
    expect(answer.code, answer.output).toBe('Accounting-Response');
  });

  it('the service never logs a password, the REST credential or a hash', async () => {
    const text = service.logs.join('');
    for (const secret of ['alice-pw', 'acme-bob-pw', 'globex-bob-pw', 'initech-carol-pw', 'scrypt$']) expect(text).not.toContain(secret);
  });
});
