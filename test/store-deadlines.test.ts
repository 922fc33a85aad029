import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CouchNodes } from '../src/store/couch-nodes.js';
import { openStore } from '../src/store/couch.js';
import { Database, type StoredDoc } from '../src/store/database.js';

/**
 * Every store call ends within its deadline when the store accepts connections and then says
 * nothing, or sends its headers and then stalls the body. The deadline here is 300 ms; each call
 * must fail with 503 `datastore_unreachable` within 10 s (a "does not hang" bound, not a timing).
 */
const DEADLINE_MS = 300;
const DOES_NOT_HANG_MS = 10_000;

const servers: { close(): void }[] = [];

/** Accepts TCP connections and never writes a byte. */
async function silentServer(): Promise<string> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Answers 200 with its headers and the start of a JSON body, then stalls. */
async function stallingServer(): Promise<string> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('{"rows":[');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Settles `call` or fails the test if it is still pending after the bound. */
async function outcome(call: () => Promise<unknown>): Promise<{ status?: number; code?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${DOES_NOT_HANG_MS} ms`)), DOES_NOT_HANG_MS);
  });
  try {
    await Promise.race([call(), hung]);
    return {};
  } catch (error) {
    if ((error as Error).message.startsWith('still waiting')) throw error;
    return error as { status?: number; code?: string };
  } finally {
    clearTimeout(timer);
  }
}

type Call = [string, (db: Database<StoredDoc>) => Promise<unknown>];

const calls: Call[] = [
  ['get', (db) => db.get('a')],
  ['getMany', (db) => db.getMany(['a', 'b'])],
  ['view', (db) => db.view('aaa', 'by_dictionary', { key: 'x' })],
  ['view with keys', (db) => db.view('aaa', 'by_dictionary', { keys: ['x'] })],
  ['viewDocs', (db) => db.viewDocs('aaa', 'by_dictionary')],
  ['listDocs', (db) => db.listDocs({ limit: 1 })],
  ['allDocs', (db) => db.allDocs()],
  ['leaves', (db) => db.leaves('a')],
  ['updateSeq', (db) => db.updateSeq()],
  ['put (create)', (db) => db.put({ _id: 'a' })],
  ['put (update)', (db) => db.put({ _id: 'a', _rev: '1-x' })],
  ['remove', (db) => db.remove('a', '1-x')],
  ['changes feed (long poll)', (db) => db.changesSince(0, 60_000)],
  ['changes feed (catch-up)', (db) => db.changesSince(0, 60_000, undefined, false)],
];

describe.each([
  ['accepts connections and never answers', silentServer],
  ['sends headers, then stalls the body', stallingServer],
])('a store that %s', (_what, start) => {
  let url = '';
  beforeAll(async () => {
    url = await start();
  });
  afterAll(() => {
    for (const server of servers.splice(0)) server.close();
  });

  it.each(calls)('%s answers 503 datastore_unreachable within the deadline', async (_name, call) => {
    const db = new Database<StoredDoc>('deadline', new CouchNodes([url], { timeoutMs: DEADLINE_MS }));
    expect(await outcome(() => call(db))).toMatchObject({ status: 503, code: 'datastore_unreachable' });
  });

  it('the deadline holds per node: two silent nodes fail a read over and still end', async () => {
    const db = new Database<StoredDoc>('deadline', new CouchNodes([url, url], { timeoutMs: DEADLINE_MS }));
    expect(await outcome(() => db.get('a'))).toMatchObject({ status: 503, code: 'datastore_unreachable' });
  });

  it('opening the store ends with 503 (each database is looked up within the deadline)', async () => {
    expect(await outcome(() => openStore(url, 'deadline_', { timeoutMs: DEADLINE_MS }))).toMatchObject({
      status: 503,
      code: 'datastore_unreachable',
    });
  });
});

describe('a long poll kept alive by heartbeats', () => {
  it('is not cut by the deadline while heartbeats arrive, and each one is heard', async () => {
    let beats = 0;
    let feed: http.ServerResponse | undefined;
    const server = http.createServer((_req, res) => {
      feed = res;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"results":[\n');
      const beat = setInterval(() => {
        if (beats >= 10) {
          clearInterval(beat);
          res.end('],\n"last_seq":7}\n');
          return;
        }
        beats += 1;
        res.write('\n');
      }, DEADLINE_MS / 3);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const db = new Database<StoredDoc>(
        'deadline',
        new CouchNodes([`http://127.0.0.1:${(server.address() as AddressInfo).port}`], { timeoutMs: DEADLINE_MS }),
      );
      let heard = 0;
      // Ten heartbeats a third of the deadline apart: over three deadlines in all.
      const batch = await db.changesSince(0, 60_000, undefined, true, () => (heard += 1));
      expect(batch.lastSeq).toBe(7);
      expect(heard).toBeGreaterThanOrEqual(10);
      expect(feed).toBeDefined();
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
