/**
 * Two replicas of the service on one store, through the rlm_rest endpoint FreeRADIUS calls: a
 * subscriber disabled through the second replica is refused by the first as soon as the first's
 * subscriber feed has read the change, although the first cached the subscriber a moment before
 * (under the 5 s rule alone it would still answer from that entry). This is the wiring in
 * `startBackend`: the follower started with the subscriber cache as its sink.
 */
import { describe, expect, inject, it } from 'vitest';
import { couchEndpoint } from '../../src/store/database.js';
import { parseExposition, value } from '../operations/metrics-scrape.js';
import { until } from '../support/poll.js';
import { useTwoInstances } from '../support/two-instances.js';

const replicas = useTwoInstances();

const basic = (credential: { username: string; password: string }) =>
  `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;

/** POST …/rest/authorize to a replica as rlm_rest would, for bob. */
function authorizeBob(serviceUrl: string, accountId: string, credential: { username: string; password: string }): Promise<Response> {
  return fetch(`${serviceUrl}/v2/accounts/${accountId}/aaa/rest/authorize`, {
    method: 'POST',
    headers: { Authorization: basic(credential), 'Content-Type': 'application/json' },
    body: JSON.stringify({
      'User-Name': { type: 'string', value: ['bob'] },
      'User-Password': { type: 'string', value: ['feed-secret'] },
    }),
  });
}

/** Whether the first replica's subscriber feed has read the store up to what it holds now, and is current. */
async function firstFeedHasRead(): Promise<() => Promise<boolean>> {
  const { first, viaFirst } = replicas;
  const written = await storeSequence(`${first.dbPrefix}subscribers`);
  return async () => {
    const samples = parseExposition(String((await viaFirst.get('/metrics')).body.raw));
    return (
      value(samples, 'circlemaker_changes_feed_last_seq', { database: 'subscribers' }) >= written &&
      value(samples, 'circlemaker_changes_feed_current', { database: 'subscribers' }) === 1
    );
  };
}

async function storeSequence(database: string): Promise<number> {
  const endpoint = couchEndpoint(inject('storeUrl'));
  const info = (await (await fetch(`${endpoint.base}/${database}`, { headers: endpoint.headers })).json()) as {
    update_seq: number | string;
  };
  return Number.parseInt(String(info.update_seq), 10);
}

/** An account under the master with bob (password `feed-secret`) and a REST credential, made through the first replica. */
async function accountWithBob(): Promise<{ accountId: string; subscriberId: string; credential: { username: string; password: string } }> {
  const { first, viaFirst } = replicas;
  const account = (await viaFirst.put(`/v2/accounts/${first.masterAccountId}`, { name: 'feed replicas' })).body.data as { id: string };
  const created = await viaFirst.put(`/v2/accounts/${account.id}/aaa/subscribers`, {
    username: 'bob',
    password: 'feed-secret',
    enabled: true,
  });
  expect(created.status).toBe(201);
  const credential = (await viaFirst.put(`/v2/accounts/${account.id}/aaa/rest_credentials`)).body.data as {
    username: string;
    password: string;
  };
  return { accountId: account.id, subscriberId: (created.body.data as { id: string }).id, credential };
}

describe('subscriber changes across replicas', () => {
  it('the first replica refuses a subscriber disabled through the second once its feed has read the change', async () => {
    const { first, viaSecond } = replicas;
    const { accountId, subscriberId, credential } = await accountWithBob();
    // Cached by the first replica now.
    expect((await authorizeBob(first.url, accountId, credential)).status).toBe(200);

    const disabled = await viaSecond.patch(`/v2/accounts/${accountId}/aaa/subscribers/${subscriberId}`, { enabled: false });
    expect(disabled.status).toBe(200);
    expect(await until(await firstFeedHasRead())).toBe(true);
    expect((await authorizeBob(first.url, accountId, credential)).status).toBe(401);
  });

  it('the first replica refuses a REST credential rotated through the second once its feed has read the rotation', async () => {
    const { first, viaSecond } = replicas;
    const { accountId, credential } = await accountWithBob();
    // The credential is cached by the first replica now.
    expect((await authorizeBob(first.url, accountId, credential)).status).toBe(200);

    const rotated = (await viaSecond.put(`/v2/accounts/${accountId}/aaa/rest_credentials`)).body.data as {
      username: string;
      password: string;
    };
    expect(await until(await firstFeedHasRead())).toBe(true);
    const old = await authorizeBob(first.url, accountId, credential);
    expect(old.status).toBe(401);
    expect(((await old.json()) as { message: string }).message).toBe('invalid_credentials');
    expect((await authorizeBob(first.url, accountId, rotated)).status).toBe(200);
  });
});
