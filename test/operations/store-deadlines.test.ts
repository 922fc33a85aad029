import { afterEach, describe, expect, it } from 'vitest';
import { Api, type ApiResponse } from '../support/api.js';
import { FaultProxy, type Interception, startStore, until } from '../support/cluster.js';
import { type TestService, startTestService } from '../support/service.js';

/**
 * A store that accepts connections and never answers (frozen, a hung load balancer), or sends
 * its headers and stalls the body: the API answers 503 `datastore_unreachable` within the store
 * deadline and `/readyz` answers 503 within its own, shorter one. The bounds asserted are "does
 * not hang" bounds (10 s), far above the deadlines set.
 */
const DOES_NOT_HANG_MS = 10_000;

let cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups = [];
});

async function serviceBehindProxy(env: Record<string, string>): Promise<{ service: TestService; node: FaultProxy; api: Api }> {
  const store = await startStore();
  cleanups.push(() => store.close());
  const node = new FaultProxy(store.url);
  await node.start();
  cleanups.push(() => node.stop());
  const service = await startTestService({ COUCHDB_URL: node.url, ...env });
  cleanups.push(() => service.close());
  const api = new Api(service.url);
  return { service, node, api: api.as(await api.login(service.masterApiKey)) };
}

/** The response, or a failed test if none came within the bound. */
async function within(request: Promise<ApiResponse>): Promise<ApiResponse> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${DOES_NOT_HANG_MS} ms`)), DOES_NOT_HANG_MS);
  });
  try {
    return await Promise.race([request, hung]);
  } finally {
    clearTimeout(timer);
  }
}

describe.each<[string, Interception]>([
  ['accepts connections and never answers', 'hang'],
  ['sends headers, then stalls the body', 'stall'],
])('a store that %s', (_what, interception) => {
  it('PATCH, an account creation, subscribers and sessions answer 503 datastore_unreachable; /readyz answers 503; all recover', async () => {
    const { service, node, api } = await serviceBehindProxy({ STORE_TIMEOUT_MS: '2000' });
    const aaa = `/v2/accounts/${service.masterAccountId}/aaa`;
    expect((await api.put(aaa, { aaa_mode: 'off' })).status).toBe(201);

    node.intercept = () => interception;
    const patch = await within(api.patch(aaa, { workers: 3 }));
    expect(patch.status).toBe(503);
    expect(patch.body).toMatchObject({ error: '503', message: 'datastore_unreachable' });
    const created = await within(api.put(`/v2/accounts/${service.masterAccountId}`, { name: 'while frozen' }));
    expect(created.status).toBe(503);
    // The policy backend's and the sessions' databases are on the same nodes, with the same deadline.
    const subscribers = await within(api.get(`/v2/accounts/${service.masterAccountId}/aaa/subscribers`));
    expect(subscribers.status).toBe(503);
    const sessions = await within(api.get(`/v2/accounts/${service.masterAccountId}/aaa/sessions`));
    expect(sessions.status).toBe(503);
    const ready = await within(api.get('/readyz'));
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ error: '503', message: 'datastore_unreachable' });

    node.intercept = () => undefined;
    expect(await until(async () => (await api.get('/readyz')).status === 200, DOES_NOT_HANG_MS)).toBe(true);
    expect((await api.patch(aaa, { workers: 3 })).status).toBe(200);
  });
});

describe('readiness', () => {
  it('/readyz has its own deadline, shorter than a long store deadline', async () => {
    // A store deadline of a minute: only the ping's own deadline (2 s) can answer within the bound.
    const { node, api } = await serviceBehindProxy({ STORE_TIMEOUT_MS: '60000' });
    expect((await api.get('/readyz')).status).toBe(200);
    node.intercept = () => 'hang';
    const ready = await within(api.get('/readyz'));
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ error: '503', message: 'datastore_unreachable' });
    node.intercept = () => undefined;
  });
});
