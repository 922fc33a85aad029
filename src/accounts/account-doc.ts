import type { StoredDoc } from '../store/database.js';

/** The public, client-writable part of an account. */
export interface AccountFields {
  name: string;
  realm?: string;
  enabled?: boolean;
  timezone?: string;
  language?: string;
}

export interface AccountDoc extends StoredDoc, AccountFields {
  pvt_type: 'account';
  /** Ancestors, root first; empty for the master account. */
  pvt_tree: string[];
  pvt_api_key_hash: string;
  pvt_superduper_admin: boolean;
  /** Bumped when the API key is rotated: the account's own tokens end. Absent (0) on older documents. */
  pvt_key_generation?: number;
  /** Bumped each time the account is disabled: its tokens and its whole subtree's end. Absent (0) on older documents. */
  pvt_disable_generation?: number;
  pvt_created: number;
  pvt_modified: number;
}

export interface AccountView extends AccountFields {
  id: string;
  superduper_admin: boolean;
  created: string;
  modified: string;
}

export function accountView(doc: AccountDoc): AccountView {
  const view: AccountView = {
    id: doc._id,
    name: doc.name,
    enabled: doc.enabled !== false,
    superduper_admin: doc.pvt_superduper_admin,
    created: new Date(doc.pvt_created).toISOString(),
    modified: new Date(doc.pvt_modified).toISOString(),
  };
  if (doc.realm !== undefined) view.realm = doc.realm;
  if (doc.timezone !== undefined) view.timezone = doc.timezone;
  if (doc.language !== undefined) view.language = doc.language;
  return view;
}

/** Ancestors of a child of `parent`, root first. */
export function childTree(parent: AccountDoc): string[] {
  return [...parent.pvt_tree, parent._id];
}

/**
 * What a token must carry to stay valid: the account's key generation plus the disable
 * generations of the account and of every ancestor. Each counter only ever grows, so the sum
 * changes whenever one of them is bumped: rotating a key ends the account's own tokens, disabling
 * an account ends its tokens and those of its whole subtree, and neither comes back.
 */
export function tokenGeneration(account: AccountDoc, ancestors: Iterable<AccountDoc>): number {
  let sum = (account.pvt_key_generation ?? 0) + (account.pvt_disable_generation ?? 0);
  for (const ancestor of ancestors) sum += ancestor.pvt_disable_generation ?? 0;
  return sum;
}
