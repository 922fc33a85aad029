/**
 * Operator users (issue 14): `/v2/accounts/{ID}/users` and `PUT /v2/user_auth`. Tenancy of the
 * user routes is in tenant-isolation.test.ts; here the login itself.
 */
import { describe, expect, it } from 'vitest';
import { Api, createAccount } from './support/api.js';
import { startTestService, storeGet } from './support/service.js';
import type { TestService } from './support/service.js';
import { useSuiteService } from './support/suite.js';

let service: TestService;
let api: Api;
useSuiteService((started) => ({ service, api } = started));

const PASSWORD = 'correct horse battery';

async function accountWithUser(name: string, username = 'ops', realm?: string) {
  const account = await createAccount(api, service.masterAccountId, name);
  if (realm) expect((await api.patch(`/v2/accounts/${account.id}`, { realm })).status).toBe(200);
  const created = await api
    .as(account.token)
    .put(`/v2/accounts/${account.id}/users`, { username, password: PASSWORD, first_name: 'Grace' });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { account, user: created.body.data as Record<string, unknown> };
}

const userAuth = (data: unknown) => api.as(undefined).put('/v2/user_auth', data);

describe('operator users', () => {
  it('are stored with an scrypt hash that no answer carries', async () => {
    const { account, user } = await accountWithUser('hash-check');
    expect(user).toMatchObject({ username: 'ops', first_name: 'Grace', enabled: true, account_id: account.id });
    expect(JSON.stringify(user)).not.toContain(PASSWORD);
    const stored = await storeGet(service, `system_config/${encodeURIComponent(`user:${account.id}:${String(user.id)}`)}`);
    expect(stored.pvt_password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    const listed = await api.get(`/v2/accounts/${account.id}/users`);
    expect(listed.body.data).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toMatch(/scrypt|pvt_/);
  });

  it('names a duplicate username (any case), a missing password and a username change as field errors', async () => {
    const { account, user } = await accountWithUser('dupes');
    const again = await api.put(`/v2/accounts/${account.id}/users`, { username: 'OPS', password: PASSWORD });
    expect(again.status).toBe(400);
    expect(again.body.data.username.unique).toBeDefined();
    const noPassword = await api.put(`/v2/accounts/${account.id}/users`, { username: 'other' });
    expect(noPassword.body.data.password.required).toBeDefined();
    const renamed = await api.patch(`/v2/accounts/${account.id}/users/${String(user.id)}`, { username: 'someone-else' });
    expect(renamed.status).toBe(400);
    expect(renamed.body.data.username.immutable).toBeDefined();
  });

  it('log in by account name or realm for a token of the account, which then acts as the account', async () => {
    const { account } = await accountWithUser('Login By Name', 'ops', 'login-realm.example');
    const byName = await userAuth({ username: 'OPS', password: PASSWORD, account_name: 'login by name' });
    expect(byName.status, JSON.stringify(byName.body)).toBe(201);
    expect(byName.body.data).toMatchObject({ account_id: account.id, username: 'ops', is_superduper_admin: false });
    const byRealm = await userAuth({ username: 'ops', password: PASSWORD, account_realm: 'LOGIN-REALM.example' });
    expect(byRealm.status).toBe(201);
    const asUser = api.as(String(byRealm.body.auth_token));
    expect((await asUser.get(`/v2/accounts/${account.id}`)).status).toBe(200);
    expect((await asUser.get(`/v2/accounts/${service.masterAccountId}`)).status).toBe(403);
  });

  it('refuse a wrong password, an unknown user or account, and a disabled user alike (401)', async () => {
    const { account, user } = await accountWithUser('refusals');
    for (const data of [
      { username: 'ops', password: 'wrong password!', account_name: 'refusals' },
      { username: 'nobody', password: PASSWORD, account_name: 'refusals' },
      { username: 'ops', password: PASSWORD, account_name: 'no such account' },
      { username: 'ops', password: PASSWORD, account_realm: 'unclaimed.example' },
    ]) {
      const response = await userAuth(data);
      expect(response.status, JSON.stringify(data)).toBe(401);
      expect(response.body.message).toBe('invalid_credentials');
    }
    await api.patch(`/v2/accounts/${account.id}/users/${String(user.id)}`, { enabled: false });
    expect((await userAuth({ username: 'ops', password: PASSWORD, account_name: 'refusals' })).status).toBe(401);
  });

  it("refuse Kazoo's hashed credentials and a login naming no account, naming the field", async () => {
    const kazoo = await userAuth({
      credentials: 'd41d8cd98f00b204e9800998ecf8427e',
      method: 'md5',
      account_name: 'x',
      username: 'u',
      password: 'p',
    });
    expect(kazoo.status).toBe(400);
    expect(kazoo.body.data.credentials.unsupported.message).toMatch(/MD5/);
    const noAccount = await userAuth({ username: 'ops', password: PASSWORD });
    expect(noAccount.body.data.account_name.required).toBeDefined();
  });

  it("end with the account's token generation: a key rotation or disabling ends a user's token", async () => {
    const { account } = await accountWithUser('revocation');
    const token = String((await userAuth({ username: 'ops', password: PASSWORD, account_name: 'revocation' })).body.auth_token);
    expect((await api.as(token).get(`/v2/accounts/${account.id}`)).status).toBe(200);
    await api.put(`/v2/accounts/${account.id}/api_key`);
    expect((await api.as(token).get(`/v2/accounts/${account.id}`)).status).toBe(401);
  });
});

describe('user_auth shares the api_auth limiter', () => {
  it('failures at either door count against one budget per client (429 with Retry-After)', async () => {
    const limited = await startTestService({ AUTH_FAILURE_LIMIT: '3' });
    try {
      const client = new Api(limited.url);
      const master = client.as(await client.login(limited.masterApiKey));
      const account = await createAccount(master, limited.masterAccountId, 'limited');
      await master.put(`/v2/accounts/${account.id}/users`, { username: 'ops', password: PASSWORD });
      const badUser = { username: 'ops', password: 'wrong password!', account_name: 'limited' };
      expect((await client.put('/v2/user_auth', badUser)).status).toBe(401);
      expect((await client.put('/v2/api_auth', { api_key: 'f'.repeat(64) })).status).toBe(401);
      expect((await client.put('/v2/user_auth', badUser)).status).toBe(401);
      const refused = await client.put('/v2/user_auth', { ...badUser, password: PASSWORD });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await client.put('/v2/api_auth', { api_key: account.apiKey })).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe("an operator user's tokens end with the user", () => {
  const loginAs = async (accountName: string, password = PASSWORD) => {
    const answer = await userAuth({ username: 'ops', password, account_name: accountName });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return api.as(String(answer.body.auth_token));
  };

  it('a new password ends the tokens of the old one; the new one works', async () => {
    const { account, user } = await accountWithUser('Token Ends On Password');
    const before = await loginAs('token ends on password');
    expect((await before.get(`/v2/accounts/${account.id}`)).status).toBe(200);
    const changed = await api.patch(`/v2/accounts/${account.id}/users/${String(user.id)}`, { password: 'a brand new passphrase' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const refused = await before.get(`/v2/accounts/${account.id}`);
    expect(refused.status).toBe(401);
    expect(refused.body.data).toMatchObject({ cause: 'revoked' });
    const after = await loginAs('token ends on password', 'a brand new passphrase');
    expect((await after.get(`/v2/accounts/${account.id}`)).status).toBe(200);
  });

  it('disabling or deleting the user ends its tokens, and the account key token is untouched', async () => {
    const { account, user } = await accountWithUser('Token Ends On Delete');
    const disabledLater = await loginAs('token ends on delete');
    const userPath = `/v2/accounts/${account.id}/users/${String(user.id)}`;
    expect((await api.patch(userPath, { enabled: false })).status).toBe(200);
    expect((await disabledLater.get(`/v2/accounts/${account.id}`)).status).toBe(401);
    expect((await api.patch(userPath, { enabled: true })).status).toBe(200);
    const deletedLater = await loginAs('token ends on delete');
    expect((await deletedLater.get(`/v2/accounts/${account.id}`)).status).toBe(200);
    expect((await api.delete(userPath)).status).toBe(200);
    expect((await deletedLater.get(`/v2/accounts/${account.id}`)).status).toBe(401);
    expect((await api.as(account.token).get(`/v2/accounts/${account.id}`)).status).toBe(200);
  });
});
