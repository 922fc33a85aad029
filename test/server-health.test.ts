/**
 * The dead-server registry with a fake clock, a hand-driven timer and a scripted prober; then the
 * real loop against the project's responder (Status-Server answered by default).
 */
import dgram from 'node:dgram';
import { loadConfig } from '../src/config.js';
import { describe, expect, it } from 'vitest';
import { compileDictionaries } from '../src/radius/dictionary/index.js';
import { RadiusClient, type RadiusTarget } from '../src/radius/client/index.js';
import { RadiusResponder } from '../src/radius/responder/index.js';
import { type ProbeTimer, ServerHealth, type ServerStateChange, serverKey, statusServerProber } from '../src/radius/server-health.js';
import { waitFor } from './support/poll.js';
import { seed } from './support/seed.js';

const dictionary = compileDictionaries([seed('dictionary')]);
const target = (port: number, secret = 's3cret'): RadiusTarget => ({
  address: '127.0.0.1',
  port,
  secret,
  dictionary,
  retries: 0,
  timeoutMs: 100,
});

/** A timer driven by hand: `tick()` runs the loop's callback once. */
function manualTimer() {
  let callback: (() => void) | undefined;
  let starts = 0;
  const timer: ProbeTimer = {
    start(tick) {
      callback = tick;
      starts += 1;
      return { stop: () => (callback = undefined) };
    },
  };
  return {
    timer,
    get running() {
      return callback !== undefined;
    },
    get starts() {
      return starts;
    },
    tick() {
      callback?.();
    },
  };
}

