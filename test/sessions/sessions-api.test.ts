/**
 * Sessions end to end: accounting through the rlm_rest endpoint (as FreeRADIUS's rlm_rest sends
 * it) stored as sessions, queried, disconnected through a NAS played by the project's responder,
 * Simultaneous-Use in authorize, and the periodic stale close and purge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileDictionaries } from '../../src/radius/dictionary/index.js';
import { type DecodedPacket, PacketCode } from '../../src/radius/codec/index.js';
import { RadiusResponder, type ResponderReply } from '../../src/radius/responder/index.js';
import { type Api, type TestAccount, createAccount } from '../support/api.js';
import { type TestService, storeGet } from '../support/service.js';
import { useSuiteService } from '../support/suite.js';
import { seed } from '../support/seed.js';

let service: TestService;
let api: Api;
useSuiteService((started) => ({ service, api } = started));

const dictionary = compileDictionaries([seed('dictionary')]);
const SECRET = 'nas-secret';
let nasDevice: RadiusResponder;
let nakNext = false;
const received: DecodedPacket[] = [];

beforeAll(async () => {
  nasDevice = await RadiusResponder.start({
    dictionary,
    clients: { '127.0.0.1': SECRET },
    handlers: {
      [PacketCode.DisconnectRequest]: ({ packet }): ResponderReply => {
        received.push(packet);
        return nakNext
          ? { code: PacketCode.DisconnectNak, attributes: { 'Error-Cause': 'Session-Context-Not-Found' } }
          : { code: PacketCode.DisconnectAck, attributes: {} };
      },
      [PacketCode.CoaRequest]: ({ packet }): ResponderReply => {
        received.push(packet);
        return { code: PacketCode.CoaAck, attributes: {} };
      },
    },
  });
});
afterAll(async () => {
  await nasDevice?.close();
});

interface Tenant extends TestAccount {
  basic: string;
}

let serial = 0;
async function tenant(parent = service.masterAccountId): Promise<Tenant> {
  const account = await createAccount(api, parent, `sessions-${(serial += 1)}`);
  const credential = await api.put(`/v2/accounts/${account.id}/aaa/rest_credentials`);
  expect(credential.status, JSON.stringify(credential.body)).toBe(200);
  const basic = Buffer.from(`${credential.body.data.username}:${credential.body.data.password}`).toString('base64');
  return { ...account, basic };
}

/** rlm_rest's JSON body: each attribute as {type, value: [..]}. */
function restBody(attributes: Record<string, string | number>): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => [name, { type: typeof value === 'number' ? 'integer' : 'string', value: [value] }]),
    ),
  );
}

async function accounting(account: Tenant, attributes: Record<string, string | number>): Promise<number> {
  const response = await fetch(`${service.url}/v2/accounts/${account.id}/aaa/rest/accounting`, {
    method: 'POST',
    headers: { Authorization: `Basic ${account.basic}`, 'Content-Type': 'application/json' },
    body: restBody(attributes),
  });
  await response.text();
  return response.status;
}

const sessionsOf = (account: TestAccount, query = '') => api.as(account.token).get(`/v2/accounts/${account.id}/aaa/sessions${query}`);

const START = Date.parse('2024-03-01T10:00:00Z') / 1000;
const session = (id: string, extra: Record<string, string | number> = {}) => ({
  'User-Name': 'alice',
  'Acct-Session-Id': id,
  'NAS-IP-Address': '127.0.0.1',
  'Framed-IP-Address': '10.0.0.7',
  'Calling-Station-Id': '00-11-22-33-44-55',
  ...extra,
});

