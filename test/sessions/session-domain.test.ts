/** The pure parts of sessions: reading an Accounting-Request, and merging records into a session. */
import { describe, expect, it } from 'vitest';
import {
  type AccountingRecord,
  lookupOf,
  readAccounting,
  sessionKey,
  UnrecordableAccounting,
} from '../../src/sessions/accounting-record.js';
import { type SessionDoc, applyRecord, closeSession, sameSession, sessionView } from '../../src/sessions/session-doc.js';

const AT = Date.parse('2024-03-01T10:00:00Z');
const read = (attributes: Record<string, string | number>) => readAccounting(lookupOf(attributes), AT);
const OWNER = { accountId: 'acct', tree: ['root'] };
const POLICY = { intervalMultiple: 3, defaultIntervalSeconds: 600 };

describe('readAccounting', () => {
  it('64-bit octets from Gigawords; Event-Timestamp as seconds or as FreeRADIUS prints it; numbered statuses and causes', () => {
    const record = read({
      'Acct-Status-Type': 2,
      'Acct-Session-Id': 's',
      'User-Name': 'u',
      'Acct-Input-Octets': 7,
      'Acct-Input-Gigawords': 3,
      'Acct-Output-Gigawords': 1,
      'Event-Timestamp': 'Mar  1 2024 11:00:00 UTC',
      'Acct-Terminate-Cause': 4,
    });
    expect(record).toMatchObject({
      status: 'stop',
      input_octets: 3 * 2 ** 32 + 7,
      output_octets: 2 ** 32,
      event_time: '2024-03-01T11:00:00.000Z',
      terminate_cause: 'Idle-Timeout',
    });
    expect(read({ 'Acct-Status-Type': 'Interim-Update', 'Acct-Session-Id': 's', 'Event-Timestamp': AT / 1000 + 60 }).event_time).toBe(
      '2024-03-01T10:01:00.000Z',
    );
    // Without Event-Timestamp: arrival minus Acct-Delay-Time.
    expect(read({ 'Acct-Status-Type': 'Start', 'Acct-Session-Id': 's', 'Acct-Delay-Time': 30 }).event_time).toBe(
      '2024-03-01T09:59:30.000Z',
    );
  });

  it('keys a session by Acct-Unique-Session-Id, else a hash of Acct-Session-Id, NAS and User-Name', () => {
    expect(read({ 'Acct-Status-Type': 'Start', 'Acct-Session-Id': 's', 'Acct-Unique-Session-Id': 'abc123' }).sessionId).toBe('abc123');
    const hashed = read({ 'Acct-Status-Type': 'Start', 'Acct-Session-Id': 's', 'NAS-IP-Address': '192.0.2.1', 'User-Name': 'u' }).sessionId;
    expect(hashed).toBe(sessionKey({ acct_session_id: 's', nas_ip_address: '192.0.2.1', username: 'u' }));
    expect(hashed).toMatch(/^[0-9a-f]{32}$/);
    expect(
      read({ 'Acct-Status-Type': 'Start', 'Acct-Session-Id': 's', 'NAS-IP-Address': '192.0.2.2', 'User-Name': 'u' }).sessionId,
    ).not.toBe(hashed);
  });

  it('refuses, naming the attribute, what names no session', () => {
    const field = (attributes: Record<string, string | number>) => {
      try {
        read(attributes);
      } catch (error) {
        return error instanceof UnrecordableAccounting ? error.field : 'other';
      }
      return 'none';
    };
    expect(field({ 'Acct-Session-Id': 's' })).toBe('Acct-Status-Type');
    expect(field({ 'Acct-Status-Type': 'Bogus', 'Acct-Session-Id': 's' })).toBe('Acct-Status-Type');
    expect(field({ 'Acct-Status-Type': 'Start' })).toBe('Acct-Session-Id');
    expect(field({ 'Acct-Status-Type': 'Accounting-On' })).toBe('NAS-IP-Address');
    expect(field({ 'Acct-Status-Type': 'Start', 'Acct-Session-Id': 's', 'Acct-Input-Octets': '-1' })).toBe('Acct-Input-Octets');
  });
});

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