function fixture(options: { maxServers?: number; stopped?: () => boolean } = {}) {
  let now = 1_000;
  const changes: ServerStateChange[] = [];
  const answers = new Map<number, boolean>();
  const probed: RadiusTarget[] = [];
  const timer = manualTimer();
  const health = new ServerHealth({
    prober: async (probe) => {
      probed.push(probe);
      return answers.get(probe.port) ?? false;
    },
    probeIntervalMs: 5000,
    now: () => now,
    timer: timer.timer,
    onChange: (change) => changes.push(change),
    ...options,
  });
  return {
    health,
    changes,
    answers,
    probed,
    timer,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('ServerHealth', () => {
  it('keys by address, port and a hash of the secret, never the secret itself', () => {
    const key = serverKey({ address: '127.0.0.1', port: 1812, secret: 'very-secret-value' });
    expect(key).toMatch(/^127\.0\.0\.1:1812\/[0-9a-f]{32}$/);
    expect(key).not.toContain('very-secret-value');
    expect(serverKey({ address: '127.0.0.1', port: 1812, secret: 'other' })).not.toBe(key);
    expect(serverKey({ address: '::1', port: 1812, secret: 'x' })).toBe(serverKey({ address: '0:0:0:0:0:0:0:1', port: 1812, secret: 'x' }));
  });

  it('a server marked dead is dead until a probe answers; the loop runs only while something is dead', async () => {
    const { health, answers, probed, timer, advance, changes } = fixture();
    const server = { address: '127.0.0.1', port: 1812, secret: 's3cret' };
    expect(health.isDead(server)).toBe(false);
    expect(timer.running).toBe(false);
    health.markDead(server, target(1812));
    expect(health.isDead(server)).toBe(true);
    expect(health.isDead({ ...server, secret: 'another tenant' })).toBe(false);
    expect(timer.running).toBe(true);
    expect(health.dead).toEqual([
      expect.objectContaining({ label: '127.0.0.1:1812', deadSince: 1_000, lastProbeAt: null, failedProbes: 0 }),
    ]);
    expect(JSON.stringify(health.dead)).not.toContain('s3cret');

    advance(5000);
    await health.probeDue();
    expect(probed).toHaveLength(1);
    expect(health.isDead(server)).toBe(true);
    expect(health.dead[0]).toMatchObject({ failedProbes: 1, lastProbeAt: 6_000 });

    answers.set(1812, true);
    advance(5000);
    await health.probeDue();
    expect(probed).toHaveLength(2);
    expect(health.isDead(server)).toBe(false);
    expect(timer.running).toBe(false);
    expect(health.stats).toMatchObject({ dead: 0, markedDead: 1, revived: 1 });
    expect(changes).toEqual([
      { server: '127.0.0.1:1812', state: 'dead', via: 'request' },
      { server: '127.0.0.1:1812', state: 'alive', via: 'probe', deadForMs: 10_000 },
    ]);
  });

  it('the timer tick probes; a probe still in flight is not sent again', async () => {
    let release: ((alive: boolean) => void) | undefined;
    let calls = 0;
    const timer = manualTimer();
    const health = new ServerHealth({
      prober: () => {
        calls += 1;
        return new Promise<boolean>((resolve) => (release = resolve));
      },
      timer: timer.timer,
    });
    const server = { address: '127.0.0.1', port: 1, secret: 'x' };
    health.markDead(server, target(1, 'x'));
    timer.tick();
    timer.tick();
    expect(calls).toBe(1);
    release?.(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(health.isDead(server)).toBe(false);
    expect(timer.running).toBe(false);
  });

  it('a live answer revives at once; marking twice keeps one entry', () => {
    const { health, changes } = fixture();
    const server = { address: '127.0.0.1', port: 1812, secret: 's' };
    health.markDead(server, target(1812, 's'));
    health.markDead(server, target(1812, 's'));
    expect(health.stats.dead).toBe(1);
    health.markAlive(server);
    expect(health.isDead(server)).toBe(false);
    expect(changes.map((change) => [change.state, change.via])).toEqual([
      ['dead', 'request'],
      ['alive', 'request'],
    ]);
  });

  it('is bounded: beyond maxServers the oldest dead server is forgotten (treated as alive)', () => {
    const { health } = fixture({ maxServers: 3 });
    for (let port = 1; port <= 5; port += 1) health.markDead({ address: '127.0.0.1', port, secret: 's' }, target(port, 's'));
    expect(health.stats.dead).toBe(3);
    expect(health.dead.map((entry) => entry.label)).toEqual(['127.0.0.1:3', '127.0.0.1:4', '127.0.0.1:5']);
  });

  it('a prober that throws counts as no answer', async () => {
    const health = new ServerHealth({ prober: () => Promise.reject(new Error('boom')), timer: manualTimer().timer });
    const server = { address: '127.0.0.1', port: 9, secret: 's' };
    health.markDead(server, target(9, 's'));
    await health.probeDue();
    expect(health.isDead(server)).toBe(true);
  });

  it('stops for good when `stopped` says so (the client closed), and after close()', () => {
    let stopped = false;
    const { health, timer } = fixture({ stopped: () => stopped });
    health.markDead({ address: '127.0.0.1', port: 1, secret: 's' }, target(1, 's'));
    stopped = true;
    timer.tick();
    expect(timer.running).toBe(false);
    expect(health.stats.dead).toBe(0);
    health.markDead({ address: '127.0.0.1', port: 2, secret: 's' }, target(2, 's'));
    expect(health.stats.dead).toBe(0);
    expect(timer.starts).toBe(1);
  });

  it('AAA_PROBE_INTERVAL_MS: default 5000, a whole number 10..3600000', () => {
    expect(loadConfig({}).aaaProbeIntervalMs).toBe(5000);
    expect(loadConfig({ AAA_PROBE_INTERVAL_MS: '250' }).aaaProbeIntervalMs).toBe(250);
    expect(() => loadConfig({ AAA_PROBE_INTERVAL_MS: '5s' })).toThrow(/AAA_PROBE_INTERVAL_MS/);
    expect(() => loadConfig({ AAA_PROBE_INTERVAL_MS: '0' })).toThrow(/AAA_PROBE_INTERVAL_MS/);
  });
});

describe('ServerHealth with real Status-Server probes', () => {
  it('revives a server once the responder on its port answers Status-Server', async () => {
    // A free port: nothing answers there until the responder starts on it.
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const port = socket.address().port;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    const client = new RadiusClient();
    const health = new ServerHealth({ prober: statusServerProber(client), probeIntervalMs: 50, stopped: () => client.closed });
    const server = { address: '127.0.0.1', port, secret: 'probe-secret' };
    let responder: RadiusResponder | undefined;
    try {
      health.markDead(server, target(port, 'probe-secret'));
      await waitFor(() => (health.dead[0]?.failedProbes ?? 0) > 0, 5000, 'a failed probe');
      expect(health.isDead(server)).toBe(true);
      responder = await RadiusResponder.start({ dictionary, port, clients: { '127.0.0.1': 'probe-secret' }, handlers: {} });
      await waitFor(() => !health.isDead(server), 5000, 'the server to be revived');
      expect(health.stats.looping).toBe(false);
    } finally {
      health.close();
      await client.close();
      await responder?.close();
    }
  });
});
