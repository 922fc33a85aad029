/**
 * The HTTP metrics keep their own counts (prom-client hashes a label object on every observation,
 * on the path every request takes) and write their own exposition: it must say exactly what
 * prom-client's Counter and Histogram would have said for the same requests.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HttpMetrics, LATENCY_BUCKETS } from '../../src/metrics/http-metrics.js';
import { parseExposition, type Sample } from './metrics-scrape.js';

const sorted = (samples: readonly Sample[]) =>
  samples.map((sample) => JSON.stringify([sample.name, Object.entries(sample.labels).sort(), sample.value])).sort();

describe('HTTP metrics exposition', () => {
  it('matches prom-client for the same observations, label escaping and bucket edges included', async () => {
    const ours = new HttpMetrics();
    const registry = new Registry();
    const labelNames = ['route', 'method', 'status'] as const;
    const counter = new Counter({ name: 'circlemaker_http_requests_total', help: 'h', labelNames, registers: [registry] });
    const histogram = new Histogram({
      name: 'circlemaker_http_request_duration_seconds',
      help: 'h',
      labelNames,
      buckets: [...LATENCY_BUCKETS],
      registers: [registry],
    });
    const observations: [string, string, number, number][] = [
      ['/v2/accounts/:accountId/aaa', 'GET', 200, 0.0004],
      ['/v2/accounts/:accountId/aaa', 'GET', 200, 0.001],
      ['/v2/accounts/:accountId/aaa', 'GET', 200, 0.0010001],
      ['/v2/accounts/:accountId/aaa', 'GET', 304, 0.02],
      ['/v2/accounts/:accountId/aaa/authn', 'POST', 504, 10],
      ['/v2/accounts/:accountId/aaa/authn', 'POST', 504, 31],
      ['/odd "route"\\with\nnewline', 'PUT', 400, 0.25],
    ];
    for (const [route, method, status, seconds] of observations) {
      ours.observe(route, method, status, seconds);
      const labels = { route, method, status: String(status) };
      counter.inc(labels);
      histogram.observe(labels, seconds);
    }
    const theirs = parseExposition(await registry.metrics());
    const mine = parseExposition(ours.exposition());
    expect(mine.length).toBe(theirs.length);
    expect(sorted(mine)).toEqual(sorted(theirs));
  });

  it('folds unknown methods and unmatched routes into fixed labels', () => {
    const metrics = new HttpMetrics();
    metrics.observe(undefined, 'PROPFIND', 404, 0.001);
    const samples = parseExposition(metrics.exposition());
    const counted = samples.find((sample) => sample.name === 'circlemaker_http_requests_total');
    expect(counted?.labels).toEqual({ route: 'unmatched', method: 'other', status: '404' });
  });
});
