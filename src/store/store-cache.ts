import type { AccountDoc } from '../accounts/account-doc.js';
import type { AaaDoc } from '../aaa/aaa-doc.js';
import type { DictionaryDoc } from '../dictionary/dictionary-doc.js';
import type { Logger } from '../log.js';
import { CachedDatabase } from './cached-database.js';
import { ChangesFollower, type FollowerOptions } from './changes-follower.js';
import { type ConflictRecord, ConflictResolver } from './conflict-resolver.js';
import type { RemoteStore, Store, SystemDoc } from './couch.js';
import type { Database, StoredDoc } from './database.js';
import { DocumentMirror } from './mirror.js';

export type DatabaseKey = 'accounts' | 'aaa' | 'dictionaries' | 'system';

export type ChangedIds = Record<DatabaseKey, string[]>;

export interface FeedStatus {
  db: string;
  connected: boolean;
  documents: number;
}

export interface MirrorOptions extends FollowerOptions {
  /** A feed failing for longer than this makes the replica's view stale (`/readyz` answers 503). */
  staleAfterMs?: number;
}

const DEFAULT_STALE_AFTER_MS = 30_000;

/** The store behind mirrors that follow `_changes`: reads stay in memory, writes go through. */
export interface CachedStore extends Store {
  accounts: CachedDatabase<AccountDoc>;
  aaa: CachedDatabase<AaaDoc>;
  dictionaries: CachedDatabase<DictionaryDoc>;
  system: CachedDatabase<SystemDoc>;
  /** Re-reads every document from the store; says which ids changed. */
  reloadAll(): Promise<ChangedIds>;
  /** Re-reads the named documents, and the dictionaries of the named owners. */
  refresh(ids: Partial<Record<Exclude<DatabaseKey, 'dictionaries'>, string[]>>, dictionaryOwners: string[]): Promise<ChangedIds>;
  feeds(): FeedStatus[];
  close(): Promise<void>;
}

async function loadAndFollow<T extends StoredDoc>(
  remote: Database<T>,
  records: Database<ConflictRecord>,
  logger: Logger,
  options: FollowerOptions,
): Promise<CachedDatabase<T>> {
  const mirror = new DocumentMirror<T>();
  // The sequence comes first: a change made during the load is then replayed, never lost.
  const since = await remote.updateSeq();
  mirror.replaceAll(await remote.allDocs());
  const follower = new ChangesFollower(remote, mirror, logger, options, new ConflictResolver(remote, records, logger));
  follower.start(since);
  return new CachedDatabase(remote, mirror, follower);
}

async function refreshIds<T extends StoredDoc>(db: CachedDatabase<T>, ids: readonly string[]): Promise<string[]> {
  const fresh = await db.remote.getMany(ids);
  const changed: string[] = [];
  for (const id of ids) {
    const doc = fresh.get(id);
    const applied = doc ? db.mirror.applyDoc(doc) : db.mirror.applyDeletion(id);
    if (applied) changed.push(id);
  }
  return changed;
}

async function refreshOwned(db: CachedDatabase<DictionaryDoc>, owners: readonly string[]): Promise<string[]> {
  const changed: string[] = [];
  for (const owner of owners) {
    const fresh = await db.remote.listDocs({ startkey: `${owner}~`, endkey: `${owner}~\ufff0` });
    const freshIds = new Set(fresh.map((doc) => doc._id));
    for (const doc of fresh) if (db.mirror.applyDoc(doc)) changed.push(doc._id);
    for (const held of db.mirror.ownedBy(owner)) {
      if (!freshIds.has(held._id) && db.mirror.applyDeletion(held._id)) changed.push(held._id);
    }
  }
  return changed;
}

export async function mirrorStore(remote: RemoteStore, logger: Logger, options: MirrorOptions = {}): Promise<CachedStore> {
  const [accounts, aaa, dictionaries, system] = await Promise.all([
    loadAndFollow(remote.accounts, remote.conflicts, logger, options),
    loadAndFollow(remote.aaa, remote.conflicts, logger, options),
    loadAndFollow(remote.dictionaries, remote.conflicts, logger, options),
    loadAndFollow(remote.system, remote.conflicts, logger, options),
  ]);
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const all = { accounts, aaa, dictionaries, system };
  return {
    ...all,
    url: remote.url,
    ping: () => remote.ping(),
    staleness() {
      const now = Date.now();
      return Object.values(all).flatMap((db) => {
        const since = db.follower.lostSince;
        if (since === undefined || now - since < staleAfterMs) return [];
        return [
          `the changes feed of ${db.name} has been down for ${Math.round((now - since) / 1000)} s; reads from this replica may be stale`,
        ];
      });
    },
    async reloadAll() {
      const reload = async <T extends StoredDoc>(db: CachedDatabase<T>) => db.mirror.replaceAll(await db.remote.allDocs());
      const [a, b, c, d] = await Promise.all([reload(accounts), reload(aaa), reload(dictionaries), reload(system)]);
      return { accounts: a, aaa: b, dictionaries: c, system: d };
    },
    async refresh(ids, dictionaryOwners) {
      return {
        accounts: await refreshIds(accounts, ids.accounts ?? []),
        aaa: await refreshIds(aaa, ids.aaa ?? []),
        system: await refreshIds(system, ids.system ?? []),
        dictionaries: await refreshOwned(dictionaries, dictionaryOwners),
      };
    },
    feeds() {
      return Object.values(all).map((db) => ({
        db: db.name,
        connected: db.follower.connected,
        documents: db.mirror.size,
      }));
    },
    async close() {
      await Promise.all(Object.values(all).map((db) => db.follower.stop()));
    },
  };
}
