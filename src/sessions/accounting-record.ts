import crypto from 'node:crypto';

/** What an Accounting-Request says, whichever way it arrived (rlm_rest JSON, the service's own sends). */
export type AccountingStatus = 'start' | 'interim' | 'stop' | 'accounting-on' | 'accounting-off';

export interface AccountingRecord {
  status: AccountingStatus;
  /** The session's key within its account (see `sessionKey`); empty for Accounting-On/Off. */
  sessionId: string;
  username: string;
  acct_session_id: string;
  nas_ip_address?: string;
  nas_identifier?: string;
  framed_ip_address?: string;
  calling_station_id?: string;
  called_station_id?: string;
  session_time?: number;
  /** 64-bit totals: Acct-Input-Gigawords × 2³² + Acct-Input-Octets. */
  input_octets?: number;
  output_octets?: number;
  terminate_cause?: string;
  interim_interval?: number;
  /** When the event happened at the NAS: Event-Timestamp, else arrival minus Acct-Delay-Time. */
  event_time: string;
}

/** Looks an attribute up by name, case-insensitively (FreeRADIUS's names; values as sent). */
export type AttributeLookup = (name: string) => string | undefined;

/** A lookup over `{name: value | [values]}`, the first value of each. */
export function lookupOf(
  attributes: ReadonlyMap<string, readonly (string | number)[]> | Readonly<Record<string, unknown>>,
): AttributeLookup {
  const byName = new Map<string, string>();
  const entries: Iterable<[string, unknown]> = attributes instanceof Map ? attributes.entries() : Object.entries(attributes);
  for (const [name, raw] of entries) {
    const value: unknown = Array.isArray(raw) ? raw[0] : raw;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') byName.set(name.toLowerCase(), String(value));
  }
  return (name) => byName.get(name.toLowerCase());
}

const STATUS: Record<string, AccountingStatus> = {
  start: 'start',
  '1': 'start',
  stop: 'stop',
  '2': 'stop',
  'interim-update': 'interim',
  alive: 'interim',
  '3': 'interim',
  'accounting-on': 'accounting-on',
  '7': 'accounting-on',
  'accounting-off': 'accounting-off',
  '8': 'accounting-off',
};

/** RFC 2866 §5.10 and RFC 3580: the names of Acct-Terminate-Cause values, for NAS that send numbers. */
const TERMINATE_CAUSES = [
  '',
  'User-Request',
  'Lost-Carrier',
  'Lost-Service',
  'Idle-Timeout',
  'Session-Timeout',
  'Admin-Reset',
  'Admin-Reboot',
  'Port-Error',
  'NAS-Error',
  'NAS-Request',
  'NAS-Reboot',
  'Port-Unneeded',
  'Port-Preempted',
  'Port-Suspended',
  'Service-Unavailable',
  'Callback',
  'User-Error',
  'Host-Request',
  'Supplicant-Restart',
  'Reauthentication-Failure',
  'Port-Reinitialized',
  'Port-Administratively-Disabled',
];

/** Why a request cannot be recorded; the caller answers it as a bad request naming `field`. */
export class UnrecordableAccounting extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'UnrecordableAccounting';
  }
}

const WHOLE = /^\d+$/;

