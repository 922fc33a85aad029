import type { AccountDoc } from '../accounts/account-doc.js';
import { ValidationError } from '../errors.js';
import { type AccountingRecord, type AttributeLookup, UnrecordableAccounting, readAccounting } from './accounting-record.js';
import type { GroupCommit } from './group-commit.js';
import { type SessionDoc, type StalePolicy, applyRecord, closeSession, sessionDocId } from './session-doc.js';
import type { SessionStore } from './session-store.js';

/** The cause recorded for sessions a NAS's Accounting-On/Off ended (RFC 2866 NAS-Reboot). */
export const NAS_RESTART_CAUSE = 'NAS-Reboot';

/**
 * Records accounting as sessions: Start/Interim/Stop merge into the session's one document through
 * the group commit; Accounting-On/Off close every session of that NAS in the account that began
 * before it. Resolves once the store has the record.
 */
export class SessionRecorder {
  constructor(
    private readonly store: SessionStore,
    private readonly commits: GroupCommit,
    private readonly policy: StalePolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Reads and stores one Accounting-Request for `account`. An unreadable one is a 400 naming the
   * attribute (`ValidationError`), so a NAS that sends no session id is told rather than ignored.
   */
  async record(account: Pick<AccountDoc, '_id' | 'pvt_tree'>, lookup: AttributeLookup): Promise<AccountingRecord> {
    let record: AccountingRecord;
    try {
      record = readAccounting(lookup, this.now());
    } catch (error) {
      if (error instanceof UnrecordableAccounting) throw ValidationError.single(error.field, 'accounting', error.message);
      throw error;
    }
    if (record.status === 'accounting-on' || record.status === 'accounting-off') {
      await this.closeNas(account._id, [record.nas_ip_address, record.nas_identifier], record.event_time);
      return record;
    }
    const owner = { accountId: account._id, tree: account.pvt_tree };
    await this.commits.submit(sessionDocId(account._id, record.sessionId), (current) => applyRecord(current, record, owner, this.policy), {
      expectNew: record.status === 'start',
    });
    return record;
  }

  /** Closes the account's open sessions reported by this NAS (by address or identifier) that began by `at`. */
  async closeNas(accountId: string, nasKeys: readonly (string | undefined)[], at: string): Promise<number> {
    const keys = nasKeys.filter((key): key is string => key !== undefined).map((key) => [accountId, key]);
    if (keys.length === 0) return 0;
    const rows = await this.store.db.view<[string, string], null>('sessions', 'open_by_nas', { keys });
    const ids = [...new Set(rows.map((row) => row.id))];
    // A set, not a counter: a change may be applied again (after a conflict); its last application counts.
    const closed = new Set<string>();
    await Promise.all(
      ids.map((id) =>
        this.commits.submit(id, (current) => {
          closed.delete(id);
          if (!current || current.stop !== null || current.start > at) return undefined;
          closed.add(id);
          return closeSession(current, at, NAS_RESTART_CAUSE);
        }),
      ),
    );
    return closed.size;
  }

  /** Marks that the NAS acknowledged a Disconnect-Request; shown until the session's Stop. */
  async markDisconnectAcked(doc: SessionDoc): Promise<void> {
    const at = new Date(this.now()).toISOString();
    await this.commits.submit(doc._id, (current) =>
      current && current.stop === null ? { ...current, pvt_disconnect_acked_at: at } : undefined,
    );
  }
}
