import crypto from 'node:crypto';

/** 256 random bits as 64 hex characters, the shape Kazoo API keys have. */
export function generateApiKey(): string {
  return crypto.randomBytes(32).toString('hex');
}

/**
 * API keys carry 256 bits of entropy, so one SHA-256 is enough to make the stored hash useless to
 * a reader of the database; a slow password hash would only slow down every login.
 */
export function hashApiKey(apiKey: string): string {
  return crypto.createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/** Constant-time check of a presented key against a stored hash. */
export function apiKeyMatches(apiKey: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiKey(apiKey), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && crypto.timingSafeEqual(presented, stored);
}

export function newAccountId(): string {
  return crypto.randomBytes(16).toString('hex');
}
