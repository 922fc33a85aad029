/** A small HTTP client for the tests: JSON in, status + parsed envelope out. */
export interface ApiResponse {
  status: number;
  headers: Headers;
  // Envelopes are checked field by field in the tests; their shape is what is under test.
  body: Record<string, any>;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Sent as is (for malformed-body tests); otherwise `data` is wrapped as {"data": ...}. */
  rawBody?: string;
}

export class Api {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  as(token: string | undefined): Api {
    return new Api(this.baseUrl, token);
  }

  async request(method: string, path: string, data?: unknown, options: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.token !== undefined && !('X-Auth-Token' in headers)) headers['X-Auth-Token'] = this.token;
    let body: string | undefined = options.rawBody;
    if (body === undefined && data !== undefined) {
      body = JSON.stringify({ data });
      headers['Content-Type'] ??= 'application/json';
    }
    const response = await fetch(this.baseUrl + path, { method, headers, body });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { raw: text };
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  get(path: string, options?: RequestOptions) {
    return this.request('GET', path, undefined, options);
  }
  put(path: string, data?: unknown, options?: RequestOptions) {
    return this.request('PUT', path, data, options);
  }
  post(path: string, data?: unknown, options?: RequestOptions) {
    return this.request('POST', path, data, options);
  }
  patch(path: string, data?: unknown, options?: RequestOptions) {
    return this.request('PATCH', path, data, options);
  }
  delete(path: string, options?: RequestOptions) {
    return this.request('DELETE', path, undefined, options);
  }

  /** Exchanges an API key for a token; throws unless it worked. */
  async login(apiKey: string): Promise<string> {
    const response = await this.as(undefined).put('/v2/api_auth', { api_key: apiKey });
    if (response.status !== 201) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
    return String(response.body.auth_token);
  }
}

export interface TestAccount {
  id: string;
  apiKey: string;
  token: string;
}

/** Creates a child of `parentId` with the caller's token and logs in as it. */
export async function createAccount(api: Api, parentId: string, name: string): Promise<TestAccount> {
  const response = await api.put(`/v2/accounts/${parentId}`, { name });
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${JSON.stringify(response.body)}`);
  const id = String(response.body.data.id);
  const apiKey = String(response.body.data.api_key);
  return { id, apiKey, token: await api.login(apiKey) };
}
