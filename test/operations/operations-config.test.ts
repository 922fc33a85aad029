/** The operations' configuration: documented defaults, bounds refused at start-up naming the variable. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Deadlines } from '../../src/aaa/request-deadline.js';

describe('AAA_REQUEST_DEADLINE_MS and SHUTDOWN_GRACE_MS', () => {
  it('default to 10 s and 5 s', () => {
    const config = loadConfig({});
    expect(config.aaaRequestDeadlineMs).toBe(10_000);
    expect(config.shutdownGraceMs).toBe(5000);
  });

  it('refuse values outside their bounds or not whole numbers, naming the variable', () => {
    expect(() => loadConfig({ AAA_REQUEST_DEADLINE_MS: '50' })).toThrow(/AAA_REQUEST_DEADLINE_MS: must be between 100 and 600000/);
    expect(() => loadConfig({ AAA_REQUEST_DEADLINE_MS: '1.5s' })).toThrow(/AAA_REQUEST_DEADLINE_MS: expected a whole number/);
    expect(() => loadConfig({ SHUTDOWN_GRACE_MS: '-1' })).toThrow(/SHUTDOWN_GRACE_MS/);
    expect(loadConfig({ SHUTDOWN_GRACE_MS: '0' }).shutdownGraceMs).toBe(0);
  });
});

describe('deadlines', () => {
  it('a caller may ask for less than the default, never more', () => {
    const deadlines = new Deadlines(2000);
    expect(deadlines.start().deadlineMs).toBe(2000);
    expect(deadlines.start(300).deadlineMs).toBe(300);
    expect(deadlines.start(60_000).deadlineMs).toBe(2000);
  });

  it('a finished budget is left alone by shutdown (its request was answered)', () => {
    const deadlines = new Deadlines(60_000);
    const answered = deadlines.start();
    answered.finish();
    deadlines.abortAll();
    expect(answered.signal.aborted).toBe(false);
  });

  it('the deadline aborts a budget with deadline_exceeded naming it', async () => {
    const budget = new Deadlines(60_000).start(20);
    await new Promise((resolve) => budget.signal.addEventListener('abort', resolve, { once: true }));
    expect(budget.failure({ operation: 'authentication' }, [])).toMatchObject({
      status: 504,
      code: 'deadline_exceeded',
      data: { operation: 'authentication', deadline_ms: 20 },
    });
    budget.finish();
  });

  it('shutdown aborts budgets already started and every later one, as shutting_down', () => {
    const deadlines = new Deadlines(60_000);
    const running = deadlines.start();
    deadlines.abortAll();
    const later = deadlines.start();
    for (const budget of [running, later]) {
      expect(budget.signal.aborted).toBe(true);
      expect(budget.failure({}, [])).toMatchObject({ status: 503, code: 'shutting_down' });
    }
  });
});
