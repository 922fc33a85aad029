/**
 * Shutdown: close() stops accepting at once, lets in-flight requests finish for
 * SHUTDOWN_GRACE_MS, then aborts the AAA requests still waiting on RADIUS (503 shutting_down with
 * their attempts), resolves within its bound and logs "stopped".
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RadiusResponder } from '../../src/radius/responder/index.js';
import { Api } from '../support/api.js';
import { type TestService, startTestService } from '../support/service.js';
import { LOGIN, SILENT, aaaDoc, accountWith, server, startResponder, until } from './aaa-fixture.js';

const GRACE_MS = 500;
/** Grace, the 1 s flush and closing the store's mirrors, with room to spare: a deadline, not a measurement. */
const CLOSE_BOUND_MS = GRACE_MS + 6000;

const opened: RadiusResponder[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((responder) => responder.close()));
});

function within<T>(work: Promise<T>, limitMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${limitMs} ms`)), limitMs);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

describe('shutdown', () => {
  let service: TestService | undefined;
  afterEach(async () => {
    // A test that failed before closing still closes its service.
    await service?.close().catch(() => {});
    service = undefined;
  });

  it('in-flight requests that finish within the grace are answered, the rest abort with 503 shutting_down; close resolves within its bound and logs "stopped"', async () => {
    service = await startTestService({ SHUTDOWN_GRACE_MS: String(GRACE_MS), AAA_REQUEST_DEADLINE_MS: '60000' });
    const running = service;
    const root = new Api(running.url);
    const api = root.as(await root.login(running.masterApiKey));
    const quick = await startResponder({ delayMs: 150 });
    const silent = await startResponder(SILENT);
    opened.push(quick, silent);
    const answering = await accountWith(api, running.masterAccountId, aaaDoc([server(quick)]));
    const hanging = await accountWith(api, running.masterAccountId, aaaDoc([server(silent, { retries: 10, timeout: 60_000 })]));

    const answered = api.as(answering.token).post(`/v2/accounts/${answering.id}/aaa/authn`, LOGIN);
    const abandoned = api.as(hanging.token).post(`/v2/accounts/${hanging.id}/aaa/authn`, LOGIN);
    await until(() => quick.stats.received === 1 && silent.stats.received === 1, 5000, 'both requests to reach their servers');

    const closing = running.close();
    // No new connection is accepted once close() has begun.
    await expect(fetch(`${running.url}/healthz`, { headers: { Connection: 'close' } })).rejects.toThrow();

    const [done, aborted] = await Promise.all([answered, abandoned]);
    await within(closing, CLOSE_BOUND_MS, 'close()');
    service = undefined;

    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.data.result).toBe('accept');
    expect(aborted.status, JSON.stringify(aborted.body)).toBe(503);
    expect(aborted.body.message).toBe('shutting_down');
    expect(aborted.body.data.attempts).toEqual([expect.objectContaining({ server: 'radius', attempt: 1, outcome: 'aborted' })]);
    const lines = running.logs.map((line) => JSON.parse(line) as { msg: string; aborted_requests?: number });
    expect(lines.some((line) => line.msg === 'draining: no new connections, in-flight requests may finish')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ msg: 'stopped', aborted_requests: 1 });
  });

  it('with nothing in flight, close does not wait for the grace', async () => {
    service = await startTestService({ SHUTDOWN_GRACE_MS: '120000' });
    const running = service;
    await within(running.close(), 10_000, 'close() of an idle service');
    service = undefined;
    expect(running.logs.at(-1)).toContain('"msg":"stopped"');
  });
});