const packets: AccountingRecord[] = [
  read({
    'Acct-Status-Type': 'Start',
    'Acct-Session-Id': 's',
    'User-Name': 'u',
    'Event-Timestamp': AT / 1000,
    'Acct-Interim-Interval': 60,
  }),
  read({
    'Acct-Status-Type': 'Interim-Update',
    'Acct-Session-Id': 's',
    'User-Name': 'u',
    'Event-Timestamp': AT / 1000 + 60,
    'Acct-Session-Time': 60,
    'Acct-Output-Octets': 100,
    'Acct-Interim-Interval': 60,
  }),
  read({
    'Acct-Status-Type': 'Interim-Update',
    'Acct-Session-Id': 's',
    'User-Name': 'u',
    'Event-Timestamp': AT / 1000 + 120,
    'Acct-Session-Time': 120,
    'Acct-Output-Octets': 250,
    'Acct-Interim-Interval': 60,
  }),
  read({
    'Acct-Status-Type': 'Stop',
    'Acct-Session-Id': 's',
    'User-Name': 'u',
    'Event-Timestamp': AT / 1000 + 150,
    'Acct-Session-Time': 150,
    'Acct-Output-Octets': 300,
    'Acct-Terminate-Cause': 'User-Request',
    'Acct-Interim-Interval': 60,
  }),
];
const merge = (records: readonly AccountingRecord[], start?: SessionDoc) =>
  records.reduce<SessionDoc | undefined>((doc, record) => applyRecord(doc, record, OWNER, POLICY), start) as SessionDoc;

describe('applyRecord', () => {
  it("every arrival order of a session's packets gives the same session, and retransmissions change nothing", () => {
    const inOrder = merge(packets);
    expect(sessionView(inOrder)).toMatchObject({
      start: '2024-03-01T10:00:00.000Z',
      stop: '2024-03-01T10:02:30.000Z',
      session_time: 150,
      output_octets: 300,
      terminate_cause: 'User-Request',
      open: false,
    });
    for (const order of permutations(packets)) expect(merge(order)).toEqual(inOrder);
    for (const packet of packets) expect(sameSession(inOrder, applyRecord(inOrder, packet, OWNER, POLICY))).toBe(true);
  });

  it('an Interim before its Start estimates the start from Acct-Session-Time; the Start corrects it', () => {
    const early = merge([packets[2]!]);
    expect(early.start).toBe('2024-03-01T10:00:00.000Z');
    expect(early.pvt_stale_at).toBe('2024-03-01T10:05:00.000Z');
    const late = merge([
      read({ 'Acct-Status-Type': 'Interim-Update', 'Acct-Session-Id': 's', 'Event-Timestamp': AT / 1000 + 120, 'Acct-Session-Time': 100 }),
      packets[0]!,
    ]);
    expect(late.start).toBe('2024-03-01T10:00:00.000Z');
  });

  it("a stale close is replaced by the NAS's own Stop; a NAS-restart close is kept", () => {
    const open = merge(packets.slice(0, 2));
    const stale = closeSession(open, open.last_update, 'Lost-Service', true);
    expect(sessionView(stale)).toMatchObject({ open: false, stale: true, terminate_cause: 'Lost-Service' });
    expect(sessionView(applyRecord(stale, packets[3]!, OWNER, POLICY))).toMatchObject({
      stale: false,
      terminate_cause: 'User-Request',
      stop: '2024-03-01T10:02:30.000Z',
    });
    const rebooted = closeSession(open, '2024-03-01T10:01:30.000Z', 'NAS-Reboot');
    expect(applyRecord(rebooted, packets[3]!, OWNER, POLICY).terminate_cause).toBe('NAS-Reboot');
  });
});
