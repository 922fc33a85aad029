/**
 * The service's own POST …/aaa/accounting keeps the session once a RADIUS server answered; a block
 * rule's `blocked` (nothing sent) and an unanswered request (504) keep nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RadiusResponder } from '../../src/radius/responder/index.js';
import type { Api } from '../support/api.js';
import type { TestService } from '../support/service.js';
import { useSuiteService } from '../support/suite.js';
import { SILENT, accountWith, aaaDoc, server, startResponder } from '../operations/aaa-fixture.js';

let service: TestService;
let api: Api;
useSuiteService((started) => ({ service, api } = started));

let responder: RadiusResponder;
let silent: RadiusResponder;
beforeAll(async () => {
  responder = await startResponder();
  silent = await startResponder(SILENT);
});
afterAll(async () => {
  await responder?.close();
  await silent?.close();
});

const passThrough = (key: string) => ({ request_key: key, attribute: key, request_value_regexp: '^(.*)$', attr_value_regexp: '^(.*)$' });
const KEYS = ['User-Name', 'Acct-Status-Type', 'Acct-Session-Id', 'NAS-Identifier', 'Acct-Session-Time', 'Acct-Output-Octets'];

describe('POST …/aaa/accounting records sessions', () => {
  it('answered: recorded (Start then Stop → one closed session); blocked or unanswered: nothing', async () => {
    const doc = (target: RadiusResponder) =>
      aaaDoc([server(target, { timeout: 200 })], {
        accounting_avp_translation: KEYS.map(passThrough),
        block_accounting: [{ channel: ['internal'] }],
      });
    const account = await accountWith(api, service.masterAccountId, doc(responder));
    const send = (data: Record<string, unknown>) => api.post(`/v2/accounts/${account.id}/aaa/accounting`, data);
    const start = await send({ 'User-Name': 'zed', 'Acct-Status-Type': 'Start', 'Acct-Session-Id': 'own-1', 'NAS-Identifier': 'bras-1' });
    expect(start.status, JSON.stringify(start.body)).toBe(200);
    expect(start.body.data.result).toBe('ok');
    const stop = await send({
      'User-Name': 'zed',
      'Acct-Status-Type': 'Stop',
      'Acct-Session-Id': 'own-1',
      'NAS-Identifier': 'bras-1',
      'Acct-Session-Time': 42,
      'Acct-Output-Octets': 4242,
    });
    expect(stop.status).toBe(200);
    const blocked = await send({ 'User-Name': 'zed', 'Acct-Status-Type': 'Start', 'Acct-Session-Id': 'blocked-1', channel: ['internal'] });
    expect(blocked.body.data.result).toBe('blocked');
    const listed = await api.get(`/v2/accounts/${account.id}/aaa/sessions`);
    expect(listed.body.data).toHaveLength(1);
    expect(listed.body.data[0]).toMatchObject({
      username: 'zed',
      acct_session_id: 'own-1',
      nas_identifier: 'bras-1',
      open: false,
      session_time: 42,
      output_octets: 4242,
    });

    const unanswered = await accountWith(api, service.masterAccountId, doc(silent));
    const lost = await api.post(`/v2/accounts/${unanswered.id}/aaa/accounting`, {
      'User-Name': 'zed',
      'Acct-Status-Type': 'Start',
      'Acct-Session-Id': 'lost-1',
    });
    expect(lost.status).toBe(504);
    expect((await api.get(`/v2/accounts/${unanswered.id}/aaa/sessions`)).body.data).toEqual([]);
  });
});
