import type { AccountService } from '../accounts/account-service.js';
import type { AuthFailureLimiter } from '../accounts/auth-failures.js';
import type { TokenIssuer } from '../accounts/tokens.js';
import type { AaaOperations } from '../aaa/aaa-operations.js';
import type { AaaService } from '../aaa/aaa-service.js';
import type { CoaOperations } from '../aaa/coa.js';
import type { EffectiveConfigResolver } from '../aaa/effective-config.js';
import type { Config } from '../config.js';
import type { DictionaryCompiler } from '../dictionary/dictionary-compiler.js';
import type { DictionaryResolver } from '../dictionary/dictionary-resolver.js';
import type { DictionaryService } from '../dictionary/dictionary-service.js';
import type { RadiusClient } from '../radius/client/index.js';
import type { SchemaValidator } from '../schema/validator.js';
import type { Store } from '../store/couch.js';
import type { BackendServices } from '../subscribers/backend-services.js';
import type { SessionServices } from '../sessions/session-services.js';

/** What the routes may call: domain services, wired once in src/service.ts. */
export interface Services {
  config: Config;
  store: Store;
  schemas: SchemaValidator;
  tokens: TokenIssuer;
  authFailures: AuthFailureLimiter;
  accounts: AccountService;
  aaa: AaaService;
  dictionaries: DictionaryService;
  dictionaryCompiler: DictionaryCompiler;
  dictionaryResolver: DictionaryResolver;
  effective: EffectiveConfigResolver;
  /** The one RADIUS client every AAA operation sends through (closed on shutdown). */
  radius: RadiusClient;
  aaaOperations: AaaOperations;
  /** CoA and Disconnect (RFC 5176) through the same RADIUS client. */
  coa: CoaOperations;
  /** The FreeRADIUS policy backend: subscribers, groups, rlm_rest endpoints, auth log. */
  backend: BackendServices;
  /** Sessions recorded from accounting: queried, disconnected, closed when stale. */
  sessions: SessionServices;
}
