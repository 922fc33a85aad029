import type { AccountService, Standing } from '../accounts/account-service.js';
import type { AccountDoc } from '../accounts/account-doc.js';
import type { AuthFailureLimiter } from '../accounts/auth-failures.js';
import { invalidCredentials, rateLimited } from '../errors.js';

/**
 * Both login doors (`api_auth`, `user_auth`) share one per-client budget and one order of steps,
 * so a guess costs the same at either: this is that order, written once.
 */

/** A limited client is refused before its body is even read. */
export function refuseLimitedClient(limiter: AuthFailureLimiter, client: string): void {
  const wait = limiter.refusal(client);
  if (wait > 0) throw rateLimited(wait);
}

/**
 * Counts the attempt, looks the credentials up and settles the attempt: a miss or an inactive
 * account is a failure (401 wrong_credentials), a match returns what was found with its standing.
 * Counted before the look-up: parallel guesses cannot all be evaluated before one is counted.
 */
export async function countedLogin<Found extends { account: AccountDoc }>(
  limiter: AuthFailureLimiter,
  accounts: AccountService,
  client: string,
  find: () => Promise<Found | undefined>,
  refusedMessage: string,
): Promise<Found & { standing: Standing }> {
  const attempt = limiter.begin(client);
  if (!attempt) throw rateLimited(limiter.retryAfter(client));
  const found = await find();
  const standing = found ? await accounts.standing(found.account) : undefined;
  if (!found || !standing?.active) {
    attempt.failed();
    throw invalidCredentials('wrong_credentials', refusedMessage);
  }
  attempt.succeeded();
  return { ...found, standing };
}
