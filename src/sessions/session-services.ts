import type { AccountService } from '../accounts/account-service.js';
import type { CoaOperations } from '../aaa/coa.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/couch.js';
import type { CouchNodes } from '../store/couch-nodes.js';
import { ClusterLease } from './cluster-lease.js';
import { GroupCommit } from './group-commit.js';
import { SessionActions } from './session-actions.js';
import type { StalePolicy } from './session-doc.js';
import { SessionMaintenance } from './session-maintenance.js';
import { SessionQuery } from './session-query.js';
import { SessionRecorder } from './session-recorder.js';
import { openSessionStore, type SessionStore } from './session-store.js';

export interface SessionOptions extends StalePolicy {
  /** The store's nodes (`RemoteStore.nodes`): the sessions database shares its deadline, metrics and failover. */
  nodes: CouchNodes;
  dbPrefix: string;
  /** How often a replica tries to take the lease and run the stale close and the purge. */
  taskIntervalMs: number;
  /** Closed sessions are kept this long unless the account's settings say otherwise. */
  retentionDays: number;
  /** This replica's name in the lease (unique per process). */
  replicaId: string;
}

export interface SessionServices {
  store: SessionStore;
  recorder: SessionRecorder;
  query: SessionQuery;
  /** Set once the CoA operations exist (they are wired after the policy backend). */
  actions(coa: CoaOperations): SessionActions;
  maintenance: SessionMaintenance;
  /** One run of the periodic task if this replica takes the lease: stale close, then purge. */
  runTask(retentionDaysOf: (accountId: string) => Promise<number>, now?: number): Promise<{ ran: boolean; closed: number; purged: number }>;
  /** Starts the periodic task; `retentionDaysOf` gives an account's override (undefined: the default). */
  startTask(retentionDaysOf: (accountId: string) => Promise<number | undefined>, logger: Logger): void;
  close(): Promise<void>;
}

export const LEASE_ID = 'lease:session-maintenance';

export async function startSessions(options: SessionOptions, deps: { store: Store; accounts: AccountService }): Promise<SessionServices> {
  const store = await openSessionStore(options.nodes, options.dbPrefix);
  const commits = new GroupCommit(store);
  const recorder = new SessionRecorder(store, commits, options);
  const query = new SessionQuery(store);
  const maintenance = new SessionMaintenance(store, commits);
  // A lease outlives two missed runs, so a replica that stops is replaced within about three intervals.
  const lease = new ClusterLease(store.db, LEASE_ID, options.replicaId, Math.max(10_000, options.taskIntervalMs * 2));
  let timer: NodeJS.Timeout | undefined;
  let actions: SessionActions | undefined;
  const runTask: SessionServices['runTask'] = async (retentionDaysOf, now = Date.now()) => {
    if (!(await lease.acquire())) return { ran: false, closed: 0, purged: 0 };
    const closed = await maintenance.closeStale(now);
    const purged = await maintenance.purge(now, retentionDaysOf);
    return { ran: true, closed, purged };
  };
  return {
    store,
    recorder,
    query,
    maintenance,
    actions(coa) {
      actions ??= new SessionActions(deps.store, deps.accounts, query, recorder, coa);
      return actions;
    },
    runTask,
    startTask(retentionDaysOf, logger) {
      const retention = async (accountId: string) => (await retentionDaysOf(accountId)) ?? options.retentionDays;
      timer = setInterval(() => {
        runTask(retention).then(
          (outcome) => (outcome.closed > 0 || outcome.purged > 0) && logger.info(outcome, 'sessions: stale closed and retention applied'),
          (error: unknown) => logger.warn({ err: error }, 'sessions: periodic task failed; retried next interval'),
        );
      }, options.taskIntervalMs);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      await lease.release();
    },
  };
}
