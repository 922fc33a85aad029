import { describe, expect, it } from 'vitest';
import { type Api, type TestAccount, createAccount } from './support/api.js';
import type { TestService } from './support/service.js';
import { useSuiteService } from './support/suite.js';

let service: TestService;
let api: Api;

useSuiteService((started) => ({ service, api } = started));

const doc = (mode: string, servers: string[] = []) => ({
  aaa_mode: mode,
  servers: servers.map((name) => ({ name, address: '127.0.0.1', secret: `secret-of-${name}`, dicts: ['dictionary'] })),
  authentication: servers,
  authorization: servers,
  accounting: servers,
});

describe('GET /v2/accounts/{ID}/aaa/effective', () => {
  it('inherits through a 10-level tree up to the system document, and shows the chain', async () => {
    expect((await api.put('/v1/system_configs/circlemaker', doc('on', ['system-radius']))).status).toBe(201);
    const levels: TestAccount[] = [];
    let parent = service.masterAccountId;
    for (let depth = 1; depth <= 10; depth += 1) {
      const account = await createAccount(api, parent, `level${depth}`);
      levels.push(account);
      parent = account.id;
      if (depth % 3 !== 0) expect((await api.put(`/v2/accounts/${account.id}/aaa`, doc('inherit'))).status).toBe(201);
    }
    const deepest = levels[9]!;
    const response = await api.as(deepest.token).get(`/v2/accounts/${deepest.id}/aaa/effective`);
    expect(response.status).toBe(200);
    const authn = response.body.data.authentication;
    expect(authn.source).toBe('system');
    expect(authn.servers.map((s: { name: string }) => s.name)).toEqual(['system-radius']);
    // Deepest first: ten accounts, the master (no document), then the system.
    expect(authn.chain.map((s: { owner: string }) => s.owner)).toEqual([
      ...levels.map((l) => l.id).reverse(),
      service.masterAccountId,
      'system',
    ]);
    expect(JSON.stringify(response.body)).not.toContain('secret-of-');

    // A level in the middle turns on: everything below now stops there.
    await api.post(`/v2/accounts/${levels[4]!.id}/aaa`, doc('on', ['mid-radius']));
    const after = await api.as(deepest.token).get(`/v2/accounts/${deepest.id}/aaa/effective`);
    expect(after.body.data.accounting.source).toBe(levels[4]!.id);
    expect(after.body.data.accounting.servers.map((s: { name: string }) => s.name)).toEqual(['mid-radius']);

    // ... and off at level 7 disables for levels 7..10.
    expect((await api.post(`/v2/accounts/${levels[6]!.id}/aaa`, doc('off'))).status).toBe(200);
    const off = await api.as(deepest.token).get(`/v2/accounts/${deepest.id}/aaa/effective`);
    expect(off.body.data.authorization).toMatchObject({ source: levels[6]!.id, aaa_mode: 'off', servers: [] });
  });

  it('an account with its own enabled servers and aaa_mode inherit uses them', async () => {
    const account = await createAccount(api, service.masterAccountId, 'own-servers');
    await api.put(`/v2/accounts/${account.id}/aaa`, doc('inherit', ['mine']));
    const response = await api.as(account.token).get(`/v2/accounts/${account.id}/aaa/effective`);
    expect(response.body.data.authentication).toMatchObject({ source: account.id, aaa_mode: 'inherit' });
    expect(response.body.data.authentication.servers[0]).toMatchObject({ name: 'mine', port: 1812, retries: 3, timeout: 5000 });
    expect(response.body.data.authentication.servers[0].secret).toBeUndefined();
  });
});
