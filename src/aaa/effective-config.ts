import type { AccountDoc } from '../accounts/account-doc.js';
import { ownerChain } from '../accounts/owner-chain.js';
import type { DictionaryResolver } from '../dictionary/dictionary-resolver.js';
import type { Store } from '../store/couch.js';
import type { StoredDoc } from '../store/database.js';
import type { MirrorListener } from '../store/mirror.js';
import type { AaaDoc } from './aaa-doc.js';
import { OPERATIONS, SYSTEM_AAA_ID, SYSTEM_OWNER } from './aaa-doc.js';
import { DependencyMemo, type MemoBounds } from './effective-memo.js';
import { type ChainLink, type EffectiveConfig, type EffectiveServer, resolveEffective } from './resolve-effective.js';

/** Which dictionaries a server's `dicts` resolved to, and what conflicts their order settles. */
export interface ServerDictionaries {
  dictionaries: { name: string; id: string; owner: string; revision: string }[];
  missing_dictionaries: string[];
  dictionary_warnings: string[];
}

export type EffectiveServerWithDictionaries = EffectiveServer & ServerDictionaries;

/** Something that reports every document change it applies (the store mirrors do). */
interface ChangeSource {
  onChange(listener: MirrorListener<StoredDoc>): void;
}

/** The mirrors whose changes can alter an effective configuration. */
export interface EffectiveChangeFeeds {
  accounts: { mirror: ChangeSource };
  aaa: { mirror: ChangeSource };
  dictionaries: { mirror: ChangeSource };
  system: { mirror: ChangeSource };
}

/** An account's effective configuration and its `data` as the API sends it, serialized once. */
export interface ResolvedEffective {
  config: EffectiveConfig;
  /** `{"account_id":…,"authentication":…,…}` as UTF-8, ready to send without encoding it again. */
  json: Buffer;
}

/**
 * 16 MiB (`EFFECTIVE_CACHE_MB`) of answers by weight, at most 1,000,000 of them. An answer weighs
 * twice its serialized form: the configuration objects it was made from and the memo's bookkeeping
 * take about as much heap again (bench/cache/memory.ts: 10,000 answers of 3.2 KB held 32 MiB of
 * Buffers and 35 MiB of heap). Counting the serialized form alone, against 32 MiB, let 10,000
 * accounts' answers take ~100 MiB of RSS, past the 200 MB that benchmark allows the whole cache.
 * A depth-50 answer (~18 KB) weighs ~36 KB.
 */
export const DEFAULT_EFFECTIVE_MEMO_BOUNDS: MemoBounds = { maxEntries: 1_000_000, maxWeight: 16 * 1024 * 1024 };

/** What a memoised answer is taken to cost in memory: its serialized form, and as much again. */
function memoWeight(answer: ResolvedEffective): number {
  return answer.json.length * 2;
}

const dependency = {
  account: (id: string) => `account:${id}`,
  aaa: (owner: string) => `aaa:${owner}`,
  system: (id: string) => `system:${id}`,
  dictionariesOf: (owner: string) => `dicts:${owner}`,
};

/** `<owner>~<name>` → owner. */
const dictionaryOwner = (id: string) => id.slice(0, Math.max(0, id.indexOf('~')));

/**
 * Loads an account's chain of AAA documents (from the cache when there is one) and resolves it.
 * With change feeds, each account's answer is kept until a document it was computed from changes
 * (the account itself, an AAA document of its chain, the system document, a dictionary of an
 * owner in its chain), so a deep account costs what a shallow one does; without them (no store
 * cache), every call resolves afresh.
 */
export class EffectiveConfigResolver {
  private readonly memo: DependencyMemo<ResolvedEffective> | undefined;

