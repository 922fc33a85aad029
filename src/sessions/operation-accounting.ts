import type { AaaResult } from '../aaa/aaa-operations.js';
import { accountingSent } from '../aaa/aaa-operations.js';
import type { AccountDoc } from '../accounts/account-doc.js';
import { UnrecordableAccounting, lookupOf, readAccounting } from './accounting-record.js';
import type { SessionRecorder } from './session-recorder.js';

/**
 * Records the session of the service's own `POST …/aaa/accounting` once a RADIUS server answered
 * it (a block rule's `blocked` sent nothing, so records nothing), from the attributes that were
 * sent. The caller's 200 waits for the store: a request that cannot be stored is answered with
 * the store's error and may be sent again (the record is idempotent). A request that names no
 * session (no Acct-Session-Id, say) was still delivered to the server, so it is answered as
 * delivered and simply not recorded: refusing it now would tell the caller it was not sent.
 */
export async function recordOperationAccounting(recorder: SessionRecorder, account: AccountDoc, result: AaaResult): Promise<void> {
  if (result.server === null) return;
  const sent = accountingSent.get(result);
  if (!sent) return;
  const lookup = lookupOf(sent);
  try {
    readAccounting(lookup, Date.now());
  } catch (error) {
    if (error instanceof UnrecordableAccounting) return;
    throw error;
  }
  await recorder.record(account, lookup);
}
