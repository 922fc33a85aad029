/**
 * One process per core behind one port (`WORKERS=n`): the primary forks n workers, each a whole
 * service with its own store mirrors and caches, all listening on PORT through Node's cluster
 * module (the primary accepts connections and hands them round-robin to the workers). The primary
 * serves no requests: it replaces a worker that dies, and on SIGTERM/SIGINT passes SIGTERM on to
 * every worker, each then stopping gracefully, and exits when they all have.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config.js';
import type { Logger } from './log.js';

/** A worker that lived at least this long is replaced at once; one dying younger waits longer each time. */
const STABLE_AFTER_MS = 10_000;
const FIRST_RESTART_DELAY_MS = 250;
const MAX_RESTART_DELAY_MS = 30_000;
/** How long past the service's own grace the primary waits for workers before killing them. */
const FORCE_AFTER_GRACE_MS = 15_000;
/** The exit code with which a worker reports a configuration problem: restarting cannot fix it. */
const CONFIGURATION_EXIT_CODE = 2;

export interface RunningCluster {
  /** Resolves with the exit code once every worker has stopped. */
  stopped: Promise<number>;
}

interface Slot {
  worker: Worker;
  startedAt: number;
  listening: boolean;
}

/**
 * Runs the primary. `workerEnv` is added to each worker's environment (the embedded store's URL
 * when the primary runs it, since n processes cannot each open the same LevelDB files).
 */
export function runPrimary(
  config: Config,
  logger: Logger,
  workerEnv: Record<string, string> = {},
  onStopped?: () => Promise<void>,
): RunningCluster {
  const slots = new Map<number, Slot>();
  let stopping = false;
  let restartDelayMs = FIRST_RESTART_DELAY_MS;
  let exitCode = 0;
  let resolveStopped: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => (resolveStopped = resolve));

  const fork = (): Promise<void> => {
    const worker = cluster.fork(workerEnv);
    const slot: Slot = { worker, startedAt: Date.now(), listening: false };
    slots.set(worker.id, slot);
    logger.info({ worker: worker.id, pid: worker.process.pid }, 'worker started');
    return new Promise((resolve) => {
      worker.once('listening', () => {
        slot.listening = true;
        resolve();
      });
      worker.once('exit', () => resolve());
    });
  };

  const finishIfDone = () => {
    if (slots.size > 0) return;
    (onStopped ?? (async () => {}))().then(
      () => resolveStopped(exitCode),
      (error: unknown) => {
        logger.error({ err: error }, 'stopping after the workers failed');
        resolveStopped(1);
      },
    );
  };

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: slots.size }, 'stopping: SIGTERM to every worker');
    for (const { worker } of slots.values()) worker.process.kill('SIGTERM');
    const force = setTimeout(() => {
      logger.error({ workers: slots.size }, 'workers did not stop in time; killing them');
      exitCode = 1;
      for (const { worker } of slots.values()) worker.process.kill('SIGKILL');
    }, config.shutdownGraceMs + FORCE_AFTER_GRACE_MS);
    force.unref();
    finishIfDone();
  };

  cluster.on('exit', (worker, code, signal) => {
    const slot = slots.get(worker.id);
    slots.delete(worker.id);
    if (stopping) {
      if (code !== 0 && code !== null) exitCode = 1;
      finishIfDone();
      return;
    }
    if (code === CONFIGURATION_EXIT_CODE && !slot?.listening) {
      logger.error({ worker: worker.id, code }, 'a worker could not start: configuration problem; stopping');
      exitCode = CONFIGURATION_EXIT_CODE;
      stop('worker configuration error');
      return;
    }
    const lived = Date.now() - (slot?.startedAt ?? 0);
    restartDelayMs = lived >= STABLE_AFTER_MS ? FIRST_RESTART_DELAY_MS : Math.min(MAX_RESTART_DELAY_MS, restartDelayMs * 2);
    logger.warn(
      { worker: worker.id, pid: worker.process.pid, code, signal, lived_ms: lived, restart_in_ms: restartDelayMs },
      'worker died; replacing it',
    );
    setTimeout(() => {
      if (!stopping) void fork();
    }, restartDelayMs).unref();
  });

  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  // The first worker alone first: it runs the one-time bootstrap (master account, seed
  // dictionaries, signing key) before others could race it.
  void (async () => {
    await fork();
    if (stopping) return;
    await Promise.all(Array.from({ length: config.workers - 1 }, fork));
    logger.info({ workers: config.workers, port: config.port, primary_pid: process.pid }, 'cluster listening');
  })();
  return { stopped };
}
