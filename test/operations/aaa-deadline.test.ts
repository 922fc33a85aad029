/**
 * Every AAA and CoA/Disconnect request has a deadline: the configured default
 * (AAA_REQUEST_DEADLINE_MS), tighter when the caller asks (X-Request-Timeout-Ms or
 * data.timeout_ms), and an abort when the caller goes away. Servers here never answer while their
 * documents allow retries × timeout far beyond any deadline; what is asserted is the answer, the
 * attempts and that the sending stops, never how long things took.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { RadiusResponder } from '../../src/radius/responder/index.js';
import type { Api } from '../support/api.js';
import type { TestService } from '../support/service.js';
import { useSuiteService } from '../support/suite.js';
import { LOGIN, SILENT, aaaDoc, accountWith, nas, server, startResponder, until } from './aaa-fixture.js';

const DEFAULT_DEADLINE_MS = 1500;
let service: TestService;
let api: Api;
useSuiteService((started) => ({ service, api } = started), { AAA_REQUEST_DEADLINE_MS: String(DEFAULT_DEADLINE_MS) });

const responders: RadiusResponder[] = [];
afterEach(async () => {
  await Promise.all(responders.splice(0).map((responder) => responder.close()));
});
async function silentResponder(): Promise<RadiusResponder> {
  const responder = await startResponder(SILENT);
  responders.push(responder);
  return responder;
}

/** Nothing arrives at `responder` for a while: several retransmission intervals of the documents below. */
async function expectNoMorePackets(responder: RadiusResponder, seen: number): Promise<void> {
  // A sleep, not a wait: that no packet comes during this time is what is checked.
  await new Promise((resolve) => setTimeout(resolve, 700));
  expect(responder.stats.received).toBe(seen);
}

describe('AAA operation deadline', () => {
  it('a server that never answers, 10 retries × 60 s: 504 deadline_exceeded at the deadline the caller asked for, with the attempt made', async () => {
    const responder = await silentResponder();
    const account = await accountWith(api, service.masterAccountId, aaaDoc([server(responder, { retries: 10, timeout: 60_000 })]));
    const response = await api
      .as(account.token)
      .post(`/v2/accounts/${account.id}/aaa/authn`, LOGIN, { headers: { 'X-Request-Timeout-Ms': '300' } });
    expect(response.status, JSON.stringify(response.body)).toBe(504);
    expect(response.body.error).toBe('504');
    expect(response.body.message).toBe('deadline_exceeded');
    expect(response.body.data).toMatchObject({ operation: 'authentication', deadline_ms: 300 });
    expect(response.body.data.attempts).toEqual([
      expect.objectContaining({ server: 'radius', account: account.id, port: responder.port, attempt: 1, outcome: 'aborted' }),
    ]);
  });

  it('retransmissions stop when the deadline passes: the attempts so far are listed and the server receives nothing more', async () => {
    const responder = await silentResponder();
    const account = await accountWith(api, service.masterAccountId, aaaDoc([server(responder, { retries: 10, timeout: 100 })]));
    const response = await api
      .as(account.token)
      .post(`/v2/accounts/${account.id}/aaa/accounting`, LOGIN, { headers: { 'X-Request-Timeout-Ms': '350' } });
    expect(response.status, JSON.stringify(response.body)).toBe(504);
    expect(response.body.message).toBe('deadline_exceeded');
    const attempts = response.body.data.attempts as { attempt: number; outcome: string }[];
    // 11 copies would go out over 1.1 s without the deadline; it cut them short.
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    expect(attempts.length).toBeLessThan(11);
    expect(attempts.at(-1)!.outcome).toBe('aborted');
    expect(attempts.slice(0, -1).every((attempt) => attempt.outcome === 'timeout')).toBe(true);
    await until(() => responder.stats.received === attempts.length, 2000, 'every listed copy to arrive');
    await expectNoMorePackets(responder, attempts.length);
  });

  it('without a header the configured default applies; asking for more is capped at it (data.timeout_ms)', async () => {
    const responder = await silentResponder();
    const account = await accountWith(api, service.masterAccountId, aaaDoc([server(responder, { retries: 10, timeout: 60_000 })]));
    const [plain, greedy] = await Promise.all([
      api.as(account.token).post(`/v2/accounts/${account.id}/aaa/authz`, LOGIN),
      api.as(account.token).post(`/v2/accounts/${account.id}/aaa/authz`, { ...LOGIN, timeout_ms: 3_600_000 }),
    ]);
    for (const response of [plain, greedy]) {
      expect(response.status, JSON.stringify(response.body)).toBe(504);
      expect(response.body.message).toBe('deadline_exceeded');
      expect(response.body.data.deadline_ms).toBe(DEFAULT_DEADLINE_MS);
    }
  });

  it('a deadline that is not a positive whole number is a 400 naming the field, and nothing is sent', async () => {
    const responder = await silentResponder();
    const account = await accountWith(api, service.masterAccountId, aaaDoc([server(responder)]));
    const post = (data: Record<string, unknown>, headers: Record<string, string> = {}) =>
      api.as(account.token).post(`/v2/accounts/${account.id}/aaa/authn`, data, { headers });
    const cases = [
      { response: await post(LOGIN, { 'X-Request-Timeout-Ms': 'soon' }), field: 'X-Request-Timeout-Ms' },
      { response: await post(LOGIN, { 'X-Request-Timeout-Ms': '0' }), field: 'X-Request-Timeout-Ms' },
      { response: await post({ ...LOGIN, timeout_ms: -5 }), field: 'data.timeout_ms' },
      { response: await post({ ...LOGIN, timeout_ms: 1.5 }), field: 'data.timeout_ms' },
      { response: await post({ ...LOGIN, timeout_ms: '300' }), field: 'data.timeout_ms' },
    ];
    for (const { response, field } of cases) {
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      expect(response.body.data).toHaveProperty([field, 'type']);
    }
    expect(responder.stats.received).toBe(0);
  });

  it('the client going away mid-request aborts it: no further retransmissions', async () => {
    const responder = await silentResponder();
    // 200 ms × 10 retries: copies would keep coming for 2.2 s, past the 1.5 s default deadline too.
    const account = await accountWith(api, service.masterAccountId, aaaDoc([server(responder, { retries: 10, timeout: 200 })]));
    const body = JSON.stringify({ data: LOGIN });
    const request = http.request(`${service.url}/v2/accounts/${account.id}/aaa/authn`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-Auth-Token': account.token },
    });
    request.on('error', () => {});
    request.end(body);
    await until(() => responder.stats.received >= 1, 5000, 'the first Access-Request');
    request.destroy();
    const seen = responder.stats.received;
    // The service logs the abandoned request (499) once it noticed the caller left.
    await until(
      () => service.logs.some((line) => line.includes(`/v2/accounts/${account.id}/aaa/authn`) && line.includes('"status":499')),
      5000,
      'the 499 log line',
    );
    await expectNoMorePackets(responder, seen);
  });
});

