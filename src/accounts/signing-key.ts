import crypto from 'node:crypto';
import type { Store } from '../store/couch.js';

const SIGNING_KEY_DOC = 'jwt_signing_key';

/**
 * The JWT signing key: from the environment if given, else generated once and kept in the store,
 * so every replica on the same CouchDB verifies every other's tokens.
 */
export async function resolveSigningKey(store: Store, fromEnv: string | undefined): Promise<string> {
  if (fromEnv) return fromEnv;
  const existing = await store.system.get(SIGNING_KEY_DOC);
  if (typeof existing?.pvt_key === 'string') return existing.pvt_key;
  try {
    await store.system.put({ _id: SIGNING_KEY_DOC, pvt_key: crypto.randomBytes(48).toString('base64url') });
  } catch (error) {
    if ((error as { status?: number }).status !== 409) throw error;
  }
  // Re-read: if another replica won the race, its key is the one everybody uses.
  const stored = await store.system.get(SIGNING_KEY_DOC);
  if (typeof stored?.pvt_key !== 'string') throw new Error('the JWT signing key could not be stored');
  return stored.pvt_key;
}
