import type { AccountDoc } from '../accounts/account-doc.js';
import { ownerChain } from '../accounts/owner-chain.js';
import type { DictionaryResolver } from '../dictionary/dictionary-resolver.js';
import type { Store } from '../store/couch.js';
import type { AaaDoc } from './aaa-doc.js';
import { OPERATIONS, SYSTEM_AAA_ID, SYSTEM_OWNER } from './aaa-doc.js';
import { type ChainLink, type EffectiveConfig, type EffectiveServer, resolveEffective } from './resolve-effective.js';

/** Which dictionaries a server's `dicts` resolved to, and what conflicts their order settles. */
export interface ServerDictionaries {
  dictionaries: { name: string; id: string; owner: string; revision: string }[];
  missing_dictionaries: string[];
  dictionary_warnings: string[];
}

export type EffectiveServerWithDictionaries = EffectiveServer & ServerDictionaries;

/** Loads an account's chain of AAA documents (from the cache when there is one) and resolves it. */
export class EffectiveConfigResolver {
  constructor(
    private readonly store: Store,
    private readonly dictionaries: DictionaryResolver,
  ) {}

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

  async resolve(account: AccountDoc): Promise<EffectiveConfig> {
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
