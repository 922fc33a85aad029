import type { AccountDoc } from '../accounts/account-doc.js';
import { ownerChain } from '../accounts/owner-chain.js';
import type { Store } from '../store/couch.js';
import type { AaaDoc } from './aaa-doc.js';
import { SYSTEM_AAA_ID, SYSTEM_OWNER } from './aaa-doc.js';
import { type ChainLink, type EffectiveConfig, resolveEffective } from './resolve-effective.js';

/** Loads an account's chain of AAA documents (one round trip for the tree) and resolves it. */
export class EffectiveConfigResolver {
  constructor(private readonly store: Store) {}

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
    return resolveEffective(await this.chainFor(account));
  }
}
