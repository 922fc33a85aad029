import { describe, expect, it } from 'vitest';
import { AuthFailureLimiter } from '../../src/accounts/auth-failures.js';
import { Api, createAccount } from '../support/api.js';
import { startTestService } from '../support/service.js';

/**
 * The API-key login limiter counts an attempt before the key is looked up, and a success takes
 * back only its own attempt: neither a burst of parallel guesses nor a login with one's own key
 * in between buys more guesses than the limit.
 */

const LIMIT = 5;

describe('login limiter', () => {
  it(`a burst of 500 parallel wrong keys from one address: at most ${LIMIT} are evaluated (401), the rest are 429`, async () => {
    const service = await startTestService({ AUTH_FAILURE_LIMIT: String(LIMIT) });
    try {
      const client = new Api(service.url);
      const guesses = Array.from({ length: 500 }, (_, i) => client.put('/v2/api_auth', { api_key: i.toString(16).padStart(64, '0') }));
      const statuses = (await Promise.all(guesses)).map((response) => response.status);
      const evaluated = statuses.filter((status) => status === 401).length;
      expect(evaluated).toBeGreaterThan(0);
      expect(evaluated).toBeLessThanOrEqual(LIMIT);
      expect(statuses.filter((status) => status === 429)).toHaveLength(500 - evaluated);
      // And the master's own key is refused too until the window ends.
      expect((await client.put('/v2/api_auth', { api_key: service.masterApiKey })).status).toBe(429);
    } finally {
      await service.close();
    }
  });

  it("a success with one's own key does not reset the failures counted for other keys", async () => {
    const service = await startTestService({ AUTH_FAILURE_LIMIT: String(LIMIT) });
    try {
      const client = new Api(service.url);
      for (let i = 0; i < LIMIT - 1; i += 1) {
        expect((await client.put('/v2/api_auth', { api_key: 'e'.repeat(64) })).status).toBe(401);
      }
      // Interleaving logins with a key one holds ...
      for (let i = 0; i < 3; i += 1) {
        expect((await client.put('/v2/api_auth', { api_key: service.masterApiKey })).status).toBe(201);
      }
      // ... leaves exactly one more guess, then the address is limited.
      expect((await client.put('/v2/api_auth', { api_key: 'e'.repeat(64) })).status).toBe(401);
      const limited = await client.put('/v2/api_auth', { api_key: 'e'.repeat(64) });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await service.close();
    }
  });

  it("a disabled account's right key counts as a failure", async () => {
    const service = await startTestService({ AUTH_FAILURE_LIMIT: '2' });
    try {
      const client = new Api(service.url);
      const admin = client.as(await client.login(service.masterApiKey));
      const disabled = await createAccount(admin, service.masterAccountId, 'disabled');
      expect((await admin.patch(`/v2/accounts/${disabled.id}`, { enabled: false })).status).toBe(200);
      expect((await client.put('/v2/api_auth', { api_key: disabled.apiKey })).status).toBe(401);
      expect((await client.put('/v2/api_auth', { api_key: disabled.apiKey })).status).toBe(401);
      expect((await client.put('/v2/api_auth', { api_key: service.masterApiKey })).status).toBe(429);
    } finally {
      await service.close();
    }
  });
});

describe('AuthFailureLimiter', () => {
  it('counts an attempt when it begins, so attempts in flight together cannot exceed the limit', () => {
    const limiter = new AuthFailureLimiter(3, 60_000);
    const begun = Array.from({ length: 10 }, () => limiter.begin('10.0.0.1'));
    expect(begun.filter(Boolean)).toHaveLength(3);
    expect(limiter.retryAfter('10.0.0.1')).toBeGreaterThan(0);
    expect(limiter.begin('10.0.0.2')).toBeDefined();
  });

  it('a success takes back its own attempt only, once, and only in the window it was counted in', () => {
    let now = 0;
    const limiter = new AuthFailureLimiter(2, 1_000, 10_000, () => now);
    limiter.begin('c'); // a failure
    const success = limiter.begin('c');
    success?.succeeded();
    success?.succeeded();
    const slow = limiter.begin('c'); // the second attempt that counts, still in flight
    expect(slow).toBeDefined();
    expect(limiter.begin('c')).toBeUndefined();

    now = 1_000; // a new window, spent on two failures
    limiter.begin('c');
    limiter.begin('c');
    expect(limiter.retryAfter('c')).toBe(1);
    slow?.succeeded(); // counted in the old window: takes nothing back from this one
    expect(limiter.retryAfter('c')).toBe(1);
  });
});
