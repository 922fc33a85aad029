import { describe, expect, it } from 'vitest';
import { useTwoInstances } from '../support/two-instances.js';
import { until } from '../support/poll.js';
import { couchEndpoint } from '../../src/store/database.js';
import { type Api, type ApiResponse, createAccount } from '../support/api.js';
import { storeGet } from '../support/service.js';

/**
 * A realm names one account across the whole service. Uniqueness is decided by the store (one
 * claim document per realm, created without a revision), not by a look-up before the write, so
 * it holds for parallel requests and across replicas.
 */

const both = useTwoInstances();

const claimPath = (realm: string) => `system_config/${encodeURIComponent(`realm:${realm.toLowerCase()}`)}`;

/** Writes a document straight into the store, as a replica that crashed mid-way would have left it. */
async function storePut(pathInStore: string, doc: Record<string, unknown>): Promise<void> {
  const endpoint = couchEndpoint(both.first.storeUrl);
  const response = await fetch(`${endpoint.base}/${both.first.dbPrefix}${pathInStore}`, {
    method: 'PUT',
    headers: { ...endpoint.headers, 'Content-Type': 'application/json' },
    body: JSON.stringify(doc),
  });
  expect(response.status).toBe(201);
}

/** Accounts made through the first instance, once the second one's mirror has them too. */
async function accountsOnBoth(names: string[]): Promise<{ id: string }[]> {
  const made = await Promise.all(names.map((name) => createAccount(both.viaFirst, both.first.masterAccountId, name)));
  for (const account of made) {
    expect(await until(async () => (await both.viaSecond.get(`/v2/accounts/${account.id}`)).status === 200)).toBe(true);
  }
  return made;
}

function expectTaken(response: ApiResponse): void {
  expect(response.status).toBe(400);
  expect(response.body.message).toBe('validation_error');
  expect(Object.keys(response.body.data)).toEqual(['realm']);
  expect(response.body.data.realm).toHaveProperty('unique');
}

