/**
 * A benchmark's data set written straight into the store, before the service starts, in the
 * document shapes the service itself writes (account-service, aaa-service, dictionary-service):
 * accounts, AAA documents, owned vendor dictionaries, and `_bulk_docs` over HTTP to put them in.
 * Used by bench/cache/memory.ts and bench/aaa/tenant-authn.ts.
 */
import crypto from 'node:crypto';
import type { AccountDoc } from '../../src/accounts/account-doc.js';
import { hashApiKey, newAccountId } from '../../src/accounts/api-key.js';
import type { AaaConfig, AaaDoc, AaaServer, AvpTranslation } from '../../src/aaa/aaa-doc.js';
import { type DictionaryDoc, type DictionaryEntry, dictionaryId } from '../../src/dictionary/dictionary-doc.js';
import { couchEndpoint } from '../../src/store/database.js';

/** User-Name and User-Password as they are (authn), Calling-Station-Id (authz), Acct-Session-Time (accounting). */
export const translations: AvpTranslation[] = [
  { attribute: 'User-Name', request_key: 'User-Name', request_value_regexp: '^(.*)$', attr_value_regexp: '^(.*)$' },
  { attribute: 'User-Password', request_key: 'User-Password', request_value_regexp: '^(.*)$', attr_value_regexp: '^(.*)$' },
  {
    attribute: 'Calling-Station-Id',
    request_key: 'Caller-ID-Number',
    request_value_regexp: '^\\+?([0-9]+)$',
    attr_value_regexp: '^(.*)$',
  },
  {
    attribute: 'Acct-Session-Time',
    request_key: 'Billing-Seconds',
    request_value_regexp: '^([0-9]+)$',
    attr_value_regexp: '^([0-9]+)$',
    cast: 'string_to_integer',
  },
];

/** A RADIUS server entry: port 1812, a random secret, 3 retries, 5 s timeout, unless `fields` says otherwise. */
export function radiusServer(name: string, address: string, dicts: string[], fields: Partial<AaaServer> = {}): AaaServer {
  return {
    enabled: true,
    name,
    address,
    port: 1812,
    secret: crypto.randomBytes(12).toString('hex'),
    aaa_engine: 'radius',
    dicts,
    avp: 'strict',
    retries: 3,
    timeout: 5000,
    ...fields,
  };
}

/**
 * An account's AAA document, `on`, every operation naming every server in order; 5 workers,
 * the translations above; `fields` overrides any public field.
 */
export function aaaDoc(accountId: string, servers: AaaServer[], now: number, fields: Partial<AaaConfig> = {}): AaaDoc {
  const names = servers.map((s) => s.name);
  return {
    _id: accountId,
    aaa_mode: 'on',
    servers,
    authentication: names,
    authorization: names,
    accounting: names,
    workers: 5,
    nas_port: 1812,
    authz_apps: ['circlemaker'],
    authn_avp_translation: translations.slice(0, 2),
    authz_avp_translation: translations.slice(0, 3),
    accounting_avp_translation: translations,
    block_accounting: [],
    block_authz: [],
    ...fields,
    pvt_type: 'aaa',
    pvt_account_id: accountId,
    pvt_created: now,
    pvt_modified: now,
  };
}

/** A vendor dictionary of an account: one vendor (`<label>-Vendor`), 40 attributes, 20 values (61 entries). */
export function ownedDictionary(owner: string, name: string, vendorId: number, label: string, now: number): DictionaryDoc {
  const vendor = `${label}-Vendor`;
  const value: DictionaryEntry[] = [{ vendor: { [vendor]: vendorId } }];
  for (let id = 1; id <= 40; id += 1) {
    value.push({ attr: { vid: vendorId, id, type: id % 4 === 0 ? 'integer' : 'string', name: `${label}-Attr-${id}`, enc: 'no' } });
  }
  for (let val = 0; val < 20; val += 1) {
    value.push({ val: { vid: vendorId, id: 4, val, name: `${label}-Value-${val}`, attr: `${label}-Attr-4` } });
  }
  return { _id: dictionaryId(owner, name), name, value, pvt_type: 'aaa_dict', pvt_owner: owner, pvt_created: now, pvt_modified: now };
}

/** An account with a random API key nobody knows (the benchmarks log in as the master). */
export function account(id: string, name: string, tree: string[], superduper: boolean, now: number, realm?: string): AccountDoc {
  const doc: AccountDoc = {
    _id: id,
    name,
    enabled: true,
    pvt_type: 'account',
    pvt_tree: tree,
    pvt_api_key_hash: hashApiKey(crypto.randomBytes(32).toString('hex')),
    pvt_superduper_admin: superduper,
    pvt_created: now,
    pvt_modified: now,
  };
  if (realm !== undefined) doc.realm = realm;
  return doc;
}

/**
 * The master account with a fresh API key, and the `system_config` marker that elects it: the
 * service's start-up (ensureMasterAccount) finds both and keeps them, given the same key as
 * AAA_MASTER_API_KEY.
 */
export function masterAccount(now: number): { masterId: string; masterApiKey: string; doc: AccountDoc; marker: object } {
  const masterApiKey = crypto.randomBytes(32).toString('hex');
  const masterId = newAccountId();
  const doc = { ...account(masterId, 'master', [], true, now), pvt_api_key_hash: hashApiKey(masterApiKey) };
  return { masterId, masterApiKey, doc, marker: { _id: 'master_account', pvt_account_id: masterId } };
}

/** `url` may carry the store's credentials (the embedded store's does): they go in a header, never in a message. */
export async function storeRequest(url: string, method: string, body?: unknown): Promise<unknown> {
  const endpoint = couchEndpoint(url);
  const response = await fetch(endpoint.base, {
    method,
    headers: { ...endpoint.headers, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${endpoint.base}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as unknown;
}

/** `docs` into database `db` of the store at `storeUrl`, 1,000 a request; throws if any is refused. */
export async function bulk(storeUrl: string, db: string, docs: object[]): Promise<void> {
  const CHUNK = 1000;
  for (let start = 0; start < docs.length; start += CHUNK) {
    const answer = (await storeRequest(`${storeUrl}/${db}/_bulk_docs`, 'POST', { docs: docs.slice(start, start + CHUNK) })) as {
      ok?: boolean;
      error?: string;
      id?: string;
    }[];
    const failed = answer.filter((row) => row.error !== undefined);
    if (failed.length > 0) throw new Error(`_bulk_docs ${db}: ${failed.length} failed, e.g. ${JSON.stringify(failed[0])}`);
  }
}

/** The databases these documents go in (the service creates the rest at start). */
export async function createDatabases(storeUrl: string, prefix: string): Promise<void> {
  for (const name of ['accounts', 'aaa', 'aaa_dicts', 'system_config']) await storeRequest(`${storeUrl}/${prefix}${name}`, 'PUT');
}
