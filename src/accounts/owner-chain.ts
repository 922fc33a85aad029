import type { AccountDoc } from './account-doc.js';

/** The account, then its parent, up to the root: the order in which names resolve. */
export function ownerChain(account: Pick<AccountDoc, '_id' | 'pvt_tree'>): string[] {
  return [account._id, ...[...account.pvt_tree].reverse()];
}