describe('recording', () => {
  it('Start, Interim-Update, Stop → one session with 64-bit counters and the terminate cause; retransmissions change nothing', async () => {
    const account = await tenant();
    expect(
      await accounting(account, session('s-1', { 'Acct-Status-Type': 'Start', 'Event-Timestamp': START, 'Acct-Interim-Interval': 300 })),
    ).toBe(204);
    const interim = session('s-1', {
      'Acct-Status-Type': 'Interim-Update',
      'Event-Timestamp': START + 300,
      'Acct-Session-Time': 300,
      'Acct-Input-Octets': 1000,
      'Acct-Input-Gigawords': 2,
      'Acct-Output-Octets': 5,
    });
    expect(await accounting(account, interim)).toBe(204);
    let listed = await sessionsOf(account, '?open=true');
    expect(listed.body.data).toHaveLength(1);
    const open = listed.body.data[0];
    expect(open).toMatchObject({
      username: 'alice',
      acct_session_id: 's-1',
      open: true,
      start: '2024-03-01T10:00:00.000Z',
      last_update: '2024-03-01T10:05:00.000Z',
      input_octets: 2 * 2 ** 32 + 1000,
      output_octets: 5,
      stop: null,
    });
    const stop = session('s-1', {
      'Acct-Status-Type': 'Stop',
      'Event-Timestamp': START + 600,
      'Acct-Session-Time': 600,
      'Acct-Input-Octets': 3000,
      'Acct-Input-Gigawords': 2,
      'Acct-Output-Octets': 9,
      'Acct-Terminate-Cause': 'User-Request',
    });
    expect(await accounting(account, stop)).toBe(204);
    const before = (await api.as(account.token).get(`/v2/accounts/${account.id}/aaa/sessions/${encodeURIComponent(open.id)}`)).body.data;
    // Retransmissions of every packet, in another order: the same document, not even a new revision.
    const stored = await storeGet(service, `sessions/${encodeURIComponent(open.id)}`);
    expect(await accounting(account, interim)).toBe(204);
    expect(await accounting(account, stop)).toBe(204);
    expect(await accounting(account, session('s-1', { 'Acct-Status-Type': 'Start', 'Event-Timestamp': START }))).toBe(204);
    const after = await storeGet(service, `sessions/${encodeURIComponent(open.id)}`);
    expect(after._rev).toBe(stored._rev);
    const got = await api.as(account.token).get(`/v2/accounts/${account.id}/aaa/sessions/${encodeURIComponent(open.id)}`);
    expect(got.body.data).toEqual(before);
    expect(got.body.data).toMatchObject({
      open: false,
      stop: '2024-03-01T10:10:00.000Z',
      session_time: 600,
      input_octets: 2 * 2 ** 32 + 3000,
      output_octets: 9,
      terminate_cause: 'User-Request',
    });
    listed = await sessionsOf(account);
    expect(listed.body.data).toHaveLength(1);
  });

  it("through a reseller's endpoint: recorded in the descendant holding the realm, unless the reseller has a subscriber of that full name", async () => {
    const reseller = await tenant();
    const child = await tenant(reseller.id);
    const realm = `sessions-realm-${serial}.example`;
    expect((await api.patch(`/v2/accounts/${child.id}`, { realm })).status).toBe(200);
    expect((await api.put(`/v2/accounts/${reseller.id}/aaa/subscribers`, { username: `kept@${realm}`, password: 'pw-kept' })).status).toBe(
      201,
    );
    expect(
      await accounting(reseller, session('r-1', { 'User-Name': `roamer@${realm}`, 'Acct-Status-Type': 'Start', 'Event-Timestamp': START })),
    ).toBe(204);
    expect(
      await accounting(reseller, session('r-2', { 'User-Name': `kept@${realm}`, 'Acct-Status-Type': 'Start', 'Event-Timestamp': START })),
    ).toBe(204);
    expect(
      await accounting(reseller, session('r-3', { 'User-Name': 'plain', 'Acct-Status-Type': 'Start', 'Event-Timestamp': START })),
    ).toBe(204);
    const ofChild = (await sessionsOf(child)).body.data as { acct_session_id: string }[];
    const ofReseller = (await sessionsOf(reseller)).body.data as { acct_session_id: string }[];
    expect(ofChild.map((found) => found.acct_session_id)).toEqual(['r-1']);
    expect(ofReseller.map((found) => found.acct_session_id).sort()).toEqual(['r-2', 'r-3']);
  });

  it('a Stop before its Start creates the session closed; the late Start does not reopen it', async () => {
    const account = await tenant();
    expect(
      await accounting(
        account,
        session('late', {
          'Acct-Status-Type': 'Stop',
          'Event-Timestamp': START + 120,
          'Acct-Session-Time': 120,
          'Acct-Terminate-Cause': 2,
        }),
      ),
    ).toBe(204);
    expect(await accounting(account, session('late', { 'Acct-Status-Type': 'Start', 'Event-Timestamp': START }))).toBe(204);
    const listed = (await sessionsOf(account)).body.data;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      open: false,
      start: '2024-03-01T10:00:00.000Z',
      stop: '2024-03-01T10:02:00.000Z',
      terminate_cause: 'Lost-Carrier',
      session_time: 120,
    });
  });

  it("Accounting-On from a NAS closes its open sessions (NAS-Reboot), not other NAS's", async () => {
    const account = await tenant();
    await accounting(account, session('a', { 'Acct-Status-Type': 'Start', 'Event-Timestamp': START }));
    await accounting(account, session('b', { 'Acct-Status-Type': 'Start', 'Event-Timestamp': START, 'User-Name': 'bob' }));
    await accounting(account, session('c', { 'Acct-Status-Type': 'Start', 'Event-Timestamp': START, 'NAS-IP-Address': '192.0.2.9' }));
    expect(
      await accounting(account, { 'Acct-Status-Type': 'Accounting-On', 'NAS-IP-Address': '127.0.0.1', 'Event-Timestamp': START + 60 }),
    ).toBe(204);
    const open = (await sessionsOf(account, '?open=true')).body.data;
    expect(open.map((s: any) => s.acct_session_id)).toEqual(['c']);
    const closed = (await sessionsOf(account, '?open=false')).body.data;
    expect(closed.map((s: any) => [s.acct_session_id, s.terminate_cause, s.stop]).sort()).toEqual([
      ['a', 'NAS-Reboot', '2024-03-01T10:01:00.000Z'],
      ['b', 'NAS-Reboot', '2024-03-01T10:01:00.000Z'],
    ]);
  });

  it('a request naming no session is a 400 naming the attribute, and nothing is stored', async () => {
    const account = await tenant();
    const response = await fetch(`${service.url}/v2/accounts/${account.id}/aaa/rest/accounting`, {
      method: 'POST',
      headers: { Authorization: `Basic ${account.basic}`, 'Content-Type': 'application/json' },
      body: restBody({ 'Acct-Status-Type': 'Start', 'User-Name': 'x' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { data: unknown }).data).toHaveProperty('Acct-Session-Id');
    expect((await sessionsOf(account)).body.data).toEqual([]);
  });
});

