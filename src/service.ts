import crypto from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { MirrorDirectory, ViewDirectory } from './accounts/account-directory.js';
import { AccountService } from './accounts/account-service.js';
import { AuthFailureLimiter } from './accounts/auth-failures.js';
import { ensureMasterAccount } from './accounts/bootstrap.js';
import { resolveSigningKey } from './accounts/signing-key.js';
import { TokenIssuer } from './accounts/tokens.js';
import { AaaOperations } from './aaa/aaa-operations.js';
import { AaaService } from './aaa/aaa-service.js';
import { CoaOperations } from './aaa/coa.js';
import { DestinationGuard } from './aaa/destination-guard.js';
import { DEFAULT_EFFECTIVE_MEMO_BOUNDS, EffectiveConfigResolver } from './aaa/effective-config.js';
import { Deadlines } from './aaa/request-deadline.js';
import { WorkerPools } from './aaa/worker-pool.js';
import { type Config, ConfigError } from './config.js';
import { DictionaryCompiler } from './dictionary/dictionary-compiler.js';
import { DictionaryResolver } from './dictionary/dictionary-resolver.js';
import { DictionaryService } from './dictionary/dictionary-service.js';
import { AppError } from './errors.js';
import { createApp } from './http/app.js';
import { directLane } from './http/direct-lane.js';
import { InFlightRequests } from './http/in-flight.js';
import { allRoutes } from './http/routes/index.js';
import type { Services } from './http/services.js';
import type { Logger } from './log.js';
import { type MetricsListener, startMetricsListener } from './metrics/metrics-listener.js';
import { ServiceMetrics } from './metrics/service-metrics.js';
import { RadiusClient } from './radius/client/index.js';
import { SchemaValidator } from './schema/validator.js';
import { type RemoteStore, type Store, type StoreOptions, openStore } from './store/couch.js';
import { storeHosts } from './store/couch-nodes.js';
import type { EmbeddedCouch } from './store/embedded.js';
import { mirrorStore } from './store/store-cache.js';
import { startBackend } from './subscribers/backend-services.js';
import { accountingSink } from './sessions/accounting-sink.js';
import { startSessions } from './sessions/session-services.js';
import { VERSION } from './version.js';

export interface RunningService {
  url: string;
  storeUrl: string;
  masterAccountId: string;
  /** The `METRICS_PORT` listener's URL, when there is one. */
  metricsUrl?: string;
  close(): Promise<void>;
}

/** Opens the store, waiting for it if it is not up yet: a replica may start before CouchDB does. */
async function openStoreWhenReachable(url: string, prefix: string, logger: Logger, options: StoreOptions): Promise<RemoteStore> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await openStore(url, prefix, options);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 503) throw error;
      const wait = Math.min(5_000, 250 * attempt);
      logger.warn({ store: storeHosts(url), attempt, retry_in_ms: wait }, 'store not reachable yet');
      await sleep(wait);
    }
  }
}