  constructor(
    private readonly store: Store,
    private readonly dictionaries: DictionaryResolver,
    feeds?: EffectiveChangeFeeds,
    bounds: MemoBounds = DEFAULT_EFFECTIVE_MEMO_BOUNDS,
  ) {
    if (!feeds) return;
    const memo = new DependencyMemo<ResolvedEffective>(bounds);
    this.memo = memo;
    feeds.accounts.mirror.onChange((id) => memo.invalidate(dependency.account(id)));
    feeds.aaa.mirror.onChange((id) => memo.invalidate(dependency.aaa(id)));
    feeds.system.mirror.onChange((id) => memo.invalidate(dependency.system(id)));
    feeds.dictionaries.mirror.onChange((id) => memo.invalidate(dependency.dictionariesOf(dictionaryOwner(id))));
  }

  /** Answers held, their total weight in bytes (see `memoWeight`) and its bound: for metrics. */
  memoStats(): { entries: number; bytes: number; maxBytes: number } {
    return { entries: this.memo?.size ?? 0, bytes: this.memo?.weight ?? 0, maxBytes: this.memo?.bounds.maxWeight ?? 0 };
  }

  async chainFor(account: AccountDoc): Promise<ChainLink[]> {
    const owners = ownerChain(account);
    const [docs, system] = await Promise.all([
      this.store.aaa.getMany(owners),
      this.store.system.get(SYSTEM_AAA_ID) as Promise<AaaDoc | undefined>,
    ]);
    const links: ChainLink[] = owners.map((owner) => ({ owner, config: docs.get(owner) }));
    links.push({ owner: SYSTEM_OWNER, config: system?.pvt_type === 'aaa' ? system : undefined });
    return links;
  }

  /** The configuration and its serialized form, from the memo when nothing under it changed (shared then: callers must not change it). */
  async resolved(account: AccountDoc): Promise<ResolvedEffective> {
    const version = account._rev ?? '';
    const held = this.memo?.get(account._id, version);
    if (held) return held;
    const begun = this.memo?.begin() ?? 0;
    const config = await this.resolveAfresh(account);
    const answer = { config, json: Buffer.from(JSON.stringify({ account_id: account._id, ...config })) };
    const owners = ownerChain(account);
    this.memo?.set(
      account._id,
      version,
      answer,
      memoWeight(answer),
      [
        dependency.account(account._id),
        dependency.system(SYSTEM_AAA_ID),
        dependency.dictionariesOf(SYSTEM_OWNER),
        ...owners.map(dependency.aaa),
        ...owners.map(dependency.dictionariesOf),
      ],
      begun,
    );
    return answer;
  }

  private async resolveAfresh(account: AccountDoc): Promise<EffectiveConfig> {
    const effective = resolveEffective(await this.chainFor(account));
    const owners = ownerChain(account);
    // The three operations usually share servers: resolve each (source, list) once per request.
    const resolved = new Map<string, Promise<ServerDictionaries>>();
    for (const operation of OPERATIONS) {
      const answer = effective[operation];
      // Dictionary names resolve from the account whose document names them.
      const from = answer.source === null || answer.source === SYSTEM_OWNER ? [] : owners.slice(owners.indexOf(answer.source));
      answer.servers = await Promise.all(
        answer.servers.map(async (server) => {
          const key = JSON.stringify([answer.source, server.dicts]);
          let dictionaries = resolved.get(key);
          if (!dictionaries) resolved.set(key, (dictionaries = this.dictionariesOf(server.dicts, from)));
          return { ...server, ...(await dictionaries) };
        }),
      );
    }
    return effective;
  }

  private async dictionariesOf(names: readonly string[], ownerChainOfSource: string[]): Promise<ServerDictionaries> {
    const { sources, missing } = await this.dictionaries.resolve(names, ownerChainOfSource);
    let warnings: string[];
    try {
      warnings = this.dictionaries.compiled(sources).conflicts.map((conflict) => conflict.message);
    } catch (error) {
      warnings = [`the dictionaries do not compile: ${(error as Error).message}`];
    }
    return {
      dictionaries: sources.map((source) => ({ name: source.name, id: source.id, owner: source.owner, revision: source.rev })),
      missing_dictionaries: missing,
      dictionary_warnings: warnings,
    };
  }
}