describe('queries', () => {
  it('filters, sorts by start, pages with next_start_key and a Link header; include_descendants; summary', async () => {
    const parent = await tenant();
    const child = await tenant(parent.id);
    for (let i = 0; i < 5; i += 1) {
      await accounting(
        parent,
        session(`p${i}`, {
          'Acct-Status-Type': i < 3 ? 'Start' : 'Stop',
          'Event-Timestamp': START + i * 60,
          'Acct-Session-Time': i < 3 ? 0 : 10,
          'User-Name': i % 2 ? 'bob' : 'alice',
          'Acct-Output-Octets': 100,
        }),
      );
    }
    await accounting(child, session('c0', { 'Acct-Status-Type': 'Start', 'Event-Timestamp': START + 1000 }));
    const newest = (await sessionsOf(parent)).body.data.map((s: any) => s.acct_session_id);
    expect(newest).toEqual(['p4', 'p3', 'p2', 'p1', 'p0']);
    expect((await sessionsOf(parent, '?sort=start')).body.data.map((s: any) => s.acct_session_id)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect((await sessionsOf(parent, '?username=BOB')).body.data.map((s: any) => s.acct_session_id)).toEqual(['p3', 'p1']);
    expect((await sessionsOf(parent, '?open=true&username=alice')).body.data.map((s: any) => s.acct_session_id)).toEqual(['p2', 'p0']);
    expect((await sessionsOf(parent, '?nas=192.0.2.1')).body.data).toEqual([]);
    expect((await sessionsOf(parent, '?framed_ip_address=10.0.0.7&calling_station_id=00-11-22-33-44-55')).body.data).toHaveLength(5);
    expect(
      (await sessionsOf(parent, `?until=${encodeURIComponent('2024-03-01T10:01:30Z')}`)).body.data.map((s: any) => s.acct_session_id),
    ).toEqual(['p1', 'p0']);
    expect((await sessionsOf(parent, '?include_descendants=true')).body.data.map((s: any) => s.acct_session_id)).toEqual([
      'c0',
      'p4',
      'p3',
      'p2',
      'p1',
      'p0',
    ]);
    // A child never sees its parent's.
    expect((await sessionsOf(child, '?include_descendants=true')).body.data.map((s: any) => s.acct_session_id)).toEqual(['c0']);

    const first = await sessionsOf(parent, '?page_size=2');
    expect(first.body.data.map((s: any) => s.acct_session_id)).toEqual(['p4', 'p3']);
    expect(first.body.next_start_key).toEqual(expect.any(String));
    const link = first.headers.get('link') ?? '';
    expect(link).toMatch(/^<\/v2\/accounts\/[0-9a-f]+\/aaa\/sessions\?.*start_key=.*>; rel="next"$/);
    const second = await api.as(parent.token).get(link.slice(1, link.indexOf('>')));
    expect(second.body.data.map((s: any) => s.acct_session_id)).toEqual(['p2', 'p1']);
    expect((await sessionsOf(parent, '?page_size=0')).status).toBe(400);
    const badOpen = await sessionsOf(parent, '?open=maybe');
    expect(badOpen.status).toBe(400);
    expect(badOpen.body.data).toHaveProperty('open');

    const summary = await api.as(parent.token).get(`/v2/accounts/${parent.id}/aaa/sessions/summary`);
    expect(summary.body.data).toMatchObject({ sessions: 5, open: 3, open_now: 3, session_time: 20, output_octets: 500 });
    const period = await api
      .as(parent.token)
      .get(`/v2/accounts/${parent.id}/aaa/sessions/summary?since=${encodeURIComponent('2024-03-01T10:02:00Z')}`);
    expect(period.body.data).toMatchObject({ sessions: 3, open: 1, open_now: 3 });

    // By id: own and descendants' sessions; a child cannot read its parent's.
    const childSession = (await sessionsOf(child)).body.data[0];
    expect((await api.as(parent.token).get(`/v2/accounts/${parent.id}/aaa/sessions/${encodeURIComponent(childSession.id)}`)).status).toBe(
      200,
    );
    const parentSession = (await sessionsOf(parent)).body.data[0];
    expect((await api.as(child.token).get(`/v2/accounts/${child.id}/aaa/sessions/${encodeURIComponent(parentSession.id)}`)).status).toBe(
      404,
    );
  });
});

describe('disconnect and CoA by session', () => {
  it('Disconnect goes to the registered NAS that reported the session with its identifying attributes; ACK marks it until its Stop', async () => {
    const account = await tenant();
    const saved = await api.put(`/v2/accounts/${account.id}/aaa`, {
      aaa_mode: 'on',
      nas: [{ name: 'edge-1', address: '127.0.0.1', port: nasDevice.port, secret: SECRET, timeout: 1000, retries: 0 }],
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    await accounting(account, session('d-1', { 'Acct-Status-Type': 'Start', 'Event-Timestamp': START }));
    await accounting(account, session('d-2', { 'Acct-Status-Type': 'Start', 'Event-Timestamp': START, 'NAS-IP-Address': '192.0.2.50' }));
    const [unregistered, target] = (await sessionsOf(account, '?sort=start')).body.data.sort((a: any, b: any) =>
      a.acct_session_id < b.acct_session_id ? 1 : -1,
    );
    received.length = 0;
    const answer = await api
      .as(account.token)
      .post(`/v2/accounts/${account.id}/aaa/sessions/${encodeURIComponent(target.id)}/disconnect`, {});
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.data).toMatchObject({ result: 'ack', nas: 'edge-1', session: target.id });
    const sent = Object.fromEntries(received[0]!.attributes.map((attribute) => [attribute.name, attribute.value]));
    expect(sent).toMatchObject({ 'User-Name': 'alice', 'Acct-Session-Id': 'd-1', 'Framed-IP-Address': '10.0.0.7' });
    expect(
      (await api.as(account.token).get(`/v2/accounts/${account.id}/aaa/sessions/${encodeURIComponent(target.id)}`)).body.data,
    ).toMatchObject({ open: true, disconnect_requested: true });
    await accounting(
      account,
      session('d-1', { 'Acct-Status-Type': 'Stop', 'Event-Timestamp': START + 5, 'Acct-Terminate-Cause': 'Admin-Reset' }),
    );
    expect(
      (await api.as(account.token).get(`/v2/accounts/${account.id}/aaa/sessions/${encodeURIComponent(target.id)}`)).body.data,
    ).toMatchObject({ open: false, disconnect_requested: false, terminate_cause: 'Admin-Reset' });

    nakNext = true;
    await accounting(account, session('d-3', { 'Acct-Status-Type': 'Start', 'Event-Timestamp': START }));
    const third = (await sessionsOf(account, '?open=true&nas=127.0.0.1')).body.data[0];
    const nak = await api.as(account.token).post(`/v2/accounts/${account.id}/aaa/sessions/${encodeURIComponent(third.id)}/disconnect`, {});
    nakNext = false;
    expect(nak.body.data).toMatchObject({ result: 'nak', error_cause: { name: 'Session-Context-Not-Found' } });
    expect(
      (await api.as(account.token).get(`/v2/accounts/${account.id}/aaa/sessions/${encodeURIComponent(third.id)}`)).body.data
        .disconnect_requested,
    ).toBe(false);

    const coa = await api
      .as(account.token)
      .post(`/v2/accounts/${account.id}/aaa/sessions/${encodeURIComponent(third.id)}/coa`, { attributes: { 'Session-Timeout': 60 } });
    expect(coa.status, JSON.stringify(coa.body)).toBe(200);
    expect(Object.fromEntries(received.at(-1)!.attributes.map((attribute) => [attribute.name, attribute.value]))).toMatchObject({
      'Session-Timeout': 60,
      'Acct-Session-Id': 'd-3',
    });

    const none = await api
      .as(account.token)
      .post(`/v2/accounts/${account.id}/aaa/sessions/${encodeURIComponent(unregistered.id)}/disconnect`, {});
    expect(none.status).toBe(422);
    expect(none.body.message).toBe('nas_not_registered');
  });
});

describe('Simultaneous-Use', () => {
  it('authorize rejects a user at the limit of open sessions, and lets them in once one stops', async () => {
    const account = await tenant();
    // FreeRADIUS's internal attribute (dictionary.freeradius.internal), in a dictionary of the account's own.
    const dict = await api.put(`/v2/accounts/${account.id}/aaa/dictionary`, {
      name: 'internal',
      value: [{ attr: { vid: 0, id: 1034, type: 'integer', name: 'Simultaneous-Use', enc: 'no' } }],
    });
    expect(dict.status, JSON.stringify(dict.body)).toBe(201);
    expect((await api.post(`/v2/accounts/${account.id}/aaa/subscriber_settings`, { dicts: ['dictionary', 'internal'] })).status).toBe(200);
    expect(
      (
        await api.put(`/v2/accounts/${account.id}/aaa/subscribers`, {
          username: 'carol',
          password: 'carol-pw',
          check: { 'Simultaneous-Use': 1 },
        })
      ).status,
    ).toBe(201);
    const authorize = () =>
      fetch(`${service.url}/v2/accounts/${account.id}/aaa/rest/authorize`, {
        method: 'POST',
        headers: { Authorization: `Basic ${account.basic}`, 'Content-Type': 'application/json' },
        body: restBody({ 'User-Name': 'carol', 'User-Password': 'carol-pw' }),
      }).then((response) => response.status);
    expect(await authorize()).toBe(200);
    await accounting(account, session('su-1', { 'Acct-Status-Type': 'Start', 'User-Name': 'carol' }));
    expect(await authorize()).toBe(401);
    await accounting(account, session('su-1', { 'Acct-Status-Type': 'Stop', 'User-Name': 'carol' }));
    expect(await authorize()).toBe(200);
  });
});
