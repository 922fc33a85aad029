import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { startService } from './service.js';

/** How long past SHUTDOWN_GRACE_MS a stop may take before the process exits anyway. */
const FORCE_EXIT_AFTER_GRACE_MS = 10_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
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
