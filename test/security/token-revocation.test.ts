import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { useTwoInstances } from '../support/two-instances.js';
import { until } from '../support/poll.js';
import { Api, type ApiResponse, createAccount } from '../support/api.js';
import { type TestService, storeGet } from '../support/service.js';

/**
 * A token ends when what it stood for does: rotating the account's API key or disabling the
 * account (or any ancestor) ends the tokens issued before, on every replica, within the change
 * feed's latency. Re-enabling does not bring them back.
 */

const both = useTwoInstances();

function expectRevoked(response: ApiResponse): void {
  expect(response.status).toBe(401);
  expect(response.body.message).toBe('invalid_credentials');
  expect(response.body.data).toEqual({ cause: 'revoked' });
}

async function tryLogin(service: TestService, apiKey: string): Promise<string | undefined> {
  const response = await new Api(service.url).put('/v2/api_auth', { api_key: apiKey });
  return response.status === 201 ? String(response.body.auth_token) : undefined;
}

const self = (api: Api, id: string) => api.get(`/v2/accounts/${id}`);

/** An account made through the first instance that the second instance knows too. */
async function accountOnBoth(name: string, parent = both.first.masterAccountId, creator = both.viaFirst) {
  const account = await createAccount(creator, parent, name);
  expect(await until(async () => (await self(both.viaSecond.as(account.token), account.id)).status === 200)).toBe(true);
  return account;
}

describe('token revocation', () => {
  it("a token issued on one instance is refused there once its key is rotated on the other; the new key's token works on both", async () => {
    const tenant = await accountOnBoth('rotating');
    const oldToken = tenant.token;
    expect((await self(both.viaFirst.as(oldToken), tenant.id)).status).toBe(200);

    const rotated = await both.viaSecond.as(oldToken).put(`/v2/accounts/${tenant.id}/api_key`);
    expect(rotated.status).toBe(200);
    const newKey = String(rotated.body.data.api_key);

    // Refused at once where the rotation happened, and on the other instance once its feed has it.
    expectRevoked(await self(both.viaSecond.as(oldToken), tenant.id));
    expect(await until(async () => (await self(both.viaFirst.as(oldToken), tenant.id)).status === 401)).toBe(true);
    expectRevoked(await self(both.viaFirst.as(oldToken), tenant.id));

    // The new key logs in on either instance, and its token works on both, without waiting.
    const newToken = await new Api(both.first.url).login(newKey);
    expect((await self(both.viaFirst.as(newToken), tenant.id)).status).toBe(200);
    expect((await self(both.viaSecond.as(newToken), tenant.id)).status).toBe(200);
    // The old key is gone; the revocation says nothing about keys or generations.
    expect((await new Api(both.second.url).put('/v2/api_auth', { api_key: tenant.apiKey })).status).toBe(401);
    expect(JSON.stringify((await self(both.viaFirst.as(oldToken), tenant.id)).body)).not.toContain(newKey);
  });

  it("disabling an account ends its tokens and its descendants' on both instances; enabling it again does not revive them", async () => {
    const reseller = await accountOnBoth('reseller');
    const customer = await accountOnBoth('customer', reseller.id, both.viaFirst.as(reseller.token));

    expect((await both.viaFirst.patch(`/v2/accounts/${reseller.id}`, { enabled: false })).status).toBe(200);
    for (const api of [both.viaFirst, both.viaSecond]) {
      expect(await until(async () => (await self(api.as(customer.token), customer.id)).status === 401)).toBe(true);
      expect((await self(api.as(reseller.token), reseller.id)).status).toBe(401);
    }

    expect((await both.viaSecond.patch(`/v2/accounts/${reseller.id}`, { enabled: true })).status).toBe(200);
    // Once the first instance has the re-enabling too, fresh logins work there ...
    let freshCustomer: string | undefined;
    expect(await until(async () => (freshCustomer = await tryLogin(both.first, customer.apiKey)) !== undefined)).toBe(true);
    expect((await self(both.viaFirst.as(freshCustomer), customer.id)).status).toBe(200);
    // ... and the tokens from before the disabling stay ended on both.
    for (const api of [both.viaFirst, both.viaSecond]) {
      expectRevoked(await self(api.as(customer.token), customer.id));
      expectRevoked(await self(api.as(reseller.token), reseller.id));
    }
    expect((await self(both.viaSecond.as(await new Api(both.second.url).login(reseller.apiKey)), reseller.id)).status).toBe(200);
  });

  it("rotating a parent's key ends the parent's tokens only, not its children's", async () => {
    const parent = await accountOnBoth('key-parent');
    const child = await accountOnBoth('key-child', parent.id, both.viaFirst.as(parent.token));
    expect((await both.viaFirst.put(`/v2/accounts/${parent.id}/api_key`)).status).toBe(200);
    expectRevoked(await self(both.viaFirst.as(parent.token), parent.id));
    expect((await self(both.viaFirst.as(child.token), child.id)).status).toBe(200);
  });

  it('a correctly signed token claiming a later generation than the account has is refused', async () => {
    const tenant = await accountOnBoth('future');
    const signingKey = String((await storeGet(both.first, 'system_config/jwt_signing_key')).pvt_key);
    const claims = jwt.decode(tenant.token) as { account_id: string; is_superduper_admin: boolean; gen: number };
    expect(claims.gen).toBe(0);
    const future = jwt.sign({ account_id: claims.account_id, is_superduper_admin: false, gen: 1 }, signingKey, {
      algorithm: 'HS256',
      expiresIn: 60,
    });
    expectRevoked(await self(both.viaFirst.as(future), tenant.id));
  });
});
