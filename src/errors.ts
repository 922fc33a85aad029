/**
 * Errors the domain raises on purpose. Each carries the HTTP status and the Crossbar error name
 * it becomes at the edge, so routes stay free of error mapping.
 */
export type FieldErrors = Record<string, Record<string, { message: string; [detail: string]: unknown }>>;

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly data: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export class ValidationError extends AppError {
  constructor(readonly fields: FieldErrors) {
    super(400, 'validation_error', 'the request data did not validate', fields);
  }

  static single(field: string, rule: string, message: string, detail: Record<string, unknown> = {}): ValidationError {
    return new ValidationError({ [field]: { [rule]: { message, ...detail } } });
  }
}

export const badRequest = (code: string, message: string, data: Record<string, unknown> = {}): AppError =>
  new AppError(400, code, message, data);

export const notFound = (id: string): AppError => new AppError(404, 'bad_identifier', `${id} was not found`, { cause: id });

export const forbidden = (reason: string): AppError => new AppError(403, 'forbidden', reason, { cause: reason });

export const conflict = (message: string, data: Record<string, unknown> = {}): AppError =>
  new AppError(409, 'datastore_conflict', message, data);

export const invalidCredentials = (reason: string): AppError =>
  new AppError(401, 'invalid_credentials', reason);

export const tooManyRequests = (retryAfterSeconds: number): AppError =>
  new AppError(429, 'too_many_requests', 'too many failed attempts; try again later', {
    retry_after: retryAfterSeconds,
  });

export const storeUnreachable = (): AppError =>
  new AppError(503, 'datastore_unreachable', 'the document store did not answer');

/**
 * The store took a write on fewer copies than its quorum (CouchDB's 202) and no rival is visible:
 * the write is not final (see README, "Caches and replicas"). Not a success and not a failure.
 */
export const writeNotFinal = (id: string, revision: string): AppError =>
  new AppError(202, 'write_not_final', 'the store took this write on fewer copies than its quorum (nodes are down); it may still lose to a concurrent write: read the document to see what stands', {
    durability: 'partial',
    cause: id,
    revision,
  });
