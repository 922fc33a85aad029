import { describe, expect, it } from 'vitest';
import { type Api, createAccount } from './support/api.js';
import type { TestService } from './support/service.js';
import { useSuiteService } from './support/suite.js';

let service: TestService;
let api: Api;

useSuiteService((started) => ({ service, api } = started), { STORE_CACHE: 'false' });

describe('STORE_CACHE=false: every read from the store', () => {
  it('serves the tree from views, effective configuration from the store, and refuses reloads', async () => {
    const parent = await createAccount(api, service.masterAccountId, 'nc-parent');
    const child = await createAccount(api.as(parent.token), parent.id, 'nc-child');
    const children = await api.get(`/v2/accounts/${parent.id}/children`);
    expect(children.body.data.map((a: { id: string }) => a.id)).toEqual([child.id]);
    const descendants = await api.get(`/v2/accounts/${service.masterAccountId}/descendants`);
    expect(descendants.body.data.map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining([parent.id, child.id]));
    await api.put(`/v2/accounts/${parent.id}/aaa`, {
      aaa_mode: 'on',
      servers: [{ name: 'r', address: '127.0.0.1', secret: 's' }],
      authentication: ['r'],
      authorization: [],
      accounting: [],
    });
    const effective = await api.as(child.token).get(`/v2/accounts/${child.id}/aaa/effective`);
    expect(effective.body.data.authentication.source).toBe(parent.id);
    const reload = await api.post(`/v2/accounts/${child.id}/aaa/reload`);
    expect(reload.status).toBe(409);
    expect(reload.body.message).toBe('cache_disabled');
  });
});
