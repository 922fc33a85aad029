import crypto from 'node:crypto';
import type { StoredDoc } from '../store/database.js';

/** Attribute name → one value or several (`Cisco-AVPair: ["a", "b"]`). */
export type AttributeValue = string | number;
export type AttributeMap = Record<string, AttributeValue | AttributeValue[]>;

/** How much of a password an account keeps besides the scrypt hash (see README, CHAP and MS-CHAPv2). */
export type ReversibleCredentials = 'none' | 'nt_password' | 'cleartext';

export interface SubscriberDoc extends StoredDoc {
  pvt_type: 'subscriber';
  pvt_account_id: string;
  username: string;
  enabled: boolean;
  groups: string[];
  check: AttributeMap;
  reply: AttributeMap;
  expires?: string | null;
  /** scrypt (see password-hash.ts); absent for a subscriber without a password yet. */
  pvt_password_hash?: string;
  /** Hex NT hash, only when the account opted in (MS-CHAP). */
  pvt_nt_hash?: string;
  /** The password itself, only when the account opted in to `cleartext` (CHAP). */
  pvt_cleartext?: string;
  pvt_batch_id?: string;
  pvt_created: number;
  pvt_modified: number;
}

export interface GroupDoc extends StoredDoc {
  pvt_type: 'subscriber_group';
  pvt_account_id: string;
  name: string;
  check: AttributeMap;
  reply: AttributeMap;
  pvt_created: number;
  pvt_modified: number;
}

export interface SubscriberSettingsDoc extends StoredDoc {
  pvt_type: 'subscriber_settings';
  pvt_account_id: string;
  dicts: string[];
  reversible_credentials: ReversibleCredentials;
  auth_log_retention_days: number;
  auth_log_max_entries: number;
  /** Days this account's closed sessions are kept; absent: the service's SESSION_RETENTION_DAYS. */
  session_retention_days?: number;
}

export interface RestCredentialDoc extends StoredDoc {
  pvt_type: 'rest_credential';
  pvt_account_id: string;
  username: string;
  /** SHA-256 of the password: it is 256 random bits, so a slow hash would only slow every request. */
  pvt_password_sha256: string;
  pvt_created: number;
}

export interface BatchDoc extends StoredDoc {
  pvt_type: 'subscriber_batch';
  pvt_account_id: string;
  batch_id: string;
  /** Each row's outcome, without passwords. */
  rows: BatchRowOutcome[];
  pvt_created: number;
}

export interface BatchRowOutcome {
  row: number;
  username: string;
  status: 'created' | 'exists' | 'invalid';
  id?: string;
  error?: Record<string, unknown>;
}

export type BackendDoc = SubscriberDoc | GroupDoc | SubscriberSettingsDoc | RestCredentialDoc | BatchDoc;

export const DEFAULT_SETTINGS = {
  dicts: ['dictionary'],
  reversible_credentials: 'none' as ReversibleCredentials,
  auth_log_retention_days: 30,
  auth_log_max_entries: 100_000,
};

/**
 * Usernames (and group names) are compared in NFC and case-insensitively: `Bob` and `bob` are one
 * subscriber, so a NAS that changes the case still finds them.
 */
export function normalName(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** The public id of a subscriber or group: a digest of its normal name, safe in any URL. */
export function nameKey(name: string): string {
  return crypto.hash('sha256', normalName(name), 'hex').slice(0, 32);
}

/**
 * Ids derive from the account and the normal name, so that two creates of the same username in one
 * account are two creates of one document id: the store lets exactly one win (on a cluster too).
 * The account prefix keeps each account's documents one contiguous `_all_docs` range.
 */
export const subscriberDocId = (accountId: string, key: string): string => `${accountId}:sub:${key}`;
export const groupDocId = (accountId: string, key: string): string => `${accountId}:grp:${key}`;
export const settingsDocId = (accountId: string): string => `${accountId}:settings`;
export const restCredentialDocId = (accountId: string): string => `${accountId}:rest_credential`;
export const batchDocId = (accountId: string, batchId: string): string =>
  `${accountId}:batch:${crypto.createHash('sha256').update(batchId).digest('hex').slice(0, 32)}`;

/** The range of one account's documents of one kind in `_all_docs`. */
export function kindRange(accountId: string, kind: 'sub' | 'grp'): { startkey: string; endkey: string } {
  return { startkey: `${accountId}:${kind}:`, endkey: `${accountId}:${kind}:\ufff0` };
}

export function publicId(docId: string): string {
  return docId.slice(docId.lastIndexOf(':') + 1);
}

export interface SubscriberView {
  id: string;
  username: string;
  enabled: boolean;
  groups: string[];
  check: AttributeMap;
  reply: AttributeMap;
  expires: string | null;
  has_password: boolean;
  created: string;
  modified: string;
}

/** What the API shows: never a password, a hash or an NT hash. */
export function subscriberView(doc: SubscriberDoc): SubscriberView {
  return {
    id: publicId(doc._id),
    username: doc.username,
    enabled: doc.enabled,
    groups: doc.groups,
    check: doc.check,
    reply: doc.reply,
    expires: doc.expires ?? null,
    has_password: doc.pvt_password_hash !== undefined,
    created: new Date(doc.pvt_created).toISOString(),
    modified: new Date(doc.pvt_modified).toISOString(),
  };
}

export function groupView(doc: GroupDoc): Record<string, unknown> {
  return {
    id: publicId(doc._id),
    name: doc.name,
    check: doc.check,
    reply: doc.reply,
    created: new Date(doc.pvt_created).toISOString(),
    modified: new Date(doc.pvt_modified).toISOString(),
  };
}

export function settingsView(doc: Omit<SubscriberSettingsDoc, '_id' | 'pvt_type' | 'pvt_account_id'>): Record<string, unknown> {
  return {
    dicts: doc.dicts,
    reversible_credentials: doc.reversible_credentials,
    auth_log_retention_days: doc.auth_log_retention_days,
    auth_log_max_entries: doc.auth_log_max_entries,
    ...(doc.session_retention_days === undefined ? {} : { session_retention_days: doc.session_retention_days }),
  };
}
