import { storeUnreachable } from '../errors.js';

/** Where a database lives, for raw requests: the URL without credentials, and an auth header. */
export interface CouchEndpoint {
  base: string;
  headers: Record<string, string>;
}

export function couchEndpoint(url: string): CouchEndpoint {
  const parsed = new URL(url);
  const headers: Record<string, string> = {};
  if (parsed.username) {
    const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    headers.Authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  parsed.username = '';
  parsed.password = '';
  return { base: parsed.toString().replace(/\/$/, ''), headers };
}

/** `COUCHDB_URL` may name several nodes of one cluster, comma-separated. */
export function storeUrls(value: string): string[] {
  return value
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
}

/** The hosts of a (possibly comma-separated) store URL, for logs: never the credentials. */
export function storeHosts(value: string): string {
  return storeUrls(value)
    .map((url) => new URL(url).host)
    .join(',');
}

/** An answer from a node: any HTTP status. Failing to get one is thrown as `datastore_unreachable`. */
export interface CouchAnswer {
  status: number;
  body: unknown;
}

/** A store answer that is an error, shaped like nano's so `translateStoreError` reads it. */
export class StoreHttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly error: string,
    reason: string,
  ) {
    super(`store answered ${statusCode} ${error}: ${reason}`);
    this.name = 'StoreHttpError';
  }

  static from(answer: CouchAnswer): StoreHttpError {
    const body = (answer.body ?? {}) as { error?: string; reason?: string };
    return new StoreHttpError(answer.status, body.error ?? 'error', body.reason ?? '');
  }
}

/**
 * A store that accepts a connection and then says nothing must not hang a request forever: past
 * this, the node counts as unreachable.
 */
export const STORE_TIMEOUT_MS = 15_000;

export interface CouchRequest {
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Reads may be repeated on another node after any failure. A write is repeated only when the
   * node refused the connection (it never saw the write): repeating one it may have applied would
   * make our own write look like a rival's.
   */
  idempotent: boolean;
}

function refusedBeforeSending(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } }).cause?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH';
}

/**
 * The nodes of one CouchDB cluster (or the one embedded store). Requests go to the node that last
 * answered; when it does not answer they move on to the next, so one node down costs one failed
 * attempt, not every request. Every node of a cluster serves every database, so any node will do.
 */
export class CouchNodes {
  private readonly endpoints: CouchEndpoint[];
  private current = 0;

  constructor(urls: readonly string[]) {
    if (urls.length === 0) throw new Error('no store URL');
    this.endpoints = urls.map(couchEndpoint);
  }

  /** The node requests go to now. */
  get endpoint(): CouchEndpoint {
    return this.endpoints[this.current] as CouchEndpoint;
  }

  get size(): number {
    return this.endpoints.length;
  }

  /** Moves to the next node after `failed` (unless another request moved already). */
  failedOver(failed: CouchEndpoint): void {
    if (this.endpoint === failed) this.current = (this.current + 1) % this.endpoints.length;
  }

  /** `path` starts with `/`. Answers any HTTP status; throws `datastore_unreachable` when no node answers. */
  async request(method: string, path: string, options: CouchRequest, signal?: AbortSignal): Promise<CouchAnswer> {
    const query = options.query ? `?${new URLSearchParams(options.query)}` : '';
    for (let tried = 0; tried < this.endpoints.length; tried += 1) {
      const node = this.endpoint;
      try {
        const answer = await this.once(node, method, `${path}${query}`, options, signal);
        if (answer.status < 500 || !options.idempotent) return answer;
      } catch (error) {
        if (signal?.aborted) throw storeUnreachable();
        if (!options.idempotent && !refusedBeforeSending(error)) throw storeUnreachable();
      }
      this.failedOver(node);
    }
    throw storeUnreachable();
  }

  private async once(
    node: CouchEndpoint,
    method: string,
    pathAndQuery: string,
    options: CouchRequest,
    signal?: AbortSignal,
  ): Promise<CouchAnswer> {
    const deadline = AbortSignal.any([AbortSignal.timeout(STORE_TIMEOUT_MS), ...(signal ? [signal] : [])]);
    const headers: Record<string, string> = {
      ...node.headers,
      Accept: 'application/json',
      // Documents are small and the store is near: compressing every answer only burns CPU on both ends.
      'Accept-Encoding': 'identity',
      ...options.headers,
    };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const response = await fetch(`${node.base}${pathAndQuery}`, { method, headers, body, signal: deadline });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed };
  }
}
