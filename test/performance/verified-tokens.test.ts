import { describe, expect, it } from 'vitest';
import { TokenIssuer } from '../../src/accounts/tokens.js';
import { VerifiedTokens } from '../../src/http/verified-tokens.js';

/** An issuer that counts the verifications it really does. */
class CountingIssuer extends TokenIssuer {
  verified = 0;
  override verify(token: string) {
    this.verified += 1;
    return super.verify(token);
  }
}

const ACCOUNT = 'a'.repeat(32);

describe('VerifiedTokens', () => {
  it('verifies a token once, then answers the same claims from memory', () => {
    const issuer = new CountingIssuer('k'.repeat(32), 3600);
    const cache = new VerifiedTokens(issuer);
    const token = issuer.issue(ACCOUNT, false, 3);
    const first = cache.verify(token);
    expect(cache.verify(token)).toEqual(first);
    expect(first).toMatchObject({ account_id: ACCOUNT, gen: 3 });
    expect(issuer.verified).toBe(1);
  });

  it('never remembers a failure, and a token with another payload but the same signature is checked and refused', () => {
    const issuer = new CountingIssuer('k'.repeat(32), 3600);
    const cache = new VerifiedTokens(issuer);
    const token = issuer.issue(ACCOUNT, false, 0);
    cache.verify(token);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), is_superduper_admin: true }),
    ).toString('base64url');
    const tampered = `${header}.${forged}.${signature}`;
    expect(() => cache.verify(tampered)).toThrow(/not valid/);
    expect(() => cache.verify(tampered)).toThrow(/not valid/);
    expect(issuer.verified).toBe(3);
    // Another key's token is refused though this cache holds a verified one of the same account.
    const other = new TokenIssuer('o'.repeat(32), 3600).issue(ACCOUNT, false, 0);
    expect(() => cache.verify(other)).toThrow(/not valid/);
  });

  it('asks the issuer again once the hold (a minute) or the token itself has run out', () => {
    // The issuer checks expiry on the real clock; the cache's clock is moved on by hand.
    const issuer = new CountingIssuer('k'.repeat(32), 3600);
    const start = Date.now();
    let now = start;
    const cache = new VerifiedTokens(issuer, () => now);
    const token = issuer.issue(ACCOUNT, false, 0);
    cache.verify(token);
    now = start + 59_000;
    cache.verify(token);
    expect(issuer.verified).toBe(1);
    now = start + 60_001;
    cache.verify(token);
    expect(issuer.verified).toBe(2);

    const shortLived = new CountingIssuer('k'.repeat(32), 30);
    const shortCache = new VerifiedTokens(shortLived, () => now);
    now = start;
    const brief = shortLived.issue(ACCOUNT, false, 0);
    const { exp } = shortCache.verify(brief);
    now = exp * 1000 - 1;
    shortCache.verify(brief);
    expect(shortLived.verified).toBe(1);
    now = exp * 1000;
    shortCache.verify(brief);
    expect(shortLived.verified).toBe(2);
  });

  it('holds at most 10,000 tokens', () => {
    const issuer = new TokenIssuer('k'.repeat(32), 3600);
    const cache = new VerifiedTokens(issuer);
    for (let i = 0; i < 10_050; i += 1) cache.verify(issuer.issue(ACCOUNT, false, i));
    expect(cache.size).toBe(10_000);
  });
});
