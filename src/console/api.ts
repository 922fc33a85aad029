/**
 * The console's client of the service's own REST API: the same routes, tokens and tenancy rules
 * as any other client. The token lives in this module and in sessionStorage (so a reload keeps
 * the tab logged in, and closing the tab or logging out forgets it); never in localStorage.
 */
export interface Session {
  token: string;
  accountId: string;
  accountName: string;
  username?: string;
  superduper: boolean;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly data: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface Answer<T> {
  data: T;
  revision: string | undefined;
  envelope: Record<string, unknown>;
}

const STORAGE_KEY = 'circlemaker.console.session';
let session: Session | undefined;
const logoutListeners: (() => void)[] = [];

export function currentSession(): Session | undefined {
  if (session) return session;
  const stored = sessionStorage.getItem(STORAGE_KEY);
  if (!stored) return undefined;
  try {
    session = JSON.parse(stored) as Session;
  } catch {
    sessionStorage.removeItem(STORAGE_KEY);
  }
  return session;
}

export function onLogout(listener: () => void): void {
  logoutListeners.push(listener);
}

export function logout(): void {
  session = undefined;
  sessionStorage.removeItem(STORAGE_KEY);
  for (const listener of logoutListeners) listener();
}

function begin(envelope: Record<string, unknown>, username?: string): Session {
  const data = envelope.data as Record<string, unknown>;
  session = {
    token: String(envelope.auth_token),
    accountId: String(data.account_id),
    accountName: String(data.account_name),
    superduper: data.is_superduper_admin === true,
    ...(username === undefined ? {} : { username }),
  };
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  return session;
}

export async function loginWithKey(apiKey: string): Promise<Session> {
  const answer = await request<Record<string, unknown>>('PUT', '/v2/api_auth', { api_key: apiKey }, { anonymous: true });
  return begin(answer.envelope);
}

export async function loginAsUser(login: {
  username: string;
  password: string;
  account_name?: string;
  account_realm?: string;
}): Promise<Session> {
  const answer = await request<Record<string, unknown>>('PUT', '/v2/user_auth', login, { anonymous: true });
  return begin(answer.envelope, login.username);
}

export interface RequestOptions {
  ifMatch?: string | undefined;
  /** Sent as text/plain instead of a JSON envelope. */
  text?: string;
  query?: Record<string, string | undefined>;
  anonymous?: boolean;
}

export async function request<T>(method: string, path: string, data?: unknown, options: RequestOptions = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = currentSession()?.token;
  if (token && !options.anonymous) headers['X-Auth-Token'] = token;
  if (options.ifMatch) headers['If-Match'] = `"${options.ifMatch}"`;
  let body: string | undefined;
  if (options.text !== undefined) {
    body = options.text;
    headers['Content-Type'] = 'text/plain';
  } else if (data !== undefined) {
    body = JSON.stringify({ data });
    headers['Content-Type'] = 'application/json';
  }
  const query = Object.entries(options.query ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '');
  const url = path + (query.length > 0 ? `?${new URLSearchParams(query).toString()}` : '');
  const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  let envelope: Record<string, unknown> = {};
  try {
    envelope = (await response.json()) as Record<string, unknown>;
  } catch {
    envelope = {};
  }
  if (!response.ok) {
    const errorData = (envelope.data ?? {}) as Record<string, unknown>;
    const error = new ApiError(response.status, String(envelope.message ?? 'error'), describe(response.status, envelope), errorData);
    // A token the service no longer takes (expired, revoked): back to the login.
    if (response.status === 401 && token && !options.anonymous) logout();
    throw error;
  }
  const etag = response.headers.get('ETag');
  return {
    data: envelope.data as T,
    revision: etag ? etag.replace(/^W\//, '').replace(/"/g, '') : (envelope.revision as string | undefined),
    envelope,
  };
}

/** Text the service answers for a plain-text export. */
export async function requestText(path: string): Promise<string> {
  const headers: Record<string, string> = { Accept: 'text/plain' };
  const token = currentSession()?.token;
  if (token) headers['X-Auth-Token'] = token;
  const response = await fetch(path, { headers });
  if (!response.ok) throw new ApiError(response.status, 'export_failed', `export failed (${response.status})`, {});
  return response.text();
}

function describe(status: number, envelope: Record<string, unknown>): string {
  const data = (envelope.data ?? {}) as Record<string, unknown>;
  const reason = typeof data.cause === 'string' ? data.cause : typeof data.message === 'string' ? data.message : '';
  return `${status} ${String(envelope.message ?? 'error')}${reason ? `: ${reason}` : ''}`;
}

/** `{"servers.0.address": {"format": {"message": ...}}}` → `[["servers.0.address", "..."]]`. */
export function fieldErrors(error: ApiError): [string, string][] {
  if (error.code !== 'validation_error') return [];
  return Object.entries(error.data).flatMap(([field, rules]) =>
    typeof rules === 'object' && rules !== null
      ? Object.entries(rules as Record<string, { message?: unknown }>).map(([rule, detail]): [string, string] => [
          field,
          `${String(detail?.message ?? rule)} (${rule})`,
        ])
      : [],
  );
}
