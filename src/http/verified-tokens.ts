import type { TokenClaims, TokenIssuer } from '../accounts/tokens.js';

/** Tokens held at most; past it the oldest go first. ~10,000 × (token + claims) ≈ a few MB. */
const MAX_TOKENS = 10_000;
/** How long a verification is reused: brief, so a token's entry does not outlive its use by much. */
const HOLD_MS = 60_000;

interface Verified {
  claims: TokenClaims;
  /** Epoch ms: the sooner of the token's own expiry and the end of the hold. */
  until: number;
}

/**
 * Remembers tokens whose signature checked out, so a client presenting the same token on every
 * request pays for one HMAC and JSON parse per minute rather than per request. Keyed by the whole
 * token (header, payload and signature), so a hit is the very string that was verified; the
 * claims still go through every check after verification (account standing, generation), and a
 * token is never used past its `exp`. Failures are never remembered.
 */
export class VerifiedTokens {
  private readonly held = new Map<string, Verified>();

  constructor(
    private readonly issuer: TokenIssuer,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.held.size;
  }

  verify(token: string): TokenClaims {
    const now = this.now();
    const hit = this.held.get(token);
    if (hit && now < hit.until) return hit.claims;
    if (hit) this.held.delete(token);
    // Throws (401) for a bad or expired token, just as without the cache.
    const claims = this.issuer.verify(token);
    const until = Math.min(claims.exp * 1000, now + HOLD_MS);
    if (this.held.size >= MAX_TOKENS) {
      const oldest = this.held.keys().next();
      if (!oldest.done) this.held.delete(oldest.value);
    }
    this.held.set(token, { claims, until });
    return claims;
  }
}

const byIssuer = new WeakMap<TokenIssuer, VerifiedTokens>();

/** The cache of one issuer (one signing key): a new issuer starts with nothing verified. */
export function verifiedTokensOf(issuer: TokenIssuer): VerifiedTokens {
  let cache = byIssuer.get(issuer);
  if (!cache) byIssuer.set(issuer, (cache = new VerifiedTokens(issuer)));
  return cache;
}
