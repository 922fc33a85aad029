import { hashPassword, verifyPassword } from '../subscribers/password-hash.js';

/**
 * Operator passwords guard a whole account tree and are checked only at login (rate limited), so
 * they get twice the subscribers' scrypt cost: N = 2^15, r = 8, p = 1 (32 MiB, ~80 ms of a core).
 */
const OPERATOR_COST = { N: 2 ** 15, r: 8, p: 1 } as const;

export function hashOperatorPassword(password: string): Promise<string> {
  return hashPassword(password, OPERATOR_COST);
}

export function operatorPasswordMatches(password: string, stored: string): Promise<boolean> {
  return verifyPassword(password, stored);
}

let decoy: Promise<string> | undefined;

/**
 * Pays for one check against a hash of nothing, so a login naming an unknown user or account
 * takes as long as one with a wrong password: the answer time does not tell which usernames exist.
 */
export async function spendOnePasswordCheck(password: string): Promise<void> {
  decoy ??= hashOperatorPassword('decoy');
  await verifyPassword(password, await decoy);
}
