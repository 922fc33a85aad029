import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AaaObserver, AaaOperationReport } from '../aaa/aaa-operations.js';
import type { Operation } from '../aaa/aaa-doc.js';
import type { ServerHealth } from '../radius/server-health.js';
import { BoundedLabel } from './bounded-label.js';

/** RADIUS round trips, seconds: a LAN answer (~1 ms) to the longest per-copy timeout. */
const RTT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Distinct `address:port` values kept as labels; servers past these are counted as `other`. */
export const MAX_SERVER_LABELS = 64;

/**
 * RADIUS exchanges and AAA operations (pushed by the AAA operations, once per server tried and
 * once per operation: a few label look-ups each), and dead servers (read from the registry at
 * scrape time). Server labels are `address:port` only, never a secret or an account.
 */
export class RadiusMetrics implements AaaObserver {
  readonly servers = new BoundedLabel(MAX_SERVER_LABELS);
  readonly #requests: Counter<'operation' | 'server' | 'outcome'>;
  readonly #transmissions: Counter<'operation' | 'server'>;
  readonly #rtt: Histogram<'operation' | 'server'>;
  readonly #operations: Counter<'operation' | 'outcome'>;

  constructor(registry: Registry) {
    this.#requests = new Counter({
      name: 'circlemaker_radius_requests_total',
      help: 'RADIUS requests to one server (with their retransmissions), by operation, server address:port and outcome',
      labelNames: ['operation', 'server', 'outcome'],
      registers: [registry],
    });
    this.#transmissions = new Counter({
      name: 'circlemaker_radius_transmissions_total',
      help: 'RADIUS packets sent (first copies and retransmissions), by operation and server address:port',
      labelNames: ['operation', 'server'],
      registers: [registry],
    });
    this.#rtt = new Histogram({
      name: 'circlemaker_radius_rtt_seconds',
      help: 'Round trip of answered RADIUS requests (from the copy answered), by operation and server address:port',
      labelNames: ['operation', 'server'],
      buckets: RTT_BUCKETS,
      registers: [registry],
    });
    this.#operations = new Counter({
      name: 'circlemaker_aaa_operations_total',
      help: 'AAA operations (authn, authz, accounting) finished, by operation and outcome (result or error code)',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    });
  }

  exchanged(operation: Operation, server: string, outcome: string, rttMs: number | undefined, transmissions: number): void {
    const labels = { operation, server: this.servers.value(server) };
    this.#requests.inc({ ...labels, outcome });
    if (transmissions > 0) this.#transmissions.inc(labels, transmissions);
    if (rttMs !== undefined) this.#rtt.observe(labels, rttMs / 1000);
  }

  finished(report: AaaOperationReport): void {
    this.#operations.inc({ operation: report.operation, outcome: report.outcome });
  }

  /** Dead servers as the registry holds them now, and its counts of deaths and revivals. */
  watchHealth(registry: Registry, health: ServerHealth): void {
    const servers = this.servers;
    new Gauge({
      name: 'circlemaker_radius_dead_servers',
      help: 'RADIUS servers marked dead (skipped by live traffic until a Status-Server probe answers), by address:port',
      labelNames: ['server'],
      registers: [registry],
      collect() {
        this.reset();
        for (const dead of health.dead) this.inc({ server: servers.value(dead.label) });
      },
    });
    new Counter({
      name: 'circlemaker_radius_servers_marked_dead_total',
      help: 'Times a RADIUS server was marked dead',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(health.stats.markedDead);
      },
    });
    new Counter({
      name: 'circlemaker_radius_servers_revived_total',
      help: 'Times a dead RADIUS server was revived (a live answer or a probe)',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(health.stats.revived);
      },
    });
  }
}
