import { type CredentialCause, type ErrorCode, statusOf } from './errors/catalogue.js';

export { type CredentialCause, type ErrorCode, ERROR_CATALOGUE, codesWithStatus } from './errors/catalogue.js';

/**
 * Errors the domain raises on purpose. Each is made from a code of the catalogue
 * (src/errors/catalogue.ts), which gives its one HTTP status, so routes stay free of error mapping.
 */
export type FieldErrors = Record<string, Record<string, { message: string; [detail: string]: unknown }>>;

export class AppError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly data: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, data?: Record<string, unknown>);
  /** @deprecated the status comes from the catalogue; pass the code first. Kept while call sites move. */
  constructor(status: number, code: ErrorCode, message: string, data?: Record<string, unknown>);
  constructor(...args: [ErrorCode, string, Record<string, unknown>?] | [number, ErrorCode, string, Record<string, unknown>?]) {
    const [code, message, data] =
      typeof args[0] === 'number'
        ? (args.slice(1) as [ErrorCode, string, Record<string, unknown>?])
        : (args as [ErrorCode, string, Record<string, unknown>?]);
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = statusOf(code);
    this.data = data ?? {};
  }
}

/** An error of the catalogue: its status is the code's. */
export const apiError = (code: ErrorCode, message: string, data: Record<string, unknown> = {}): AppError =>
  new AppError(code, message, data);

export class ValidationError extends AppError {
  constructor(readonly fields: FieldErrors) {
    super('validation_error', 'the request data did not validate', fields);
  }

  static single(field: string, rule: string, message: string, detail: Record<string, unknown> = {}): ValidationError {
    return new ValidationError({ [field]: { [rule]: { message, ...detail } } });
  }
}

/** The one test for "is this a 409 of ours" (a lost write race, an existing document…). */
export const isConflict = (error: unknown): error is AppError => error instanceof AppError && error.status === 409;

/** The store took a write on fewer copies than its quorum (see `writeNotFinal`). */
export const isWriteNotFinal = (error: unknown): error is AppError => error instanceof AppError && error.code === 'write_not_final';

export const badRequest = (
  code: 'invalid_json' | 'invalid_envelope' | 'invalid_rlm_rest_body',
  message: string,
  data: Record<string, unknown> = {},
): AppError => apiError(code, message, data);

export const notFound = (id: string): AppError => apiError('bad_identifier', `${id} was not found`, { cause: id });

export const forbidden = (reason: string): AppError => apiError('forbidden', reason, { cause: reason });

/** A stale revision or a concurrent writer that won: only that is `datastore_conflict`. */
export const conflict = (message: string, data: Record<string, unknown> = {}): AppError => apiError('datastore_conflict', message, data);

/** Something still depends on what was to be removed. */
export const inUse = (message: string, data: Record<string, unknown> = {}): AppError => apiError('in_use', message, data);

export const alreadyExists = (message: string, data: Record<string, unknown> = {}): AppError => apiError('already_exists', message, data);

/** A 401 that says why in `data.cause`; the message must not echo what was presented. */
export const invalidCredentials = (cause: CredentialCause, reason: string): AppError => apiError('invalid_credentials', reason, { cause });

export const rateLimited = (retryAfterSeconds: number): AppError =>
  apiError('rate_limited', 'too many failed attempts; try again later', { retry_after: retryAfterSeconds });

export const storeUnreachable = (): AppError => apiError('datastore_unreachable', 'the document store did not answer');

/**
 * The store took a write on fewer copies than its quorum (CouchDB's 202) and no rival is visible:
 * the write is not final (see README, "Caches and replicas"). Not a success and not a failure.
 */
export const writeNotFinal = (id: string, revision: string): AppError =>
  apiError(
    'write_not_final',
    'the store took this write on fewer copies than its quorum (nodes are down); it may still lose to a concurrent write: read the document to see what stands',
    {
      durability: 'partial',
      cause: id,
      revision,
    },
  );
