import type { AccountDoc } from './account-doc.js';

/** Who is calling, as proven by a verified token and a fresh read of their account. */
export interface Caller {
  accountId: string;
  isSuperduperAdmin: boolean;
}

/** A caller may act on its own account and its descendants; the superduper admin on all. */
export function canActOn(caller: Caller, target: Pick<AccountDoc, '_id' | 'pvt_tree'>): boolean {
  return caller.isSuperduperAdmin || target._id === caller.accountId || target.pvt_tree.includes(caller.accountId);
}
