import { describe, expect, it } from 'vitest';
import type { Api } from '../support/api.js';
import { createAccount } from '../support/api.js';
import { type TestService, storeGet } from '../support/service.js';
import { useSuiteService } from '../support/suite.js';

let service: TestService;
let api: Api;
useSuiteService((started) => ({ service, api } = started));

const subscribersOf = (account: string) => `/v2/accounts/${account}/aaa/subscribers`;
const groupsOf = (account: string) => `/v2/accounts/${account}/aaa/groups`;

describe('subscribers and groups', () => {
  it('creates a subscriber, never shows its password, and keeps usernames unique per account (any case)', async () => {
    const tenant = await createAccount(api, service.masterAccountId, 'subs-unique');
    // Cisco-AVPair is in the Cisco dictionary, which the default list (["dictionary"]) lacks.
    expect(
      (await api.post(`/v2/accounts/${tenant.id}/aaa/subscriber_settings`, { dicts: ['dictionary', 'dictionary_cisco'] })).status,
    ).toBe(200);
    const created = await api.put(subscribersOf(tenant.id), {
      username: 'Bob',
      password: 'correct horse',
      reply: { 'Session-Timeout': 3600, 'Framed-IP-Address': '10.1.2.3', 'Cisco-AVPair': ['ip:a=1', 'ip:b=2'] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data).toMatchObject({ username: 'Bob', enabled: true, groups: [], has_password: true, expires: null });
    expect(JSON.stringify(created.body)).not.toContain('correct horse');
    expect(JSON.stringify(created.body)).not.toContain('scrypt');
    const again = await api.put(subscribersOf(tenant.id), { username: 'bob', password: 'x' });
    expect(again.status).toBe(400);
    expect(again.body.data).toHaveProperty(['username', 'unique']);
    // The same name in another account is another subscriber.
    const other = await createAccount(api, service.masterAccountId, 'subs-unique-other');
    expect((await api.put(subscribersOf(other.id), { username: 'bob', password: 'x' })).status).toBe(201);
    // Stored as an scrypt hash, nothing reversible (the account did not opt in).
    const stored = await storeGet(service, `subscribers/${encodeURIComponent(`${tenant.id}:sub:${created.body.data.id}`)}`);
    expect(stored.pvt_password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(stored.pvt_nt_hash).toBeUndefined();
    expect(JSON.stringify(stored)).not.toContain('correct horse');
  });

  it('a parallel burst of creates of one username: exactly one wins', async () => {
    const tenant = await createAccount(api, service.masterAccountId, 'subs-race');
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => api.put(subscribersOf(tenant.id), { username: i % 2 ? 'RACE' : 'race', password: `p${i}` })),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 400).every((a) => a.body.data.username.unique)).toBe(true);
  });

  it('names a typo in an attribute name or value, and an unknown group, as a 400 on the field', async () => {
    const tenant = await createAccount(api, service.masterAccountId, 'subs-typo');
    const typo = await api.put(subscribersOf(tenant.id), { username: 'a', password: 'x', reply: { 'Sesion-Timeout': 5 } });
    expect(typo.status).toBe(400);
    expect(typo.body.data).toHaveProperty(['reply.Sesion-Timeout', 'unknown_attribute']);
    const value = await api.put(subscribersOf(tenant.id), { username: 'a', password: 'x', check: { 'NAS-IP-Address': 'not-an-ip' } });
    expect(value.status).toBe(400);
    expect(value.body.data).toHaveProperty(['check.NAS-IP-Address', 'invalid_value']);
    const named = await api.put(subscribersOf(tenant.id), { username: 'a', password: 'x', reply: { 'Service-Type': 'Framed-User' } });
    expect(named.status, JSON.stringify(named.body)).toBe(201);
    const group = await api.put(subscribersOf(tenant.id), { username: 'b', password: 'x', groups: ['gold'] });
    expect(group.status).toBe(400);
    expect(group.body.data).toHaveProperty(['groups.0', 'unknown_group']);
    const groupTypo = await api.put(groupsOf(tenant.id), { name: 'gold', reply: { 'Idle-Timeot': 1 } });
    expect(groupTypo.body.data).toHaveProperty(['reply.Idle-Timeot', 'unknown_attribute']);
  });

  it('lists, fetches, patches, renames and deletes; pages with page_size and next_start_key', async () => {
    const tenant = await createAccount(api, service.masterAccountId, 'subs-crud');
    expect((await api.put(groupsOf(tenant.id), { name: 'gold', reply: { 'Idle-Timeout': 600 } })).status).toBe(201);
    for (const name of ['u1', 'u2', 'u3']) {
      expect((await api.put(subscribersOf(tenant.id), { username: name, password: 'pw', groups: ['gold'] })).status).toBe(201);
    }
    const seen: string[] = [];
    let start: string | undefined;
    do {
      const page = await api.get(`${subscribersOf(tenant.id)}?page_size=2${start ? `&start_key=${start}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.page_size).toBe(2);
      seen.push(...page.body.data.map((s: { username: string }) => s.username));
      start = page.body.next_start_key;
    } while (start);
    expect(seen.sort()).toEqual(['u1', 'u2', 'u3']);
    const list = await api.get(subscribersOf(tenant.id));
    const u1 = list.body.data.find((s: { username: string }) => s.username === 'u1');
    const patched = await api.patch(`${subscribersOf(tenant.id)}/${u1.id}`, { enabled: false });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ username: 'u1', enabled: false, groups: ['gold'], has_password: true });
    const renamed = await api.patch(`${subscribersOf(tenant.id)}/${u1.id}`, { username: 'u9' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data.has_password).toBe(true);
    expect((await api.get(`${subscribersOf(tenant.id)}/${u1.id}`)).status).toBe(404);
    const taken = await api.patch(`${subscribersOf(tenant.id)}/${renamed.body.data.id}`, { username: 'U2' });
    expect(taken.status).toBe(400);
    expect(taken.body.data).toHaveProperty(['username', 'unique']);
    expect((await api.delete(`${subscribersOf(tenant.id)}/${renamed.body.data.id}`)).status).toBe(200);
    expect((await api.get(`${subscribersOf(tenant.id)}/${renamed.body.data.id}`)).status).toBe(404);
    const groups = await api.get(groupsOf(tenant.id));
    expect(groups.body.data.map((g: { name: string }) => g.name)).toEqual(['gold']);
  });

  it("another tenant's subscriber id is a 404 through the tenant's own path", async () => {
    const a = await createAccount(api, service.masterAccountId, 'subs-iso-a');
    const b = await createAccount(api, service.masterAccountId, 'subs-iso-b');
    const created = await api.put(subscribersOf(a.id), { username: 'alice', password: 'pw' });
    const id = created.body.data.id;
    const asB = api.as(b.token);
    expect((await asB.get(`${subscribersOf(b.id)}/${id}`)).status).toBe(404);
    expect((await asB.delete(`${subscribersOf(b.id)}/${id}`)).status).toBe(404);
    expect((await asB.get(`${subscribersOf(a.id)}/${id}`)).status).toBe(403);
    expect((await api.get(`${subscribersOf(a.id)}/${id}`)).status).toBe(200);
  });

  it('subscriber settings: dictionaries are checked, retention bounded', async () => {
    const tenant = await createAccount(api, service.masterAccountId, 'subs-settings');
    const path = `/v2/accounts/${tenant.id}/aaa/subscriber_settings`;
    expect((await api.get(path)).body.data).toEqual({
      dicts: ['dictionary'],
      reversible_credentials: 'none',
      auth_log_retention_days: 30,
      auth_log_max_entries: 100000,
    });
    const bad = await api.post(path, { dicts: ['dictionary', 'nope'] });
    expect(bad.status).toBe(400);
    expect(bad.body.data).toHaveProperty(['dicts.1', 'unknown_dictionary']);
    expect((await api.post(path, { auth_log_retention_days: 0 })).body.data).toHaveProperty(['auth_log_retention_days', 'minimum']);
    const ok = await api.post(path, { reversible_credentials: 'nt_password', auth_log_max_entries: 10 });
    expect(ok.status).toBe(200);
    expect((await api.get(path)).body.data).toMatchObject({ reversible_credentials: 'nt_password', auth_log_max_entries: 10 });
  });
});
