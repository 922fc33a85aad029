import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { DictionaryService, dictionaryView } from '../src/dictionary/dictionary-service.js';
import { AppError, ValidationError } from '../src/errors.js';
import { SchemaValidator } from '../src/schema/validator.js';
import { type Store, openStore } from '../src/store/couch.js';

const schemas = new SchemaValidator();
/** The system dictionaries in seed-dictionaries/, by name. */
const SEED_NAMES = (await fs.readdir(new URL('../seed-dictionaries/', import.meta.url)))
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.slice(0, -'.json'.length))
  .sort();
let store: Store;
let service: DictionaryService;

// A tree root → parent → child, and an unrelated tenant.
const root = 'root0000';
const parent = 'parent00';
const child = 'child000';
const stranger = 'stranger';
const childChain = [child, parent, root];
const parentChain = [parent, root];
const strangerChain = [stranger];

const body = (name: string, extra: Record<string, unknown>[] = []) => ({
  name,
  owner: '5157b7a3b843668a6baf83f6fa5e0bf4',
  value: [
    { vendor: { Juniper: 2636 } },
    { attr: { vid: 2636, id: 5, type: 'string', name: 'Juniper_Deny_Configuration', enc: 'no' } },
    ...extra,
  ],
});

async function failure(work: Promise<unknown>): Promise<AppError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

const noReferences = async (): Promise<string[]> => [];

beforeAll(async () => {
  store = await openStore(inject('storeUrl'), `t${crypto.randomBytes(5).toString('hex')}_`);
  service = new DictionaryService(store, schemas, () => 1_700_000_000_000);
});

describe('DictionaryService: system dictionaries', () => {
  it('loads the seed once and leaves unchanged ones alone on restart', async () => {
    const first = await service.loadSystemDictionaries();
    expect(first.created.sort()).toEqual(SEED_NAMES);
    expect(SEED_NAMES).toEqual(expect.arrayContaining(['dictionary', 'dictionary_3gpp', 'dictionary_juniper']));
    const revision = (await store.dictionaries.get('system~dictionary'))?._rev;

    const again = await service.loadSystemDictionaries();
    expect(again).toEqual({ created: [], updated: [], unchanged: expect.arrayContaining(['dictionary']) });
    expect((await store.dictionaries.get('system~dictionary'))?._rev).toBe(revision);
  });

  it('does not validate again a seed already installed with the same content (start-up time)', async () => {
    await service.loadSystemDictionaries();
    let validations = 0;
    const counting = new Proxy(schemas, {
      get(target, key, receiver) {
        if (key === 'validate') {
          return (...args: Parameters<SchemaValidator['validate']>) => {
            validations += 1;
            return target.validate(...args);
          };
        }
        return Reflect.get(target, key, receiver);
      },
    });
    const restarted = new DictionaryService(store, counting);
    const report = await restarted.loadSystemDictionaries();
    expect(report.unchanged.sort()).toEqual(SEED_NAMES);
    expect(validations).toBe(0);
  });

  it('tolerates replicas seeding at the same time', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'seed-'));
    await fs.writeFile(
      path.join(dir, 'racing.json'),
      JSON.stringify({ name: 'racing', value: [{ attr: { id: 1, type: 'string', name: 'User-Name' } }] }),
    );
    const url = pathToFileURL(dir);
    const reports = await Promise.all([1, 2, 3].map(() => service.loadSystemDictionaries(url)));
    expect(reports.flatMap((report) => report.created)).toEqual(['racing']);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('updates a seed whose content changed', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'seed-'));
    await fs.writeFile(
      path.join(dir, 'racing.json'),
      JSON.stringify({ name: 'racing', value: [{ attr: { id: 2, type: 'string', name: 'User-Name' } }] }),
    );
    expect(await service.loadSystemDictionaries(pathToFileURL(dir))).toEqual({ created: [], updated: ['racing'], unchanged: [] });
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('fails start-up on an invalid seed file', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'seed-'));
    await fs.writeFile(
      path.join(dir, 'broken.json'),
      JSON.stringify({ name: 'broken', value: [{ attr: { id: 0, type: 'string', name: 'X' } }] }),
    );
    await expect(service.loadSystemDictionaries(pathToFileURL(dir))).rejects.toThrow(/broken\.json.*value\.0\.attr\.id/);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('system dictionaries are visible to everyone and writable by no one', async () => {
    const doc = await service.get('system~dictionary', strangerChain);
    expect(dictionaryView(doc)).toEqual({ id: 'system~dictionary', name: 'dictionary', owner: 'system', value: doc.value });
    expect(
      (await failure(service.replace('system~dictionary', child, childChain, { name: 'dictionary', value: [] }, undefined))).status,
    ).toBe(403);
    expect((await failure(service.remove('system~dictionary', child, childChain, noReferences))).status).toBe(403);
    expect((await failure(service.create('system', body('x')))).status).toBe(403);
  });
});

