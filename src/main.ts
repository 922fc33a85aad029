import cluster from 'node:cluster';
import { type Config, ConfigError, loadConfig } from './config.js';
import { runPrimary } from './cluster.js';
import { type Logger, createLogger } from './log.js';
import { startEmbeddedStore, startService } from './service.js';

/** How long past SHUTDOWN_GRACE_MS a stop may take before the process exits anyway. */
const FORCE_EXIT_AFTER_GRACE_MS = 10_000;

/**
 * WORKERS > 1: this process is the cluster's primary. Without COUCHDB_URL it runs the embedded
 * store itself (the workers cannot each open its files) and hands the workers its URL.
 */
async function runClusterPrimary(config: Config, logger: Logger): Promise<void> {
  const workerEnv: Record<string, string> = {};
  let closeStore = async () => {};
  if (!config.couchdbUrl) {
    const embedded = await startEmbeddedStore(config, logger, 'the cluster primary runs it; the workers use it');
    // The URL carries the store's password: it goes to the workers' environment, never to a log.
    workerEnv.COUCHDB_URL = embedded.url;
    closeStore = () => embedded.close();
  }
  const { stopped } = runPrimary(config, logger, workerEnv, closeStore);
  const code = await stopped;
  logger.info({ code }, 'cluster stopped');
  process.exit(code);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const rootLogger = createLogger(config.logLevel);
  if (config.workers > 1 && cluster.isPrimary) {
    await runClusterPrimary(config, rootLogger.child({ role: 'primary' }));
    return;
  }
  // A worker's lines say which process wrote them.
  const logger = cluster.worker ? rootLogger.child({ worker: cluster.worker.id, pid: process.pid }) : rootLogger;
  const service = await startService(config, logger);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    // close() ends within the grace plus a short flush; a store that hangs on close must not keep us.
    const force = setTimeout(() => {
      logger.error({ waited_ms: config.shutdownGraceMs + FORCE_EXIT_AFTER_GRACE_MS }, 'stop did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownGraceMs + FORCE_EXIT_AFTER_GRACE_MS);
    force.unref();
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // A worker whose primary is gone (killed without passing the signal on) stops as if told to.
  if (cluster.worker) process.on('disconnect', () => stop('primary gone'));
}

main().catch((error: unknown) => {
  // A configuration problem found while starting (a taken port, say) is the operator's to fix: one line, no stack.
  if (error instanceof ConfigError) {
    process.stderr.write(`configuration error: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`circlemaker failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