describe('realm uniqueness', () => {
  it('of parallel claims through two instances (PATCH and PUT child), exactly one wins; the rest are 400 unique on realm', async () => {
    const realm = 'contested.example.org';
    const claimants = await accountsOnBoth(Array.from({ length: 10 }, (_, i) => `claimant-${i}`));
    const spellings = [realm, realm.toUpperCase(), 'Contested.Example.Org'];
    const attempts = [
      ...claimants.map((claimant, i) =>
        (i % 2 === 0 ? both.viaFirst : both.viaSecond).patch(`/v2/accounts/${claimant.id}`, { realm: spellings[i % spellings.length] }),
      ),
      ...Array.from({ length: 4 }, (_, i) =>
        (i % 2 === 0 ? both.viaFirst : both.viaSecond).put(`/v2/accounts/${both.first.masterAccountId}`, { name: `born-${i}`, realm }),
      ),
    ];
    const responses = await Promise.all(attempts);
    const winners = responses.filter((response) => response.status === 200 || response.status === 201);
    expect(winners).toHaveLength(1);
    for (const response of responses.filter((r) => !winners.includes(r))) expectTaken(response);

    // The claim in the store names the winner; it is no account to anyone listing accounts.
    const winnerId = String(winners[0]!.body.data.id);
    expect((await storeGet(both.first, claimPath(realm))).pvt_account_id).toBe(winnerId);
    const holders = async (api: Api) => {
      const listed = await api.get(`/v2/accounts/${both.first.masterAccountId}/descendants?page_size=100`);
      expect(listed.status).toBe(200);
      return (listed.body.data as { id: string; realm?: string }[]).filter((account) => account.realm?.toLowerCase() === realm);
    };
    for (const api of [both.viaFirst, both.viaSecond]) {
      expect(await until(async () => (await holders(api)).length === 1)).toBe(true);
      expect((await holders(api)).map((account) => account.id)).toEqual([winnerId]);
    }
  });

  it('a realm given up by a change, or by deleting its account, can be taken by another account', async () => {
    const [holder, other] = (await accountsOnBoth(['holder', 'other'])) as [{ id: string }, { id: string }];
    expect((await both.viaFirst.patch(`/v2/accounts/${holder.id}`, { realm: 'moving.example.org' })).status).toBe(200);
    expectTaken(await both.viaSecond.patch(`/v2/accounts/${other.id}`, { realm: 'MOVING.example.org' }));
    // Re-stating one's own realm is not a conflict.
    expect((await both.viaSecond.patch(`/v2/accounts/${holder.id}`, { realm: 'moving.example.org' })).status).toBe(200);

    expect((await both.viaFirst.patch(`/v2/accounts/${holder.id}`, { realm: 'moved.example.org' })).status).toBe(200);
    expect((await storeGet(both.first, claimPath('moving.example.org'))).error).toBe('not_found');
    expect((await both.viaSecond.patch(`/v2/accounts/${other.id}`, { realm: 'moving.example.org' })).status).toBe(200);

    // POST without a realm gives it up too.
    expect((await both.viaFirst.post(`/v2/accounts/${other.id}`, { name: 'other' })).status).toBe(200);
    expect((await both.viaSecond.patch(`/v2/accounts/${holder.id}`, { realm: 'moving.example.org' })).status).toBe(200);

    expect((await both.viaFirst.delete(`/v2/accounts/${holder.id}`)).status).toBe(200);
    const born = await both.viaSecond.put(`/v2/accounts/${both.first.masterAccountId}`, { name: 'heir', realm: 'moved.example.org' });
    expect(born.status).toBe(201);
    const again = await both.viaSecond.put(`/v2/accounts/${both.first.masterAccountId}`, { name: 'heir2', realm: 'moving.example.org' });
    expect(again.status).toBe(201);
  });

  it('a failed write gives back the claim it made', async () => {
    const account = await createAccount(both.viaFirst, both.first.masterAccountId, 'stale-writer');
    const stale = await both.viaFirst.patch(
      `/v2/accounts/${account.id}`,
      { realm: 'lost.example.org' },
      { headers: { 'If-Match': '1-0' } },
    );
    expect(stale.status).toBe(409);
    expect((await storeGet(both.first, claimPath('lost.example.org'))).error).toBe('not_found');
  });

  it('a claim left behind by a crash is taken over once abandoned, but a recent one is respected', async () => {
    const [taker, waiter] = (await accountsOnBoth(['taker', 'waiter'])) as [{ id: string }, { id: string }];
    const nobody = 'f'.repeat(32);
    const leftBehind = {
      pvt_type: 'realm_claim',
      pvt_account_id: nobody,
      pvt_claimed_at: Date.now() - 3_600_000,
      realm: 'orphan.example.org',
    };
    await storePut(claimPath('orphan.example.org'), leftBehind);
    expect((await both.viaSecond.patch(`/v2/accounts/${taker.id}`, { realm: 'orphan.example.org' })).status).toBe(200);
    expect((await storeGet(both.first, claimPath('orphan.example.org'))).pvt_account_id).toBe(taker.id);

    // A claim made a moment ago by an account not written yet is a creation in progress.
    await storePut(claimPath('pending.example.org'), { ...leftBehind, pvt_claimed_at: Date.now(), realm: 'pending.example.org' });
    expectTaken(await both.viaFirst.patch(`/v2/accounts/${waiter.id}`, { realm: 'pending.example.org' }));
  });

  it('a malformed realm is refused before any claim is made', async () => {
    const account = await createAccount(both.viaFirst, both.first.masterAccountId, 'malformed');
    const response = await both.viaFirst.patch(`/v2/accounts/${account.id}`, { realm: 'not a host!' });
    expect(response.status).toBe(400);
    expect(response.body.data).toHaveProperty('realm');
    expect((await storeGet(both.first, claimPath('not a host!'))).error).toBe('not_found');
  });
});
