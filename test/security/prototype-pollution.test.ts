/**
 * Issue 7, item 2: one request must not be able to write to `Object.prototype`. Today's attack
 * was `{"data":{"api_key":"x","__proto__":{}}}` to `PUT /v2/api_auth` (no token needed): the
 * validator's error map assigned through the `__proto__` field name. Every route that takes a
 * body (every PUT/POST/PATCH of /openapi.json, so a new route is covered without editing this
 * file) gets each forbidden key at the top of `data`, nested, inside a list and outside `data`,
 * and must answer 400 naming the dotted path; afterwards logins and validated writes still work.
 */
import type { ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { toFieldErrors } from '../../src/schema/validator.js';
import { type Api, type TestAccount, createAccount } from '../support/api.js';
import type { TestService } from '../support/service.js';
import { useSuiteService } from '../support/suite.js';

let service: TestService;
let api: Api;
useSuiteService((started) => ({ service, api } = started));

const FORBIDDEN = ['__proto__', 'constructor', 'prototype'] as const;
const POISON = '{"additionalProperties":true,"polluted":"yes","prototype":{"polluted":"yes"}}';

/** Raw bodies (JSON.stringify would not keep a `__proto__` key of an object literal) and the path each must be refused at. */
function hostileBodies(key: string): { body: string; path: string }[] {
  return [
    { body: `{"data":{"api_key":"x","name":"n","${key}":${POISON}}}`, path: `data.${key}` },
    { body: `{"data":{"name":"n","attributes":{"${key}":${POISON}}}}`, path: `data.attributes.${key}` },
    { body: `{"data":{"name":"n","servers":[{"name":"s","${key}":${POISON}}]}}`, path: `data.servers.0.${key}` },
    { body: `{"${key}":${POISON},"data":{"name":"n"}}`, path: key },
  ];
}

/** Routes the tests below know take a body; each must have refused every hostile body with the 400. */
const KNOWN_BODY_ROUTES = [
  'put /v2/api_auth',
  'put /v2/accounts/{accountId}',
  'post /v2/accounts/{accountId}',
  'patch /v2/accounts/{accountId}',
  'put /v2/accounts/{accountId}/aaa',
  'post /v2/accounts/{accountId}/aaa',
  'patch /v2/accounts/{accountId}/aaa',
  'post /v2/accounts/{accountId}/aaa/authn',
  'post /v2/accounts/{accountId}/aaa/authz',
  'post /v2/accounts/{accountId}/aaa/accounting',
  'post /v2/accounts/{accountId}/aaa/coa',
  'post /v2/accounts/{accountId}/aaa/disconnect',
  'put /v2/accounts/{accountId}/aaa/dictionary',
  'post /v2/accounts/{accountId}/aaa/dictionary/{dictionaryId}',
];

function prototypeState(): { names: string[]; enumerable: string[] } {
  const enumerable: string[] = [];
  // for…in walks inherited enumerable keys: exactly what a polluted prototype adds to every object.
  for (const key in {}) enumerable.push(key);
  return { names: Object.getOwnPropertyNames(Object.prototype).sort(), enumerable: [...enumerable, ...Object.keys(Object.prototype)] };
}

async function send(method: string, path: string, body: string, token: string | undefined) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token !== undefined) headers['X-Auth-Token'] = token;
  const response = await fetch(service.url + path, { method, headers, body });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('the validator error map', () => {
  it('keys a __proto__ field as an own property and leaves Object.prototype alone', () => {
    const before = prototypeState();
    const errors: ErrorObject[] = [
      { keyword: 'additionalProperties', instancePath: '', schemaPath: '#', params: { additionalProperty: '__proto__' } },
      { keyword: 'type', instancePath: '/__proto__', schemaPath: '#', params: { type: 'object' } },
      { keyword: 'additionalProperties', instancePath: '/constructor', schemaPath: '#', params: { additionalProperty: 'prototype' } },
    ];
    const fields = toFieldErrors(errors);
    expect(prototypeState()).toEqual(before);
    expect(Object.hasOwn(fields, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(fields, '__proto__')?.value).toEqual({
      additionalProperties: { message: expect.any(String) },
      type: { message: expect.any(String) },
    });
    expect(Object.keys(fields).sort()).toEqual(['__proto__', 'constructor.prototype']);
    expect(JSON.parse(JSON.stringify(fields))).toHaveProperty(['constructor.prototype', 'additionalProperties']);
  });
});

describe('a hostile key in any body', () => {
  let tenant: TestAccount;
  let dictionaryId: string;

  it('is a 400 naming the field on every route with a body, with or without a token', async () => {
    const before = prototypeState();
    tenant = await createAccount(api, service.masterAccountId, 'pollution-tenant');
    const dictionary = await api.as(tenant.token).put(`/v2/accounts/${tenant.id}/aaa/dictionary`, {
      name: 'dictionary_pollution',
      value: [{ attr: { name: 'Pollution-Test', id: 240, type: 'string' } }],
    });
    expect(dictionary.status, JSON.stringify(dictionary.body)).toBe(201);
    dictionaryId = String(dictionary.body.data.id);

    const openapi = (await api.get('/openapi.json')).body as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    const operations = Object.entries(openapi.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([method]) => ['put', 'post', 'patch'].includes(method))
        .map(([method, operation]) => ({ method, path, declaresBody: operation.requestBody !== undefined })),
    );
    const refused = new Set<string>();
    for (const { method, path, declaresBody } of operations) {
      const url = path
        .replace('{accountId}', tenant.id)
        .replace('{dictionaryId}', encodeURIComponent(dictionaryId))
        .replace(/\{[^}]+\}/g, 'unknown');
      for (const key of FORBIDDEN) {
        for (const { body, path: field } of hostileBodies(key)) {
          // The API key route is public: the attack needs no token, so none is sent.
          const token = path === '/v2/api_auth' ? undefined : api.token;
          const response = await send(method.toUpperCase(), url, body, token);
          const where = `${method} ${path} ${body}: ${response.status} ${JSON.stringify(response.body)}`;
          expect(response.status, where).toBeLessThan(500);
          // A success is only possible from a route that never reads a body (e.g. PUT …/api_key).
          if (declaresBody || KNOWN_BODY_ROUTES.includes(`${method} ${path}`)) expect(response.status, where).not.toBeLessThan(300);
          if (response.status === 400) {
            expect(response.body.data?.[field]?.forbidden_key, where).toMatchObject({ message: expect.any(String) });
            refused.add(`${method} ${path}`);
          }
          expect(prototypeState(), where).toEqual(before);
        }
      }
    }
    expect([...refused].sort()).toEqual(expect.arrayContaining(KNOWN_BODY_ROUTES));
  });

  it('takes hostile attribute names, values and sizes on the rlm_rest routes (REST credential, direct lane) without a 5xx or a polluted prototype', async () => {
    const before = prototypeState();
    const tenant = await createAccount(api, service.masterAccountId, 'pollution-rlm-rest');
    const credential = (await api.as(tenant.token).put(`/v2/accounts/${tenant.id}/aaa/rest_credentials`)).body.data as {
      username: string;
      password: string;
    };
    const authorization = `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
    const bodies = [
      ...FORBIDDEN.map((key) => `{"${key}":${POISON},"User-Name":{"type":"string","value":["bob"]}}`),
      ...FORBIDDEN.map((key) => `{"User-Name":{"type":"string","value":["${key}"],"${key}":${POISON}}}`),
      ...FORBIDDEN.map(
        (key) => `{"User-Name":{"value":[${POISON}]},"User-Password":{"value":["${key}"]},"Acct-Status-Type":{"value":["${key}"]}}`,
      ),
      `{"User-Name":{"type":"string","value":["${'x'.repeat(200_000)}"]}}`,
    ];
    for (const section of ['authorize', 'authenticate', 'post-auth?result=__proto__', 'accounting']) {
      for (const body of bodies) {
        const response = await fetch(`${service.url}/v2/accounts/${tenant.id}/aaa/rest/${section}`, {
          method: 'POST',
          headers: { Authorization: authorization, 'Content-Type': 'application/json' },
          body,
        });
        const where = `${section} ${body.slice(0, 120)}: ${response.status}`;
        expect(response.status, where).toBeLessThan(500);
        await response.arrayBuffer();
        expect(prototypeState(), where).toEqual(before);
      }
    }
    // Beyond the body limit: refused before anything reads it.
    const huge = await fetch(`${service.url}/v2/accounts/${tenant.id}/aaa/rest/authorize`, {
      method: 'POST',
      headers: { Authorization: authorization, 'Content-Type': 'application/json' },
      body: `{"User-Name":{"value":["${'x'.repeat(2_000_000)}"]}}`,
    });
    expect(huge.status).toBe(413);
    expect(prototypeState()).toEqual(before);
  });

  it('leaves logins, validated writes and FreeRADIUS text uploads working', async () => {
    const before = prototypeState();
    // The original attack, once more, then the things it used to break for every tenant.
    const attack = await send('PUT', '/v2/api_auth', '{"data":{"api_key":"x","__proto__":{}}}', undefined);
    expect(attack.status).toBe(400);
    expect(attack.body.data['data.__proto__'].forbidden_key).toBeDefined();
    const other = await createAccount(api, service.masterAccountId, 'pollution-other');
    expect(other.token).toMatch(/\S/);
    const write = await api.as(other.token).put(`/v2/accounts/${other.id}/aaa`, { aaa_mode: 'off' });
    expect(write.status, JSON.stringify(write.body)).toBe(201);
    const invalid = await api.as(other.token).post(`/v2/accounts/${other.id}/aaa`, { aaa_mode: 'sideways' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.data).toHaveProperty(['aaa_mode', 'enum']);

    // FreeRADIUS text is not JSON: its names become values, and nothing may reach the prototype.
    const text = [
      'VENDOR __proto__ 64991',
      'ATTRIBUTE constructor 241 string',
      'ATTRIBUTE prototype 242 integer has_tag',
      'VALUE prototype __proto__ 1',
      '',
    ].join('\n');
    const upload = await fetch(`${service.url}/v2/accounts/${other.id}/aaa/dictionary?name=dictionary_text_pollution`, {
      method: 'PUT',
      headers: { 'Content-Type': 'text/plain', 'X-Auth-Token': other.token },
      body: text,
    });
    expect(upload.status).toBeLessThan(500);
    expect(prototypeState()).toEqual(before);
    expect(before.enumerable).toEqual([]);
  });
});
