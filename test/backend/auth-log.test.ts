import { describe, expect, it } from 'vitest';
import { couchEndpoint } from '../../src/store/database.js';
import { type Api, type TestAccount, createAccount } from '../support/api.js';
import { until } from '../support/poll.js';
import type { TestService } from '../support/service.js';
import { useSuiteService } from '../support/suite.js';

let service: TestService;
let api: Api;
// Retention runs every second here, so the test can wait for it.
useSuiteService((started) => ({ service, api } = started), { AUTH_LOG_PURGE_INTERVAL_SECONDS: '1' });

async function restCredential(account: TestAccount): Promise<string> {
  const issued = await api.put(`/v2/accounts/${account.id}/aaa/rest_credentials`);
  return `Basic ${Buffer.from(`${issued.body.data.username}:${issued.body.data.password}`).toString('base64')}`;
}

/** A post-auth as FreeRADIUS sends it. */
async function postAuth(account: TestAccount, credential: string, attributes: Record<string, string>, reject = false): Promise<void> {
  const body = Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { type: 'string', value: [value] }]));
  const response = await fetch(`${service.url}/v2/accounts/${account.id}/aaa/rest/post-auth?result=${reject ? 'Reject' : ''}`, {
    method: 'POST',
    headers: { Authorization: credential, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(204);
}

/** Reads until `done` holds (the log and its retention run in the background); returns the last read. */
async function readUntil<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value: T | undefined;
  const held = await until(async () => done((value = await read())), 10_000);
  if (!held) throw new Error(`gave up waiting; last: ${JSON.stringify(value)}`);
  return value as T;
}

const logPath = (account: TestAccount, query = '') => `/v2/accounts/${account.id}/aaa/auth_log${query}`;

describe('authentication log', () => {
  it('filters by username, result, NAS and time; includes descendants on request', async () => {
    const parent = await createAccount(api, service.masterAccountId, 'log-parent');
    const child = await createAccount(api, parent.id, 'log-child');
    await api.put(`/v2/accounts/${parent.id}/aaa/subscribers`, { username: 'ann', password: 'ann-pw' });
    const credential = await restCredential(parent);
    const started = new Date().toISOString();
    await postAuth(parent, credential, { 'User-Name': 'ann', 'User-Password': 'ann-pw', 'NAS-IP-Address': '192.0.2.1' });
    await postAuth(parent, credential, { 'User-Name': 'ann', 'User-Password': 'bad', 'NAS-Identifier': 'nas-x' }, true);
    await postAuth(parent, credential, { 'User-Name': 'ghost', 'NAS-IP-Address': '192.0.2.1' }, true);
    await postAuth(child, credential, { 'User-Name': 'kid', 'NAS-IP-Address': '192.0.2.9' }, true);
    const all = await readUntil(
      () => api.get(logPath(parent)),
      (r) => r.body.data.length === 3,
    );
    expect(all.body.data.map((e: { username: string }) => e.username)).toEqual(['ghost', 'ann', 'ann']);
    expect(JSON.stringify(all.body)).not.toContain('ann-pw');
    const reasons = (await api.get(logPath(parent, '?result=reject'))).body.data.map((e: { reason: string }) => e.reason);
    expect(reasons).toEqual(['unknown_user', 'wrong_password']);
    expect((await api.get(logPath(parent, '?username=ANN&result=accept'))).body.data).toHaveLength(1);
    expect((await api.get(logPath(parent, '?nas=192.0.2.1'))).body.data.map((e: { username: string }) => e.username)).toEqual([
      'ghost',
      'ann',
    ]);
    expect((await api.get(logPath(parent, '?nas=nas-x'))).body.data).toHaveLength(1);
    expect((await api.get(logPath(parent, `?until=${encodeURIComponent(started)}`))).body.data).toEqual([]);
    expect((await api.get(logPath(parent, `?since=${encodeURIComponent(started)}`))).body.data).toHaveLength(3);
    const family = await readUntil(
      () => api.get(logPath(parent, '?include_descendants=true')),
      (r) => r.body.data.length === 4,
    );
    expect(family.body.data[0]).toMatchObject({ username: 'kid', account_id: child.id });
    expect((await api.get(logPath(child))).body.data).toHaveLength(1);
    expect((await api.get(logPath(parent, '?result=maybe'))).body.data).toHaveProperty(['result', 'enum']);
    expect((await api.get(logPath(parent, '?since=yesterday'))).body.data).toHaveProperty(['since', 'format']);
  });

  it('paginates newest first, in the envelope and by a Link header', async () => {
    const account = await createAccount(api, service.masterAccountId, 'log-pages');
    const credential = await restCredential(account);
    for (let i = 0; i < 5; i += 1) await postAuth(account, credential, { 'User-Name': `u${i}` }, true);
    await readUntil(
      () => api.get(logPath(account)),
      (r) => r.body.data.length === 5,
    );
    const seen: string[] = [];
    let next: string | undefined = logPath(account, '?page_size=2');
    let pages = 0;
    while (next) {
      const page = await api.get(next);
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((e: { username: string }) => e.username));
      const link = page.headers.get('link');
      if (page.body.next_start_key) {
        expect(link).toMatch(/^<\/v2\/accounts\/[0-9a-f]{32}\/aaa\/auth_log\?[^>]*start_key=[^>]+>; rel="next"$/);
        next = /^<([^>]+)>/.exec(link ?? '')?.[1];
      } else {
        expect(link).toBeNull();
        next = undefined;
      }
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['u4', 'u3', 'u2', 'u1', 'u0']);
    expect((await api.get(logPath(account, '?start_key=garbage'))).status).toBe(400);
  });

  it('retention: the oldest beyond the count and everything older than the days go, without an operator', async () => {
    const account = await createAccount(api, service.masterAccountId, 'log-retention');
    expect(
      (await api.post(`/v2/accounts/${account.id}/aaa/subscriber_settings`, { auth_log_max_entries: 3, auth_log_retention_days: 7 }))
        .status,
    ).toBe(200);
    // An entry from 30 days ago, written straight into the store as a replica would have.
    const endpoint = couchEndpoint(service.storeUrl);
    const old = new Date(Date.now() - 30 * 86_400_000).toISOString();
    const put = await fetch(`${endpoint.base}/${service.dbPrefix}auth_log/${account.id}:${old}:old`, {
      method: 'PUT',
      headers: { ...endpoint.headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        pvt_type: 'auth_log',
        pvt_tree: [service.masterAccountId, account.id],
        account_id: account.id,
        time: old,
        username: 'ancient',
        result: 'reject',
        reason: 'unknown_user',
        reply: {},
        source: 'rlm_rest',
      }),
    });
    expect(put.status).toBe(201);
    const credential = await restCredential(account);
    // Two entries: within the count, so only the days can take the old one.
    for (let i = 0; i < 2; i += 1) await postAuth(account, credential, { 'User-Name': `r${i}` }, true);
    const recent = await readUntil(
      () => api.get(logPath(account)),
      (r) => r.body.data.length === 2 && !r.body.data.some((e: { username: string }) => e.username === 'ancient'),
    );
    expect(recent.body.data.map((e: { username: string }) => e.username)).toEqual(['r1', 'r0']);
    for (let i = 2; i < 5; i += 1) await postAuth(account, credential, { 'User-Name': `r${i}` }, true);
    const kept = await readUntil(
      () => api.get(logPath(account)),
      (r) => r.body.data.length === 3,
    );
    expect(kept.body.data.map((e: { username: string }) => e.username)).toEqual(['r4', 'r3', 'r2']);
  });
});
