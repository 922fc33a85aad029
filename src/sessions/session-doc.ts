import type { StoredDoc } from '../store/database.js';
import type { AccountingRecord } from './accounting-record.js';

/** One session as stored: one document per session, its id derived from the session's key. */
export interface SessionDoc extends StoredDoc {
  pvt_type: 'session';
  account_id: string;
  /** The account's ancestors and the account itself: "include descendants" reads by any of them. */
  pvt_tree: string[];
  session_id: string;
  username: string;
  acct_session_id: string;
  nas_ip_address?: string;
  nas_identifier?: string;
  framed_ip_address?: string;
  calling_station_id?: string;
  called_station_id?: string;
  start: string;
  /** A Start was seen; until then `start` is estimated from the first update (its time minus Acct-Session-Time). */
  pvt_start_seen: boolean;
  last_update: string;
  stop: string | null;
  session_time: number;
  input_octets: number;
  output_octets: number;
  terminate_cause: string | null;
  interim_interval?: number;
  /** When a Disconnect-Request for it was acknowledged by the NAS. */
  pvt_disconnect_acked_at?: string;
  /** Closed by the stale-session task rather than by a Stop. */
  pvt_stale?: boolean;
  /** When the open session counts as stale (see `staleAt`); null once closed. */
  pvt_stale_at: string | null;
}

/** As the API shows a session. */
export interface SessionView {
  id: string;
  account: string;
  username: string;
  acct_session_id: string;
  nas_ip_address: string | null;
  nas_identifier: string | null;
  framed_ip_address: string | null;
  calling_station_id: string | null;
  called_station_id: string | null;
  start: string;
  last_update: string;
  stop: string | null;
  session_time: number;
  input_octets: number;
  output_octets: number;
  terminate_cause: string | null;
  open: boolean;
  disconnect_requested: boolean;
  stale: boolean;
}

/**
 * A session's id, in the store and in the API: `<account id>:<session key>` (see `sessionKey`), so
 * sessions of different accounts never share one, whatever keys their NAS send, and a parent can
 * name a descendant's session.
 */
export const sessionDocId = (accountId: string, sessionId: string): string => `${accountId}:${sessionId}`;

export interface StalePolicy {
  /** An open session is stale after this many of its interim intervals without an update. */
  intervalMultiple: number;
  /** The interval assumed for a session whose NAS did not send Acct-Interim-Interval (seconds). */
  defaultIntervalSeconds: number;
}

export function staleAt(lastUpdate: string, interval: number | undefined, policy: StalePolicy): string {
  const seconds = (interval ?? policy.defaultIntervalSeconds) * policy.intervalMultiple;
  return new Date(Date.parse(lastUpdate) + seconds * 1000).toISOString();
}

const later = (a: string, b: string): string => (a >= b ? a : b);
const earlier = (a: string, b: string): string => (a <= b ? a : b);

/**
 * A record applied to a session, pure. Every step is idempotent and order-independent for the
 * packets of one session: counters are cumulative at the NAS, so each total is the largest seen;
 * `last_update` is the latest event; the first Stop closes and later packets never reopen; an
 * Interim or Stop before its Start creates the session with an estimated start that a late
 * Start corrects. A retransmission therefore yields the same document (and no write).
 */
export function applyRecord(
  current: SessionDoc | undefined,
  record: AccountingRecord,
  owner: { accountId: string; tree: readonly string[] },
  policy: StalePolicy,
): SessionDoc {
  const estimatedStart = new Date(Date.parse(record.event_time) - (record.session_time ?? 0) * 1000).toISOString();
  const doc: SessionDoc = current
    ? { ...current }
    : {
        _id: sessionDocId(owner.accountId, record.sessionId),
        pvt_type: 'session',
        account_id: owner.accountId,
        pvt_tree: [...owner.tree, owner.accountId],
        session_id: record.sessionId,
        username: record.username,
        acct_session_id: record.acct_session_id,
        start: record.status === 'start' ? record.event_time : estimatedStart,
        pvt_start_seen: record.status === 'start',
        last_update: record.event_time,
        stop: null,
        session_time: 0,
        input_octets: 0,
        output_octets: 0,
        terminate_cause: null,
        pvt_stale_at: null,
      };
  for (const field of ['nas_ip_address', 'nas_identifier', 'framed_ip_address', 'calling_station_id', 'called_station_id'] as const) {
    const value = record[field];
    if (doc[field] === undefined && value !== undefined) doc[field] = value;
  }
  if (!doc.username && record.username) doc.username = record.username;
  if (record.status === 'start') {
    if (!doc.pvt_start_seen) doc.start = record.event_time;
    doc.pvt_start_seen = true;
  } else if (!doc.pvt_start_seen) {
    doc.start = earlier(doc.start, estimatedStart);
  }
  doc.last_update = later(doc.last_update, record.event_time);
  doc.session_time = Math.max(doc.session_time, record.session_time ?? 0);
  doc.input_octets = Math.max(doc.input_octets, record.input_octets ?? 0);
  doc.output_octets = Math.max(doc.output_octets, record.output_octets ?? 0);
  if (record.interim_interval !== undefined) doc.interim_interval = record.interim_interval;
  if (record.status === 'stop' && (doc.stop === null || doc.pvt_stale === true)) {
    // A real Stop replaces a stale close: its counters and cause are the NAS's own.
    doc.stop = record.event_time;
    doc.terminate_cause = record.terminate_cause ?? null;
    delete doc.pvt_stale;
  }
  doc.pvt_stale_at = doc.stop === null ? staleAt(doc.last_update, doc.interim_interval, policy) : null;
  return doc;
}

/** Closes an open session without a Stop (NAS restarted, or stale); a closed one is returned as it is. */
export function closeSession(doc: SessionDoc, at: string, cause: string, stale = false): SessionDoc {
  if (doc.stop !== null) return doc;
  return { ...doc, stop: later(at, doc.start), terminate_cause: cause, pvt_stale_at: null, ...(stale ? { pvt_stale: true } : {}) };
}

export function sessionView(doc: SessionDoc): SessionView {
  const open = doc.stop === null;
  return {
    id: doc._id,
    account: doc.account_id,
    username: doc.username,
    acct_session_id: doc.acct_session_id,
    nas_ip_address: doc.nas_ip_address ?? null,
    nas_identifier: doc.nas_identifier ?? null,
    framed_ip_address: doc.framed_ip_address ?? null,
    calling_station_id: doc.calling_station_id ?? null,
    called_station_id: doc.called_station_id ?? null,
    start: doc.start,
    last_update: doc.last_update,
    stop: doc.stop,
    session_time: doc.session_time,
    input_octets: doc.input_octets,
    output_octets: doc.output_octets,
    terminate_cause: doc.terminate_cause,
    open,
    disconnect_requested: open && doc.pvt_disconnect_acked_at !== undefined,
    stale: doc.pvt_stale === true,
  };
}

/** Same content (revision aside): a write would change nothing. */
export function sameSession(a: SessionDoc | undefined, b: SessionDoc): boolean {
  if (!a) return false;
  const left = a as unknown as Record<string, unknown>;
  const right = b as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  keys.delete('_rev');
  for (const key of keys) if (JSON.stringify(left[key]) !== JSON.stringify(right[key])) return false;
  return true;
}
