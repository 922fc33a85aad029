import { describe, expect, it } from 'vitest';
import { type Api, createAccount } from './support/api.js';
import type { TestService } from './support/service.js';
import { useSuiteService } from './support/suite.js';

let service: TestService;
let api: Api;

useSuiteService((started) => ({ service, api } = started), { MAX_BODY_BYTES: String(1024 * 1024) });

const aaaPath = () => `/v2/accounts/${service.masterAccountId}/aaa`;

describe('request envelope', () => {
  it('invalid JSON is 400 invalid_json', async () => {
    const response = await api.put(aaaPath(), undefined, { rawBody: '{"data": {', headers: { 'Content-Type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ status: 'error', error: '400', message: 'invalid_json' });
  });

  it('a body without data is 400 naming the data field', async () => {
    const response = await api.put(aaaPath(), undefined, { rawBody: '{"aaa_mode":"on"}' });
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('invalid_envelope');
    expect(response.body.data).toHaveProperty(['data', 'required']);
  });

  it('data that is not an object is 400', async () => {
    const response = await api.put(aaaPath(), undefined, { rawBody: '{"data":[1,2]}' });
    expect(response.status).toBe(400);
    expect(response.body.data).toHaveProperty(['data', 'type']);
  });

  it('an empty body is 400', async () => {
    expect((await api.put(aaaPath(), undefined, { rawBody: '' })).status).toBe(400);
  });

  it('a body over 1 MiB is 413, whether declared or streamed', async () => {
    const big = JSON.stringify({ data: { aaa_mode: 'on', padding: 'x'.repeat(1024 * 1024) } });
    const response = await api.put(aaaPath(), undefined, { rawBody: big });
    expect(response.status).toBe(413);
    expect(response.body.message).toBe('payload_too_large');
    const streamed = await fetch(service.url + aaaPath(), {
      method: 'PUT',
      headers: { 'X-Auth-Token': String(api.token) },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });
});

describe('routes and methods', () => {
  it('an unknown route is 404 with an error envelope', async () => {
    const response = await api.get('/v2/nothing/here');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ status: 'error', error: '404' });
  });

  it('a wrong method is 405 invalid_method with Allow', async () => {
    const response = await api.delete('/v1/system_configs/circlemaker');
    expect(response.status).toBe(405);
    expect(response.body).toMatchObject({ status: 'error', error: '405', message: 'invalid_method' });
    expect(response.headers.get('allow')).toContain('PATCH');
  });

  it('an unknown account id is 404 bad_identifier with the id as cause', async () => {
    const id = '0'.repeat(32);
    const response = await api.get(`/v2/accounts/${id}`);
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ message: 'bad_identifier', data: { cause: id } });
  });
});

describe('request ids', () => {
  it('echoes X-Request-ID, or generates one', async () => {
    const given = await api.get(`/v2/accounts/${service.masterAccountId}`, { headers: { 'X-Request-ID': 'trace-123' } });
    expect(given.body.request_id).toBe('trace-123');
    expect(given.headers.get('x-request-id')).toBe('trace-123');
    const generated = await api.get(`/v2/accounts/${service.masterAccountId}`);
    expect(generated.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
    const error = await api.get('/v2/nothing', { headers: { 'X-Request-ID': 'trace-404' } });
    expect(error.body.request_id).toBe('trace-404');
  });

  it('refuses to echo an unsafe request id', async () => {
    const response = await api.get(`/v2/accounts/${service.masterAccountId}`, { headers: { 'X-Request-ID': 'a b<script>' } });
    expect(response.body.request_id).not.toContain(' ');
  });
});

describe('logs', () => {
  it('are JSON lines with the request id, and never contain keys, tokens or RADIUS secrets', async () => {
    const child = await createAccount(api, service.masterAccountId, 'log-check');
    const secret = 'radius-shared-secret-that-must-not-leak';
    await api.as(child.token).put(`/v2/accounts/${child.id}/aaa`, {
      aaa_mode: 'on',
      servers: [{ name: 's1', address: '127.0.0.1', secret, dicts: ['dictionary'] }],
      authentication: ['s1'],
      authorization: [],
      accounting: [],
    });
    await api.as(undefined).get(`/v2/accounts/${child.id}/aaa?auth_token=${child.token}`, { headers: { 'X-Request-ID': 'log-trace' } });
    await api.as(undefined).put('/v2/api_auth', { api_key: child.apiKey });
    await api.as(undefined).put('/v2/api_auth', { api_key: `wrong-key-${'z'.repeat(20)}` });
    const logs = service.logs.join('');
    for (const line of service.logs.join('').trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    expect(logs).toContain('"request_id":"log-trace"');
    expect(logs).toContain('auth_token=[redacted]');
    for (const leaked of [secret, child.apiKey, child.token, service.masterApiKey, 'wrong-key-']) {
      expect(logs).not.toContain(leaked);
    }
  });
});

describe('meta routes', () => {
  it('healthz and readyz answer', async () => {
    expect((await api.as(undefined).get('/healthz')).status).toBe(200);
    expect((await api.as(undefined).get('/readyz')).body).toEqual({ status: 'ready' });
  });

  it('openapi.json is OpenAPI 3.1 built from schemas and routes', async () => {
    const response = await api.as(undefined).get('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining([
        '/v2/accounts/{accountId}/aaa',
        '/v1/system_configs/circlemaker',
        '/v2/accounts/{accountId}/aaa/dictionary/{dictionaryId}',
      ]),
    );
    expect(response.body.components.schemas.aaa.properties.servers).toBeDefined();
    expect(
      response.body.paths['/v2/accounts/{accountId}/aaa'].put.requestBody.content['application/json'].schema.properties.data.$ref,
    ).toBe('#/components/schemas/aaa');
  });

  it('docs render from local assets', async () => {
    const page = await fetch(`${service.url}/docs`);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('/docs/swagger-ui-bundle.js');
    expect(html).not.toMatch(/https?:\/\/(?!127)/);
    const bundle = await fetch(`${service.url}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    expect((await fetch(`${service.url}/docs/..%2Fpackage.json`)).status).toBe(404);
  });
});
