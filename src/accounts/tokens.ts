import { type KeyObject, createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { type AppError, type CredentialCause, invalidCredentials } from '../errors.js';
import type { UserTokenClaim } from './user-tokens.js';

export interface TokenClaims {
  account_id: string;
  is_superduper_admin: boolean;
  /**
   * The account's token generation when the token was issued (see `tokenGeneration`); a token
   * whose generation is no longer the account's has been revoked. Tokens from before generations
   * existed carry none, which reads as 0: valid until the first rotation or disabling.
   */
  gen: number;
  exp: number;
  /** Present on tokens issued to an operator user (`user_auth`), absent on API-key tokens. */
  user_doc?: string;
  user_stamp?: string;
}

const ALGORITHM = 'HS256';

/** A genuine token that has been ended: its account's key was rotated, or it or an ancestor was disabled. */
export const tokenRevoked = (): AppError => invalidCredentials('revoked', 'the token was revoked: log in again');

/**
 * Why jsonwebtoken refused a token, for a 401's `data.cause`: expired, signed with another key
 * or algorithm, or not a JWT at all. Its own message is not passed on (it may quote the token).
 */
function whyRefused(error: unknown): CredentialCause {
  if (error instanceof jwt.TokenExpiredError) return 'expired';
  if (error instanceof jwt.JsonWebTokenError && /signature|algorithm/.test(error.message)) return 'bad_signature';
  return 'malformed';
}

/** Signs and verifies the API's bearer tokens. Only HS256 with our key is ever accepted. */
export class TokenIssuer {
  /**
   * A secret KeyObject made once: given a string, jsonwebtoken first tries to read it as a public
   * key on every verify, which costs about 50 times the verification itself.
   */
  private readonly signingKey: KeyObject;

  constructor(
    signingKey: string,
    readonly lifetimeSeconds: number,
  ) {
    this.signingKey = createSecretKey(Buffer.from(signingKey, 'utf8'));
  }

  issue(accountId: string, isSuperduperAdmin: boolean, generation: number, user?: UserTokenClaim): string {
    const claims = { account_id: accountId, is_superduper_admin: isSuperduperAdmin, gen: generation, ...(user ?? {}) };
    return jwt.sign(claims, this.signingKey, {
      algorithm: ALGORITHM,
      expiresIn: this.lifetimeSeconds,
    });
  }

  verify(token: string): TokenClaims {
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.signingKey, { algorithms: [ALGORITHM] });
    } catch (error) {
      const cause = whyRefused(error);
      throw invalidCredentials(cause, cause === 'expired' ? 'the token has expired' : 'the token is not valid');
    }
    if (!isClaims(payload)) throw invalidCredentials('malformed', 'the token is not valid');
    return { ...payload, gen: payload.gen ?? 0 };
  }
}

function isClaims(payload: unknown): payload is Omit<TokenClaims, 'gen'> & { gen?: number } {
  if (typeof payload !== 'object' || payload === null) return false;
  const claims = payload as Record<string, unknown>;
  return (
    typeof claims.account_id === 'string' &&
    typeof claims.is_superduper_admin === 'boolean' &&
    (claims.gen === undefined || (Number.isSafeInteger(claims.gen) && Number(claims.gen) >= 0)) &&
    typeof claims.exp === 'number' &&
    // Both or neither: a user token without its stamp could never be checked.
    (claims.user_doc === undefined) === (claims.user_stamp === undefined) &&
    (claims.user_doc === undefined || (typeof claims.user_doc === 'string' && typeof claims.user_stamp === 'string'))
  );
}
