import { beforeAll, describe, expect, it } from 'vitest';
import examples from './fixtures/seed-curl-examples.json' with { type: 'json' };
import { type Api, type TestAccount, createAccount } from './support/api.js';
import { type TestService, storeGet } from './support/service.js';
import { useSuiteService } from './support/suite.js';

let service: TestService;
let api: Api;

useSuiteService((started) => ({ service, api } = started));

interface CurlExample {
  method: string;
  path: string;
  headers: string[];
  body: string | null;
}

/** Replays a curl line of the seed document: same method, body bytes and headers (curl's default form type when none). */
async function replay(example: CurlExample, token: string, ids: Record<string, string>) {
  const path = example.path.replace(/\{(\w+)\}/g, (_m, name: string) => ids[name] ?? `{${name}}`);
  const headers: Record<string, string> = { 'X-Auth-Token': token };
  for (const header of example.headers) {
    const [name, value] = header.split(/:\s*/, 2);
    headers[name!] = value!;
  }
  if (example.body !== null && !('Content-Type' in headers)) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  return api.as(token).request(example.method, path, undefined, {
    headers,
    ...(example.body !== null ? { rawBody: example.body } : {}),
  });
}

const byPath = (prefix: string) => (examples as CurlExample[]).filter((e) => e.path.startsWith(prefix));

describe('every curl example of the seed document works as written', () => {
  it('account AAA document: GET (none yet) 404, PUT 201, POST 200, PATCH (form-encoded, like curl -d) 200, GET 200', async () => {
    const account = await createAccount(api, service.masterAccountId, 'curl-account');
    const statuses: number[] = [];
    for (const example of byPath('/v2/accounts/{ACCOUNT_ID}/aaa').filter((e) => !e.path.includes('dictionary'))) {
      const response = await replay(example, account.token, { ACCOUNT_ID: account.id });
      statuses.push(response.status);
      if (example.method === 'PATCH') {
        expect(response.body.data).toMatchObject({ aaa_mode: 'off', authorization: ['server1'], workers: 10, nas_port: '2000' });
      }
    }
    expect(statuses).toEqual([404, 201, 200, 200]);
    const final = await api.as(account.token).get(`/v2/accounts/${account.id}/aaa`);
    expect(final.status).toBe(200);
    expect(final.body.data.servers[0]).toMatchObject({ name: 'server1', secret: 'secret1', dicts: ['dictionary_3gpp', 'dictionary'] });
  });

  it('system AAA document, as the superduper admin', async () => {
    const statuses: number[] = [];
    for (const example of byPath('/v1/system_configs/circlemaker')) {
      statuses.push((await replay(example, String(api.token), {})).status);
    }
    expect(statuses).toEqual([404, 201, 200, 200]);
  });

  it('dictionaries: list, PUT, GET by id, POST, DELETE', async () => {
    const account = await createAccount(api, service.masterAccountId, 'curl-dicts');
    const ids: Record<string, string> = { ACCOUNT_ID: account.id };
    const results: { method: string; status: number }[] = [];
    for (const example of byPath('/v2/accounts/{ACCOUNT_ID}/aaa/dictionary').sort(
      (a, b) => ['GET', 'PUT', 'POST', 'DELETE'].indexOf(a.method) - ['GET', 'PUT', 'POST', 'DELETE'].indexOf(b.method),
    )) {
      if (example.path.includes('{ID}') && !ids.ID) continue;
      const response = await replay(example, account.token, ids);
      results.push({ method: example.method, status: response.status });
      if (example.method === 'PUT') {
        ids.ID = String(response.body.data.id);
        expect(response.body.data.owner).toBe(account.id);
      }
    }
    // The by-id GET runs after PUT: replay it now that the id is known.
    const byId = (examples as CurlExample[]).find((e) => e.method === 'GET' && e.path.endsWith('{ID}'))!;
    expect(results).toEqual([
      { method: 'GET', status: 200 },
      { method: 'PUT', status: 201 },
      { method: 'POST', status: 200 },
      { method: 'DELETE', status: 200 },
    ]);
    expect((await replay(byId, account.token, ids)).status).toBe(404);
  });
});

const minimal = (extra: Record<string, unknown> = {}) => ({
  aaa_mode: 'on',
  servers: [{ name: 's1', address: '127.0.0.1', secret: 'shared-secret-1', dicts: ['dictionary'] }],
  authentication: ['s1'],
  authorization: ['s1'],
  accounting: ['s1'],
  ...extra,
});

