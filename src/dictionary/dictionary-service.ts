import fs from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { SYSTEM_OWNER } from '../aaa/aaa-doc.js';
import { ValidationError, forbidden, inUse, isConflict, notFound } from '../errors.js';
import type { Page, PageRequest } from '../pagination.js';
import type { SchemaValidator } from '../schema/validator.js';
import type { Store } from '../store/couch.js';
import { updateDocument } from '../store/update.js';
import { type DictionaryDoc, type DictionaryEntry, type DictionaryFields, dictionaryId } from './dictionary-doc.js';
import { validateDictionary } from './validate-dictionary.js';

const SEED_DIR = new URL('../../seed-dictionaries/', import.meta.url);

/** Start-up is normally a no-op; a few rounds cover replicas writing the same seed at once. */
const SEED_ATTEMPTS = 5;

export interface DictionaryView {
  id: string;
  name: string;
  owner: string;
  value: DictionaryEntry[];
}

export interface DictionarySummary {
  id: string;
  name: string;
  owner: string;
  /** Number of `attr` entries. */
  attributes: number;
}

export interface SeedReport {
  created: string[];
  updated: string[];
  unchanged: string[];
}

/** Answers a lookup of which accounts' AAA documents name a dictionary of `owner`. */
export type DictionaryReferences = (dictName: string, owner: string) => Promise<string[]>;

/** The public face of a dictionary; the revision travels separately (envelope, ETag). */
export function dictionaryView(doc: DictionaryDoc): DictionaryView {
  return { id: doc._id, name: doc.name, owner: doc.pvt_owner, value: doc.value };
}

export function dictionarySummary(doc: DictionaryDoc): DictionarySummary {
  return {
    id: doc._id,
    name: doc.name,
    owner: doc.pvt_owner,
    attributes: doc.value.filter((entry) => 'attr' in entry).length,
  };
}

/** `[self, parent, ..., root, system]` without repeats: the owners whose dictionaries an account sees. */
function visibleOwners(ownerChain: readonly string[]): string[] {
  return [...new Set([...ownerChain, SYSTEM_OWNER])];
}

/** Where a page starting at dictionary id `startKey` begins in `ordered` (see `listPage`). */
function positionOf(startKey: string, owners: readonly string[], ordered: readonly DictionaryDoc[]): number {
  const separator = startKey.indexOf('~');
  const rank = separator < 0 ? -1 : owners.indexOf(startKey.slice(0, separator));
  if (rank === -1) throw ValidationError.single('start_key', 'invalid', 'start_key is not the id of a dictionary this account lists');
  const at = ordered.findIndex((doc) => {
    const docRank = owners.indexOf(doc.pvt_owner);
    return docRank > rank || (docRank === rank && doc._id >= startKey);
  });
  return at === -1 ? ordered.length : at;
}

function sameContent(doc: DictionaryDoc, fields: DictionaryFields): boolean {
  return doc.name === fields.name && isDeepStrictEqual(doc.value, fields.value);
}

/** A seed file's content (not yet validated) that is stored as it is under its system id. */
function isInstalled(raw: unknown, installed: ReadonlyMap<string, DictionaryDoc>): boolean {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  const { name, value } = raw as { name?: unknown; value?: unknown };
  if (typeof name !== 'string' || !Array.isArray(value)) return false;
  const doc = installed.get(dictionaryId(SYSTEM_OWNER, name));
  // Only a seed's own fields: a file with more (an owner, say) goes through validation as before.
  if (doc === undefined || doc.name !== name || !Object.keys(raw).every((key) => key === 'name' || key === 'value')) return false;
  // Compared as JSON text (native, and much faster than a deep comparison before the JIT has
  // warmed up): the store keeps keys in the order written, so an installed seed compares equal;
  // any other difference, even of key order alone, takes the validating path, which compares deeply.
  return JSON.stringify(doc.value) === JSON.stringify(value);
}

/**
 * Dictionaries in the `aaa_dicts` database. A dictionary's id is `<owner>~<name>`, so the store
 * itself keeps names unique per owner and an owner's dictionaries are one `_all_docs` key range.
 * An account sees its own, its ancestors' and the system's dictionaries and changes only its own.
 */
