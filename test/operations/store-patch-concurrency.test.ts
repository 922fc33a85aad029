import { Writable } from 'node:stream';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { createLogger } from '../../src/log.js';
import { type SystemDoc, openStore } from '../../src/store/couch.js';
import type { DocumentStore } from '../../src/store/database.js';
import { revisionGeneration } from '../../src/store/revisions.js';
import { mirrorStore } from '../../src/store/store-cache.js';
import { updateDocument } from '../../src/store/update.js';
import { Api } from '../support/api.js';
import { type TestService, startTestService, uniquePrefix } from '../support/service.js';

/**
 * A change without If-Match re-applies itself after a lost race until a deadline, not a count:
 * with 20 writers at once some must lose many races in a row (one wins per round), and every one
 * of them must still land, with nothing another wrote lost.
 */
const WRITERS = 20;

const quietLogger = createLogger('warn', new Writable({ write: (_chunk, _encoding, done) => done() }));

async function twentyKeysAtOnce(db: DocumentStore<SystemDoc>): Promise<SystemDoc | undefined> {
  await db.put({ _id: 'shared', base: true });
  const keys = Array.from({ length: WRITERS }, (_, i) => `key_${i}`);
  await Promise.all(keys.map((key) => updateDocument(db, 'shared', undefined, (current) => ({ ...current, [key]: key }))));
  return db.getFresh('shared');
}

describe('PATCH without If-Match under contention', () => {
  it(`${WRITERS} concurrent read-modify-writes of different keys, straight to the store: every key lands`, async () => {
    const remote = await openStore(inject('storeUrl'), uniquePrefix());
    const stored = await twentyKeysAtOnce(remote.system);
    for (let i = 0; i < WRITERS; i += 1) expect(stored?.[`key_${i}`]).toBe(`key_${i}`);
    expect(revisionGeneration(stored?._rev)).toBe(1 + WRITERS);
  });

  it(`${WRITERS} concurrent read-modify-writes of different keys, through the mirror: every key lands`, async () => {
    const remote = await openStore(inject('storeUrl'), uniquePrefix());
    const cached = await mirrorStore(remote, quietLogger);
    try {
      const stored = await twentyKeysAtOnce(cached.system);
      for (let i = 0; i < WRITERS; i += 1) expect(stored?.[`key_${i}`]).toBe(`key_${i}`);
      expect(revisionGeneration(stored?._rev)).toBe(1 + WRITERS);
    } finally {
      await cached.close();
    }
  });

  describe('through the API, on one account’s AAA document', () => {
    let service: TestService;
    afterAll(async () => {
      await service?.close();
    });

    it(`${WRITERS} concurrent PATCHes: all 200, each one a revision of its own, no field lost`, async () => {
      service = await startTestService();
      const api = new Api(service.url);
      const admin = api.as(await api.login(service.masterApiKey));
      const aaa = `/v2/accounts/${service.masterAccountId}/aaa`;
      const created = await admin.put(aaa, { aaa_mode: 'off' });
      expect(created.status).toBe(201);
      const startGeneration = revisionGeneration(String(created.body.revision));
      expect(startGeneration).toBe(1);
      // Three PATCHes set fields nobody else touches; the rest race on nas_port.
      const patches = [
        { workers: 7 },
        { nas_address: '192.0.2.7' },
        { authz_apps: ['billing'] },
        ...Array.from({ length: WRITERS - 3 }, (_, i) => ({ nas_port: 1000 + i })),
      ];
      const answers = await Promise.all(patches.map((patch) => admin.patch(aaa, patch)));
      expect(answers.map((answer) => answer.status)).toEqual(patches.map(() => 200));
      const stored = (await admin.get(aaa)).body;
      expect(stored.data).toMatchObject({ aaa_mode: 'off', workers: 7, nas_address: '192.0.2.7', authz_apps: ['billing'] });
      expect(revisionGeneration(String(stored.revision))).toBe(startGeneration + WRITERS);
    });
  });
});
