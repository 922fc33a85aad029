/**
 * The memoised effective configuration (issue 9 goal 5) must never outlive a change under it. Each
 * test warms the second instance's memo, changes something through the first instance (or the
 * store itself), and polls the second until the change shows: only its changes feed can tell it.
 */
import { describe, expect, it } from 'vitest';
import { useTwoInstances } from '../support/two-instances.js';
import { until } from '../support/poll.js';
import { type Api, type TestAccount, createAccount } from '../support/api.js';
import { storeGet } from '../support/service.js';
import { couchEndpoint } from '../../src/store/database.js';

const both = useTwoInstances();

const doc = (mode: string, servers: string[] = [], dicts: string[] = ['dictionary']) => ({
  aaa_mode: mode,
  servers: servers.map((name) => ({ name, address: '127.0.0.1', secret: `secret-of-${name}`, dicts })),
  authentication: servers,
  authorization: servers,
  accounting: servers,
});

/** The authentication answer of `account` as the second instance gives it. */
async function authnOnSecond(account: TestAccount | string, api: Api = both.viaSecond) {
  const id = typeof account === 'string' ? account : account.id;
  const response = await api.get(`/v2/accounts/${id}/aaa/effective`);
  return { status: response.status, authn: response.body.data?.authentication };
}

const serverNames = (authn: { servers?: { name: string }[] } | undefined) => authn?.servers?.map((server) => server.name);

/** root → middle → leaf under the master; root is `on` with `root-radius`. */
async function chain(name: string): Promise<{ root: TestAccount; middle: TestAccount; leaf: TestAccount }> {
  const root = await createAccount(both.viaFirst, both.first.masterAccountId, `${name}-root`);
  const middle = await createAccount(both.viaFirst, root.id, `${name}-middle`);
  const leaf = await createAccount(both.viaFirst, middle.id, `${name}-leaf`);
  expect((await both.viaFirst.put(`/v2/accounts/${root.id}/aaa`, doc('on', ['root-radius']))).status).toBe(201);
  expect(await until(async () => serverNames((await authnOnSecond(leaf)).authn)?.[0] === 'root-radius')).toBe(true);
  return { root, middle, leaf };
}

