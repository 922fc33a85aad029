/**
 * Fair between tenants: two children answered by their parent's configuration share its
 * `workers`, each with a queue of its own, so a child flooding `authn` gets the 503s and its
 * sibling's requests are answered. CoA/Disconnect run under the same rules: per account, on its
 * own `workers`, its queue bounded. The flood's requests are held by the server until the test
 * lets them go, so the workers are busy for as long as the test needs.
 */
import { describe, expect, it } from 'vitest';
import type { Api, ApiResponse, TestAccount } from '../support/api.js';
import type { TestService } from '../support/service.js';
import { useSuiteService } from '../support/suite.js';
import { aaaDoc, accountWith, nas, server, startGatedResponder, until } from './aaa-fixture.js';

let service: TestService;
let api: Api;
// Two queued requests per worker and requester.
useSuiteService((started) => ({ service, api } = started), { AAA_QUEUE_PER_WORKER: '2' });

/** Sends every request at once, and counts them as they come back. */
function concurrently(count: number, send: () => Promise<ApiResponse>) {
  const settled: ApiResponse[] = [];
  const all = Promise.all(
    Array.from({ length: count }, async () => {
      const response = await send();
      settled.push(response);
      return response;
    }),
  );
  return { settled, all };
}

describe('fair shares of a configuration', () => {
  it("a child flooding its parent's configuration gets 503 overloaded; its sibling's requests wait their turn and succeed", async () => {
    const { responder, open } = await startGatedResponder('flood');
    try {
      const parent = await accountWith(api, service.masterAccountId, aaaDoc([server(responder)], { workers: 2 }));
      const flooder = await accountWith(api, parent.id);
      const sibling = await accountWith(api, parent.id);
      const authn = (account: TestAccount, user: string) => () =>
        api.as(account.token).post(`/v2/accounts/${account.id}/aaa/authn`, { 'User-Name': user });

      // 2 workers busy (held), 2 × 2 queued, the other 14 refused at once.
      const flood = concurrently(20, authn(flooder, 'flood'));
      await until(() => flood.settled.length === 14 && responder.stats.received === 2, 10_000, 'the flood to fill its share');
      expect(flood.settled.every((response) => response.status === 503)).toBe(true);

      const siblings = concurrently(3, authn(sibling, 'sibling'));
      // A sleep, not a wait: the check is that no refusal comes in this time (queued requests raise no
      // event); on a pool shared first come first served they would have been refused by now.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(siblings.settled.map((response) => response.status)).toEqual([]);
      open();
      const answered = await siblings.all;
      const flooded = await flood.all;

      expect(
        answered.map((response) => response.status),
        JSON.stringify(answered.map((response) => response.body)),
      ).toEqual([200, 200, 200]);
      for (const response of answered) expect(response.body.data).toMatchObject({ result: 'accept', account: parent.id });
      expect(flooded.filter((response) => response.status === 200)).toHaveLength(6);
      const refused = flooded.filter((response) => response.status === 503);
      expect(refused).toHaveLength(14);
      for (const response of refused) {
        expect(response.body.message).toBe('overloaded');
        expect(response.body.data).toMatchObject({ pool: `${parent.id}/authentication`, account: flooder.id, workers: 2, queue: 4 });
      }
    } finally {
      await responder.close();
    }
  });
});

describe('CoA/Disconnect under the same rules', () => {
  it("one account flooding a NAS gets 503 overloaded past its own workers' queue; another account's CoA is answered meanwhile", async () => {
    const { responder, open } = await startGatedResponder('flood');
    try {
      const flooder = await accountWith(api, service.masterAccountId, { aaa_mode: 'on', workers: 1, nas: [nas(responder)] });
      const other = await accountWith(api, service.masterAccountId, { aaa_mode: 'on', workers: 1, nas: [nas(responder)] });
      const coa = (account: TestAccount, user: string) => () =>
        api.as(account.token).post(`/v2/accounts/${account.id}/aaa/coa`, { nas: 'edge', attributes: { 'User-Name': user } });

      // 1 worker busy (held), 2 queued, 5 refused at once: the NAS never holds more of the client than that.
      const flood = concurrently(8, coa(flooder, 'flood'));
      await until(() => flood.settled.length === 5 && responder.stats.received === 1, 10_000, 'the flood to fill its share');
      for (const response of flood.settled) {
        expect(response.status).toBe(503);
        expect(response.body.message).toBe('overloaded');
        expect(response.body.data).toMatchObject({ pool: `${flooder.id}/coa`, account: flooder.id, workers: 1, queue: 2 });
      }

      const answer = await coa(other, 'other')();
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.data.result).toBe('ack');

      open();
      expect((await flood.all).filter((response) => response.status === 200)).toHaveLength(3);
    } finally {
      await responder.close();
    }
  });
});
