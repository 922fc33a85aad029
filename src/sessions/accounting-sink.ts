import type { AccountDoc } from '../accounts/account-doc.js';
import type { RestAttributes } from '../subscribers/rlm-rest-format.js';
import { lookupOf } from './accounting-record.js';
import type { SessionQuery } from './session-query.js';
import type { SessionRecorder } from './session-recorder.js';

/** What the rlm_rest backend needs of sessions: record accounting, count a user's open sessions. */
export interface AccountingSink {
  /** Resolves once stored; a request that names no session rejects with a 400 naming the attribute. */
  record(account: AccountDoc, request: RestAttributes): Promise<void>;
  openSessions(accountId: string, username: string): Promise<number>;
}

export function accountingSink(recorder: SessionRecorder, query: SessionQuery): AccountingSink {
  return {
    async record(account, request) {
      await recorder.record(account, lookupOf(request));
    },
    openSessions: (accountId, username) => query.openCount(accountId, username),
  };
}

/** A check item `Simultaneous-Use: N` of the merged subscriber and group check items; undefined without one. */
export function simultaneousUseLimit(check: Readonly<Record<string, unknown>>): number | undefined {
  const entry = Object.entries(check).find(([name]) => name.toLowerCase() === 'simultaneous-use');
  if (!entry) return undefined;
  const value = Array.isArray(entry[1]) ? entry[1][0] : entry[1];
  const limit = Number(value);
  return Number.isInteger(limit) && limit >= 0 ? limit : undefined;
}