function count(lookup: AttributeLookup, name: string): number | undefined {
  const text = lookup(name)?.trim();
  if (text === undefined || text === '') return undefined;
  if (!WHOLE.test(text)) throw new UnrecordableAccounting(name, `${name} must be a whole number, got ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text);
}

/** Octets and Gigawords as one 64-bit total (exact up to 2⁵³, 8 PiB). */
function octets(lookup: AttributeLookup, direction: 'Input' | 'Output'): number | undefined {
  const low = count(lookup, `Acct-${direction}-Octets`);
  const high = count(lookup, `Acct-${direction}-Gigawords`);
  if (low === undefined && high === undefined) return undefined;
  return (high ?? 0) * 2 ** 32 + (low ?? 0);
}

/** Event-Timestamp as epoch seconds or as FreeRADIUS prints a date ("Feb  1 2024 12:00:00 UTC"). */
function eventTime(lookup: AttributeLookup, receivedAt: number): string {
  const stamp = lookup('Event-Timestamp')?.trim();
  if (stamp) {
    const at = WHOLE.test(stamp) ? Number(stamp) * 1000 : Date.parse(stamp);
    if (Number.isFinite(at) && at > 0) return new Date(at).toISOString();
  }
  const delay = count(lookup, 'Acct-Delay-Time') ?? 0;
  return new Date(receivedAt - delay * 1000).toISOString();
}

function terminateCause(lookup: AttributeLookup): string | undefined {
  const raw = lookup('Acct-Terminate-Cause')?.trim();
  if (raw === undefined || raw === '') return undefined;
  return WHOLE.test(raw) ? TERMINATE_CAUSES[Number(raw)] || raw : raw;
}

/**
 * A session's key within its account: `Acct-Unique-Session-Id` when the request has one, else
 * the first 32 hex digits of SHA-256 over `Acct-Session-Id`, NAS-IP-Address, NAS-Identifier and
 * User-Name joined by NUL (a character none of them can hold), so that retransmissions and every
 * packet of one session land on the same record.
 */
export function sessionKey(parts: {
  unique?: string | undefined;
  acct_session_id: string;
  nas_ip_address?: string | undefined;
  nas_identifier?: string | undefined;
  username: string;
}): string {
  if (parts.unique) return parts.unique;
  const text = [parts.acct_session_id, parts.nas_ip_address ?? '', parts.nas_identifier ?? '', parts.username].join('\0');
  return crypto.hash('sha256', text, 'hex').slice(0, 32);
}

const MAX_ID_LENGTH = 253;

/** Reads an Accounting-Request; throws `UnrecordableAccounting` for one that names no session. */
export function readAccounting(lookup: AttributeLookup, receivedAt: number): AccountingRecord {
  const statusText = lookup('Acct-Status-Type')?.trim().toLowerCase();
  if (statusText === undefined) throw new UnrecordableAccounting('Acct-Status-Type', 'Acct-Status-Type is required');
  const status = STATUS[statusText];
  if (!status)
    throw new UnrecordableAccounting(
      'Acct-Status-Type',
      `Acct-Status-Type ${JSON.stringify(statusText.slice(0, 40))} is not Start, Interim-Update, Stop, Accounting-On or Accounting-Off`,
    );
  const optional = (name: string): string | undefined => {
    const value = lookup(name);
    return value === undefined || value === '' ? undefined : value.slice(0, MAX_ID_LENGTH);
  };
  const nasIp = optional('NAS-IP-Address') ?? optional('NAS-IPv6-Address');
  const nasId = optional('NAS-Identifier');
  const base = {
    event_time: eventTime(lookup, receivedAt),
    ...(nasIp ? { nas_ip_address: nasIp } : {}),
    ...(nasId ? { nas_identifier: nasId } : {}),
  };
  if (status === 'accounting-on' || status === 'accounting-off') {
    if (!nasIp && !nasId)
      throw new UnrecordableAccounting('NAS-IP-Address', `${status} needs NAS-IP-Address or NAS-Identifier to know which NAS restarted`);
    return { status, sessionId: '', username: '', acct_session_id: '', ...base };
  }
  const acctSessionId = optional('Acct-Session-Id');
  if (acctSessionId === undefined) throw new UnrecordableAccounting('Acct-Session-Id', 'Acct-Session-Id is required');
  const username = optional('User-Name') ?? '';
  const record: AccountingRecord = {
    status,
    sessionId: sessionKey({
      unique: optional('Acct-Unique-Session-Id'),
      acct_session_id: acctSessionId,
      nas_ip_address: nasIp,
      nas_identifier: nasId,
      username,
    }),
    username,
    acct_session_id: acctSessionId,
    ...base,
  };
  const framed = optional('Framed-IP-Address');
  const calling = optional('Calling-Station-Id');
  const called = optional('Called-Station-Id');
  if (framed) record.framed_ip_address = framed;
  if (calling) record.calling_station_id = calling;
  if (called) record.called_station_id = called;
  const sessionTime = count(lookup, 'Acct-Session-Time');
  const input = octets(lookup, 'Input');
  const output = octets(lookup, 'Output');
  const interval = count(lookup, 'Acct-Interim-Interval');
  const cause = terminateCause(lookup);
  if (sessionTime !== undefined) record.session_time = sessionTime;
  if (input !== undefined) record.input_octets = input;
  if (output !== undefined) record.output_octets = output;
  if (interval !== undefined && interval > 0) record.interim_interval = interval;
  if (cause !== undefined) record.terminate_cause = cause;
  return record;
}
