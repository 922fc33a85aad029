/** The few REST calls the command line needs, with the same envelope the API speaks. */
export interface ApiAnswer {
  status: number;
  body: { status?: string; data?: unknown; message?: string; auth_token?: string; revision?: string };
}

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private token?: string,
  ) {}

  async login(apiKey: string): Promise<void> {
    const answer = await this.send('PUT', '/v2/api_auth', { data: { api_key: apiKey } });
    if (answer.status !== 201 || !answer.body.auth_token) {
      throw new Error(`login failed: ${answer.status} ${answer.body.message ?? ''}`.trim());
    }
    this.token = answer.body.auth_token;
  }

  async send(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (this.token) headers['X-Auth-Token'] = this.token;
    const response = await fetch(this.baseUrl + path, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: ApiAnswer['body'] = {};
    try {
      parsed = text ? (JSON.parse(text) as ApiAnswer['body']) : {};
    } catch {
      parsed = { message: text.slice(0, 200) };
    }
    return { status: response.status, body: parsed };
  }
}
