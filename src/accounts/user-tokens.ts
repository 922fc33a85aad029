import crypto from 'node:crypto';
import type { DocumentStore } from '../store/database.js';
import type { SystemDoc } from '../store/couch.js';
import { type UserDoc, isUserDoc } from './users-doc.js';

/**
 * What a token issued to an operator user carries about that user: the user's document id and
 * a stamp of the credential it was issued for. A new password changes the stamp, so the tokens
 * of the old one end; deleting or disabling the user ends them too.
 */
export interface UserTokenClaim {
  user_doc: string;
  user_stamp: string;
}

/** A fingerprint of the user's password hash: it says nothing of the password (the hash is salted and slow). */
export function userCredentialStamp(user: UserDoc): string {
  return crypto.createHash('sha256').update(user.pvt_password_hash, 'utf8').digest('hex').slice(0, 16);
}

export function userTokenClaim(user: UserDoc): UserTokenClaim {
  return { user_doc: user._id, user_stamp: userCredentialStamp(user) };
}

function stillValid(doc: SystemDoc | undefined, claim: UserTokenClaim, accountId: string): boolean {
  return isUserDoc(doc) && doc.pvt_account_id === accountId && doc.enabled !== false && userCredentialStamp(doc) === claim.user_stamp;
}

/**
 * Whether the user a token was issued to still stands as it did then. The mirror answers first;
 * only a mismatch asks the store, since a token issued by another replica after a password change
 * may be newer than this replica's mirror.
 */
export async function userTokenStands(system: DocumentStore<SystemDoc>, claim: UserTokenClaim, accountId: string): Promise<boolean> {
  if (stillValid(await system.get(claim.user_doc), claim, accountId)) return true;
  return stillValid(await system.getFresh(claim.user_doc), claim, accountId);
}