describe('AAA document semantics', () => {
  let account: TestAccount;
  const path = () => `/v2/accounts/${account.id}/aaa`;

  beforeAll(async () => {
    account = await createAccount(api, service.masterAccountId, 'semantics');
  });

  it('POST before PUT is 404; PUT twice is 409 already_exists', async () => {
    const fresh = await createAccount(api, service.masterAccountId, 'fresh');
    expect((await api.post(`/v2/accounts/${fresh.id}/aaa`, minimal())).status).toBe(404);
    expect((await api.put(`/v2/accounts/${fresh.id}/aaa`, minimal())).status).toBe(201);
    const again = await api.put(`/v2/accounts/${fresh.id}/aaa`, minimal());
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('already_exists');
  });

  it('fills defaults, never lets _id/_rev/pvt_* in or out, and sends the revision as ETag', async () => {
    const response = await api.put(path(), { ...minimal(), _id: 'evil', _rev: '1-x', pvt_account_id: 'other', pvt_type: 'x' });
    expect(response.status).toBe(201);
    expect(response.body.data.servers[0]).toMatchObject({ port: 1812, retries: 3, timeout: 5000, enabled: true, aaa_engine: 'radius' });
    expect(response.body.data.workers).toBe(5);
    expect(Object.keys(response.body.data).some((k) => k.startsWith('_') || k.startsWith('pvt_'))).toBe(false);
    expect(response.headers.get('etag')).toBe(`"${response.body.revision}"`);
    const stored = await storeGet(service, `aaa/${account.id}`);
    expect(stored.pvt_account_id).toBe(account.id);
    expect(stored.pvt_type).toBe('aaa');
  });

  it('PATCH merges top-level keys and validates the whole result', async () => {
    const patched = await api.patch(path(), { workers: 9 });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ workers: 9, aaa_mode: 'on', authentication: ['s1'] });
    const broken = await api.patch(path(), { authentication: ['nope'] });
    expect(broken.status).toBe(400);
    expect(broken.body.data).toHaveProperty(['authentication.0', 'unknown_server']);
    expect((await api.get(path())).body.data.authentication).toEqual(['s1']);
  });

  it('a stale If-Match is 409 and writes nothing', async () => {
    const current = await api.get(path());
    const first = await api.patch(path(), { workers: 11 }, { headers: { 'If-Match': `"${current.body.revision}"` } });
    expect(first.status).toBe(200);
    const stale = await api.patch(path(), { workers: 12 }, { headers: { 'If-Match': `"${current.body.revision}"` } });
    expect(stale.status).toBe(409);
    expect((await api.get(path())).body.data.workers).toBe(11);
  });

  it('validation errors use the Crossbar shape, keyed by dotted path then rule', async () => {
    const response = await api.post(path(), {
      aaa_mode: 'on',
      servers: [{ name: 's1', address: '127.0.0.1', dicts: ['dictionary'] }],
      authentication: [],
      authorization: [],
      accounting: [],
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      status: 'error',
      error: '400',
      data: { 'servers.0.secret': { required: { message: 'Field is required but missing' } } },
    });
  });

  it('names dictionaries the account cannot see, bad regexes, and unsupported engines', async () => {
    const response = await api.post(path(), {
      ...minimal(),
      servers: [
        { name: 's1', address: '127.0.0.1', secret: 'x', dicts: ['dictionary', 'no_such_dict'] },
        { name: 's2', address: '127.0.0.1', secret: 'x', aaa_engine: 'diameter' },
      ],
      authn_avp_translation: [
        { attribute: 'User-Name', request_key: 'User-Name', request_value_regexp: '^.*$', attr_value_regexp: '^(.*)$' },
      ],
    });
    expect(response.status).toBe(400);
    expect(response.body.data).toHaveProperty(['servers.0.dicts.1', 'unknown_dictionary']);
    expect(response.body.data).toHaveProperty(['servers.1.aaa_engine', 'not_supported']);
    expect(response.body.data).toHaveProperty(['authn_avp_translation.0.request_value_regexp', 'regex']);
  });

  it("accepts the account's own and its ancestors' dictionaries in dicts, not a sibling's", async () => {
    const parent = await createAccount(api, service.masterAccountId, 'dict-parent');
    const child = await createAccount(api.as(parent.token), parent.id, 'dict-child');
    const sibling = await createAccount(api, service.masterAccountId, 'dict-sibling');
    const dict = { name: 'dictionary_parent', value: [{ attr: { id: 26, type: 'octets', name: 'X-Parent' } }] };
    expect((await api.as(parent.token).put(`/v2/accounts/${parent.id}/aaa/dictionary`, dict)).status).toBe(201);
    const uses = minimal({ servers: [{ name: 's1', address: '127.0.0.1', secret: 'x', dicts: ['dictionary_parent'] }] });
    expect((await api.as(child.token).put(`/v2/accounts/${child.id}/aaa`, uses)).status).toBe(201);
    const refused = await api.as(sibling.token).put(`/v2/accounts/${sibling.id}/aaa`, uses);
    expect(refused.status).toBe(400);
    expect(refused.body.data).toHaveProperty(['servers.0.dicts.0', 'unknown_dictionary']);
    // The child's document resolves dictionary_parent to the parent's: deleting it is refused and names the child.
    const listed = await api.as(parent.token).get(`/v2/accounts/${parent.id}/aaa/dictionary`);
    const id = listed.body.data.find((d: { name: string; owner: string }) => d.name === 'dictionary_parent').id;
    const refusedDelete = await api.as(parent.token).delete(`/v2/accounts/${parent.id}/aaa/dictionary/${id}`);
    expect(refusedDelete.status).toBe(409);
    expect(JSON.stringify(refusedDelete.body)).toContain(child.id);
  });

  it('the system document is for the superduper admin only, and cannot inherit', async () => {
    expect((await api.as(account.token).get('/v1/system_configs/circlemaker')).status).toBe(403);
    expect((await api.as(account.token).put('/v1/system_configs/circlemaker', minimal())).status).toBe(403);
    const inherit = await api.post('/v1/system_configs/circlemaker', minimal({ aaa_mode: 'inherit' }));
    expect([400, 404]).toContain(inherit.status);
    const created = await api.put('/v1/system_configs/circlemaker', minimal({ aaa_mode: 'inherit' }));
    expect(created.status).toBe(400);
    expect(created.body.data).toHaveProperty(['aaa_mode', 'not_allowed']);
  });

  it('DELETE on an AAA document is 405 invalid_method', async () => {
    const response = await api.delete(path());
    expect(response.status).toBe(405);
    expect(response.body.message).toBe('invalid_method');
  });
});

