/**
 * Sessions against a real peer: Debian's FreeRADIUS 3.2 with its rlm_rest (`freeradius-rest`),
 * configured as the README documents (test/support/freeradius-rest.ts), forwards accounting that
 * radclient sends as the NAS; the service keeps it as one session. A Disconnect by session then
 * goes to the NAS's CoA listener, played by the project's responder, and its ACK/NAK is reported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DecodedPacket, PacketCode } from '../../src/radius/codec/index.js';
import { compileDictionaries } from '../../src/radius/dictionary/index.js';
import type { ResponderReply } from '../../src/radius/responder/index.js';
import { Api, type TestAccount, createAccount } from '../support/api.js';
import type { FreeRadiusServer } from '../support/freeradius.js';
import { rlmRestInstalled, startFreeRadiusForAccount } from '../support/freeradius-rest.js';
import { radclient } from '../support/radclient.js';
import { radiusKit } from '../support/radius-kit.js';
import { seed } from '../support/seed.js';
import { type TestService, startTestService } from '../support/service.js';

const available = rlmRestInstalled();

describe.skipIf(available)('FreeRADIUS with rlm_rest', () => {
  it('is not installed: apt-get install freeradius freeradius-utils freeradius-rest to run the sessions interoperability tests', () => {
    // Locally they may be skipped; in CI a missing server is a failure, not a pass.
    expect(process.env.CI, 'CI must install freeradius and freeradius-rest (.ci/run does)').toBeFalsy();
  });
});

const dictionary = compileDictionaries([seed('dictionary')]);
const NAS_SECRET = 'nas-coa-secret';
let nakNext = false;
const disconnects: DecodedPacket[] = [];
const kit = radiusKit({
  dictionary,
  secret: NAS_SECRET,
  retries: 0,
  timeoutMs: 1000,
  handlers: {
    [PacketCode.DisconnectRequest]: ({ packet }): ResponderReply => {
      disconnects.push(packet);
      return nakNext
        ? { code: PacketCode.DisconnectNak, attributes: { 'Error-Cause': 'Session-Context-Not-Found' } }
        : { code: PacketCode.DisconnectAck, attributes: {} };
    },
  },
});

describe.runIf(available)('FreeRADIUS + rlm_rest accounting → sessions', () => {
  let service: TestService;
  let api: Api;
  let account: TestAccount;
  let radius: FreeRadiusServer;

  beforeAll(async () => {
    service = await startTestService();
    const anonymous = new Api(service.url);
    api = anonymous.as(await anonymous.login(service.masterApiKey));
    account = await createAccount(api, service.masterAccountId, 'freeradius-sessions');
    radius = await startFreeRadiusForAccount(api, account.id);
  }, 60_000);

  afterAll(async () => {
    await radius?.stop();
    await service?.close();
  });

  const sessions = async (query = '') => {
    const response = await api.get(`/v2/accounts/${account.id}/aaa/sessions${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.data as Record<string, any>[];
  };
  const packet = (status: string, session: string, extra = '') =>
    `User-Name = "carol", Acct-Status-Type = ${status}, Acct-Session-Id = "${session}", NAS-IP-Address = 127.0.0.1, NAS-Identifier = "edge-1", Framed-IP-Address = 10.1.2.3, Calling-Station-Id = "00-11-22-33-44-55"${extra}`;
  const send = async (attributes: string) => {
    const answer = await radclient(radius, 'acct', attributes);
    expect(answer.code, answer.output + radius.output().slice(-3000)).toBe('Accounting-Response');
  };

  it('Start, Interim-Update, Stop from radclient through FreeRADIUS are one session with 64-bit counters (Gigawords) and the terminate cause', async () => {
    const start = Date.parse('2024-03-01T10:00:00Z') / 1000;
    await send(packet('Start', 'fr-1', `, Event-Timestamp = ${start}, Acct-Interim-Interval = 300`));
    let found = await sessions('?open=true');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      username: 'carol',
      acct_session_id: 'fr-1',
      nas_ip_address: '127.0.0.1',
      nas_identifier: 'edge-1',
      framed_ip_address: '10.1.2.3',
      open: true,
      start: '2024-03-01T10:00:00.000Z',
    });

    await send(
      packet(
        'Interim-Update',
        'fr-1',
        `, Event-Timestamp = ${start + 300}, Acct-Session-Time = 300, Acct-Input-Octets = 1000, Acct-Input-Gigawords = 2, Acct-Output-Octets = 7`,
      ),
    );
    found = await sessions('?open=true');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      session_time: 300,
      input_octets: 2 * 2 ** 32 + 1000,
      output_octets: 7,
      last_update: '2024-03-01T10:05:00.000Z',
      open: true,
    });

    const stop = packet(
      'Stop',
      'fr-1',
      `, Event-Timestamp = ${start + 600}, Acct-Session-Time = 600, Acct-Input-Octets = 3000, Acct-Input-Gigawords = 2, Acct-Output-Octets = 5, Acct-Output-Gigawords = 1, Acct-Terminate-Cause = User-Request`,
    );
    await send(stop);
    // A NAS that missed the Accounting-Response sends the Stop again: still one session.
    await send(stop);
    found = await sessions();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      open: false,
      stop: '2024-03-01T10:10:00.000Z',
      session_time: 600,
      input_octets: 2 * 2 ** 32 + 3000,
      output_octets: 2 ** 32 + 5,
      terminate_cause: 'User-Request',
    });
  });

  it('Disconnect by session reaches the NAS that reported it (through FreeRADIUS); ACK marks the session, NAK is reported with its Error-Cause', async () => {
    const nas = await kit.responder();
    const saved = await api.put(`/v2/accounts/${account.id}/aaa`, {
      aaa_mode: 'on',
      nas: [{ name: 'edge-1', address: '127.0.0.1', port: nas.port, secret: NAS_SECRET, timeout: 1000, retries: 0 }],
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    await send(packet('Start', 'fr-2'));
    await send(packet('Start', 'fr-3'));
    const open = await sessions('?open=true');
    const byId = (acctSessionId: string) => open.find((session) => session.acct_session_id === acctSessionId)!;
    const disconnect = (session: Record<string, any>) =>
      api.post(`/v2/accounts/${account.id}/aaa/sessions/${encodeURIComponent(session.id)}/disconnect`, {});

    disconnects.length = 0;
    const acked = await disconnect(byId('fr-2'));
    expect(acked.status, JSON.stringify(acked.body)).toBe(200);
    expect(acked.body.data).toMatchObject({ result: 'ack', nas: 'edge-1', session: byId('fr-2').id });
    const sent = Object.fromEntries(disconnects[0]!.attributes.map((attribute) => [attribute.name, attribute.value]));
    expect(sent).toMatchObject({ 'User-Name': 'carol', 'Acct-Session-Id': 'fr-2', 'Framed-IP-Address': '10.1.2.3' });
    expect((await api.get(`/v2/accounts/${account.id}/aaa/sessions/${encodeURIComponent(byId('fr-2').id)}`)).body.data).toMatchObject({
      open: true,
      disconnect_requested: true,
    });

    nakNext = true;
    const naked = await disconnect(byId('fr-3'));
    nakNext = false;
    expect(naked.status, JSON.stringify(naked.body)).toBe(200);
    expect(naked.body.data).toMatchObject({ result: 'nak', error_cause: { name: 'Session-Context-Not-Found' } });
    expect((await api.get(`/v2/accounts/${account.id}/aaa/sessions/${encodeURIComponent(byId('fr-3').id)}`)).body.data).toMatchObject({
      open: true,
      disconnect_requested: false,
    });

    // The NAS ends the session: its Stop, through FreeRADIUS, closes it and clears the mark.
    await send(packet('Stop', 'fr-2', ', Acct-Session-Time = 60, Acct-Terminate-Cause = Admin-Reset'));
    expect((await api.get(`/v2/accounts/${account.id}/aaa/sessions/${encodeURIComponent(byId('fr-2').id)}`)).body.data).toMatchObject({
      open: false,
      disconnect_requested: false,
      terminate_cause: 'Admin-Reset',
    });
  });
});
