/**
 * Session retention per account (issue 12, item 5): an account's subscriber settings may set
 * `session_retention_days`; the periodic task purges that account's closed sessions by it and
 * every other account's by SESSION_RETENTION_DAYS.
 */
import { describe, expect, it } from 'vitest';
import { type Api, type TestAccount, createAccount } from '../support/api.js';
import { until } from '../support/poll.js';
import type { TestService } from '../support/service.js';
import { useSuiteService } from '../support/suite.js';

let service: TestService;
let api: Api;
// The periodic task every second, so the test sees it run.
useSuiteService((started) => ({ service, api } = started), { SESSION_TASK_INTERVAL_SECONDS: '1', SESSION_RETENTION_DAYS: '90' });

async function tenantWithCredential(name: string): Promise<TestAccount & { basic: string }> {
  const account = await createAccount(api, service.masterAccountId, name);
  const credential = await api.put(`/v2/accounts/${account.id}/aaa/rest_credentials`);
  expect(credential.status, JSON.stringify(credential.body)).toBe(200);
  return { ...account, basic: Buffer.from(`${credential.body.data.username}:${credential.body.data.password}`).toString('base64') };
}

async function accounting(account: { id: string; basic: string }, attributes: Record<string, string | number>): Promise<void> {
  const body = Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [name, { type: typeof value === 'number' ? 'integer' : 'string', value: [value] }]),
  );
  const response = await fetch(`${service.url}/v2/accounts/${account.id}/aaa/rest/accounting`, {
    method: 'POST',
    headers: { Authorization: `Basic ${account.basic}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.text()).toBe(204);
}

/** A session that started and stopped `daysAgo` days ago. */
async function closedSession(account: { id: string; basic: string }, daysAgo: number): Promise<void> {
  const at = Math.floor(Date.now() / 1000) - daysAgo * 86_400;
  const base = { 'User-Name': 'alice', 'Acct-Session-Id': `old-${daysAgo}`, 'NAS-IP-Address': '127.0.0.1' };
  await accounting(account, { ...base, 'Acct-Status-Type': 'Start', 'Event-Timestamp': at });
  await accounting(account, { ...base, 'Acct-Status-Type': 'Stop', 'Event-Timestamp': at + 60, 'Acct-Session-Time': 60 });
}

const sessionCount = async (account: TestAccount) =>
  ((await api.as(account.token).get(`/v2/accounts/${account.id}/aaa/sessions`)).body.data as unknown[]).length;

describe('session retention', () => {
  it("an account's session_retention_days overrides SESSION_RETENTION_DAYS; other accounts keep the default", async () => {
    const short = await tenantWithCredential('retention-short');
    const standard = await tenantWithCredential('retention-default');
    const settings = await api.post(`/v2/accounts/${short.id}/aaa/subscriber_settings`, { session_retention_days: 1 });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    expect(settings.body.data).toMatchObject({ session_retention_days: 1 });
    for (const account of [short, standard]) await closedSession(account, 3);
    expect(await sessionCount(short)).toBe(1);
    expect(await sessionCount(standard)).toBe(1);

    // Three days old: past the short account's one day, well inside the default 90.
    expect(await until(async () => (await sessionCount(short)) === 0, 15_000)).toBe(true);
    expect(await sessionCount(standard)).toBe(1);
  });

  it('refuses a retention outside 1–3650 days, naming the field', async () => {
    const account = await createAccount(api, service.masterAccountId, 'retention-bounds');
    const refused = await api.post(`/v2/accounts/${account.id}/aaa/subscriber_settings`, { session_retention_days: 0 });
    expect(refused.status).toBe(400);
    expect(Object.keys(refused.body.data)).toContain('session_retention_days');
  });
});
