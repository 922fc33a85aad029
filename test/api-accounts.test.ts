import fs from 'node:fs/promises';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, createAccount } from './support/api.js';
import { type TestService, startTestService, storeGet } from './support/service.js';

let service: TestService;
let api: Api;
let master: string;

beforeAll(async () => {
  service = await startTestService();
  api = new Api(service.url);
  master = await api.login(service.masterApiKey);
  api = api.as(master);
});

afterAll(async () => {
  await service.close();
});

describe('PUT /v2/api_auth', () => {
  it('returns 201 and a signed JWT with account_id, is_superduper_admin and exp', async () => {
    const response = await api.as(undefined).put('/v2/api_auth', { api_key: service.masterApiKey });
    expect(response.status).toBe(201);
    expect(response.body.status).toBe('success');
    const claims = jwt.decode(String(response.body.auth_token)) as Record<string, unknown>;
    expect(claims.account_id).toBe(service.masterAccountId);
    expect(claims.is_superduper_admin).toBe(true);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
    expect(response.body.data.account_id).toBe(service.masterAccountId);
  });

  it('rejects a wrong API key with 401 invalid_credentials', async () => {
    const response = await api.as(undefined).put('/v2/api_auth', { api_key: 'f'.repeat(64) });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({
      status: 'error',
      error: '401',
      message: 'invalid_credentials',
      data: { cause: 'wrong_credentials' },
    });
  });

  it('names the missing field when api_key is absent', async () => {
    const response = await api.as(undefined).put('/v2/api_auth', {});
    expect(response.status).toBe(400);
    expect(response.body.data).toEqual({ api_key: { required: { message: 'Field is required but missing' } } });
  });

  it('rate-limits repeated failures with 429, even for a correct key afterwards', async () => {
    const limited = await startTestService({ AUTH_FAILURE_LIMIT: '3' });
    try {
      const client = new Api(limited.url);
      for (let i = 0; i < 3; i += 1) {
        expect((await client.put('/v2/api_auth', { api_key: 'bad' })).status).toBe(401);
      }
      const blocked = await client.put('/v2/api_auth', { api_key: limited.masterApiKey });
      expect(blocked.status).toBe(429);
      expect(blocked.body.message).toBe('rate_limited');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('tokens', () => {
  const account = () => `/v2/accounts/${service.masterAccountId}`;

  it('are accepted from X-Auth-Token, Authorization: Bearer and ?auth_token=', async () => {
    const bare = api.as(undefined);
    expect((await bare.get(account(), { headers: { 'X-Auth-Token': master } })).status).toBe(200);
    expect((await bare.get(account(), { headers: { Authorization: `Bearer ${master}` } })).status).toBe(200);
    expect((await bare.get(`${account()}?auth_token=${encodeURIComponent(master)}`)).status).toBe(200);
  });

  it.each([
    ['missing', undefined, 'missing'],
    ['garbage', 'not-a-token', 'malformed'],
    ['tampered', () => master.slice(0, -2) + (master.endsWith('AA') ? 'BB' : 'AA'), 'bad_signature'],
    ['wrongly signed', () => jwt.sign({ account_id: service.masterAccountId, is_superduper_admin: true }, 'x'.repeat(48)), 'bad_signature'],
    [
      'alg none',
      () =>
        jwt.sign({ account_id: service.masterAccountId, is_superduper_admin: true, exp: Math.floor(Date.now() / 1000) + 600 }, '', {
          algorithm: 'none',
        }),
      'bad_signature',
    ],
  ])('a %s token gets 401 invalid_credentials saying why, without the token', async (_label, token, cause) => {
    const value = typeof token === 'function' ? token() : token;
    const response = await api.as(value).get(account());
    expect(response.status).toBe(401);
    expect(response.body.message).toBe('invalid_credentials');
    expect(response.body.data).toEqual({ cause });
  });

  it('an expired token gets 401', async () => {
    const short = await startTestService({ TOKEN_LIFETIME_SECONDS: '60' });
    try {
      const client = new Api(short.url);
      const token = await client.login(short.masterApiKey);
      const claims = jwt.decode(token) as Record<string, unknown>;
      // Re-sign the same claims in the past with the service's own key, read from the store.
      const keyDoc = await storeGet(short, 'system_config/jwt_signing_key');
      const expired = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 }, String(keyDoc.pvt_key));
      expect((await client.as(token).get(`/v2/accounts/${short.masterAccountId}`)).status).toBe(200);
      const response = await client.as(expired).get(`/v2/accounts/${short.masterAccountId}`);
      expect(response.status).toBe(401);
      expect(response.body.message).toBe('invalid_credentials');
      expect(response.body.data).toEqual({ cause: 'expired' });
    } finally {
      await short.close();
    }
  });
});

describe('accounts', () => {
  it('creates a child whose API key is shown once and works for login', async () => {
    const response = await api.put(`/v2/accounts/${service.masterAccountId}`, { name: 'Reseller', realm: 'reseller.example.net' });
    expect(response.status).toBe(201);
    const child = response.body.data;
    expect(child.api_key).toMatch(/^[0-9a-f]{64}$/);
    expect(child).toMatchObject({ name: 'Reseller', realm: 'reseller.example.net', enabled: true });
    expect(response.headers.get('etag')).toBe(`"${response.body.revision}"`);
    const fetched = await api.get(`/v2/accounts/${child.id}`);
    expect(fetched.body.data.api_key).toBeUndefined();
    expect(JSON.stringify(fetched.body)).not.toContain('pvt_');
    const token = await api.login(child.api_key);
    expect((jwt.decode(token) as Record<string, unknown>).account_id).toBe(child.id);
  });

  it('stores API keys hashed', async () => {
    const child = await createAccount(api, service.masterAccountId, 'hashed');
    const raw = await storeGet(service, `accounts/${child.id}`);
    expect(JSON.stringify(raw)).not.toContain(child.apiKey);
    expect(raw.pvt_api_key_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('records ancestors root first in pvt_tree', async () => {
    const a = await createAccount(api, service.masterAccountId, 'a');
    const b = await createAccount(api.as(a.token), a.id, 'b');
    const raw = await storeGet(service, `accounts/${b.id}`);
    expect(raw.pvt_tree).toEqual([service.masterAccountId, a.id]);
  });

  it('POST replaces, PATCH merges, both validate and keep the revision honest', async () => {
    const child = await createAccount(api, service.masterAccountId, 'editable');
    const posted = await api.post(`/v2/accounts/${child.id}`, { name: 'renamed', timezone: 'UTC' });
    expect(posted.status).toBe(200);
    expect(posted.body.data).toMatchObject({ name: 'renamed', timezone: 'UTC' });
    const patched = await api.patch(`/v2/accounts/${child.id}`, { language: 'en' });
    expect(patched.body.data).toMatchObject({ name: 'renamed', timezone: 'UTC', language: 'en' });
    const stale = await api.patch(`/v2/accounts/${child.id}`, { language: 'de' }, { headers: { 'If-Match': `"${posted.body.revision}"` } });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toBe('datastore_conflict');
    const bad = await api.patch(`/v2/accounts/${child.id}`, { name: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.data).toHaveProperty(['name', 'minLength']);
    const typo = await api.post(`/v2/accounts/${child.id}`, { name: 'x', nmae: 'y' });
    expect(typo.body.data).toHaveProperty(['nmae', 'additionalProperties']);
  });

  it('refuses a realm another account holds', async () => {
    await createAccount(api, service.masterAccountId, 'realm-holder').then((a) =>
      api.patch(`/v2/accounts/${a.id}`, { realm: 'taken.example.com' }),
    );
    const response = await api.put(`/v2/accounts/${service.masterAccountId}`, { name: 'x', realm: 'TAKEN.example.com' });
    expect(response.status).toBe(400);
    expect(response.body.data).toHaveProperty(['realm', 'unique']);
  });

  it('lists children and descendants with pagination', async () => {
    const top = await createAccount(api, service.masterAccountId, 'top');
    const kids = [];
    for (let i = 0; i < 5; i += 1) kids.push(await createAccount(api, top.id, `kid${i}`));
    const grandchild = await createAccount(api, kids[0]!.id, 'grandchild');
    const first = await api.get(`/v2/accounts/${top.id}/children?page_size=2`);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.page_size).toBe(2);
    const seen = first.body.data.map((a: { id: string }) => a.id);
    let next = first.body.next_start_key;
    while (next) {
      const page = await api.get(`/v2/accounts/${top.id}/children?page_size=2&start_key=${next}`);
      seen.push(...page.body.data.map((a: { id: string }) => a.id));
      next = page.body.next_start_key;
    }
    expect(seen.sort()).toEqual(kids.map((k) => k.id).sort());
    const descendants = await api.get(`/v2/accounts/${top.id}/descendants`);
    expect(descendants.body.data.map((a: { id: string }) => a.id).sort()).toEqual([...kids.map((k) => k.id), grandchild.id].sort());
    expect((await api.get(`/v2/accounts/${top.id}/children?page_size=0`)).status).toBe(400);
  });

  it('rotates an API key: the old one stops working', async () => {
    const child = await createAccount(api, service.masterAccountId, 'rotating');
    const rotated = await api.as(child.token).put(`/v2/accounts/${child.id}/api_key`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.data.api_key).toMatch(/^[0-9a-f]{64}$/);
    expect((await api.as(undefined).put('/v2/api_auth', { api_key: child.apiKey })).status).toBe(401);
    await expect(api.login(rotated.body.data.api_key)).resolves.toBeTruthy();
  });

  it('deletes a leaf account; its tokens stop working; a parent with children is refused', async () => {
    const parent = await createAccount(api, service.masterAccountId, 'parent');
    const leaf = await createAccount(api, parent.id, 'leaf');
    expect((await api.delete(`/v2/accounts/${parent.id}`)).status).toBe(409);
    expect((await api.as(leaf.token).delete(`/v2/accounts/${leaf.id}`)).status).toBe(403);
    expect((await api.as(parent.token).delete(`/v2/accounts/${leaf.id}`)).status).toBe(200);
    expect((await api.get(`/v2/accounts/${leaf.id}`)).status).toBe(404);
    expect((await api.as(leaf.token).get(`/v2/accounts/${leaf.id}`)).status).toBe(401);
  });

  it('a disabled account cannot log in', async () => {
    const child = await createAccount(api, service.masterAccountId, 'disabled');
    await api.patch(`/v2/accounts/${child.id}`, { enabled: false });
    expect((await api.as(undefined).put('/v2/api_auth', { api_key: child.apiKey })).status).toBe(401);
    expect((await api.as(child.token).get(`/v2/accounts/${child.id}`)).status).toBe(401);
  });

  it('disabling an account shuts out its whole subtree, and enabling it lets it log in again (old tokens stay ended)', async () => {
    const reseller = await createAccount(api, service.masterAccountId, 'reseller');
    const customer = await createAccount(api.as(reseller.token), reseller.id, 'customer');
    await api.patch(`/v2/accounts/${reseller.id}`, { enabled: false });
    expect((await api.as(customer.token).get(`/v2/accounts/${customer.id}`)).status).toBe(401);
    expect((await api.as(undefined).put('/v2/api_auth', { api_key: customer.apiKey })).status).toBe(401);
    await api.patch(`/v2/accounts/${reseller.id}`, { enabled: true });
    expect((await api.as(customer.token).get(`/v2/accounts/${customer.id}`)).status).toBe(401);
    const again = await api.login(customer.apiKey);
    expect((await api.as(again).get(`/v2/accounts/${customer.id}`)).status).toBe(200);
  });

  it('deleting an account deletes its own dictionaries', async () => {
    const leaving = await createAccount(api, service.masterAccountId, 'leaving');
    const dict = { name: 'dictionary_leaving', value: [{ attr: { id: 26, type: 'octets', name: 'X-Leaving' } }] };
    expect((await api.as(leaving.token).put(`/v2/accounts/${leaving.id}/aaa/dictionary`, dict)).status).toBe(201);
    expect((await api.delete(`/v2/accounts/${leaving.id}`)).status).toBe(200);
    const stored = await storeGet(service, `aaa_dicts/${encodeURIComponent(`${leaving.id}~dictionary_leaving`)}`);
    expect(stored.error).toBe('not_found');
  });

  it('the master account cannot be deleted', async () => {
    const response = await api.delete(`/v2/accounts/${service.masterAccountId}`);
    expect(response.status).toBe(403);
  });
});

describe('bootstrap', () => {
  it('without AAA_MASTER_API_KEY writes a random key to DATA_DIR/master-api-key (0600) and never logs it', async () => {
    const fresh = await startTestService({ AAA_MASTER_API_KEY: '' });
    try {
      const file = path.join(fresh.dataDir, 'master-api-key');
      const key = (await fs.readFile(file, 'utf8')).trim();
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
      const client = new Api(fresh.url);
      await expect(client.login(key)).resolves.toBeTruthy();
      expect(fresh.logs.join('')).toContain(file);
      expect(fresh.logs.join('')).not.toContain(key);
    } finally {
      await fresh.close();
    }
  });

  it('is idempotent across restarts with the same AAA_MASTER_API_KEY', async () => {
    const prefix = service.dbPrefix;
    const again = await startTestService({ AAA_MASTER_API_KEY: service.masterApiKey, DB_PREFIX: prefix });
    try {
      expect(again.masterAccountId).toBe(service.masterAccountId);
      const masters = await storeGet(again, 'accounts/_all_docs?include_docs=true');
      const superduper = masters.rows.filter((r: { doc: { pvt_superduper_admin?: boolean } }) => r.doc.pvt_superduper_admin);
      expect(superduper).toHaveLength(1);
    } finally {
      await again.close();
    }
  });
});