/** A port the embedded store cannot listen on is the operator's to fix: say which variable, and the way around it. */
export function embeddedPortProblem(error: unknown, config: Config): ConfigError | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${config.embeddedCouchdbHost}:${config.embeddedCouchdbPort}`;
  if (code === 'EADDRINUSE') {
    return new ConfigError(
      'EMBEDDED_COUCHDB_PORT',
      `${where} is already in use; choose a free port, or set COUCHDB_URL to use the store already listening there`,
    );
  }
  if (code === 'EACCES') {
    return new ConfigError('EMBEDDED_COUCHDB_PORT', `listening on ${where} is not permitted; choose a port above 1023, or set COUCHDB_URL`);
  }
  return undefined;
}

/**
 * Starts the embedded store, loaded only when used: a service pointed at CouchDB need not load
 * Express, PouchDB and LevelDB at every start (see BENCHMARKS.md, start-up). `role` says in the
 * log line who uses it. The URL carries the store's password: the log names only where it listens
 * and which file holds the credentials.
 */
export async function startEmbeddedStore(config: Config, logger: Logger, role: string): Promise<EmbeddedCouch> {
  const { startEmbeddedCouch } = await import('./store/embedded.js');
  const embedded = await startEmbeddedCouch({
    dataDir: config.dataDir,
    host: config.embeddedCouchdbHost,
    port: config.embeddedCouchdbPort,
  }).catch((error: unknown) => {
    throw embeddedPortProblem(error, config) ?? error;
  });
  logger.info(
    { store: new URL(embedded.url).host, credentials_file: embedded.credentialsFile, data_dir: config.dataDir },
    `embedded CouchDB-compatible store listening; ${role}`,
  );
  return embedded;
}

/** After the grace, how long aborted requests get to send their 503 before connections are cut. */
const SHUTDOWN_FLUSH_MS = 1000;

/** config → store → services → HTTP, and the way back down on close. */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  let embedded: EmbeddedCouch | undefined;
  if (!config.couchdbUrl) {
    embedded = await startEmbeddedStore(config, logger, 'it admits only the credentials in the file named here');
  }
  const storeUrl = config.couchdbUrl ?? embedded?.url ?? '';
  const metrics = config.metrics ? new ServiceMetrics(config.dbPrefix) : undefined;
  const remote = await openStoreWhenReachable(storeUrl, config.dbPrefix, logger, {
    timeoutMs: config.storeTimeoutMs,
    ...(metrics ? { observer: metrics.store.observer } : {}),
  });
  const schemas = new SchemaValidator();
  // Bootstrap writes go straight to the store, before any mirror exists to go stale.
  const masterAccountId = await ensureMasterAccount(remote, {
    masterApiKey: config.masterApiKey,
    dataDir: config.dataDir,
    logger,
  });
  await new DictionaryService(remote, schemas).loadSystemDictionaries();
  const signingKey = await resolveSigningKey(remote, config.jwtSigningKey);
  const cached = config.storeCache ? await mirrorStore(remote, logger, { staleAfterMs: config.storeStaleAfterMs }) : undefined;
  const store: Store = cached ?? remote;
  const views = new ViewDirectory(remote.accounts);
  const directory = cached ? new MirrorDirectory(cached.accounts.mirror, views) : views;
  const accounts = new AccountService(store, schemas, directory);
  if (cached) accounts.memoiseStandings(cached.accounts.mirror);
  const dictionaries = new DictionaryService(store, schemas);
  const dictionaryCompiler = new DictionaryCompiler({ maxBytes: config.dictionaryCacheBytes });
  const dictionaryResolver = new DictionaryResolver(store, dictionaryCompiler);
  // The mirrors' change events keep each account's memoised effective configuration current.
  const effective = new EffectiveConfigResolver(store, dictionaryResolver, cached, {
    ...DEFAULT_EFFECTIVE_MEMO_BOUNDS,
    maxWeight: config.effectiveCacheBytes,
  });
  const radius = new RadiusClient();
  const destinations = new DestinationGuard(store, { masterAccountId, defaults: config.tenantDestinations });
  // One pool registry and one deadline source for the AAA operations and CoA/Disconnect alike.
  const pools = new WorkerPools({ queuePerWorker: config.aaaQueuePerWorker });
  const deadlines = new Deadlines(config.aaaRequestDeadlineMs);
  const aaaOperations = new AaaOperations(effective, dictionaryResolver, radius, pools, destinations, {
    deadlines,
    probeIntervalMs: config.aaaProbeIntervalMs,
    // Addresses and ports only: the registry's change events never carry a secret.
    onServerState: (change) => logger[change.state === 'dead' ? 'warn' : 'info'](change, `RADIUS server ${change.state}`),
    observer: {
      exchanged: (...exchange) => metrics?.radius.exchanged(...exchange),
      // Addresses, ports, outcomes and the requesting account: never a secret.
      finished: (report) => {
        metrics?.radius.finished(report);
        logger[(report.status ?? 0) >= 500 ? 'warn' : 'info'](report, 'aaa operation');
      },
    },
  });
  const sessions = await startSessions(
    {
      nodes: remote.nodes,
      dbPrefix: config.dbPrefix,
      taskIntervalMs: config.sessionTaskIntervalMs,
      retentionDays: config.sessionRetentionDays,
      intervalMultiple: config.sessionStaleIntervals,
      defaultIntervalSeconds: config.sessionDefaultInterimSeconds,
      replicaId: `${os.hostname()}/${process.pid}/${crypto.randomUUID()}`,
    },
    { store, accounts },
  );
  const backend = await startBackend(
    { nodes: remote.nodes, dbPrefix: config.dbPrefix, purgeIntervalMs: config.authLogPurgeIntervalMs },
    { store, accounts, schemas, dictionaries: dictionaryResolver, logger, sessions: accountingSink(sessions.recorder, sessions.query) },
  );
  // An account's subscriber settings may override SESSION_RETENTION_DAYS for its closed sessions.
  sessions.startTask(async (accountId) => (await backend.subscribers.settings(accountId)).session_retention_days, logger);
  const services: Services = {
    backend,
    sessions,
    config,
    store,
    schemas,
    tokens: new TokenIssuer(signingKey, config.tokenLifetimeSeconds),
    authFailures: new AuthFailureLimiter(config.authFailureLimit, config.authFailureWindowSeconds * 1000),
    accounts,
    aaa: new AaaService(store, schemas, dictionaries, dictionaryResolver, destinations),
    dictionaries,
    dictionaryCompiler,
    dictionaryResolver,
    effective,
    radius,
    aaaOperations,
    coa: new CoaOperations(store, schemas, dictionaryResolver, radius, destinations, pools, { deadlines }),
  };
  metrics?.watch({
    pools,
    health: aaaOperations.health,
    dictionaryCompiler,
    effective,
    logins: services.authFailures,
    feeds: {
      ...(cached
        ? {
            accounts: cached.accounts.follower,
            aaa: cached.aaa.follower,
            dictionaries: cached.dictionaries.follower,
            system: cached.system.follower,
          }
        : {}),
      subscribers: backend.subscriberFeed,
    },
  });
  const routes = allRoutes(services, VERSION, cached);
  const app = createApp(routes, services, logger, metrics);
  const server = http.createServer(
    directLane(routes, app.callback(), {
      logger,
      metrics,
      maxBodyBytes: config.maxBodyBytes,
      trustProxy: config.trustProxy,
      authenticate: async (authorization) => ({
        accountId: await services.backend.restCredentials.verify(authorization),
        isSuperduperAdmin: false,
      }),
    }),
  );
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const inFlight = new InFlightRequests(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  let metricsListener: MetricsListener | undefined;
  if (metrics && config.metricsPort !== undefined) {
    metricsListener = await startMetricsListener(metrics, config.host, config.metricsPort, logger);
    logger.info({ url: metricsListener.url }, 'metrics listening (GET /metrics, no authentication)');
  }
  logger.info({ url, store: storeHosts(storeUrl) }, 'circlemaker listening');
  return {
    url,
    storeUrl,
    masterAccountId,
    ...(metricsListener ? { metricsUrl: metricsListener.url } : {}),
    /**
     * Stops accepting, lets in-flight requests finish for `shutdownGraceMs`, then aborts the AAA
     * and CoA/Disconnect ones still running (503 `shutting_down`) and, after at most
     * SHUTDOWN_FLUSH_MS more, closes every connection: resolves within grace + flush + the
     * store's own close, and logs "stopped".
     */
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      logger.info(
        { in_flight: inFlight.count, grace_ms: config.shutdownGraceMs },
        'draining: no new connections, in-flight requests may finish',
      );
      let aborted = 0;
      if (!(await inFlight.drained(config.shutdownGraceMs))) {
        aborted = inFlight.count;
        deadlines.abortAll();
        await inFlight.drained(SHUTDOWN_FLUSH_MS);
      }
      server.closeAllConnections();
      await closed;
      await metricsListener?.close();
      aaaOperations.close();
      await backend.close();
      await sessions.close();
      await radius.close();
      await cached?.close();
      await embedded?.close();
      logger.info({ aborted_requests: aborted }, 'stopped');
    },
  };
}
