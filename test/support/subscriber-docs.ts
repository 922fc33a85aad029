import { nameKey, type SubscriberDoc, subscriberDocId } from '../../src/subscribers/subscriber-doc.js';

/** A minimal subscriber document as the store holds it, for tests that write past the API. */
export function subscriberDoc(accountId: string, username: string, enabled: boolean): SubscriberDoc {
  return {
    _id: subscriberDocId(accountId, nameKey(username)),
    pvt_type: 'subscriber',
    pvt_account_id: accountId,
    username,
    enabled,
    groups: [],
    check: {},
    reply: {},
    pvt_created: 0,
    pvt_modified: 0,
  };
}
