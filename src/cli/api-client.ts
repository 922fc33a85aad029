import { CliFailure, connectionFailure } from './errors.js';

/** The service's envelope, as far as the command line reads it. */
export interface Envelope {
  status?: string;
  error?: string;
  message?: string;
  data?: unknown;
  auth_token?: string;
  revision?: string;
  page_size?: number;
  next_start_key?: string;
}

export interface ApiAnswer {
  status: number;
  body: Envelope;
  /** The body as received: FreeRADIUS text for an export. */
  text: string;
}

export interface Login {
  token: string;
  accountId: string;
  accountName: string;
  expiresIn: number;
}

interface SendOptions {
  accept?: string;
  timeoutMs?: number;
}

/** A request the service refused: its status, error name and data, for callers that look closer. */
export class ApiError extends CliFailure {
  constructor(
    readonly request: string,
    readonly answer: ApiAnswer,
  ) {
    super(`${request}: ${describeRefusal(answer)}`);
  }
}

/** "404 bad_identifier: x was not found", plus each field's rule for a validation error. */
export function describeRefusal(answer: ApiAnswer): string {
  const { body } = answer;
  const head = [String(answer.status), body.message, body.data && typeof body.data === 'object' ? undefined : body.data]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
  const fields = body.message === 'validation_error' && isRecord(body.data) ? fieldProblems(body.data) : [];
  const reason =
    fields.length || !isRecord(body.data)
      ? undefined
      : [body.data.message, body.data.reason, body.data.cause].find((part) => typeof part === 'string');
  return [head, ...fields, ...(reason ? [reason] : [])].join('; ');
}

function fieldProblems(data: Record<string, unknown>): string[] {
  return Object.entries(data).flatMap(([field, rules]) =>
    isRecord(rules)
      ? Object.entries(rules).map(
          ([rule, detail]) => `${field} ${rule}${isRecord(detail) && typeof detail.message === 'string' ? `: ${detail.message}` : ''}`,
        )
      : [],
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A generous bound: a CLI that hangs on a stalled service is worse than one that says so. */
const DEFAULT_TIMEOUT_MS = 120_000;
/** The largest page the API serves: fewest round trips when following a list. */
export const MAX_PAGE_SIZE = 500;

/** The few REST calls the command line needs, speaking the API's envelope. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private authToken?: string,
  ) {}

  get token(): string | undefined {
    return this.authToken;
  }

  /** Exchanges an API key for a token and keeps it for later calls. The key is never in a message. */
  async login(apiKey: string): Promise<Login> {
    const answer = await this.send('PUT', '/v2/api_auth', { api_key: apiKey });
    if (answer.status !== 201 || !answer.body.auth_token || !isRecord(answer.body.data)) {
      throw new CliFailure(`login with the API key failed: ${describeRefusal(answer)}`);
    }
    const data = answer.body.data;
    this.authToken = answer.body.auth_token;
    return {
      token: answer.body.auth_token,
      accountId: String(data.account_id),
      accountName: String(data.account_name ?? ''),
      expiresIn: Number(data.expires_in),
    };
  }

  /** One request; any status comes back (a refusal is the caller's to judge). Unreachable throws one line. */
  async send(method: string, path: string, data?: unknown, options: SendOptions = {}): Promise<ApiAnswer> {
    const headers: Record<string, string> = { Accept: options.accept ?? 'application/json' };
    if (this.authToken) headers['X-Auth-Token'] = this.authToken;
    if (data !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.baseUrl + path, {
        method,
        headers,
        signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
        ...(data === undefined ? {} : { body: JSON.stringify({ data }) }),
      });
      text = await response.text();
    } catch (error) {
      throw connectionFailure(this.baseUrl, error);
    }
    return { status: response.status, body: parseEnvelope(text, response.headers.get('content-type')), text };
  }

  /** A request that must succeed (2xx): its envelope, or an `ApiError` naming the request. */
  async call(method: string, path: string, data?: unknown, options: SendOptions = {}): Promise<Envelope> {
    const answer = await this.send(method, path, data, options);
    if (answer.status >= 300) throw new ApiError(`${method} ${path}`, answer);
    return answer.body;
  }

  /** Every item of a paginated list, following `next_start_key` to the end. */
  async all(path: string, pageSize = MAX_PAGE_SIZE): Promise<unknown[]> {
    const items: unknown[] = [];
    let startKey: string | undefined;
    do {
      const query = new URLSearchParams({ page_size: String(pageSize) });
      if (startKey !== undefined) query.set('start_key', startKey);
      const page = await this.call('GET', `${path}?${query}`);
      if (!Array.isArray(page.data)) throw new CliFailure(`GET ${path}: the answer is not a list`);
      items.push(...page.data);
      // A key that does not move would loop for ever: stop rather than trust it.
      startKey = page.next_start_key !== startKey ? page.next_start_key : undefined;
    } while (startKey !== undefined);
    return items;
  }
}

function parseEnvelope(text: string, contentType: string | null): Envelope {
  if (!text || !contentType?.includes('json')) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? (parsed as Envelope) : {};
  } catch {
    return { message: text.slice(0, 200) };
  }
}