export class DictionaryService {
  constructor(
    private readonly store: Store,
    private readonly schemas: SchemaValidator,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Stores the seed files as `system~<name>`. Unchanged ones are not rewritten, so restarts do not
   * add revisions (and do not wake every `_changes` follower).
   */
  async loadSystemDictionaries(dir: URL = SEED_DIR): Promise<SeedReport> {
    const report: SeedReport = { created: [], updated: [], unchanged: [] };
    const directory = dir.href.endsWith('/') ? dir : new URL(`${dir.href}/`);
    const files = (await fs.readdir(directory)).filter((file) => file.endsWith('.json')).sort();
    // One read of what is installed, rather than one per seed: a restart finds them all unchanged.
    const [texts, installed] = await Promise.all([
      Promise.all(files.map((file) => fs.readFile(new URL(file, directory), 'utf8'))),
      this.listOwned(SYSTEM_OWNER),
    ]);
    const installedById = new Map(installed.map((doc) => [doc._id, doc]));
    for (const [index, file] of files.entries()) {
      let fields: DictionaryFields;
      try {
        const raw: unknown = JSON.parse(texts[index] as string);
        // A seed stored with exactly this content was validated when it was written: not again at every start.
        if (isInstalled(raw, installedById)) {
          report.unchanged.push((raw as DictionaryFields).name);
          continue;
        }
        fields = validateDictionary(raw, this.schemas);
      } catch (error) {
        const detail = error instanceof ValidationError ? JSON.stringify(error.fields) : String(error);
        throw new Error(`seed dictionary ${file} is not valid: ${detail}`);
      }
      const outcome = await this.seedOne(fields);
      report[outcome].push(fields.name);
    }
    return report;
  }

  private async seedOne(fields: DictionaryFields): Promise<keyof SeedReport> {
    const id = dictionaryId(SYSTEM_OWNER, fields.name);
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.store.dictionaries.getFresh(id);
      if (current && sameContent(current, fields)) return 'unchanged';
      const now = this.now();
      const doc: DictionaryDoc = {
        _id: id,
        ...(current?._rev ? { _rev: current._rev } : {}),
        pvt_type: 'aaa_dict',
        pvt_owner: SYSTEM_OWNER,
        pvt_created: current?.pvt_created ?? now,
        pvt_modified: now,
        name: fields.name,
        value: fields.value,
      };
      try {
        await this.store.dictionaries.put(doc);
        return current ? 'updated' : 'created';
      } catch (error) {
        // Another replica wrote it in between: re-read; if it wrote the same seed we are done.
        if (!isConflict(error) || attempt >= SEED_ATTEMPTS) throw error;
      }
    }
  }

  private async listOwned(owner: string): Promise<DictionaryDoc[]> {
    const prefix = dictionaryId(owner, '');
    const docs = await this.store.dictionaries.listDocs({ startkey: prefix, endkey: `${prefix}\ufff0` });
    return docs.filter((doc) => doc.pvt_type === 'aaa_dict' && doc.pvt_owner === owner);
  }

  /** Visible dictionaries, own first, then each ancestor's up the tree, then the system's. */
  private async listVisible(ownerChain: readonly string[]): Promise<DictionaryDoc[]> {
    const perOwner = await Promise.all(visibleOwners(ownerChain).map((owner) => this.listOwned(owner)));
    return perOwner.flat();
  }

  /** Names an AAA document of the account at the head of `ownerChain` may put in `dicts`. */
  async visibleNames(ownerChain: readonly string[]): Promise<Set<string>> {
    return new Set((await this.listVisible(ownerChain)).map((doc) => doc.name));
  }

  /**
   * Every entry the account can see, nearest owner first: what FreeRADIUS text may refer to
   * without defining it (a vendor, a TLV parent), for parsing an upload and for exporting.
   */
  async visibleEntries(ownerChain: readonly string[]): Promise<DictionaryEntry[]> {
    return (await this.listVisible(ownerChain)).flatMap((doc) => doc.value);
  }

  async list(ownerChain: readonly string[]): Promise<DictionarySummary[]> {
    return (await this.listVisible(ownerChain)).map(dictionarySummary);
  }

