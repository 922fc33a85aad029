import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Api, type ApiResponse, createAccount } from '../support/api.js';
import type { TestService } from '../support/service.js';
import { useSuiteService } from '../support/suite.js';

let service: TestService;
let api: Api;
useSuiteService((started) => ({ service, api } = started));

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components: unknown;
};
let doc: Doc;
const ajv = new Ajv2020({ strict: false, allErrors: true });

/** Local references become references into the document, registered once as `doc`. */
function intoDoc(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(intoDoc);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === '$ref' && typeof inner === 'string' && inner.startsWith('#/') ? `doc${inner}` : intoDoc(inner),
    ]),
  );
}

/** Every response the test saw, as `METHOD path status`: proof each route was exercised. */
const seen = new Set<string>();

function expectConforms(method: string, template: string, response: ApiResponse): void {
  const operation = doc.paths[template]?.[method.toLowerCase()];
  expect(operation, `${method} ${template} is in the document`).toBeDefined();
  const declared = operation!.responses[String(response.status)];
  expect(
    declared,
    `${method} ${template} answered ${response.status}, which it does not declare: ${JSON.stringify(response.body)}`,
  ).toBeDefined();
  seen.add(`${method} ${template} ${response.status}`);
  const type = response.headers.get('content-type') ?? '';
  const content = declared!.content ?? {};
  if (type.startsWith('application/json')) {
    const schema = content['application/json']?.schema;
    expect(schema, `${method} ${template} ${response.status} declares JSON`).toBeDefined();
    const validate = ajv.compile(intoDoc(schema) as object);
    expect(
      validate(response.body),
      `${method} ${template} ${response.status}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(response.body).slice(0, 400)}`,
    ).toBe(true);
  } else if (type.startsWith('text/plain')) {
    expect(content['text/plain'], `${method} ${template} ${response.status} declares text/plain`).toBeDefined();
  }
}

beforeAll(async () => {
  const fetched = await fetch(`${service.url}/openapi.json`);
  doc = (await fetched.json()) as Doc;
  ajv.addSchema({ $id: 'doc', components: doc.components } as object);
});

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const copy = structuredClone(doc) as unknown as Parameters<typeof SwaggerParser.validate>[0];
    await expect(SwaggerParser.validate(copy)).resolves.toBeDefined();
  });

  it('declares request bodies, paging, text and the public logins', () => {
    const op = (path: string, method: string) => doc.paths[path]![method] as unknown as Record<string, any>;
    for (const path of ['/v2/accounts/{accountId}', '/v2/accounts/{accountId}/aaa', '/v1/system_configs/circlemaker']) {
      expect(op(path, 'patch').requestBody, path).toBeDefined();
    }
    for (const kind of ['authn', 'authz', 'accounting', 'coa', 'disconnect']) {
      const post = op(`/v2/accounts/{accountId}/aaa/${kind}`, 'post');
      expect(post.requestBody, kind).toBeDefined();
      expect(
        post.parameters.map((p: { name: string }) => p.name),
        kind,
      ).toContain('X-Request-Timeout-Ms');
    }
    const children = op('/v2/accounts/{accountId}/children', 'get');
    expect(children.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['page_size', 'start_key']));
    expect(op('/v2/accounts/{accountId}/aaa/dictionary', 'put').requestBody.content['text/plain']).toBeDefined();
    expect(op('/v2/accounts/{accountId}/aaa/dictionary/{dictionaryId}', 'get').responses['200'].content['text/plain']).toBeDefined();
    expect(op('/v2/api_auth', 'put').security).toEqual([]);
    expect(op('/v2/user_auth', 'put').security).toEqual([]);
    for (const path of ['/healthz', '/readyz', '/metrics']) expect(doc.paths[path], path).toBeDefined();
    expect(
      op('/v2/accounts/{accountId}', 'get').responses['401'].content['application/json'].schema.allOf[1].properties.message.enum,
    ).toEqual(['invalid_credentials']);
  });
});

describe('real responses match the document', () => {
  it('every route, with and without a token, answers only statuses it declares, with bodies of their schemas', async () => {
    const account = await createAccount(api, service.masterAccountId, 'contract');
    const dict = await api.put(`/v2/accounts/${account.id}/aaa/dictionary`, {
      name: 'contract_dict',
      value: [{ attr: { vid: 0, id: 1, type: 'string', name: 'User-Name' } }],
    });
    expectConforms('PUT', '/v2/accounts/{accountId}/aaa/dictionary', dict);
    const ids: Record<string, string> = {
      accountId: account.id,
      dictionaryId: String(dict.body.data?.id ?? 'x'),
      sessionId: `${account.id}:none`,
      subscriberId: 'none',
      groupId: 'none',
      userId: 'none',
      asset: 'swagger-ui.css',
    };
    for (const [template, methods] of Object.entries(doc.paths)) {
      const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(ids[name] ?? 'none'));
      for (const method of Object.keys(methods)) {
        const upper = method.toUpperCase();
        const body = upper === 'GET' || upper === 'DELETE' ? undefined : {};
        const asAdmin = template === '/metrics' ? await api.request('GET', path) : await api.request(upper, path, body);
        expectConforms(upper, template, asAdmin);
        expectConforms(upper, template, await api.as(undefined).request(upper, path, body));
      }
    }
    // Successes with bodies worth checking beyond the empty-body probes above.
    expectConforms('PUT', '/v2/accounts/{accountId}/aaa', await api.put(`/v2/accounts/${account.id}/aaa`, { aaa_mode: 'on' }));
    expectConforms('PATCH', '/v2/accounts/{accountId}/aaa', await api.patch(`/v2/accounts/${account.id}/aaa`, { aaa_mode: 'off' }));
    expectConforms('PATCH', '/v2/accounts/{accountId}', await api.patch(`/v2/accounts/${account.id}`, { name: 'contract2' }));
    expectConforms('GET', '/v2/accounts/{accountId}/aaa/effective', await api.get(`/v2/accounts/${account.id}/aaa/effective`));
    expectConforms(
      'POST',
      '/v2/accounts/{accountId}/aaa/authn',
      await api.post(`/v2/accounts/${account.id}/aaa/authn`, { 'User-Name': 'a' }),
    );
    expectConforms(
      'GET',
      '/v2/accounts/{accountId}/aaa/dictionary/{dictionaryId}',
      await api.get(`/v2/accounts/${account.id}/aaa/dictionary/${encodeURIComponent(ids.dictionaryId!)}`, {
        headers: { Accept: 'text/plain' },
      }),
    );
    const operations = Object.values(doc.paths).reduce((sum, methods) => sum + Object.keys(methods).length, 0);
    const exercised = new Set([...seen].map((entry) => entry.split(' ').slice(0, 2).join(' ')));
    expect(exercised.size).toBe(operations);
  });
});
