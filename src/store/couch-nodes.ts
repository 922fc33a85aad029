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
 * A store that accepts a connection and then says nothing (frozen, a hung load balancer) must not
 * hang a request: one attempt at one node (connect, headers and the whole body) gets this long by
 * default, then the node counts as unreachable. `STORE_TIMEOUT_MS` sets it (README, "Deadlines").
 */
export const DEFAULT_STORE_TIMEOUT_MS = 15_000;

/**
 * Told of every store call once it ends (long polls excepted: they last as long as the feed is
 * quiet), e.g. for metrics. `status` is the answer's, or `unreachable` when no node answered.
 * Called on the request path: it must be cheap and must not throw.
 */
export type StoreCallObserver = (method: string, path: string, status: number | 'unreachable', seconds: number) => void;

export interface CouchNodesOptions {
  /** Deadline of one attempt at one node; default `DEFAULT_STORE_TIMEOUT_MS`. */
  timeoutMs?: number;
  observer?: StoreCallObserver;
}

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
  /**
   * A stream that may rightly stay open for long (a long poll kept alive by heartbeats): the
   * deadline is then one of silence, restarted by the headers and by every chunk of the body,
   * each of which `onData` hears.
   */
  stream?: { onData(): void };
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
  /** Deadline of one attempt at one node. */
  readonly timeoutMs: number;
  private readonly observer: StoreCallObserver | undefined;

  constructor(urls: readonly string[], options: CouchNodesOptions = {}) {
    if (urls.length === 0) throw new Error('no store URL');
    this.endpoints = urls.map(couchEndpoint);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
    this.observer = options.observer;
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

  /**
   * `path` starts with `/`. Answers any HTTP status; throws `datastore_unreachable` when no node
   * answers. Each node is tried at most once, each attempt within `timeoutMs`, so a call ends
   * within (number of nodes) × `timeoutMs`; `signal` may end it sooner.
   */
  async request(method: string, path: string, options: CouchRequest, signal?: AbortSignal): Promise<CouchAnswer> {
    const observer = this.observer;
    if (!observer || options.stream) return this.requestAnyNode(method, path, options, signal);
    const started = performance.now();
    try {
      const answer = await this.requestAnyNode(method, path, options, signal);
      observer(method, path, answer.status, (performance.now() - started) / 1000);
      return answer;
    } catch (error) {
      observer(method, path, 'unreachable', (performance.now() - started) / 1000);
      throw error;
    }
  }

  private async requestAnyNode(method: string, path: string, options: CouchRequest, signal?: AbortSignal): Promise<CouchAnswer> {
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

  /**
   * One attempt at one node. The deadline covers connecting, the headers and the whole body, and
   * the attempt is raced against it: a fetch aborted while its body streams does not always
   * settle on its own.
   */
  private async once(
    node: CouchEndpoint,
    method: string,
    pathAndQuery: string,
    options: CouchRequest,
    signal?: AbortSignal,
  ): Promise<CouchAnswer> {
    const controller = new AbortController();
    const expire = () => controller.abort(new Error(`the store did not answer within ${this.timeoutMs} ms`));
    let timer = setTimeout(expire, this.timeoutMs);
    let settled = false;
    const restart = () => {
      // A body still trickling in after the attempt ended must not arm a new timer.
      if (settled) return;
      clearTimeout(timer);
      timer = setTimeout(expire, this.timeoutMs);
      options.stream?.onData();
    };
    const follow = () => controller.abort(signal?.reason);
    if (signal?.aborted) follow();
    else signal?.addEventListener('abort', follow, { once: true });
    const ended = new Promise<never>((_, reject) => {
      const stop = () => reject(controller.signal.reason);
      if (controller.signal.aborted) stop();
      else controller.signal.addEventListener('abort', stop, { once: true });
    });
    ended.catch(() => undefined);
    try {
      return await Promise.race([this.exchange(node, method, pathAndQuery, options, controller.signal, restart), ended]);
    } finally {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', follow);
      controller.abort();
    }
  }

  private async exchange(
    node: CouchEndpoint,
    method: string,
    pathAndQuery: string,
    options: CouchRequest,
    signal: AbortSignal,
    restart: () => void,
  ): Promise<CouchAnswer> {
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
    const response = await fetch(`${node.base}${pathAndQuery}`, { method, headers, body, signal });
    let text: string;
    if (options.stream) {
      restart();
      const chunks: Uint8Array[] = [];
      for await (const chunk of response.body ?? []) {
        chunks.push(chunk as Uint8Array);
        restart();
      }
      text = Buffer.concat(chunks).toString('utf8');
    } else {
      text = await response.text();
    }
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed };
  }
}
