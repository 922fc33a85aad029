/**
 * Every error the API can answer, in one place: its code (the envelope's `message`), its one
 * HTTP status, and what it means. An `AppError` is made from a code, so its status is looked up
 * here and cannot drift; the OpenAPI document's error responses are generated from this table.
 * Crossbar's own names are kept where Kazoo fixes them (401 invalid_credentials, 403 forbidden,
 * 404 bad_identifier, 405 invalid_method, 409 datastore_conflict, 503 datastore_unreachable).
 */
export interface CatalogueEntry {
  status: number;
  /** One line: the situation this code names. */
  meaning: string;
}

export const ERROR_CATALOGUE = {
  write_not_final: {
    status: 202,
    meaning: 'the store took the write on fewer copies than its quorum (nodes are down); read the document to see what stands',
  },
  validation_error: { status: 400, meaning: 'the request data did not validate; `data` is keyed by field path, then rule (e.g. `unique`)' },
  invalid_json: { status: 400, meaning: 'the body is not valid JSON' },
  invalid_envelope: { status: 400, meaning: 'the body is not of the form {"data": {...}}' },
  invalid_rlm_rest_body: { status: 400, meaning: 'the body is not rlm_rest JSON (an object of attributes)' },
  invalid_dictionary: {
    status: 400,
    meaning: 'the dictionary text or list does not parse or compile; `data` names the file/entry and line',
  },
  invalid_credentials: {
    status: 401,
    meaning:
      'no valid credentials; `data.cause` says why: missing, malformed, expired, bad_signature, revoked, account_inactive, wrong_credentials',
  },
  forbidden: { status: 403, meaning: 'the caller may not do this (outside its account tree, read-only, superduper admin only)' },
  destination_refused: { status: 403, meaning: "the AAA server's address is in a range the service refuses to send to" },
  bad_identifier: { status: 404, meaning: 'no such account, document, subscriber, session or dictionary' },
  not_found: { status: 404, meaning: 'no route for this path' },
  invalid_method: { status: 405, meaning: 'the method is not allowed on this path; `data.allowed` lists those that are' },
  datastore_conflict: {
    status: 409,
    meaning: 'the document changed since the revision given (If-Match or concurrent writer); fetch it and retry',
  },
  already_exists: { status: 409, meaning: 'the document exists already; replace it (POST) or change it (PATCH) instead' },
  in_use: { status: 409, meaning: 'something still depends on it (an AAA document uses the dictionary, the account has children)' },
  aaa_disabled: { status: 409, meaning: 'the answering AAA configuration has aaa_mode "off"' },
  cache_disabled: { status: 409, meaning: 'the service runs without a cache, so there is nothing to reload' },
  payload_too_large: { status: 413, meaning: 'the request body is over the size limit' },
  no_aaa_servers: {
    status: 422,
    meaning: 'no AAA configuration of the account or its ancestors names an enabled server for the operation',
  },
  nas_not_registered: { status: 422, meaning: "the session's NAS is not registered under `nas` of the account's AAA document" },
  not_exportable: { status: 422, meaning: 'the dictionary is valid but has no FreeRADIUS text form' },
  rate_limited: {
    status: 429,
    meaning: 'too many failed logins from this client; retry after `data.retry_after` seconds (also Retry-After)',
  },
  client_closed_request: { status: 499, meaning: 'the client went away before the answer; the AAA request was abandoned' },
  internal_error: { status: 500, meaning: 'the request failed unexpectedly (logged with its request id)' },
  datastore_unreachable: { status: 503, meaning: 'the document store did not answer' },
  write_not_durable: { status: 503, meaning: 'the store took the session records on fewer copies than its quorum; send them again' },
  overloaded: { status: 503, meaning: "every worker of the AAA configuration is busy and the account's queue is full; try again later" },
  shutting_down: { status: 503, meaning: 'the service is shutting down; the request was abandoned (another replica may answer)' },
  store_view_stale: { status: 503, meaning: 'not ready: the local view of the store is behind' },
  console_not_built: { status: 503, meaning: 'the operator console is not built (`npm run build`)' },
  deadline_exceeded: { status: 504, meaning: "no AAA answer within the request's deadline" },
  radius_unreachable: { status: 504, meaning: 'no AAA server answered after every retry' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Why a 401: said in `data.cause`, never with the secret that failed. */
export type CredentialCause = 'missing' | 'malformed' | 'expired' | 'bad_signature' | 'revoked' | 'account_inactive' | 'wrong_credentials';

export const statusOf = (code: ErrorCode): number => ERROR_CATALOGUE[code].status;

/** The codes a response with this status can carry. */
export function codesWithStatus(status: number): ErrorCode[] {
  return (Object.keys(ERROR_CATALOGUE) as ErrorCode[]).filter((code) => ERROR_CATALOGUE[code].status === status);
}
