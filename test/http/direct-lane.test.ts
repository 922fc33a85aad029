/**
 * The direct lane (src/http/direct-lane.ts) serves the rlm_rest routes without Koa and must keep
 * the service's HTTP contract on them: dispatch by path template with the rest falling through to
 * Koa, the request id, the REST credential before any handler runs, the body limit, the Crossbar
 * error envelope (never an internal message), 405 with `Allow`, the request line and the metrics.
 * Through the whole service, the rlm_rest tests (test/backend) and the isolation matrix cover it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Caller } from '../../src/accounts/access.js';
import { invalidCredentials } from '../../src/errors.js';
import { directLane } from '../../src/http/direct-lane.js';
import type { DirectRequest, RouteSpec } from '../../src/http/route.js';
import { createLogger } from '../../src/log.js';
import type { ServiceMetrics } from '../../src/metrics/service-metrics.js';

const TEMPLATE = '/v2/accounts/:accountId/aaa/rest/:section';
const GOOD = `Basic ${Buffer.from('rest-good:pw').toString('base64')}`;

interface Harness {
  url: string;
  seen: DirectRequest[];
  logs: Record<string, unknown>[];
  observed: unknown[][];
}

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function route(overrides: Partial<RouteSpec> = {}): RouteSpec {
  return {
    method: 'POST',
    path: TEMPLATE,
    summary: 'test',
    tag: 'test',
    access: 'rest_credential',
    async direct(request) {
      const text = request.body.toString('utf8');
      if (text === 'boom') throw new Error('an internal detail');
      if (text === 'nothing') return { status: 204 };
      return { status: 200, body: { params: request.params, result: request.query.get('result'), caller: request.caller.accountId, text } };
    },
    ...overrides,
  } as RouteSpec;
}

async function start(routes: RouteSpec[] = [route()], maxBodyBytes = 64, logLevel = 'info'): Promise<Harness> {
  const seen: DirectRequest[] = [];
  const logs: Record<string, unknown>[] = [];
  const observed: unknown[][] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const metrics = { http: { observe: (...args: unknown[]) => observed.push(args) } } as unknown as ServiceMetrics;
  const recorded = routes.map((spec): RouteSpec => {
    const { direct } = spec;
    if (!direct) return spec;
    const recording = (request: DirectRequest) => {
      seen.push(request);
      return direct(request);
    };
    return { ...spec, direct: recording } as RouteSpec;
  });
  const listener = directLane(
    recorded,
    (_request, response) => {
      response.writeHead(299, { 'Content-Type': 'text/plain' });
      response.end('fallback');
    },
    {
      logger: createLogger(logLevel, sink),
      metrics,
      maxBodyBytes,
      trustProxy: false,
      async authenticate(authorization): Promise<Caller> {
        if (authorization !== GOOD) throw invalidCredentials('wrong_credentials', 'the REST credential is not valid');
        return { accountId: 'good', isSuperduperAdmin: false };
      },
    },
  );
  const server = http.createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, logs, observed };
}

const post = (url: string, body: string, headers: Record<string, string> = { Authorization: GOOD }) =>
  fetch(url, { method: 'POST', headers, body });

describe('direct lane', () => {
  it('serves a matching path with its decoded parameters, query, caller and body; anything else falls through', async () => {
    const { url, seen } = await start();
    const answer = await post(`${url}/v2/accounts/a%20b/aaa/rest/post-auth/?result=Reject`, 'hello');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await answer.json()).toEqual({
      params: { accountId: 'a b', section: 'post-auth' },
      result: 'Reject',
      caller: 'good',
      text: 'hello',
    });
    expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const other = await post(`${url}/v2/accounts/a/aaa/rest/post-auth/extra`, 'hello');
    expect(other.status).toBe(299);
    expect(await other.text()).toBe('fallback');
    expect(seen).toHaveLength(1);
  });

  it('answers 204 without a body, and echoes a sane X-Request-ID', async () => {
    const { url } = await start();
    const answer = await post(`${url}/v2/accounts/a/aaa/rest/authorize`, 'nothing', { Authorization: GOOD, 'X-Request-ID': 'abc-123' });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('content-type')).toBeNull();
    expect(await answer.text()).toBe('');
    expect(answer.headers.get('x-request-id')).toBe('abc-123');
  });

  it('proves the credential before the handler runs: a 401 in the Crossbar envelope, the handler never called', async () => {
    const { url, seen } = await start();
    const answer = await post(`${url}/v2/accounts/a/aaa/rest/authorize`, 'hello', { Authorization: 'Basic bm9wZTpub3Bl' });
    expect(answer.status).toBe(401);
    const body = (await answer.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'error', error: '401', message: 'invalid_credentials' });
    expect(body.request_id).toBe(answer.headers.get('x-request-id'));
    expect(seen).toHaveLength(0);
  });

  it('refuses another method with 405 and Allow, and a body over the limit with 413', async () => {
    const { url, seen } = await start();
    const get = await fetch(`${url}/v2/accounts/a/aaa/rest/authorize`, { headers: { Authorization: GOOD } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await get.json()).toMatchObject({ message: 'invalid_method', data: { allowed: ['POST'] } });

    const big = await post(`${url}/v2/accounts/a/aaa/rest/authorize`, 'x'.repeat(65));
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ message: 'payload_too_large', data: { limit: 64 } });
    expect(seen).toHaveLength(0);
  });

  it('turns an unexpected error into a 500 that shows nothing of it, and logs it with the request line', async () => {
    const { url, logs } = await start();
    const answer = await post(`${url}/v2/accounts/a/aaa/rest/authorize`, 'boom');
    expect(answer.status).toBe(500);
    const text = await answer.text();
    expect(text).toContain('internal_error');
    expect(text).not.toContain('an internal detail');
    expect(logs.some((line) => line.msg === 'request failed' && JSON.stringify(line).includes('an internal detail'))).toBe(true);
    const requestLine = logs.find((line) => line.msg === 'request');
    expect(requestLine).toMatchObject({ status: 500, route: TEMPLATE, method: 'POST', error: 'internal_error', client: '127.0.0.1' });
  });

  it('writes the request line at debug, or at info for an error answer, and observes the metrics under the route template, never the URL', async () => {
    const { url, logs, observed } = await start(undefined, undefined, 'debug');
    await post(`${url}/v2/accounts/a/aaa/rest/authorize?secret=x`, 'hello');
    await fetch(`${url}/v2/accounts/a/aaa/rest/authorize`);
    expect(observed.map(([template, method, status]) => [template, method, status])).toEqual([
      [TEMPLATE, 'POST', 200],
      [undefined, 'GET', 405],
    ]);
    const DEBUG = 20;
    const INFO = 30;
    const line = logs.find((entry) => entry.msg === 'request' && entry.status === 200);
    expect(line).toMatchObject({ level: DEBUG, route: TEMPLATE, account: 'good', client: '127.0.0.1' });
    expect(String(line?.url)).not.toContain('secret=x');
    expect(logs.find((entry) => entry.msg === 'request' && entry.status === 405)).toMatchObject({ level: INFO });
  });

  it('at the default level, logs a request that failed (a wrong credential) but not one that was answered', async () => {
    const { url, logs } = await start();
    await post(`${url}/v2/accounts/a/aaa/rest/authorize`, 'hello');
    await post(`${url}/v2/accounts/a/aaa/rest/authorize`, 'hello', { Authorization: 'Basic bm9wZTpub3Bl' });
    expect(logs.filter((entry) => entry.msg === 'request').map((entry) => entry.status)).toEqual([401]);
  });

  it('refuses a table where a Koa route shares a direct path (it could never be reached)', () => {
    const koa = { method: 'GET', path: TEMPLATE, summary: 's', tag: 't', access: 'token', handle: async () => undefined } as RouteSpec;
    expect(() => directLane([route(), koa], () => undefined, {} as never)).toThrow(/served by the direct lane/);
  });
});