describe('DictionaryService: account dictionaries', () => {
  it('creates with an id derived from owner and name, ignoring the body owner', async () => {
    const doc = await service.create(parent, body('dictionary_juniper'));
    expect(doc._id).toBe('parent00~dictionary_juniper');
    expect(doc.pvt_owner).toBe(parent);
    expect(doc._rev).toMatch(/^1-/);
    const view = dictionaryView(doc);
    expect(Object.keys(view).sort()).toEqual(['id', 'name', 'owner', 'value']);
  });

  it('refuses a second dictionary with the same name for one owner, but not for another', async () => {
    const error = await failure(service.create(parent, body('dictionary_juniper')));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields).toHaveProperty(['name', 'unique']);
    await expect(service.create(child, body('dictionary_juniper'))).resolves.toMatchObject({ _id: 'child000~dictionary_juniper' });
  });

  it("lists own, ancestors' and system dictionaries, and nothing of other tenants", async () => {
    await service.create(stranger, body('secret_dict'));
    const names = await service.visibleNames(childChain);
    expect([...names].sort()).toEqual([...SEED_NAMES, 'racing'].sort());
    const list = await service.list(childChain);
    expect(list.map((item) => item.id)).toEqual([
      'child000~dictionary_juniper',
      'parent00~dictionary_juniper',
      ...[...SEED_NAMES, 'racing'].map((name) => `system~${name}`).sort(),
    ]);
    expect(list[0]).toEqual({ id: 'child000~dictionary_juniper', name: 'dictionary_juniper', owner: child, attributes: 1 });
    expect(list.find((item) => item.id === 'system~dictionary')?.attributes).toBeGreaterThan(50);
    expect((await service.visibleNames(strangerChain)).has('secret_dict')).toBe(true);
  });

  it("hides another tenant's dictionary as not found", async () => {
    const error = await failure(service.get('stranger~secret_dict', childChain));
    expect(error.status).toBe(404);
    expect((await failure(service.replace('stranger~secret_dict', child, childChain, body('secret_dict'), undefined))).status).toBe(404);
    expect((await failure(service.remove('stranger~secret_dict', child, childChain, noReferences))).status).toBe(404);
    expect((await failure(service.get('child000~nope', childChain))).status).toBe(404);
  });

  it("lets an account read but not change its parent's dictionary", async () => {
    await expect(service.get('parent00~dictionary_juniper', childChain)).resolves.toMatchObject({ name: 'dictionary_juniper' });
    expect(
      (await failure(service.replace('parent00~dictionary_juniper', child, childChain, body('dictionary_juniper'), undefined))).status,
    ).toBe(403);
    expect((await failure(service.remove('parent00~dictionary_juniper', child, childChain, noReferences))).status).toBe(403);
  });

  it('replaces the entries, keeps the name, and honours the expected revision', async () => {
    const before = await service.get('parent00~dictionary_juniper', parentChain);
    const extra = [{ attr: { vid: 2636, id: 4, type: 'string', name: 'Juniper_Allow_Configuration', enc: 'yes' } }];
    const after = await service.replace(before._id, parent, parentChain, body('dictionary_juniper', extra), before._rev);
    expect(after.value).toHaveLength(3);
    expect(after._rev).not.toBe(before._rev);
    expect(after.pvt_created).toBe(before.pvt_created);

    const stale = await failure(service.replace(before._id, parent, parentChain, body('dictionary_juniper'), before._rev));
    expect(stale.status).toBe(409);

    const renamed = await failure(service.replace(before._id, parent, parentChain, body('other_name'), undefined));
    expect((renamed as ValidationError).fields).toHaveProperty(['name', 'immutable']);
  });

  it('refuses to delete a dictionary an AAA document uses', async () => {
    const calls: [string, string][] = [];
    const error = await failure(
      service.remove('parent00~dictionary_juniper', parent, parentChain, async (name, owner) => {
        calls.push([name, owner]);
        return [child];
      }),
    );
    expect(calls).toEqual([['dictionary_juniper', parent]]);
    expect(error.status).toBe(409);
    expect(error.code).toBe('in_use');
    expect(error.message).toBe(`the dictionary is still used by the AAA document of account ${child}`);
    expect(error.data).toEqual({ accounts: [child] });
  });

  it('deletes, and the name can be used again afterwards', async () => {
    await service.remove('parent00~dictionary_juniper', parent, parentChain, noReferences);
    expect((await failure(service.get('parent00~dictionary_juniper', parentChain))).status).toBe(404);
    expect((await service.visibleNames(parentChain)).has('dictionary_juniper')).toBe(true); // the system one
    const again = await service.create(parent, body('dictionary_juniper'));
    expect(again._id).toBe('parent00~dictionary_juniper');
    await expect(service.get(again._id, parentChain)).resolves.toMatchObject({ _rev: again._rev });
  });
});
