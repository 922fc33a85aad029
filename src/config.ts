import path from 'node:path';
import { parseCidr } from './aaa/destination-policy.js';

/** Everything the service reads from its environment, parsed and checked once at start-up. */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Unset: run the embedded CouchDB-compatible store. */
  couchdbUrl: string | undefined;
  /** A replica whose changes feed has failed for this long says so on `/readyz` (503). */
  storeStaleAfterMs: number;
  /** Deadline of one store request at one node (connect, headers, whole body); see README "Deadlines". */
  storeTimeoutMs: number;
  embeddedCouchdbHost: string;
  embeddedCouchdbPort: number;
  /** Prepended to every database name, so several deployments (or test runs) can share one CouchDB. */
  dbPrefix: string;
  masterApiKey: string | undefined;
  jwtSigningKey: string | undefined;
  tokenLifetimeSeconds: number;
  authFailureLimit: number;
  authFailureWindowSeconds: number;
  maxBodyBytes: number;
  trustProxy: boolean;
  /** How often dead RADIUS servers get a Status-Server probe. */
  aaaProbeIntervalMs: number;
  /** Serve reads from in-memory mirrors that follow CouchDB's `_changes` (off: every read hits the store). */
  storeCache: boolean;
  /** How often the authentication log's retention (days and count per account) is applied. */
  authLogPurgeIntervalMs: number;
  /** Sessions: how often a replica tries the cluster lease and runs the stale close and the purge. */
  sessionTaskIntervalMs: number;
  /** An open session is stale after this many interim intervals without an update. */
  sessionStaleIntervals: number;
  /** The interim interval assumed when the NAS sent no Acct-Interim-Interval (seconds). */
  sessionDefaultInterimSeconds: number;
  /** Closed sessions are kept this many days (an account's subscriber settings may say otherwise). */
  sessionRetentionDays: number;
  /** AAA requests that may wait per worker of a configuration's pool before 503 overloaded. */
  aaaQueuePerWorker: number;
  /** Deadline of an AAA or CoA/Disconnect request, and the most a caller may ask for. */
  aaaRequestDeadlineMs: number;
  /** On SIGTERM/SIGINT, how long in-flight requests may finish before they are aborted. */
  shutdownGraceMs: number;
  /**
   * Where tenants' servers and NAS may be when the system AAA document sets no
   * `tenant_destinations`; undefined: the built-in reserved ranges alone.
   */
  tenantDestinations: { allow: string[]; deny: string[] } | undefined;
  logLevel: string;
  /** Collect Prometheus metrics and serve `GET /metrics` (off: neither, and no hooks on the hot paths). */
  metrics: boolean;
  /** A bearer token that may read `/metrics` (besides the superduper admin's token). */
  metricsToken: string | undefined;
  /** A second listener, on HOST, serving only `/metrics` without authentication. */
  metricsPort: number | undefined;
  /** Processes serving the one PORT (Node's cluster; see src/cluster.ts): 1 runs no cluster. */
  workers: number;
  /** Estimated bytes of compiled dictionaries kept; the least recently used beyond it are dropped. */
  dictionaryCacheBytes: number;
  /** Bytes (by weight) of memoised effective configurations kept; the least recently used beyond it are dropped. */
  effectiveCacheBytes: number;
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}`);
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
}

function optional(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

/** Comma- or space-separated CIDR ranges, each checked. */
function cidrList(env: Env, name: string): string[] | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  const entries = raw.split(/[\s,]+/).filter((entry) => entry !== '');
  for (const entry of entries) {
    const parsed = parseCidr(entry);
    if (!parsed.ok) throw new ConfigError(name, `not a CIDR range: ${parsed.reason}`);
  }
  return entries;
}

function tenantDestinations(env: Env): Config['tenantDestinations'] {
  const allow = cidrList(env, 'AAA_TENANT_DESTINATIONS_ALLOW');
  const deny = cidrList(env, 'AAA_TENANT_DESTINATIONS_DENY');
  return allow === undefined && deny === undefined ? undefined : { allow: allow ?? [], deny: deny ?? [] };
}

export function loadConfig(env: Env = process.env): Config {
  const masterApiKey = optional(env, 'AAA_MASTER_API_KEY');
  if (masterApiKey !== undefined && !/^[0-9a-f]{64}$/i.test(masterApiKey)) {
    throw new ConfigError('AAA_MASTER_API_KEY', 'must be 64 hexadecimal characters');
  }
  const jwtSigningKey = optional(env, 'JWT_SIGNING_KEY');
  if (jwtSigningKey !== undefined && jwtSigningKey.length < 32) {
    throw new ConfigError('JWT_SIGNING_KEY', 'must be at least 32 characters');
  }
  const couchdbUrl = optional(env, 'COUCHDB_URL');
  if (couchdbUrl !== undefined) {
    // Several nodes of one cluster may be listed, comma-separated: the store fails over between them.
    const urls = couchdbUrl.split(',').map((url) => url.trim());
    for (const url of urls) {
      try {
        new URL(url);
      } catch {
        throw new ConfigError('COUCHDB_URL', urls.length > 1 ? 'one of the comma-separated entries is not a URL' : 'is not a URL');
      }
    }
  }
  const metricsToken = optional(env, 'METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters');
  }
  const dbPrefix = env.DB_PREFIX ?? '';
  // CouchDB database names must start with a letter; the embedded store would take more.
  if (!/^([a-z][a-z0-9_]*)?$/.test(dbPrefix)) {
    throw new ConfigError('DB_PREFIX', 'must start with a lower-case letter and hold only lower-case letters, digits and _');
  }
  return {
    host: env.HOST || '127.0.0.1',
    port: integer(env, 'PORT', 8000, 0, 65535),
    dataDir: path.resolve(env.DATA_DIR || './data'),
    couchdbUrl,
    embeddedCouchdbHost: '127.0.0.1',
    // Not 5984: that is where a real CouchDB on the same host listens.
    embeddedCouchdbPort: integer(env, 'EMBEDDED_COUCHDB_PORT', 15984, 0, 65535),
    dbPrefix,
    masterApiKey: masterApiKey?.toLowerCase(),
    jwtSigningKey,
    tokenLifetimeSeconds: integer(env, 'TOKEN_LIFETIME_SECONDS', 3600, 60, 7 * 24 * 3600),
    authFailureLimit: integer(env, 'AUTH_FAILURE_LIMIT', 10, 1, 1_000_000),
    authFailureWindowSeconds: integer(env, 'AUTH_FAILURE_WINDOW_SECONDS', 60, 1, 86_400),
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    trustProxy: boolean(env, 'TRUST_PROXY', false),
    storeCache: boolean(env, 'STORE_CACHE', true),
    storeStaleAfterMs: integer(env, 'STORE_STALE_AFTER_SECONDS', 30, 1, 86_400) * 1000,
    storeTimeoutMs: integer(env, 'STORE_TIMEOUT_MS', 15_000, 100, 600_000),
    authLogPurgeIntervalMs: integer(env, 'AUTH_LOG_PURGE_INTERVAL_SECONDS', 600, 1, 86_400) * 1000,
    sessionTaskIntervalMs: integer(env, 'SESSION_TASK_INTERVAL_SECONDS', 60, 1, 86_400) * 1000,
    sessionStaleIntervals: integer(env, 'SESSION_STALE_INTERVALS', 3, 1, 100),
    sessionDefaultInterimSeconds: integer(env, 'SESSION_DEFAULT_INTERIM_SECONDS', 600, 10, 86_400),
    sessionRetentionDays: integer(env, 'SESSION_RETENTION_DAYS', 90, 1, 3650),
    aaaProbeIntervalMs: integer(env, 'AAA_PROBE_INTERVAL_MS', 5000, 10, 3_600_000),
    aaaQueuePerWorker: integer(env, 'AAA_QUEUE_PER_WORKER', 10, 0, 1000),
    aaaRequestDeadlineMs: integer(env, 'AAA_REQUEST_DEADLINE_MS', 10_000, 100, 600_000),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 5000, 0, 120_000),
    tenantDestinations: tenantDestinations(env),
    logLevel: env.LOG_LEVEL || 'info',
    metrics: boolean(env, 'METRICS', true),
    metricsToken,
    metricsPort: optional(env, 'METRICS_PORT') === undefined ? undefined : integer(env, 'METRICS_PORT', 0, 0, 65535),
    workers: integer(env, 'WORKERS', 1, 1, 256),
    dictionaryCacheBytes: integer(env, 'DICTIONARY_CACHE_MB', 256, 8, 65_536) * 1024 * 1024,
    effectiveCacheBytes: integer(env, 'EFFECTIVE_CACHE_MB', 16, 1, 4096) * 1024 * 1024,
  };
}