  /**
   * One page of `list`'s order (own, then each ancestor's, then the system's; by id within an
   * owner, compared as code units so the order does not depend on the store's collation).
   * `startKey` is the id of the page's first dictionary; one removed since then resumes at the
   * dictionary that would have followed it.
   */
  async listPage(ownerChain: readonly string[], page: PageRequest): Promise<Page<DictionarySummary>> {
    const owners = visibleOwners(ownerChain);
    const perOwner = await Promise.all(owners.map((owner) => this.listOwned(owner)));
    const ordered = perOwner.flatMap((docs) => [...docs].sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0)));
    const from = page.startKey === undefined ? 0 : positionOf(page.startKey, owners, ordered);
    return {
      items: ordered.slice(from, from + page.pageSize).map(dictionarySummary),
      nextStartKey: ordered[from + page.pageSize]?._id,
    };
  }

  /** A dictionary the account may read; another tenant's is reported as missing, not forbidden. */
  async get(id: string, ownerChain: readonly string[]): Promise<DictionaryDoc> {
    const doc = await this.store.dictionaries.get(id);
    if (doc?.pvt_type !== 'aaa_dict' || !visibleOwners(ownerChain).includes(doc.pvt_owner)) {
      throw notFound(id);
    }
    return doc;
  }

  async create(owner: string, input: unknown): Promise<DictionaryDoc> {
    if (owner === SYSTEM_OWNER) throw forbidden('system dictionaries are read-only');
    const fields = validateDictionary(input, this.schemas);
    const now = this.now();
    const doc: DictionaryDoc = {
      _id: dictionaryId(owner, fields.name),
      pvt_type: 'aaa_dict',
      pvt_owner: owner,
      pvt_created: now,
      pvt_modified: now,
      name: fields.name,
      value: fields.value,
    };
    try {
      // CouchDB and PouchDB both accept a create without _rev over a deleted document, so a
      // name can be reused after DELETE; only a live document with this id conflicts.
      doc._rev = await this.store.dictionaries.put(doc);
    } catch (error) {
      if (!isConflict(error)) throw error;
      throw ValidationError.single('name', 'unique', `this account already has a dictionary named ${fields.name}`, {
        cause: doc._id,
      });
    }
    return doc;
  }

  /** The dictionary behind `id` if the account may change it: its own, never an ancestor's or the system's. */
  private async getWritable(id: string, ownerAccountId: string, ownerChain: readonly string[]): Promise<DictionaryDoc> {
    const doc = await this.get(id, ownerChain);
    if (doc.pvt_owner === SYSTEM_OWNER) throw forbidden('system dictionaries are read-only');
    if (doc.pvt_owner !== ownerAccountId) {
      throw forbidden('a dictionary of a parent account can only be changed through that account');
    }
    return doc;
  }

  /** POST: the entries become exactly those of `input`; the name is part of the id and stays. */
  async replace(
    id: string,
    ownerAccountId: string,
    ownerChain: readonly string[],
    input: unknown,
    expectedRev: string | undefined,
  ): Promise<DictionaryDoc> {
    const current = await this.getWritable(id, ownerAccountId, ownerChain);
    const fields = validateDictionary(input, this.schemas);
    if (fields.name !== current.name) {
      throw ValidationError.single('name', 'immutable', `the name of a dictionary cannot change (it is ${current.name})`, {
        target: current.name,
      });
    }
    return updateDocument(this.store.dictionaries, id, expectedRev, (latest) => ({
      ...latest,
      value: fields.value,
      pvt_modified: this.now(),
    }));
  }

  /**
   * Deletes an own dictionary that no AAA document names. The check and the delete are not atomic:
   * an AAA document saved in between can still name the dictionary, so whatever resolves `dicts`
   * has to treat a missing dictionary as an error rather than rely on this check.
   */
  async remove(id: string, ownerAccountId: string, ownerChain: readonly string[], referencedBy: DictionaryReferences): Promise<void> {
    const doc = await this.getWritable(id, ownerAccountId, ownerChain);
    const accounts = await referencedBy(doc.name, doc.pvt_owner);
    if (accounts.length > 0) {
      const which = accounts.length === 1 ? `account ${accounts[0]}` : `accounts ${accounts.join(', ')}`;
      throw inUse(`the dictionary is still used by the AAA document of ${which}`, { accounts });
    }
    try {
      await this.store.dictionaries.remove(doc._id, doc._rev ?? '');
    } catch (error) {
      if (!isConflict(error)) throw error;
      // A DELETE names no revision: the mirror's was stale (a change, or another leaf of a
      // conflict, not yet in its feed), so delete what the store holds now.
      const fresh = await this.store.dictionaries.getFresh(doc._id);
      if (fresh) await this.store.dictionaries.remove(fresh._id, fresh._rev ?? '');
    }
  }
}
