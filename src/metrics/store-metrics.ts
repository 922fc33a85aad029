import { Counter, Histogram, type Registry } from 'prom-client';
import type { StoreCallObserver } from '../store/couch-nodes.js';
import { BoundedLabel } from './bounded-label.js';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60];

/** The store's own paths (`/`, `/_session`, …) are labelled as such; databases by name. */
const SERVER_PATH = '_server';

/**
 * Store calls (every request the service makes to CouchDB, long polls excepted), by method and
 * database, with their latency, and the ones that failed: no node answered (`unreachable`) or
 * a node answered 5xx. The database label is the name without `DB_PREFIX`; never a document id.
 */
export class StoreMetrics {
  readonly #databases = new BoundedLabel(32);
  readonly #duration: Histogram<'method' | 'database'>;
  readonly #errors: Counter<'method' | 'database' | 'reason'>;

  constructor(
    registry: Registry,
    private readonly dbPrefix: string,
  ) {
    this.#duration = new Histogram({
      name: 'circlemaker_store_request_duration_seconds',
      help: 'Store (CouchDB) calls and their latency over every node tried, by method and database (long polls excepted)',
      labelNames: ['method', 'database'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.#errors = new Counter({
      name: 'circlemaker_store_request_errors_total',
      help: 'Store calls that failed, by method, database and reason (unreachable: no node answered; server_error: 5xx)',
      labelNames: ['method', 'database', 'reason'],
      registers: [registry],
    });
  }

  readonly observer: StoreCallObserver = (method, path, status, seconds) => {
    const labels = { method, database: this.#database(path) };
    this.#duration.observe(labels, seconds);
    if (status === 'unreachable') this.#errors.inc({ ...labels, reason: 'unreachable' });
    else if (status >= 500) this.#errors.inc({ ...labels, reason: 'server_error' });
  };

  #database(path: string): string {
    const end = path.indexOf('/', 1);
    const name = end < 0 ? path.slice(1) : path.slice(1, end);
    if (name === '' || name.startsWith('_')) return SERVER_PATH;
    return this.#databases.value(this.dbPrefix !== '' && name.startsWith(this.dbPrefix) ? name.slice(this.dbPrefix.length) : name);
  }
}
