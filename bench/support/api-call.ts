/** The service's API as the benchmarks' set-up calls it: JSON envelopes, a token, an expected status. */

export interface Envelope {
  status?: string;
  data?: Record<string, unknown>;
  auth_token?: string;
  message?: string;
}

/** One API call; the body's size in bytes comes back beside it. */
export async function call(
  base: string,
  method: string,
  urlPath: string,
  token: string | undefined,
  data?: unknown,
): Promise<{ status: number; body: Envelope; bytes: number }> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token !== undefined) headers['X-Auth-Token'] = token;
  let body: string | undefined;
  if (data !== undefined) {
    body = JSON.stringify({ data });
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(base + urlPath, { method, headers, body });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Envelope, bytes: Buffer.byteLength(text) };
}

/** One API call that must answer `expected`; throws with the answer otherwise. */
export async function expectStatus(
  expected: number,
  base: string,
  method: string,
  urlPath: string,
  token: string | undefined,
  data?: unknown,
): Promise<Envelope> {
  const response = await call(base, method, urlPath, token, data);
  if (response.status !== expected) {
    throw new Error(`${method} ${urlPath}: expected ${expected}, got ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body;
}

/** A token for an API key. */
export async function login(base: string, apiKey: string): Promise<string> {
  const body = await expectStatus(201, base, 'PUT', '/v2/api_auth', undefined, { api_key: apiKey });
  if (typeof body.auth_token !== 'string') throw new Error('login: no auth_token in the answer');
  return body.auth_token;
}
