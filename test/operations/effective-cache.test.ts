/**
 * The memo of effective configurations is bounded by EFFECTIVE_CACHE_MB, by weight: an answer
 * weighs twice its serialized form (the objects it was made from take as much again), and
 * /metrics shows what it holds against the bound.
 */
import { describe, expect, it } from 'vitest';
import { useSuiteService } from '../support/suite.js';
import type { Api } from '../support/api.js';
import type { TestService } from '../support/service.js';
import { aaaDoc, accountWith } from './aaa-fixture.js';
import { parseExposition, value } from './metrics-scrape.js';

const METRICS_TOKEN = 'effective-cache-metrics-token';

let service: TestService;
let api: Api;
useSuiteService((started) => ({ service, api } = started), { METRICS_TOKEN, EFFECTIVE_CACHE_MB: '1' });

async function scrape() {
  const response = await fetch(`${service.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  return parseExposition(await response.text());
}

describe('EFFECTIVE_CACHE_MB', () => {
  it('bounds the memo, whose answers weigh twice their serialized size', async () => {
    // Nothing is sent: the server only has to be in the answer.
    const radius = { name: 'radius', address: '127.0.0.1', port: 1812, secret: 'effective-cache-secret', dicts: ['dictionary'] };
    const account = await accountWith(api, service.masterAccountId, aaaDoc([radius]));
    const before = await scrape();
    expect(value(before, 'circlemaker_effective_cache_max_bytes')).toBe(1024 * 1024);

    const answer = await api.get(`/v2/accounts/${account.id}/aaa/effective`);
    expect(answer.status).toBe(200);
    const serialized = Buffer.byteLength(JSON.stringify(answer.body.data));
    const after = await scrape();
    expect(value(after, 'circlemaker_effective_cache_entries')).toBe(value(before, 'circlemaker_effective_cache_entries') + 1);
    expect(value(after, 'circlemaker_effective_cache_bytes') - value(before, 'circlemaker_effective_cache_bytes')).toBe(2 * serialized);
  });
});