describe('CoA/Disconnect deadline', () => {
  it('a NAS that never answers: 504 deadline_exceeded with the aborted attempt, and nothing more is sent', async () => {
    const responder = await silentResponder();
    const account = await accountWith(api, service.masterAccountId, {
      aaa_mode: 'on',
      nas: [nas(responder, { retries: 10, timeout: 100 })],
    });
    const response = await api
      .as(account.token)
      .post(`/v2/accounts/${account.id}/aaa/disconnect`, { nas: 'edge', attributes: { 'User-Name': 'alice' }, timeout_ms: 250 });
    expect(response.status, JSON.stringify(response.body)).toBe(504);
    expect(response.body.message).toBe('deadline_exceeded');
    expect(response.body.data).toMatchObject({ nas: 'edge', deadline_ms: 250 });
    const attempts = response.body.data.attempts as { nas: string; outcome: string }[];
    expect(attempts.at(-1)).toMatchObject({ nas: 'edge', outcome: 'aborted' });
    expect(attempts.length).toBeLessThan(11);
    await until(() => responder.stats.received === attempts.length, 2000, 'every listed copy to arrive');
    await expectNoMorePackets(responder, attempts.length);
  });

  it('a deadline header that is not a number is a 400 naming it', async () => {
    const responder = await silentResponder();
    const account = await accountWith(api, service.masterAccountId, { aaa_mode: 'on', nas: [nas(responder)] });
    const response = await api
      .as(account.token)
      .post(
        `/v2/accounts/${account.id}/aaa/coa`,
        { nas: 'edge', attributes: { 'User-Name': 'alice' } },
        { headers: { 'X-Request-Timeout-Ms': '-1' } },
      );
    expect(response.status).toBe(400);
    expect(response.body.data).toHaveProperty(['X-Request-Timeout-Ms', 'type']);
    expect(responder.stats.received).toBe(0);
  });
});