describe('concurrency', () => {
  it('20 parallel PATCHes with the same If-Match: exactly one wins, the rest 409, the store holds the winner', async () => {
    const account = await createAccount(api, service.masterAccountId, 'race');
    const path = `/v2/accounts/${account.id}/aaa`;
    const created = await api.put(path, minimal());
    const revision = String(created.body.revision);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api.patch(path, { workers: i + 1 }, { headers: { 'If-Match': `"${revision}"` } })),
    );
    const winners = responses.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(19);
    const stored = await api.get(path);
    expect(stored.body.data.workers).toBe(winners[0]!.body.data.workers);
    expect(stored.body.revision).toBe(winners[0]!.body.revision);
  });
});

describe('dictionaries over the API', () => {
  it('system dictionaries are listed for every account, readable by id, and read-only (403)', async () => {
    const account = await createAccount(api, service.masterAccountId, 'dict-reader');
    const as = api.as(account.token);
    const base = `/v2/accounts/${account.id}/aaa/dictionary`;
    const listed = await as.get(base);
    const names = listed.body.data.map((d: { name: string }) => d.name);
    expect(names).toEqual(expect.arrayContaining(['dictionary', 'dictionary_3gpp', 'dictionary_juniper']));
    const system = await as.get(`${base}/system~dictionary`);
    expect(system.status).toBe(200);
    expect(system.body.data.owner).toBe('system');
    expect(system.body.data.value).toEqual(
      expect.arrayContaining([{ attr: expect.objectContaining({ name: 'User-Name', id: 1, type: 'string' }) }]),
    );
    const post = await as.post(`${base}/system~dictionary`, { name: 'dictionary', value: [] });
    expect(post.status).toBe(403);
    expect(post.body.message).toBe('forbidden');
    expect((await as.delete(`${base}/system~dictionary`)).status).toBe(403);
    expect((await api.delete(`/v2/accounts/${service.masterAccountId}/aaa/dictionary/system~dictionary`)).status).toBe(403);
  });

  it('a duplicate name for one owner is a 400 naming the field; another owner may reuse it', async () => {
    const one = await createAccount(api, service.masterAccountId, 'dup-one');
    const two = await createAccount(api, service.masterAccountId, 'dup-two');
    const dict = {
      name: 'dictionary_custom',
      value: [{ vendor: { Acme: 9999 } }, { attr: { vid: 9999, id: 1, type: 'string', name: 'Acme-Thing' } }],
    };
    expect((await api.as(one.token).put(`/v2/accounts/${one.id}/aaa/dictionary`, dict)).status).toBe(201);
    const duplicate = await api.as(one.token).put(`/v2/accounts/${one.id}/aaa/dictionary`, dict);
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.data).toHaveProperty(['name', 'unique']);
    expect((await api.as(two.token).put(`/v2/accounts/${two.id}/aaa/dictionary`, dict)).status).toBe(201);
    // Each sees only its own.
    const seenByTwo = await api.as(two.token).get(`/v2/accounts/${two.id}/aaa/dictionary/${one.id}~dictionary_custom`);
    expect(seenByTwo.status).toBe(404);
  });

  it('bad dictionary input is a 400 naming the field', async () => {
    const account = await createAccount(api, service.masterAccountId, 'dict-bad');
    const response = await api.as(account.token).put(`/v2/accounts/${account.id}/aaa/dictionary`, {
      name: 'bad dict name',
      value: [{ attr: { id: 1, type: 'no-such-type', name: 'X' } }],
    });
    expect(response.status).toBe(400);
    expect(response.body.data).toHaveProperty(['name', 'pattern']);
    expect(response.body.data).toHaveProperty(['value.0.attr.type', 'enum']);
  });
});
