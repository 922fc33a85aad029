/**
 * What the log says about requests: each request line names the client's address, the acting
 * account once authenticated, the route template, the status and the time; 5xx lines are warnings
 * with their cause; probes are debug; each AAA operation has a line of its own with its outcome,
 * server, round trip and number of attempts. Never a secret (test/security/log-redaction.test.ts
 * drives every credential through the service; here the lines of this file's traffic are checked).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RadiusResponder } from '../../src/radius/responder/index.js';
import { Api, type TestAccount } from '../support/api.js';
import type { TestService } from '../support/service.js';
import { useSuiteService } from '../support/suite.js';
import { LOGIN, SECRET, SILENT, aaaDoc, accountWith, server, startGatedResponder, startResponder, until } from './aaa-fixture.js';

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

const DEBUG = 20;
const INFO = 30;
const WARN = 40;

let service: TestService;
let api: Api;
useSuiteService((started) => ({ service, api } = started), { LOG_LEVEL: 'debug', AAA_QUEUE_PER_WORKER: '0' });

const lines = (): LogLine[] =>
  service.logs
    .flatMap((text) => text.split('\n'))
    .filter((text) => text !== '')
    .map((text) => JSON.parse(text) as LogLine);
const requestLines = (url: string): LogLine[] => lines().filter((line) => line.msg === 'request' && line.url === url);

let answering: RadiusResponder;
let silent: RadiusResponder;
let gated: Awaited<ReturnType<typeof startGatedResponder>>;
let account: TestAccount;

beforeAll(async () => {
  answering = await startResponder();
  silent = await startResponder(SILENT);
  gated = await startGatedResponder('held');
  account = await accountWith(api, service.masterAccountId, aaaDoc([server(answering)]));
});

afterAll(async () => {
  gated?.open();
  await answering?.close();
  await silent?.close();
  await gated?.responder.close();
});

describe('request lines', () => {
  it('carry the client address, the acting account, the route template, status and time', async () => {
    const url = `/v2/accounts/${account.id}/aaa`;
    expect((await api.as(account.token).get(url)).status).toBe(200);
    const line = requestLines(url).find((entry) => entry.method === 'GET');
    expect(line).toMatchObject({
      level: INFO,
      method: 'GET',
      route: '/v2/accounts/:accountId/aaa',
      status: 200,
      client: '127.0.0.1',
      account: account.id,
    });
    expect(typeof line!.ms).toBe('number');
    expect(typeof line!.request_id).toBe('string');
    expect(JSON.stringify(line)).not.toContain(account.token);
  });

  it('an anonymous request has no account; one that matched no route has no route', async () => {
    const url = '/v2/no/such/route';
    expect((await new Api(service.url).get(url)).status).toBe(404);
    const [line] = requestLines(url);
    expect(line).toMatchObject({ level: INFO, status: 404, client: '127.0.0.1' });
    expect(line).not.toHaveProperty('account');
    expect(line).not.toHaveProperty('route');
  });

  it('health probes and /metrics are logged at debug', async () => {
    const anonymous = new Api(service.url);
    expect((await anonymous.get('/healthz')).status).toBe(200);
    expect((await anonymous.get('/readyz')).status).toBe(200);
    expect((await api.get('/metrics')).status).toBe(200);
    for (const url of ['/healthz', '/readyz', '/metrics']) {
      const probes = requestLines(url);
      expect(probes.length, url).toBeGreaterThanOrEqual(1);
      for (const line of probes) expect(line.level, url).toBe(DEBUG);
    }
  });

  it('a 504 is a warning with its cause', async () => {
    const deadEnd = await accountWith(api, service.masterAccountId, aaaDoc([server(silent, { timeout: 150, retries: 1 })]));
    const url = `/v2/accounts/${deadEnd.id}/aaa/authn`;
    expect((await api.as(deadEnd.token).post(url, LOGIN)).status).toBe(504);
    const line = requestLines(url).find((entry) => entry.method === 'POST');
    expect(line).toMatchObject({
      level: WARN,
      status: 504,
      error: 'radius_unreachable',
      cause: 'no RADIUS server answered authentication',
      account: deadEnd.id,
    });
    const [operation] = lines().filter((entry) => entry.msg === 'aaa operation' && entry.account === deadEnd.id);
    expect(operation).toMatchObject({
      level: WARN,
      operation: 'authentication',
      outcome: 'radius_unreachable',
      server: `127.0.0.1:${silent.port}`,
      attempts: 2,
      status: 504,
    });
    expect(operation).not.toHaveProperty('rtt_ms');
  });

  it('a 503 (a full queue) is a warning with its cause', async () => {
    const busy = await accountWith(api, service.masterAccountId, aaaDoc([server(gated.responder)], { workers: 1 }));
    const url = `/v2/accounts/${busy.id}/aaa/authn`;
    const held = api.as(busy.token).post(url, { 'User-Name': 'held' });
    await until(() => gated.responder.stats.received >= 1, 5000, 'the held request to reach the server');
    expect((await api.as(busy.token).post(url, LOGIN)).status).toBe(503);
    gated.open();
    expect((await held).status).toBe(200);
    const refused = requestLines(url).find((line) => line.status === 503);
    expect(refused).toMatchObject({ level: WARN, error: 'overloaded', account: busy.id });
    expect(String(refused!.cause)).toMatch(/queue .* is full/);
  });
});

describe('AAA operation lines', () => {
  it('name the operation, outcome, server address:port, round trip and attempts; never the secret', async () => {
    const url = `/v2/accounts/${account.id}/aaa/authn`;
    expect((await api.as(account.token).post(url, LOGIN)).status).toBe(200);
    const [operation] = lines().filter((entry) => entry.msg === 'aaa operation' && entry.account === account.id);
    expect(operation).toMatchObject({
      level: INFO,
      operation: 'authentication',
      outcome: 'accept',
      server: `127.0.0.1:${answering.port}`,
      attempts: 1,
    });
    expect(operation!.rtt_ms).toEqual(expect.any(Number));
    expect(operation!.rtt_ms as number).toBeGreaterThan(0);
    const everything = service.logs.join('');
    for (const secret of [SECRET, account.apiKey, account.token, service.masterApiKey, api.token!])
      expect(everything).not.toContain(secret);
  });
});
