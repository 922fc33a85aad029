import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import PouchDBModule from 'pouchdb-node';
import { couchEndpoint } from '../../src/store/couch-nodes.js';
import { type EmbeddedCouch, startEmbeddedCouch } from '../../src/store/embedded.js';

/**
 * A cluster made of the embedded store's own mechanisms: several embedded stores joined by
 * continuous PouchDB replication (the CouchDB replication protocol) stand for the copies of a
 * CouchDB cluster, and a fault proxy in front of a store stands for a coordinator that answers a
 * write with 202 (fewer copies than a quorum took it), or for a node that is down.
 */

/** The databases a service with `prefix` uses. */
export const databaseNames = (prefix: string): string[] =>
  ['accounts', 'aaa', 'aaa_dicts', 'system_config', 'conflicts'].map((name) => `${prefix}${name}`);

export interface ClusterStore extends EmbeddedCouch {
  dataDir: string;
}

export async function startStore(): Promise<ClusterStore> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'circlemaker-cluster-'));
  const store = await startEmbeddedCouch({ dataDir, host: '127.0.0.1', port: 0 });
  return {
    ...store,
    dataDir,
    async close() {
      await store.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A raw request to a store (not through the service), answering status and JSON body. */
export async function storeRequest(
  storeUrl: string,
  method: string,
  pathInStore: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const endpoint = couchEndpoint(storeUrl);
  const response = await fetch(`${endpoint.base}${pathInStore}`, {
    method,
    headers: { ...endpoint.headers, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

/** Every leaf of a document on one store, sorted: `[{ rev, deleted }]`. */
export async function leavesOn(storeUrl: string, db: string, id: string): Promise<{ rev: string; deleted: boolean; doc: any }[]> {
  const answer = await storeRequest(storeUrl, 'GET', `/${db}/${encodeURIComponent(id)}?open_revs=all`);
  if (answer.status === 404) return [];
  return (answer.body as { ok?: any }[])
    .flatMap((row) => (row.ok ? [{ rev: String(row.ok._rev), deleted: row.ok._deleted === true, doc: row.ok }] : []))
    .sort((a, b) => a.rev.localeCompare(b.rev));
}

/** Creates the databases on a store (412 when they exist is fine). */
export async function createDatabases(storeUrl: string, names: readonly string[]): Promise<void> {
  for (const name of names) await storeRequest(storeUrl, 'PUT', `/${name}`);
}

interface SyncHandle {
  on(event: 'complete', listener: () => void): void;
  cancel(): void;
}

/** The slice of PouchDB the harness uses (the project declares the package minimally). */
interface PouchReplicator {
  new (url: string, options: { auth: { username: string; password: string } }): object;
  sync(a: object, b: object, options: { live: boolean; retry: boolean; heartbeat: number }): SyncHandle;
}

const PouchDB = PouchDBModule as unknown as PouchReplicator;

function remoteDb(storeUrl: string, name: string): object {
  const endpoint = couchEndpoint(storeUrl);
  const parsed = new URL(storeUrl);
  return new PouchDB(`${endpoint.base}/${name}`, {
    auth: { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) },
  });
}

/** Continuous two-way replication of `names` between two stores, which can be paused to stage a race. */
export class Replication {
  private handles: SyncHandle[] = [];

  constructor(
    private readonly a: string,
    private readonly b: string,
    private readonly names: readonly string[],
  ) {}

  get running(): boolean {
    return this.handles.length > 0;
  }

  start(): void {
    if (this.running) return;
    this.handles = this.names.map((name) =>
      PouchDB.sync(remoteDb(this.a, name), remoteDb(this.b, name), { live: true, retry: true, heartbeat: 1_000 }),
    );
  }

  async pause(): Promise<void> {
    const handles = this.handles;
    this.handles = [];
    await Promise.all(
      handles.map(
        (handle) =>
          new Promise<void>((resolve) => {
            handle.on('complete', () => resolve());
            handle.cancel();
            // A cap, not a wait: a cancelled sync that never emits 'complete' must not hang the pause.
            setTimeout(resolve, 2_000);
          }),
      ),
    );
  }
}

/** The tests' one polling helper, here too for the files that take their store tools from this one. */
export { until } from './poll.js';

/** Both stores hold the same leaves of a document. */
export async function sameLeaves(a: string, b: string, db: string, id: string): Promise<boolean> {
  const [left, right] = await Promise.all([leavesOn(a, db, id), leavesOn(b, db, id)]);
  return JSON.stringify(left.map((leaf) => [leaf.rev, leaf.deleted])) === JSON.stringify(right.map((leaf) => [leaf.rev, leaf.deleted]));
}

/** Both stores hold the same documents at the same revisions in `db`. */
export async function sameDatabase(a: string, b: string, db: string): Promise<boolean> {
  const list = async (url: string) => JSON.stringify((await storeRequest(url, 'GET', `/${db}/_all_docs`)).body?.rows ?? null);
  const [left, right] = await Promise.all([list(a), list(b)]);
  return left === right;
}

/**
 * What a `FaultProxy` does with a request instead of forwarding it: answer it itself, accept it
 * and never answer (`hang`: a frozen store, a hung load balancer), or send the headers and then a
 * body that never ends (`stall`).
 */
export type Interception = { status: number; body: unknown } | 'hang' | 'stall';

export interface WriteSeen {
  method: string;
  /** `/<db>/<doc id>` as sent (the id URL-encoded). */
  path: string;
}

/**
 * An HTTP proxy in front of a store. It forwards everything; on request it answers document
 * writes with 202 instead of 201 (after an optional hook, e.g. to let the other copies catch up
 * as a CouchDB coordinator does before it answers), refuses `_changes`, or goes away entirely.
 */
export class FaultProxy {
  /** Which document writes to answer with 202; none by default. */
  acceptOnly: (write: WriteSeen) => boolean = () => false;
  /** Runs before a write is answered with 202. */
  beforeAccepted: (write: WriteSeen) => Promise<void> = async () => {};
  /** Decides per request whether to answer it here (see `Interception`); undefined forwards it. */
  intercept: (request: WriteSeen) => Interception | undefined = () => undefined;
  /** Drops every `_changes` request (and the long polls already open). */
  private changesBlocked = false;
  private readonly openFeeds = new Set<http.ServerResponse>();
  private server: http.Server | undefined;
  private port = 0;

  constructor(private readonly target: string) {}

  /** The URL to give a service: the proxy's address with the store's credentials. */
  get url(): string {
    const target = new URL(this.target);
    target.port = String(this.port);
    return target.toString().replace(/\/$/, '');
  }

  async start(): Promise<void> {
    const upstream = new URL(this.target);
    this.server = http.createServer((req, res) => {
      const interception = this.intercept({ method: req.method ?? 'GET', path: (req.url ?? '').split('?')[0] ?? '' });
      if (interception === 'hang') return;
      if (interception === 'stall') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"');
        return;
      }
      if (interception) {
        res.writeHead(interception.status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(interception.body));
        return;
      }
      const isChanges = (req.url ?? '').includes('/_changes');
      if (isChanges && this.changesBlocked) {
        req.socket.destroy();
        return;
      }
      const forwarded = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => void this.answer(req, res, answer),
      );
      forwarded.on('error', () => res.destroy());
      req.pipe(forwarded);
      if (isChanges) {
        this.openFeeds.add(res);
        res.on('close', () => this.openFeeds.delete(res));
      }
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  private async answer(req: http.IncomingMessage, res: http.ServerResponse, answer: http.IncomingMessage): Promise<void> {
    const write: WriteSeen = { method: req.method ?? 'GET', path: (req.url ?? '').split('?')[0] ?? '' };
    const isDocWrite = (write.method === 'PUT' || write.method === 'DELETE') && write.path.split('/').filter(Boolean).length >= 2;
    if (isDocWrite && (answer.statusCode === 201 || answer.statusCode === 200) && this.acceptOnly(write)) {
      const chunks: Buffer[] = [];
      for await (const chunk of answer) chunks.push(chunk as Buffer);
      await this.beforeAccepted(write);
      res.writeHead(202, answer.headers);
      res.end(Buffer.concat(chunks));
      return;
    }
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  }

  blockChanges(blocked: boolean): void {
    this.changesBlocked = blocked;
    if (blocked) for (const feed of this.openFeeds) feed.socket?.destroy();
  }

  /** Stops listening: the node is down, and connections to it are refused. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
