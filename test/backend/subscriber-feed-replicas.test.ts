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

async function storeSequence(database: string): Promise<number> {
  const endpoint = couchEndpoint(inject('storeUrl'));
  const info = (await (await fetch(`${endpoint.base}/${database}`, { headers: endpoint.headers })).json()) as {
    update_seq: number | string;
  };
  return Number.parseInt(String(info.update_seq), 10);
}

describe('subscriber changes across replicas', () => {
  it('the first replica refuses a subscriber disabled through the second once its feed has read the change', async () => {
    const { first, viaFirst, viaSecond } = replicas;
    const account = (await viaFirst.put(`/v2/accounts/${first.masterAccountId}`, { name: 'feed replicas' })).body.data as { id: string };
    const created = await viaFirst.put(`/v2/accounts/${account.id}/aaa/subscribers`, {
      username: 'bob',
      password: 'feed-secret',
      enabled: true,
    });
    expect(created.status).toBe(201);
    const subscriberId = (created.body.data as { id: string }).id;
    const credential = (await viaFirst.put(`/v2/accounts/${account.id}/aaa/rest_credentials`)).body.data as {
      username: string;
      password: string;
    };
    const authorize = () =>
      fetch(`${first.url}/v2/accounts/${account.id}/aaa/rest/authorize`, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          'User-Name': { type: 'string', value: ['bob'] },
          'User-Password': { type: 'string', value: ['feed-secret'] },
        }),
      });
    // Cached by the first replica now.
    expect((await authorize()).status).toBe(200);

    const disabled = await viaSecond.patch(`/v2/accounts/${account.id}/aaa/subscribers/${subscriberId}`, { enabled: false });
    expect(disabled.status).toBe(200);
    const written = await storeSequence(`${first.dbPrefix}subscribers`);
    const feedRead = async () => {
      const samples = parseExposition(String((await viaFirst.get('/metrics')).body.raw));
      return (
        value(samples, 'circlemaker_changes_feed_last_seq', { database: 'subscribers' }) >= written &&
        value(samples, 'circlemaker_changes_feed_current', { database: 'subscribers' }) === 1
      );
    };
    expect(await until(feedRead)).toBe(true);
    expect((await authorize()).status).toBe(401);
  });
});