describe('a memoised effective configuration follows every change under it', () => {
  it('an ancestor AAA document changed or added through the other instance', async () => {
    const { root, middle, leaf } = await chain('ancestor');
    // Warm: the same answer twice, so it is held.
    expect((await authnOnSecond(leaf)).authn.source).toBe(root.id);
    expect((await authnOnSecond(leaf)).authn.source).toBe(root.id);

    expect((await both.viaFirst.post(`/v2/accounts/${root.id}/aaa`, doc('on', ['root-radius-2']))).status).toBe(200);
    expect(await until(async () => serverNames((await authnOnSecond(leaf)).authn)?.[0] === 'root-radius-2')).toBe(true);

    // A document appearing where there was none (the middle account had none).
    expect((await both.viaFirst.put(`/v2/accounts/${middle.id}/aaa`, doc('off'))).status).toBe(201);
    expect(await until(async () => (await authnOnSecond(leaf)).authn.source === middle.id)).toBe(true);
    expect((await authnOnSecond(leaf)).authn).toMatchObject({ aaa_mode: 'off', servers: [] });
  });

  it('the system document changed through the other instance', async () => {
    expect((await both.viaFirst.put('/v1/system_configs/circlemaker', doc('on', ['system-a']))).status).toBe(201);
    const orphan = await createAccount(both.viaFirst, both.first.masterAccountId, 'system-only');
    expect(await until(async () => serverNames((await authnOnSecond(orphan)).authn)?.[0] === 'system-a')).toBe(true);

    expect((await both.viaFirst.post('/v1/system_configs/circlemaker', doc('on', ['system-b']))).status).toBe(200);
    expect(await until(async () => serverNames((await authnOnSecond(orphan)).authn)?.[0] === 'system-b')).toBe(true);
    expect((await authnOnSecond(orphan)).authn.source).toBe('system');
  });

  it('a dictionary an ancestor changes, and one the system changes', async () => {
    const { root, leaf } = await chain('dictionaries');
    const asRoot = both.viaFirst.as((await freshToken(root)).token);
    const late = (attributes: string[]) => ({
      name: 'dictionary_late',
      value: [
        { vendor: { Acme: 64997 } },
        ...attributes.map((name, index) => ({ attr: { vid: 64997, id: index + 1, type: 'string', name } })),
      ],
    });
    const created = await asRoot.put(`/v2/accounts/${root.id}/aaa/dictionary`, late(['Acme-Late']));
    expect(created.status).toBe(201);
    expect(
      (await both.viaFirst.post(`/v2/accounts/${root.id}/aaa`, doc('on', ['root-radius'], ['dictionary', 'dictionary_late']))).status,
    ).toBe(200);
    const lateRevisionOnSecond = async () =>
      (await authnOnSecond(leaf)).authn.servers?.[0]?.dictionaries?.find((d: { name: string }) => d.name === 'dictionary_late')?.revision;
    expect(await until(async () => (await lateRevisionOnSecond()) === created.body.revision)).toBe(true);

    const updated = await asRoot.post(`/v2/accounts/${root.id}/aaa/dictionary/${created.body.data.id}`, late(['Acme-Late', 'Acme-Later']));
    expect(updated.status).toBe(200);
    expect(updated.body.revision).not.toBe(created.body.revision);
    expect(await until(async () => (await lateRevisionOnSecond()) === updated.body.revision)).toBe(true);

    // The system's `dictionary` is written straight to the store (as another replica's import would):
    // its new revision must show up in the answer.
    const systemDictionary = await storeGet(both.first, 'aaa_dicts/system~dictionary');
    expect(systemDictionary._rev).toBeDefined();
    const endpoint = couchEndpoint(both.first.storeUrl);
    const put = await fetch(`${endpoint.base}/${both.first.dbPrefix}aaa_dicts/system~dictionary`, {
      method: 'PUT',
      headers: { ...endpoint.headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...systemDictionary, description: 'touched by the test' }),
    });
    expect(put.status).toBe(201);
    const newRevision = ((await put.json()) as { rev: string }).rev;
    expect(
      await until(async () => {
        const server = (await authnOnSecond(leaf)).authn.servers?.[0];
        return server?.dictionaries.some((d: { name: string; revision: string }) => d.name === 'dictionary' && d.revision === newRevision);
      }),
    ).toBe(true);
  });

  it('an account moved to another branch (written to the store by another replica)', async () => {
    const { leaf } = await chain('move-from');
    const elsewhere = await createAccount(both.viaFirst, both.first.masterAccountId, 'move-to');
    expect((await both.viaFirst.put(`/v2/accounts/${elsewhere.id}/aaa`, doc('on', ['elsewhere-radius']))).status).toBe(201);
    expect(serverNames((await authnOnSecond(leaf)).authn)).toEqual(['root-radius']);

    const stored = await storeGet(both.first, `accounts/${leaf.id}`);
    const endpoint = couchEndpoint(both.first.storeUrl);
    const put = await fetch(`${endpoint.base}/${both.first.dbPrefix}accounts/${leaf.id}`, {
      method: 'PUT',
      headers: { ...endpoint.headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...stored, pvt_tree: [both.first.masterAccountId, elsewhere.id] }),
    });
    expect(put.status).toBe(201);
    expect(await until(async () => serverNames((await authnOnSecond(leaf)).authn)?.[0] === 'elsewhere-radius')).toBe(true);
    const { authn } = await authnOnSecond(leaf);
    expect(authn.source).toBe(elsewhere.id);
    expect(authn.chain.map((step: { owner: string }) => step.owner)).toEqual([leaf.id, elsewhere.id]);
  });

  it('an account disabled through the other instance: its token stops working though its answer is held', async () => {
    const { leaf } = await chain('disable');
    const asLeaf = both.viaSecond.as(leaf.token);
    expect((await authnOnSecond(leaf, asLeaf)).status).toBe(200);
    expect((await authnOnSecond(leaf, asLeaf)).status).toBe(200);
    expect((await both.viaFirst.patch(`/v2/accounts/${leaf.id}`, { enabled: false })).status).toBe(200);
    expect(await until(async () => (await authnOnSecond(leaf, asLeaf)).status === 401)).toBe(true);
    // The superduper admin still sees what the account would use.
    expect(serverNames((await authnOnSecond(leaf)).authn)).toEqual(['root-radius']);
  });
});

/** A fresh token of `account` (its API key logs in again). */
async function freshToken(account: TestAccount): Promise<TestAccount> {
  return { ...account, token: await both.viaFirst.login(account.apiKey) };
}
