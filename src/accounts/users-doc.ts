import crypto from 'node:crypto';
import type { SystemDoc } from '../store/couch.js';

/** The public, client-writable part of an operator user (the password is write-only). */
export interface UserFields {
  username: string;
  first_name?: string;
  last_name?: string;
  email?: string;
  enabled?: boolean;
}

/**
 * An operator user of an account, kept in the system database beside the realm claims. Its id
 * is derived from the account and the lower-cased username, so the store itself refuses a second
 * user of the same name in one account (a create is a put without revision), and a login finds
 * the user with one read.
 */
export interface UserDoc extends SystemDoc, UserFields {
  pvt_type: 'user';
  pvt_account_id: string;
  /** `scrypt$N$r$p$salt$hash` (see users-password.ts); never leaves the service. */
  pvt_password_hash: string;
  pvt_created: number;
  pvt_modified: number;
}

export interface UserView extends UserFields {
  id: string;
  account_id: string;
  created: string;
  modified: string;
}

const USERNAME_KEY = (username: string): string => username.normalize('NFC').toLowerCase();

/** The user's id in the API: 32 hex characters, like every other id, stable for a username. */
export function userIdFor(username: string): string {
  return crypto.createHash('sha256').update(USERNAME_KEY(username), 'utf8').digest('hex').slice(0, 32);
}

export function userDocId(accountId: string, userId: string): string {
  return `user:${accountId}:${userId}`;
}

/** Range of the account's user documents, for listing. */
export function userDocRange(accountId: string): { startkey: string; endkey: string } {
  return { startkey: `user:${accountId}:`, endkey: `user:${accountId}:\ufff0` };
}

export function isUserDoc(doc: SystemDoc | undefined): doc is UserDoc {
  return doc?.pvt_type === 'user' && typeof doc.pvt_account_id === 'string' && typeof doc.pvt_password_hash === 'string';
}

export function userView(doc: UserDoc): UserView {
  const view: UserView = {
    id: userIdFor(doc.username),
    account_id: doc.pvt_account_id,
    username: doc.username,
    enabled: doc.enabled !== false,
    created: new Date(doc.pvt_created).toISOString(),
    modified: new Date(doc.pvt_modified).toISOString(),
  };
  if (doc.first_name !== undefined) view.first_name = doc.first_name;
  if (doc.last_name !== undefined) view.last_name = doc.last_name;
  if (doc.email !== undefined) view.email = doc.email;
  return view;
}
