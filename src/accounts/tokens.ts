import { type KeyObject, createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { invalidCredentials } from '../errors.js';

export interface TokenClaims {
  account_id: string;
  is_superduper_admin: boolean;
  exp: number;
}

const ALGORITHM = 'HS256';

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

  issue(accountId: string, isSuperduperAdmin: boolean): string {
    return jwt.sign({ account_id: accountId, is_superduper_admin: isSuperduperAdmin }, this.signingKey, {
      algorithm: ALGORITHM,
      expiresIn: this.lifetimeSeconds,
    });
  }

  verify(token: string): TokenClaims {
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.signingKey, { algorithms: [ALGORITHM] });
    } catch (error) {
      const reason = error instanceof jwt.TokenExpiredError ? 'the token has expired' : 'the token is not valid';
      throw invalidCredentials(reason);
    }
    if (!isClaims(payload)) throw invalidCredentials('the token is not valid');
    return payload;
  }
}

function isClaims(payload: unknown): payload is TokenClaims {
  if (typeof payload !== 'object' || payload === null) return false;
  const claims = payload as Record<string, unknown>;
  return (
    typeof claims.account_id === 'string' &&
    typeof claims.is_superduper_admin === 'boolean' &&
    typeof claims.exp === 'number'
  );
}
