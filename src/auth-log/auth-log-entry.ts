import crypto from 'node:crypto';
import type { AttributeMap } from '../subscribers/subscriber-doc.js';
import type { StoredDoc } from '../store/database.js';

/** Where a decision was made: FreeRADIUS through rlm_rest, or the service's own RADIUS operations. */
export type AuthLogSource = 'rlm_rest' | 'authn' | 'authz';

/** One decision, as recorded (never a password or any other secret). */
export interface AuthLogEntry {
  time: string;
  account_id: string;
  username: string;
  result: 'accept' | 'reject';
  /** For a reject: unknown_user, wrong_password, disabled, expired, check_failed, ...; `accepted` for an accept. */
  reason: string;
  /** Free text beside the reason (the check item that failed, FreeRADIUS's own message). */
  detail?: string;
  nas_ip_address?: string;
  nas_identifier?: string;
  calling_station_id?: string;
  called_station_id?: string;
  reply: AttributeMap;
  source: AuthLogSource;
  /** For the service's own operations: the RADIUS server that answered, and the round trip. */
  server?: string;
  rtt_ms?: number;
}

/** One entry as a batch holds it and as the API shows it: the decision and its own id. */
export type AuthLogRecord = AuthLogEntry & { id: string };

/**
 * How the log is stored: one document per account per flush, holding that flush's entries of the
 * account in time order. A document per decision cost the store ~70–120 µs of CPU each (revision,
 * metadata, three index writes), ~15 % of an authentication's; a batch pays that once. `_id` is
 * `authLogDocId` of the account and its first entry's time, so ids still sort by time.
 */
export interface AuthLogBatchDoc extends StoredDoc {
  pvt_type: 'auth_log_batch';
  account_id: string;
  /** The account's ancestors and the account itself: "include descendants" reads by any of them. */
  pvt_tree: string[];
  entries: AuthLogRecord[];
}

/** The form before batches, one document per entry (its `_id` is the entry's id): still read and purged. */
export interface AuthLogEntryDoc extends StoredDoc, AuthLogEntry {
  pvt_type: 'auth_log';
  pvt_tree: string[];
}

export type AuthLogDoc = AuthLogBatchDoc | AuthLogEntryDoc;

/** Random per process, so that two replicas (or one restarted) never make the same id. */
const PROCESS_TAG = crypto.randomBytes(6).toString('hex');
let issued = 0;

/**
 * Ids sort by time within an account, and never collide across replicas: the process's tag and a
 * counter, not random bytes per entry (a `randomBytes` call per decision was 3 % of the backend's CPU).
 * Both an entry and its batch document are named so.
 */
export function authLogDocId(accountId: string, time: string): string {
  issued += 1;
  return `${accountId}:${time}:${PROCESS_TAG}${issued.toString(36)}`;
}

/** A document of the old form as the entry it holds. */
export function legacyAuthLogRecord(doc: AuthLogEntryDoc): AuthLogRecord {
  const { _id, _rev: _unusedRev, pvt_type: _unusedType, pvt_tree: _unusedTree, ...entry } = doc;
  return { id: _id, ...entry };
}

/** The entries a stored document holds, either form. */
export const authLogRecords = (doc: AuthLogDoc): readonly AuthLogRecord[] =>
  doc.pvt_type === 'auth_log_batch' ? doc.entries : [legacyAuthLogRecord(doc)];
