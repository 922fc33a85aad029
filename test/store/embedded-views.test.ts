/**
 * The embedded store's map/reduce (src/store/embedded-views.ts): functions compiled once per index
 * update give CouchDB's answers: keys, values, builtin and custom reduces, incremental updates
 * and deletions; a map function that changes its document changes nothing another view sees.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { couchEndpoint } from '../../src/store/database.js';
import { type EmbeddedCouch, startEmbeddedCouch } from '../../src/store/embedded.js';

let store: EmbeddedCouch;
let dataDir: string;
let base: string;
let headers: Record<string, string>;

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'embedded-views-'));
  store = await startEmbeddedCouch({ dataDir, host: '127.0.0.1', port: 0 });
  ({ base, headers } = couchEndpoint(store.url));
});
afterAll(async () => {
  await store?.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

async function call(method: string, url: string, body?: unknown): Promise<any> {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.json();
}

describe('embedded store views', () => {
  it("map, _count, _sum over arrays, _stats, a custom reduce; updates and deletions; map functions cannot change each other's documents", async () => {
    await call('PUT', '/views');
    await call('PUT', '/views/_design/d', {
      views: {
        by_kind: { map: 'function (doc) { if (doc.kind) { emit([doc.kind, doc.n], doc.n); } }', reduce: '_count' },
        sums: { map: 'function (doc) { if (doc.kind) emit(doc.kind, [1, doc.n]); }', reduce: '_sum' },
        stats: { map: 'function (doc) { if (doc.kind) emit(doc.kind, doc.n); }', reduce: '_stats' },
        custom: {
          map: 'function (doc) { if (doc.kind) emit(doc.kind, doc.n); }',
          reduce: 'function (keys, values, rereduce) { return sum(values) * 10; }',
        },
        vandal: { map: 'function (doc) { doc.kind = "changed"; emit(doc._id, null); }' },
      },
    });
    await call('POST', '/views/_bulk_docs', {
      docs: [
        { _id: 'a', kind: 'x', n: 1 },
        { _id: 'b', kind: 'x', n: 2 },
        { _id: 'c', kind: 'y', n: 5 },
      ],
    });
    expect((await call('GET', '/views/_design/d/_view/vandal')).rows).toHaveLength(3);
    const rows = (await call('GET', '/views/_design/d/_view/by_kind?reduce=false')).rows;
    expect(rows.map((row: any) => [row.id, row.key, row.value])).toEqual([
      ['a', ['x', 1], 1],
      ['b', ['x', 2], 2],
      ['c', ['y', 5], 5],
    ]);
    expect((await call('GET', '/views/_design/d/_view/by_kind')).rows).toEqual([{ key: null, value: 3 }]);
    expect((await call('GET', '/views/_design/d/_view/sums?group=true')).rows).toEqual([
      { key: 'x', value: [2, 3] },
      { key: 'y', value: [1, 5] },
    ]);
    expect((await call('GET', '/views/_design/d/_view/stats')).rows[0].value).toEqual({ sum: 8, min: 1, max: 5, count: 3, sumsqr: 30 });
    expect((await call('GET', '/views/_design/d/_view/custom?group=true&key="x"')).rows).toEqual([{ key: 'x', value: 30 }]);
    const b = await call('GET', '/views/b');
    await call('PUT', '/views/b', { ...b, kind: 'y' });
    await call('DELETE', `/views/a?rev=${(await call('GET', '/views/a'))._rev}`);
    expect((await call('GET', '/views/_design/d/_view/by_kind?reduce=false')).rows.map((row: any) => row.key)).toEqual([
      ['y', 2],
      ['y', 5],
    ]);
  });
});
