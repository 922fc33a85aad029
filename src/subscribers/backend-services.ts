import type { AccountService } from '../accounts/account-service.js';
import { AuthLog } from '../auth-log/auth-log.js';
import type { DictionaryResolver } from '../dictionary/dictionary-resolver.js';
import type { Logger } from '../log.js';
import type { SchemaValidator } from '../schema/validator.js';
import { type ChangeSink, ChangesFollower } from '../store/changes-follower.js';
import type { Store } from '../store/couch.js';
import type { CouchNodes } from '../store/couch-nodes.js';
import type { AccountingSink } from '../sessions/accounting-sink.js';
import { openBackendStore } from './backend-store.js';
import { SubscriberBatches } from './batch.js';
import { RestBackend } from './rest-backend.js';
import { RestCredentials } from './rest-credentials.js';
import type { BackendDoc } from './subscriber-doc.js';
import { SubscriberService } from './subscriber-service.js';

/** The FreeRADIUS policy backend, wired: what its routes call. */
export interface BackendServices {
  subscribers: SubscriberService;
  batches: SubscriberBatches;
  restCredentials: RestCredentials;
  rest: RestBackend;
  authLog: AuthLog;
  /** The subscribers database's changes feed the subscriber cache follows (for its metrics). */
  subscriberFeed: ChangesFollower<BackendDoc>;
  /** Applies every account's auth log retention now; the service also runs it periodically. */
  purgeAuthLog(): Promise<number>;
  close(): Promise<void>;
}

export interface BackendOptions {
  /** The store's nodes (`RemoteStore.nodes`): the backend's databases share its deadline, metrics and failover. */
  nodes: CouchNodes;
  dbPrefix: string;
  /** How often retention runs (the first run one interval after start). */
  purgeIntervalMs: number;
}

export async function startBackend(
  options: BackendOptions,
  deps: {
    store: Store;
    accounts: AccountService;
    schemas: SchemaValidator;
    dictionaries: DictionaryResolver;
    logger: Logger;
    sessions?: AccountingSink;
  },
): Promise<BackendServices> {
  const backendStore = await openBackendStore(options.nodes, options.dbPrefix);
  // The caches forget what the subscribers' changes feed says changed (ids only: the next read
  // fetches the document), so a hot subscriber costs no store read while the feed is live, and a
  // REST credential rotated through another replica is refused here as soon as the feed says so.
  const feedLive = (): boolean => subscriberFeed.current;
  const subscribers = new SubscriberService(backendStore, deps.schemas, deps.dictionaries, { feedLive });
  const restCredentials = new RestCredentials(backendStore, { feedLive });
  const forgetChanged: ChangeSink<BackendDoc> = {
    applyChange(change) {
      subscribers.applyChange(change);
      restCredentials.applyChange(change);
    },
  };
  const subscriberFeed = new ChangesFollower(backendStore.subscribers, forgetChanged, deps.logger, { includeDocs: false });
  // From the sequence taken now, before anything is cached, rather than the feed's own `now`
  // (whenever its first request lands): a document cached and then changed before that request
  // would otherwise never be forgotten, and would answer for the feed's long age.
  subscriberFeed.start(await backendStore.subscribers.updateSeq());
  const authLog = new AuthLog(backendStore, {
    onError: (error) => deps.logger.error({ err: error }, 'auth log entries could not be stored'),
  });
  const purgeAuthLog = () =>
    authLog.purge(async (accountId) => {
      const settings = await subscribers.settings(accountId);
      return { days: settings.auth_log_retention_days, maxEntries: settings.auth_log_max_entries };
    });
  const timer = setInterval(() => {
    purgeAuthLog().then(
      (removed) => removed > 0 && deps.logger.info({ removed }, 'auth log retention applied'),
      (error: unknown) => deps.logger.warn({ err: error }, 'auth log retention failed; retried next interval'),
    );
  }, options.purgeIntervalMs);
  timer.unref();
  return {
    subscribers,
    batches: new SubscriberBatches(backendStore, subscribers),
    restCredentials,
    rest: new RestBackend(deps.store, deps.accounts, subscribers, authLog, deps.sessions),
    authLog,
    subscriberFeed,
    purgeAuthLog,
    async close() {
      clearInterval(timer);
      await subscriberFeed.stop();
      await authLog.flush();
    },
  };
}
