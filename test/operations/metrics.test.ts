/**
 * GET /metrics: after traffic of every kind (a login failure and a 429, an authn answered by the
 * test responder and one that times out, a 404, store writes), the series exist with their labels
 * and plausible values; route labels are templates; no label value is a secret, an API key or an
 * account id; reading it takes the metrics token or the superduper admin; METRICS_PORT serves it
 * on a listener of its own without authentication; METRICS=false serves nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RadiusResponder } from '../../src/radius/responder/index.js';
import { Api, type TestAccount } from '../support/api.js';
import { type TestService, startTestService } from '../support/service.js';
import { useSuiteService } from '../support/suite.js';
import { LOGIN, SECRET, SILENT, aaaDoc, accountWith, server, startResponder } from './aaa-fixture.js';
import { type Sample, find, parseExposition, value } from './metrics-scrape.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const ATTACKER = '203.0.113.77';

let service: TestService;
let api: Api;
useSuiteService((started) => ({ service, api } = started), {
  METRICS_TOKEN,
  DICTIONARY_CACHE_MB: '64',
  AUTH_FAILURE_LIMIT: '2',
  // The failed logins come "from" another address, so the suite's own logins stay unlimited.
  TRUST_PROXY: 'true',
});

let answering: RadiusResponder;
let silent: RadiusResponder;
let account: TestAccount;
let deadEnd: TestAccount;
const statuses: Record<string, number> = {};
let text = '';
let samples: Sample[] = [];

async function scrape(headers: Record<string, string>, base = service.url): Promise<Response> {
  return fetch(`${base}/metrics`, { headers });
}

beforeAll(async () => {
  answering = await startResponder();
  silent = await startResponder(SILENT);
  account = await accountWith(api, service.masterAccountId, aaaDoc([server(answering)]));
  deadEnd = await accountWith(api, service.masterAccountId, aaaDoc([server(silent, { timeout: 200, retries: 1 })]));

  const anonymous = new Api(service.url);
  const fromAttacker = { headers: { 'X-Forwarded-For': ATTACKER } };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    statuses[`wrong key ${attempt}`] = (await anonymous.put('/v2/api_auth', { api_key: 'e'.repeat(64) }, fromAttacker)).status;
  }
  statuses.limited = (await anonymous.put('/v2/api_auth', { api_key: 'e'.repeat(64) }, fromAttacker)).status;
  statuses.authn = (await api.as(account.token).post(`/v2/accounts/${account.id}/aaa/authn`, LOGIN)).status;
  statuses.unanswered = (await api.as(deadEnd.token).post(`/v2/accounts/${deadEnd.id}/aaa/authn`, LOGIN)).status;
  statuses.read = (await api.as(account.token).get(`/v2/accounts/${account.id}/aaa`)).status;
  statuses.missing = (await anonymous.get(`/v2/no/such/route/${account.id}`)).status;

  const response = await scrape({ Authorization: `Bearer ${METRICS_TOKEN}` });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  text = await response.text();
  samples = parseExposition(text);
});

afterAll(async () => {
  await answering?.close();
  await silent?.close();
});

describe('GET /metrics after traffic', () => {
  it('the traffic was what the series below count', () => {
    expect(statuses).toEqual({
      'wrong key 0': 401,
      'wrong key 1': 401,
      limited: 429,
      authn: 200,
      unanswered: 504,
      read: 200,
      missing: 404,
    });
  });

  it('HTTP requests by route template, method and status, with a latency histogram', () => {
    expect(value(samples, 'circlemaker_http_requests_total', { route: '/v2/accounts/:accountId/aaa', method: 'GET', status: '200' })).toBe(
      1,
    );
    expect(
      value(samples, 'circlemaker_http_requests_total', { route: '/v2/accounts/:accountId/aaa/authn', method: 'POST', status: '504' }),
    ).toBe(1);
    expect(value(samples, 'circlemaker_http_requests_total', { route: '/v2/api_auth', method: 'PUT', status: '429' })).toBe(1);
    expect(value(samples, 'circlemaker_http_requests_total', { route: 'unmatched', method: 'GET', status: '404' })).toBe(1);
    const latency = { route: '/v2/accounts/:accountId/aaa/authn', method: 'POST', status: '200' };
    expect(value(samples, 'circlemaker_http_request_duration_seconds_count', latency)).toBe(1);
    const sum = value(samples, 'circlemaker_http_request_duration_seconds_sum', latency);
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(10);
    expect(value(samples, 'circlemaker_http_request_duration_seconds_bucket', { ...latency, le: '+Inf' })).toBe(1);
    // Every route label is a template or `unmatched`: no id, no raw URL.
    const routes = new Set(find(samples, 'circlemaker_http_requests_total').map((sample) => sample.labels.route));
    for (const route of routes) expect(route).toMatch(/^(unmatched|(\/([a-z0-9_.]+|:[A-Za-z]+))+)$/);
  });

  it("RADIUS requests by operation, server address:port and outcome, the answer's RTT, and AAA operations by outcome", () => {
    const accepted = { operation: 'authentication', server: `127.0.0.1:${answering.port}` };
    expect(value(samples, 'circlemaker_radius_requests_total', { ...accepted, outcome: 'accept' })).toBe(1);
    expect(value(samples, 'circlemaker_radius_transmissions_total', accepted)).toBe(1);
    expect(value(samples, 'circlemaker_radius_rtt_seconds_count', accepted)).toBe(1);
    const rtt = value(samples, 'circlemaker_radius_rtt_seconds_sum', accepted);
    expect(rtt).toBeGreaterThan(0);
    expect(rtt).toBeLessThan(5);
    const timedOut = { operation: 'authentication', server: `127.0.0.1:${silent.port}` };
    expect(value(samples, 'circlemaker_radius_requests_total', { ...timedOut, outcome: 'timeout' })).toBe(1);
    // The first copy and its one retransmission.
    expect(value(samples, 'circlemaker_radius_transmissions_total', timedOut)).toBe(2);
    expect(find(samples, 'circlemaker_radius_rtt_seconds_count', timedOut)).toEqual([]);
    expect(value(samples, 'circlemaker_aaa_operations_total', { operation: 'authentication', outcome: 'accept' })).toBe(1);
    expect(value(samples, 'circlemaker_aaa_operations_total', { operation: 'authentication', outcome: 'radius_unreachable' })).toBe(1);
  });

  it('dead servers: the one that timed out, by address:port', () => {
    expect(value(samples, 'circlemaker_radius_dead_servers', { server: `127.0.0.1:${silent.port}` })).toBe(1);
    expect(find(samples, 'circlemaker_radius_dead_servers', { server: `127.0.0.1:${answering.port}` })).toEqual([]);
    expect(value(samples, 'circlemaker_radius_servers_marked_dead_total')).toBe(1);
  });

  it('logins: failures (401) and clients refused at their limit (429)', () => {
    expect(value(samples, 'circlemaker_login_failures_total')).toBe(2);
    expect(value(samples, 'circlemaker_login_rate_limited_total')).toBe(1);
    expect(value(samples, 'circlemaker_login_tracked_clients')).toBeGreaterThanOrEqual(1);
  });

  it('store calls by method and database (without the prefix), with latency; errors counted', () => {
    const writes = find(samples, 'circlemaker_store_request_duration_seconds_count', { method: 'PUT', database: 'aaa' });
    expect(writes).toHaveLength(1);
    expect(writes[0]!.value).toBeGreaterThanOrEqual(2);
    expect(
      value(samples, 'circlemaker_store_request_duration_seconds_count', { method: 'PUT', database: 'accounts' }),
    ).toBeGreaterThanOrEqual(2);
    const databases = new Set(find(samples, 'circlemaker_store_request_duration_seconds_count').map((sample) => sample.labels.database));
    for (const database of databases) expect(database).not.toContain(service.dbPrefix);
    expect(text).toContain('# TYPE circlemaker_store_request_errors_total counter');
  });

  it("the policy backend's and the sessions' store calls are counted too: they share the store's nodes", async () => {
    const calls = (scraped: Sample[], database: string) =>
      find(scraped, 'circlemaker_store_request_duration_seconds_count', { database }).reduce((sum, sample) => sum + sample.value, 0);
    const client = api.as(account.token);
    expect((await client.get(`/v2/accounts/${account.id}/aaa/subscribers`)).status).toBe(200);
    expect((await client.get(`/v2/accounts/${account.id}/aaa/auth_log`)).status).toBe(200);
    expect((await client.get(`/v2/accounts/${account.id}/aaa/sessions`)).status).toBe(200);
    const after = parseExposition(await (await scrape({ Authorization: `Bearer ${METRICS_TOKEN}` })).text());
    for (const database of ['subscribers', 'auth_log', 'sessions']) {
      expect(calls(after, database), `store calls on ${database}`).toBeGreaterThan(calls(samples, database));
    }
  });

  it("changes feeds per database (the mirrors' and the subscriber cache's): last sequence, seconds since the last change and contact, connected, current", () => {
    for (const database of ['accounts', 'aaa', 'dictionaries', 'system', 'subscribers']) {
      expect(value(samples, 'circlemaker_changes_feed_connected', { database })).toBe(1);
      expect(value(samples, 'circlemaker_changes_feed_current', { database })).toBe(1);
      const sinceContact = value(samples, 'circlemaker_changes_feed_seconds_since_contact', { database });
      expect(sinceContact).toBeGreaterThanOrEqual(0);
      expect(sinceContact).toBeLessThan(60);
      expect(value(samples, 'circlemaker_changes_feed_seconds_since_change', { database })).toBeGreaterThanOrEqual(0);
    }
    // Accounts and AAA documents were written since the feeds began.
    expect(value(samples, 'circlemaker_changes_feed_last_seq', { database: 'aaa' })).toBeGreaterThan(0);
    expect(value(samples, 'circlemaker_changes_feed_last_seq', { database: 'accounts' })).toBeGreaterThan(0);
  });

  it('dictionary compile cache, worker pools, and the process', () => {
    expect(value(samples, 'circlemaker_dictionary_cache_misses_total')).toBeGreaterThanOrEqual(1);
    expect(value(samples, 'circlemaker_dictionary_cache_hits_total')).toBeGreaterThanOrEqual(1);
    expect(value(samples, 'circlemaker_dictionary_cache_dictionaries')).toBeGreaterThanOrEqual(1);
    expect(value(samples, 'circlemaker_dictionary_cache_evictions_total')).toBe(0);
    // The service's cache takes its bound from DICTIONARY_CACHE_MB (the suite's service sets 64).
    expect(value(samples, 'circlemaker_dictionary_cache_max_bytes')).toBe(64 * 1024 * 1024);
    expect(value(samples, 'circlemaker_aaa_pool_queued')).toBe(0);
    expect(value(samples, 'circlemaker_aaa_pool_active')).toBe(0);
    expect(value(samples, 'circlemaker_aaa_pool_rejected_total')).toBe(0);
    expect(value(samples, 'circlemaker_aaa_pools')).toBeGreaterThanOrEqual(2);
    expect(find(samples, 'process_cpu_user_seconds_total')).toHaveLength(1);
  });

  it('no label value and no line holds a secret, an API key, a token or an account id', async () => {
    const masterToken = api.token!;
    const secrets = {
      'master API key': service.masterApiKey,
      'master token': masterToken,
      'metrics token': METRICS_TOKEN,
      'RADIUS secret': SECRET,
      'account API key': account.apiKey,
      'account token': account.token,
      'other account API key': deadEnd.apiKey,
      'master account id': service.masterAccountId,
      'account id': account.id,
      'other account id': deadEnd.id,
      'attacker address': ATTACKER,
      'database prefix': service.dbPrefix,
    };
    for (const [what, secret] of Object.entries(secrets)) expect(text.includes(secret), `${what} in the scrape`).toBe(false);
    for (const sample of samples) for (const label of Object.values(sample.labels)) expect(label).not.toMatch(/[0-9a-f]{32}/);
  });
});

describe('who may read /metrics', () => {
  it('without credentials 401; a wrong token 401; another account 403; the metrics token or the superduper admin 200', async () => {
    expect((await scrape({})).status).toBe(401);
    expect((await scrape({ Authorization: `Bearer ${METRICS_TOKEN}x` })).status).toBe(401);
    expect((await scrape({ Authorization: 'Bearer not-a-token' })).status).toBe(401);
    const other = await scrape({ 'X-Auth-Token': account.token });
    expect(other.status).toBe(403);
    expect(await other.text()).not.toContain('circlemaker_http_requests_total');
    expect((await scrape({ 'X-Auth-Token': api.token! })).status).toBe(200);
    expect((await scrape({ Authorization: `Bearer ${METRICS_TOKEN}` })).status).toBe(200);
  });

  it('scrapes are counted under their own route, and are 401 before anything is read', async () => {
    const after = parseExposition(await (await scrape({ Authorization: `Bearer ${METRICS_TOKEN}` })).text());
    expect(value(after, 'circlemaker_http_requests_total', { route: '/metrics', method: 'GET', status: '401' })).toBeGreaterThanOrEqual(3);
  });
});

describe('METRICS_PORT and METRICS=false', () => {
  let separate: TestService | undefined;
  let disabled: TestService | undefined;
  afterAll(async () => {
    await separate?.close();
    await disabled?.close();
  });

  it('METRICS_PORT: a listener of its own serves GET /metrics without authentication, and nothing else', async () => {
    separate = await startTestService({ METRICS_PORT: '0' });
    expect(separate.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(separate.metricsUrl).not.toBe(separate.url);
    const open = await fetch(`${separate.metricsUrl}/metrics`);
    expect(open.status).toBe(200);
    expect(await open.text()).toContain('circlemaker_http_requests_total');
    expect((await fetch(`${separate.metricsUrl}/v2/accounts/${separate.masterAccountId}`)).status).toBe(404);
    // The API's listener still asks for credentials.
    expect((await fetch(`${separate.url}/metrics`)).status).toBe(401);
  });

  it('METRICS=false: no /metrics at all', async () => {
    disabled = await startTestService({ METRICS: 'false' });
    const response = await new Api(disabled.url).as(await new Api(disabled.url).login(disabled.masterApiKey)).get('/metrics');
    expect(response.status).toBe(404);
  });
});
