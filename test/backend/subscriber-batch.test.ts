import { describe, expect, it } from 'vitest';
import { type Api, createAccount } from '../support/api.js';
import type { TestService } from '../support/service.js';
import { useSuiteService } from '../support/suite.js';

let service: TestService;
let api: Api;
useSuiteService((started) => ({ service, api } = started));

describe('batch creation', () => {
  it("from CSV: each row's outcome, generated passwords once, no duplicates on retry", async () => {
    const account = await createAccount(api, service.masterAccountId, 'batch-csv');
    const path = `/v2/accounts/${account.id}/aaa/subscribers/batch`;
    expect((await api.put(`/v2/accounts/${account.id}/aaa/groups`, { name: 'wifi' })).status).toBe(201);
    expect((await api.put(`/v2/accounts/${account.id}/aaa/subscribers`, { username: 'taken', password: 'x' })).status).toBe(201);
    const csv = 'alice,alice-pw,wifi\r\n"bob, jr",,wifi\n\ntaken,x\ncarol,pw,nogroup\n';
    const first = await api.put(path, { batch_id: 'b1', csv });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.data.rows.map((r: { username: string; status: string }) => [r.username, r.status])).toEqual([
      ['alice', 'created'],
      ['bob, jr', 'created'],
      ['taken', 'exists'],
      ['carol', 'invalid'],
    ]);
    expect(first.body.data.rows[3].error).toHaveProperty(['groups.0', 'unknown_group']);
    // Only the generated password comes back; the CSV's own are the caller's already.
    expect(first.body.data.credentials).toHaveLength(1);
    expect(first.body.data.credentials[0]).toMatchObject({ username: 'bob, jr' });
    expect(first.body.data.credentials[0].password).toMatch(/^[A-Za-z0-9]{16}$/);
    const retried = await api.put(path, { batch_id: 'b1', csv });
    expect(retried.status).toBe(200);
    expect(retried.body.data).toMatchObject({ replayed: true, credentials: [] });
    expect(retried.body.data.rows).toEqual(first.body.data.rows);
    const list = await api.get(`/v2/accounts/${account.id}/aaa/subscribers`);
    expect(list.body.data.map((s: { username: string }) => s.username).sort()).toEqual(['alice', 'bob, jr', 'taken']);
  });

  it('from a prefix and count, as CSV with Accept: text/csv', async () => {
    const account = await createAccount(api, service.masterAccountId, 'batch-prefix');
    const response = await fetch(`${service.url}/v2/accounts/${account.id}/aaa/subscribers/batch`, {
      method: 'PUT',
      headers: { 'X-Auth-Token': String(api.token), 'Content-Type': 'application/json', Accept: 'text/csv' },
      body: JSON.stringify({ data: { batch_id: 'g1', prefix: 'guest-', count: 3 } }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await response.text()).trim().split('\r\n');
    expect(lines[0]).toBe('username,password');
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['guest-1', 'guest-2', 'guest-3']);
    const bad = await api.put(`/v2/accounts/${account.id}/aaa/subscribers/batch`, { batch_id: 'g2', prefix: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.data).toHaveProperty(['count', 'required']);
    const both = await api.put(`/v2/accounts/${account.id}/aaa/subscribers/batch`, { batch_id: 'g3', prefix: 'x', count: 1, csv: 'a,b' });
    expect(both.status).toBe(400);
  });
});
