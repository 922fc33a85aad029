/**
 * Tenant isolation: every route that takes a token, called on one TARGET account (A1) by every
 * kind of caller, with the status each must get.
 *
 *   master (superduper)
 *   ├── A
 *   │   ├── A1   ← the target of every request below (unless a row says otherwise)
 *   │   │   └── A1a
 *   │   └── A2
 *   └── B
 *
 * Callers: self (A1), ancestor (A), superduper (master, also A1's root ancestor), descendant (A1a),
 * sibling (A2), unrelated (B), and five bad tokens (none, expired, tampered, alg none, wrongly
 * signed), each of which claims to be the master account, so that accepting any of them would
 * turn a 401 into a success on every row.
 *
 * A denied request (401/403) must change nothing in the store (every document's revision in
 * every database is compared before and after) and must not leak A1's secrets, name or ids.
 */
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse, type TestAccount, createAccount } from './support/api.js';
import { type TestService, startTestService, storeGet } from './support/service.js';

// ---------------------------------------------------------------------------------------------
// Callers
// ---------------------------------------------------------------------------------------------

/** Callers inside the tree, in the column order of the matrix below. */
const TREE_CALLERS = ['self', 'ancestor', 'superduper', 'descendant', 'sibling', 'unrelated'] as const;
/** Callers without a valid token: always 401 invalid_credentials, whatever the route. */
const BAD_TOKENS = ['no token', 'expired token', 'tampered token', 'alg none token', 'wrongly signed token'] as const;

type TreeCaller = (typeof TREE_CALLERS)[number];
type Caller = TreeCaller | (typeof BAD_TOKENS)[number];

const WHO: Record<TreeCaller, string> = {
  self: 'A1',
  ancestor: 'A',
  superduper: 'master',
  descendant: 'A1a',
  sibling: 'A2',
  unrelated: 'B',
};

const label = (caller: Caller) => (caller in WHO ? `${caller} (${WHO[caller as TreeCaller]})` : caller);

// ---------------------------------------------------------------------------------------------
// Fixture data: distinctive strings, so a leak of any of them is easy to spot in a response
// ---------------------------------------------------------------------------------------------

const A1_NAME = 'Tenant-A1-Confidential-Name';
const A1_REALM = 'a1-confidential.isolation.example';
const A1_SECRET = 'a1-radius-secret-7f3c9e';
const A_SECRET = 'a-parent-radius-secret-51d2aa';
const SYSTEM_SECRET = 'system-radius-secret-0b8e44';
const A1_DICT = 'a1_private_dictionary';
const A1_ATTR = 'A1-Confidential-Attribute';

const a1Dictionary = (name = A1_DICT) => ({
  name,
  value: [{ vendor: { A1Vendor: 64512 } }, { attr: { vid: 64512, id: 1, type: 'string', name: A1_ATTR } }],
});

/**
 * A1's own servers answer authentication; authorization and accounting are inherited from A.
 * Timeouts are short and nothing answers at these addresses, so an allowed AAA authn is a quick,
 * deterministic 504 (A1's server, then A's by inheritance); A's block rules make the authz and
 * accounting cells deterministic 200s (bypassed, blocked) without any RADIUS traffic.
 */
const a1Aaa = () => ({
  aaa_mode: 'inherit',
  servers: [{ name: 'a1-radius', address: '10.11.1.1', secret: A1_SECRET, dicts: ['dictionary', A1_DICT], timeout: 100, retries: 0 }],
  authentication: ['a1-radius'],
  authorization: [],
  accounting: [],
  // Nothing answers here either: an allowed CoA is a quick, deterministic 504.
  nas: [{ name: 'a1-nas', address: '10.11.1.2', secret: A1_SECRET, timeout: 100, retries: 0 }],
});

const aAaa = () => ({
  aaa_mode: 'on',
  servers: [{ name: 'a-radius', address: '10.10.0.1', secret: A_SECRET, dicts: ['dictionary'], timeout: 100, retries: 0 }],
  authentication: ['a-radius'],
  authorization: ['a-radius'],
  accounting: ['a-radius'],
  block_authz: [{ channel: ['inbound', 'internal'] }],
  block_accounting: [{ channel: ['inbound', 'internal'] }],
});

const systemAaa = () => ({
  aaa_mode: 'on',
  servers: [{ name: 'system-radius', address: '10.0.0.1', secret: SYSTEM_SECRET, dicts: ['dictionary'] }],
  authentication: ['system-radius'],
  authorization: ['system-radius'],
  accounting: ['system-radius'],
});

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

let service: TestService;
let api: Api; // as master
let masterToken: string;
let A: TestAccount;
let A1: TestAccount;
let A1a: TestAccount;
let A2: TestAccount;
let B: TestAccount;
let a1DictId: string;
const tokens = new Map<Caller, string | undefined>();

const masterId = () => service.masterAccountId;

/** A string unique to one cell, usable in dictionary and account names. */
let serial = 0;
const unique = (prefix: string) => `${prefix}_${(serial += 1)}`;

const A1_SUBSCRIBER = 'a1-confidential-subscriber';
const A1_SUBSCRIBER_PASSWORD = 'a1-subscriber-password-93b7';
const A1_GROUP = 'a1-confidential-group';
let a1SubscriberId: string;
let a1GroupId: string;
/** A1's operator user (issue 14). */
const A1_USER = 'a1-confidential-operator';
let a1UserId: string;

async function addUser(username: string): Promise<string> {
  const response = await api.put(`/v2/accounts/${A1.id}/users`, { username, password: 'operator-password-1' });
  if (response.status !== 201) throw new Error(`user ${username}: ${response.status} ${JSON.stringify(response.body)}`);
  return String(response.body.data.id);
}
/** A session of A1, reported by A1's NAS (a1-nas, where nothing answers). */
let a1SessionId: string;

async function addSubscriber(username: string, password = 'pw'): Promise<string> {
  const response = await api.put(`/v2/accounts/${A1.id}/aaa/subscribers`, { username, password });
  if (response.status !== 201) throw new Error(`subscriber ${username}: ${response.status} ${JSON.stringify(response.body)}`);
  return String(response.body.data.id);
}

async function addGroup(name: string): Promise<string> {
  const response = await api.put(`/v2/accounts/${A1.id}/aaa/groups`, { name });
  if (response.status !== 201) throw new Error(`group ${name}: ${response.status} ${JSON.stringify(response.body)}`);
  return String(response.body.data.id);
}

/** Sessions (issue 12): one Start through A1's rlm_rest accounting endpoint, from a1-nas's address. */
async function addSession(): Promise<string> {
  const credential = await api.put(`/v2/accounts/${A1.id}/aaa/rest_credentials`);
  const basic = Buffer.from(`${credential.body.data.username}:${credential.body.data.password}`).toString('base64');
  const attributes = {
    'Acct-Status-Type': 'Start',
    'Acct-Session-Id': 'a1-session',
    'User-Name': A1_SUBSCRIBER,
    'NAS-IP-Address': '10.11.1.2',
  };
  const body = JSON.stringify(
    Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { type: 'string', value: [value] }])),
  );
  const response = await fetch(`${service.url}/v2/accounts/${A1.id}/aaa/rest/accounting`, {
    method: 'POST',
    headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/json' },
    body,
  });
  if (response.status !== 204) throw new Error(`session: ${response.status} ${await response.text()}`);
  const listed = await api.get(`/v2/accounts/${A1.id}/aaa/sessions`);
  return String(listed.body.data[0].id);
}

async function addDictionary(owner: string, name: string): Promise<string> {
  const response = await api.put(`/v2/accounts/${owner}/aaa/dictionary`, a1Dictionary(name));
  if (response.status !== 201) throw new Error(`dictionary ${name}: ${response.status} ${JSON.stringify(response.body)}`);
  return String(response.body.data.id);
}

beforeAll(async () => {
  service = await startTestService();
  const anonymous = new Api(service.url);
  masterToken = await anonymous.login(service.masterApiKey);
  api = anonymous.as(masterToken);

  A = await createAccount(api, masterId(), 'A');
  B = await createAccount(api, masterId(), 'B');
  A1 = await createAccount(api.as(A.token), A.id, 'A1');
  A2 = await createAccount(api.as(A.token), A.id, 'A2');
  A1a = await createAccount(api.as(A1.token), A1.id, 'A1a');
  expect((await api.post(`/v2/accounts/${A1.id}`, { name: A1_NAME, realm: A1_REALM })).status).toBe(200);

  // State that makes every allowed status deterministic: A1 has an AAA document and a dictionary,
  // its parent and the system have AAA documents (so effective configurations have secrets to hide).
  a1DictId = await addDictionary(A1.id, A1_DICT);
  a1SubscriberId = await addSubscriber(A1_SUBSCRIBER, A1_SUBSCRIBER_PASSWORD);
  a1GroupId = await addGroup(A1_GROUP);
  a1UserId = await addUser(A1_USER);
  expect((await api.put(`/v2/accounts/${A1.id}/aaa`, a1Aaa())).status).toBe(201);
  expect((await api.put(`/v2/accounts/${A.id}/aaa`, aAaa())).status).toBe(201);
  expect((await api.put('/v1/system_configs/circlemaker', systemAaa())).status).toBe(201);
  a1SessionId = await addSession();

  tokens.set('self', A1.token);
  tokens.set('ancestor', A.token);
  tokens.set('superduper', masterToken);
  tokens.set('descendant', A1a.token);
  tokens.set('sibling', A2.token);
  tokens.set('unrelated', B.token);

  // Every bad token claims to be the master account.
  const now = Math.floor(Date.now() / 1000);
  const masterClaims = { account_id: masterId(), is_superduper_admin: true };
  const signingKey = String((await storeGet(service, 'system_config/jwt_signing_key')).pvt_key);
  const [header, payload, signature] = B.token.split('.') as [string, string, string];
  const forged = { ...(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as object), ...masterClaims };
  tokens.set('no token', undefined);
  tokens.set('expired token', jwt.sign({ ...masterClaims, iat: now - 7200, exp: now - 3600 }, signingKey, { algorithm: 'HS256' }));
  tokens.set('tampered token', `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`);
  tokens.set('alg none token', jwt.sign({ ...masterClaims, exp: now + 600 }, '', { algorithm: 'none' }));
  tokens.set('wrongly signed token', jwt.sign({ ...masterClaims, exp: now + 600 }, 'x'.repeat(48), { algorithm: 'HS256' }));
});

afterAll(async () => {
  await service?.close();
});

// ---------------------------------------------------------------------------------------------
// Checks shared by every cell
// ---------------------------------------------------------------------------------------------

// Not auth_log: an allowed post-auth's entry is written in the background, possibly during a later cell.
const DATABASES = ['accounts', 'aaa', 'aaa_dicts', 'system_config', 'subscribers', 'sessions'];

/** Every document id → revision in every database of this service. */
async function snapshot(): Promise<Record<string, Record<string, string>>> {
  const result: Record<string, Record<string, string>> = {};
  for (const db of DATABASES) {
    const all = await storeGet(service, `${db}/_all_docs`);
    result[db] = Object.fromEntries(
      (all.rows as { id: string; value: { rev: string } }[])
        // The sessions task's cluster lease is taken on a timer (SESSION_TASK_INTERVAL_SECONDS), whatever the requests.
        .filter((row) => !row.id.startsWith('lease:'))
        .map((row) => [row.id, row.value.rev]),
    );
  }
  return result;
}

type Snapshot = Awaited<ReturnType<typeof snapshot>>;

/** `db/id: before → after` for every document created, changed or removed between two snapshots. */
function changes(before: Snapshot, after: Snapshot): string[] {
  return DATABASES.flatMap((db) => {
    const ids = new Set([...Object.keys(before[db] ?? {}), ...Object.keys(after[db] ?? {})]);
    return [...ids]
      .filter((id) => before[db]?.[id] !== after[db]?.[id])
      .map((id) => `${db}/${id}: ${before[db]?.[id] ?? 'absent'} → ${after[db]?.[id] ?? 'absent'}`);
  });
}

/** What a denied caller must never see (unless it is in the URL it asked for). */
function secrets(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'A1 secret': A1_SECRET,
    'A secret': A_SECRET,
    'system secret': SYSTEM_SECRET,
    'A1 name': A1_NAME,
    'A1 realm': A1_REALM,
    'A1 dictionary name': A1_DICT,
    'A1 dictionary attribute': A1_ATTR,
    'A1 id': A1.id,
    'A1a id': A1a.id,
    'A1 subscriber': A1_SUBSCRIBER,
    'A1 subscriber password': A1_SUBSCRIBER_PASSWORD,
    'A1 group': A1_GROUP,
    'A1 operator user': A1_USER,
    ...extra,
  };
}

function expectNoLeak(response: ApiResponse, path: string, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(response.body);
  const leaked = Object.entries(secrets(extra))
    .filter(([, value]) => !path.includes(value) && text.includes(value))
    .map(([name]) => name);
  expect(leaked, text).toEqual([]);
  expect(Object.keys(response.body).sort()).toEqual(['data', 'error', 'message', 'request_id', 'status']);
  expect(response.headers.get('etag')).toBeNull();
}

interface Call {
  method: string;
  path: string;
  body?: unknown;
}

/** Sends the call as `caller`, checks the status, and for a denial: nothing changed, nothing leaked. */
async function check(call: Call, caller: Caller, status: number, extraSecrets: Record<string, string> = {}): Promise<void> {
  const denied = status === 401 || status === 403;
  const before = denied ? await snapshot() : undefined;
  const response = await api.as(tokens.get(caller)).request(call.method, call.path, call.body);
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  if (status < 300) expect(response.body.status).toBe('success');
  if (status === 401) expect(response.body.message).toBe('invalid_credentials');
  if (status === 403) expect(response.body.message).toBe('forbidden');
  // Rotating A1's key ends A1's tokens (issue 7.6): the rest of the matrix goes on with a fresh one.
  if (call.method === 'PUT' && call.path === `/v2/accounts/${A1.id}/api_key` && status === 200) {
    A1 = { ...A1, apiKey: String(response.body.data.api_key) };
    A1.token = await api.login(A1.apiKey);
    tokens.set('self', A1.token);
  }
  if (before) {
    expectNoLeak(response, call.path, extraSecrets);
    expect(changes(before, await snapshot()), 'a denied request changed the store').toEqual([]);
  }
}

// ---------------------------------------------------------------------------------------------
// The matrix: every route that takes a token, target A1
// ---------------------------------------------------------------------------------------------

type Method = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

interface Row {
  method: Method;
  /** The path as /openapi.json writes it. */
  route: string;
  /** Expected status for [self, ancestor, superduper, descendant, sibling, unrelated]. */
  expected: [number, number, number, number, number, number];
  /** A valid body, so that authorization is the only thing that can stop the request. */
  body?: (cell: string) => unknown;
  /** The `{dictionaryId}` of the request (default: A1's dictionary). */
  dictionary?: (cell: string) => Promise<string>;
  /** The `{subscriberId}` / `{groupId}` of the request (default: A1's subscriber, A1's group). */
  subscriber?: (cell: string) => Promise<string>;
  group?: (cell: string) => Promise<string>;
  /** The `{userId}` of the request (default: A1's operator user). */
  user?: (cell: string) => Promise<string>;
}

// prettier-ignore
const MATRIX: Row[] = [
  //                                                                 self ancestor super desc  sib  unrel
  { method: 'GET', route: '/v2/accounts/{accountId}', expected: [200, 200, 200, 403, 403, 403] },
  {
    method: 'PUT',
    route: '/v2/accounts/{accountId}',
    expected: [201, 201, 201, 403, 403, 403],
    body: (cell) => ({ name: `child of A1 (${cell})` }),
  },
  {
    method: 'POST',
    route: '/v2/accounts/{accountId}',
    expected: [200, 200, 200, 403, 403, 403],
    body: () => ({ name: A1_NAME, realm: A1_REALM, timezone: 'UTC' }),
  },
  { method: 'PATCH', route: '/v2/accounts/{accountId}', expected: [200, 200, 200, 403, 403, 403], body: () => ({ language: 'en' }) },
  // Self: an account cannot delete itself. Ancestors: 409, A1 has a child (see the leaf matrix for a 200).
  { method: 'DELETE', route: '/v2/accounts/{accountId}', expected: [403, 409, 409, 403, 403, 403] },
  { method: 'GET', route: '/v2/accounts/{accountId}/children', expected: [200, 200, 200, 403, 403, 403] },
  { method: 'GET', route: '/v2/accounts/{accountId}/descendants', expected: [200, 200, 200, 403, 403, 403] },
  // Ancestors from the caller's own account down (see the parents test below for what each sees).
  { method: 'GET', route: '/v2/accounts/{accountId}/parents', expected: [200, 200, 200, 403, 403, 403] },
  { method: 'GET', route: '/v2/accounts/{accountId}/tree', expected: [200, 200, 200, 403, 403, 403] },
  { method: 'PUT', route: '/v2/accounts/{accountId}/api_key', expected: [200, 200, 200, 403, 403, 403] },
  // Operator users (issue 14).
  { method: 'GET', route: '/v2/accounts/{accountId}/users', expected: [200, 200, 200, 403, 403, 403] },
  {
    method: 'PUT',
    route: '/v2/accounts/{accountId}/users',
    expected: [201, 201, 201, 403, 403, 403],
    body: (cell) => ({ username: unique(`operator_${cell}`), password: 'operator-password-2' }),
  },
  { method: 'GET', route: '/v2/accounts/{accountId}/users/{userId}', expected: [200, 200, 200, 403, 403, 403] },
  {
    method: 'POST',
    route: '/v2/accounts/{accountId}/users/{userId}',
    expected: [200, 200, 200, 403, 403, 403],
    body: () => ({ username: A1_USER, first_name: 'Ada' }),
  },
  {
    method: 'PATCH',
    route: '/v2/accounts/{accountId}/users/{userId}',
    expected: [200, 200, 200, 403, 403, 403],
    body: () => ({ last_name: 'Lovelace' }),
  },
  {
    method: 'DELETE',
    route: '/v2/accounts/{accountId}/users/{userId}',
    expected: [200, 200, 200, 403, 403, 403],
    user: (cell) => addUser(unique(`doomed_${cell}`)),
  },
  { method: 'GET', route: '/v2/accounts/{accountId}/aaa', expected: [200, 200, 200, 403, 403, 403] },
  // 409: A1 has its document already (see the leaf matrix for a 201).
  { method: 'PUT', route: '/v2/accounts/{accountId}/aaa', expected: [409, 409, 409, 403, 403, 403], body: a1Aaa },
  { method: 'POST', route: '/v2/accounts/{accountId}/aaa', expected: [200, 200, 200, 403, 403, 403], body: a1Aaa },
  { method: 'PATCH', route: '/v2/accounts/{accountId}/aaa', expected: [200, 200, 200, 403, 403, 403], body: () => ({ workers: 7 }) },
  { method: 'GET', route: '/v2/accounts/{accountId}/aaa/effective', expected: [200, 200, 200, 403, 403, 403] },
  { method: 'POST', route: '/v2/accounts/{accountId}/aaa/reload', expected: [200, 200, 200, 403, 403, 403] },
  // AAA operations (see a1Aaa): authn finds no server answering (504); authz and accounting match A's block rules.
  {
    method: 'POST',
    route: '/v2/accounts/{accountId}/aaa/authn',
    expected: [504, 504, 504, 403, 403, 403],
    body: () => ({ 'User-Name': 'alice' }),
  },
  {
    method: 'POST',
    route: '/v2/accounts/{accountId}/aaa/authz',
    expected: [200, 200, 200, 403, 403, 403],
    body: () => ({ 'User-Name': 'alice', channel: ['internal', 'inbound'] }),
  },
  {
    method: 'POST',
    route: '/v2/accounts/{accountId}/aaa/accounting',
    expected: [200, 200, 200, 403, 403, 403],
    body: () => ({ 'User-Name': 'alice', channel: ['inbound', 'internal'] }),
  },
  // CoA/Disconnect (A1's own NAS list): CoA to a1-nas, where nothing answers (504); Disconnect to a NAS A1 does not define (404).
  {
    method: 'POST',
    route: '/v2/accounts/{accountId}/aaa/coa',
    expected: [504, 504, 504, 403, 403, 403],
    body: () => ({ nas: 'a1-nas', attributes: { 'User-Name': 'alice' } }),
  },
  {
    method: 'POST',
    route: '/v2/accounts/{accountId}/aaa/disconnect',
    expected: [404, 404, 404, 403, 403, 403],
    body: () => ({ nas: 'no-such-nas', attributes: { 'User-Name': 'alice' } }),
  },
  { method: 'GET', route: '/v2/accounts/{accountId}/aaa/dictionary', expected: [200, 200, 200, 403, 403, 403] },
  {
    method: 'PUT',
    route: '/v2/accounts/{accountId}/aaa/dictionary',
    expected: [201, 201, 201, 403, 403, 403],
    body: (cell) => a1Dictionary(unique(`added_${cell}`)),
  },
  { method: 'GET', route: '/v2/accounts/{accountId}/aaa/dictionary/{dictionaryId}', expected: [200, 200, 200, 403, 403, 403] },
  {
    method: 'POST',
    route: '/v2/accounts/{accountId}/aaa/dictionary/{dictionaryId}',
    expected: [200, 200, 200, 403, 403, 403],
    body: () => a1Dictionary(),
  },
  // Each cell deletes its own fresh, unreferenced dictionary of A1, so allowed callers get 200.
  {
    method: 'DELETE',
    route: '/v2/accounts/{accountId}/aaa/dictionary/{dictionaryId}',
    expected: [200, 200, 200, 403, 403, 403],
    dictionary: (cell) => addDictionary(A1.id, unique(`doomed_${cell}`)),
  },
  // The system document: the superduper admin only, whatever the caller's place in the tree.
  { method: 'GET', route: '/v1/system_configs/circlemaker', expected: [403, 403, 200, 403, 403, 403] },
  { method: 'PUT', route: '/v1/system_configs/circlemaker', expected: [403, 403, 409, 403, 403, 403], body: systemAaa },
  { method: 'POST', route: '/v1/system_configs/circlemaker', expected: [403, 403, 200, 403, 403, 403], body: systemAaa },
  { method: 'PATCH', route: '/v1/system_configs/circlemaker', expected: [403, 403, 200, 403, 403, 403], body: () => ({ workers: 6 }) },
  { method: 'POST', route: '/v1/system_configs/circlemaker/reload', expected: [403, 403, 200, 403, 403, 403] },
  // The FreeRADIUS policy backend (issue 11): subscribers, groups, settings, REST credential, auth log.
  { method: 'GET', route: '/v2/accounts/{accountId}/aaa/subscribers', expected: [200, 200, 200, 403, 403, 403] },
  {
    method: 'PUT',
    route: '/v2/accounts/{accountId}/aaa/subscribers',
    expected: [201, 201, 201, 403, 403, 403],
    body: (cell) => ({ username: unique(`sub_${cell}`), password: 'pw' }),
  },
  {
    method: 'PUT',
    route: '/v2/accounts/{accountId}/aaa/subscribers/batch',
    expected: [201, 201, 201, 403, 403, 403],
    body: (cell) => ({ batch_id: unique(`batch_${cell}`), prefix: unique(`gen_${cell}_`), count: 1 }),
  },
  { method: 'GET', route: '/v2/accounts/{accountId}/aaa/subscribers/{subscriberId}', expected: [200, 200, 200, 403, 403, 403] },
  {
    method: 'POST',
    route: '/v2/accounts/{accountId}/aaa/subscribers/{subscriberId}',
    expected: [200, 200, 200, 403, 403, 403],
    body: () => ({ username: A1_SUBSCRIBER, reply: { 'Session-Timeout': 60 } }),
  },
  {
    method: 'PATCH',
    route: '/v2/accounts/{accountId}/aaa/subscribers/{subscriberId}',
    expected: [200, 200, 200, 403, 403, 403],
    body: () => ({ enabled: true }),
  },
  {
    method: 'DELETE',
    route: '/v2/accounts/{accountId}/aaa/subscribers/{subscriberId}',
    expected: [200, 200, 200, 403, 403, 403],
    subscriber: (cell) => addSubscriber(unique(`doomed_${cell}`)),
  },
  { method: 'GET', route: '/v2/accounts/{accountId}/aaa/groups', expected: [200, 200, 200, 403, 403, 403] },
  {
    method: 'PUT',
    route: '/v2/accounts/{accountId}/aaa/groups',
    expected: [201, 201, 201, 403, 403, 403],
    body: (cell) => ({ name: unique(`group_${cell}`) }),
  },
  { method: 'GET', route: '/v2/accounts/{accountId}/aaa/groups/{groupId}', expected: [200, 200, 200, 403, 403, 403] },
  {
    method: 'POST',
    route: '/v2/accounts/{accountId}/aaa/groups/{groupId}',
    expected: [200, 200, 200, 403, 403, 403],
    body: () => ({ name: A1_GROUP, reply: { 'Idle-Timeout': 60 } }),
  },
  {
    method: 'PATCH',
    route: '/v2/accounts/{accountId}/aaa/groups/{groupId}',
    expected: [200, 200, 200, 403, 403, 403],
    body: () => ({ check: {} }),
  },
  {
    method: 'DELETE',
    route: '/v2/accounts/{accountId}/aaa/groups/{groupId}',
    expected: [200, 200, 200, 403, 403, 403],
    group: (cell) => addGroup(unique(`doomed_${cell}`)),
  },
  { method: 'GET', route: '/v2/accounts/{accountId}/aaa/subscriber_settings', expected: [200, 200, 200, 403, 403, 403] },
  {
    method: 'POST',
    route: '/v2/accounts/{accountId}/aaa/subscriber_settings',
    expected: [200, 200, 200, 403, 403, 403],
    body: () => ({ dicts: ['dictionary'] }),
  },
  { method: 'PUT', route: '/v2/accounts/{accountId}/aaa/rest_credentials', expected: [200, 200, 200, 403, 403, 403] },
  { method: 'GET', route: '/v2/accounts/{accountId}/aaa/auth_log', expected: [200, 200, 200, 403, 403, 403] },
  // Sessions (issue 12). Disconnect and CoA go to a1-nas, which reported the session and where nothing answers (504).
  { method: 'GET', route: '/v2/accounts/{accountId}/aaa/sessions', expected: [200, 200, 200, 403, 403, 403] },
  { method: 'GET', route: '/v2/accounts/{accountId}/aaa/sessions/summary', expected: [200, 200, 200, 403, 403, 403] },
  { method: 'GET', route: '/v2/accounts/{accountId}/aaa/sessions/{sessionId}', expected: [200, 200, 200, 403, 403, 403] },
  {
    method: 'POST',
    route: '/v2/accounts/{accountId}/aaa/sessions/{sessionId}/disconnect',
    expected: [504, 504, 504, 403, 403, 403],
    body: () => ({}),
  },
  {
    method: 'POST',
    route: '/v2/accounts/{accountId}/aaa/sessions/{sessionId}/coa',
    expected: [504, 504, 504, 403, 403, 403],
    body: () => ({ attributes: { 'Session-Timeout': 60 } }),
  },
];

/**
 * The rlm_rest endpoints take no token but an account's REST credential (HTTP Basic): the same
 * columns, each caller presenting its own account's credential. The bodies are a request of A1's
 * subscriber with its right password, so every allowed cell is a deterministic success.
 */
// prettier-ignore
const REST_MATRIX: Pick<Row, 'method' | 'route' | 'expected'>[] = [
  //                                                                      self ancestor super desc  sib  unrel
  { method: 'POST', route: '/v2/accounts/{accountId}/aaa/rest/authorize', expected: [200, 200, 200, 403, 403, 403] },
  { method: 'POST', route: '/v2/accounts/{accountId}/aaa/rest/authenticate', expected: [204, 204, 204, 403, 403, 403] },
  { method: 'POST', route: '/v2/accounts/{accountId}/aaa/rest/post-auth', expected: [204, 204, 204, 403, 403, 403] },
  { method: 'POST', route: '/v2/accounts/{accountId}/aaa/rest/accounting', expected: [204, 204, 204, 403, 403, 403] },
];

function expectedStatus(expected: readonly number[], columns: readonly string[], caller: Caller): number {
  const column = columns.indexOf(caller);
  return column < 0 ? 401 : expected[column]!;
}

const slug = (caller: Caller) => caller.replace(/\W+/g, '_');

describe('tenant isolation matrix (target A1)', () => {
  for (const row of MATRIX) {
    for (const caller of [...TREE_CALLERS, ...BAD_TOKENS]) {
      const status = expectedStatus(row.expected, TREE_CALLERS, caller);
      it(`${row.method} ${row.route} as ${label(caller)} → ${status}`, async () => {
        const cell = slug(caller);
        const dictionaryId = row.dictionary ? await row.dictionary(cell) : a1DictId;
        const subscriberId = row.subscriber ? await row.subscriber(cell) : a1SubscriberId;
        const groupId = row.group ? await row.group(cell) : a1GroupId;
        const userId = row.user ? await row.user(cell) : a1UserId;
        const path = row.route
          .replace('{accountId}', A1.id)
          .replace('{dictionaryId}', encodeURIComponent(dictionaryId))
          .replace('{subscriberId}', subscriberId)
          .replace('{groupId}', groupId)
          .replace('{userId}', userId)
          .replace('{sessionId}', encodeURIComponent(a1SessionId));
        await check({ method: row.method, path, body: row.body?.(cell) }, caller, status);
      });
    }
  }

  it('HEAD, which the router answers for every GET route, is authorized like GET', async () => {
    for (const row of MATRIX.filter((r) => r.method === 'GET')) {
      const path = row.route.replace('{accountId}', A1.id).replace('{dictionaryId}', encodeURIComponent(a1DictId));
      for (const [caller, status] of [
        ['sibling', 403],
        ['unrelated', 403],
        ['no token', 401],
        ['alg none token', 401],
      ] as const) {
        const token = tokens.get(caller);
        const response = await fetch(service.url + path, { method: 'HEAD', headers: token ? { 'X-Auth-Token': token } : {} });
        expect(response.status, `HEAD ${row.route} as ${caller}`).toBe(status);
        expect(response.headers.get('etag'), `HEAD ${row.route} as ${caller}`).toBeNull();
      }
    }
  });

  it('covers every route of /openapi.json that takes a token, and nothing else', async () => {
    const response = await api.as(undefined).get('/openapi.json');
    expect(response.status).toBe(200);
    const secured: string[] = [];
    for (const [path, operations] of Object.entries(response.body.paths as Record<string, Record<string, { security?: unknown }>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        // `security: []` marks a public route; /metrics takes the metrics token, not a tenant's.
        if (Array.isArray(operation.security) && operation.security.length > 0 && path !== '/metrics')
          secured.push(`${method.toUpperCase()} ${path}`);
      }
    }
    const rows = [...MATRIX, ...REST_MATRIX].map((row) => `${row.method} ${row.route}`);
    expect(new Set(rows).size, 'a route has two rows').toBe(rows.length);
    expect(rows.sort()).toEqual(secured.sort());
  });
});

describe('rlm_rest endpoints by REST credential (target A1)', () => {
  const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const credentials = new Map<string, string | undefined>();
  const rlmBody = JSON.stringify({
    'User-Name': { type: 'string', value: [A1_SUBSCRIBER] },
    'User-Password': { type: 'string', value: [A1_SUBSCRIBER_PASSWORD] },
  });
  // Accounting names a session (issue 12): without Acct-Status-Type and Acct-Session-Id it is a 400.
  const rlmAccountingBody = JSON.stringify({
    'User-Name': { type: 'string', value: [A1_SUBSCRIBER] },
    'Acct-Status-Type': { type: 'string', value: ['Interim-Update'] },
    'Acct-Session-Id': { type: 'string', value: ['a1-session'] },
    'NAS-IP-Address': { type: 'string', value: ['10.11.1.2'] },
  });

  beforeAll(async () => {
    const issued: Record<string, { username: string; password: string }> = {};
    for (const caller of TREE_CALLERS) {
      const id = { self: A1.id, ancestor: A.id, superduper: masterId(), descendant: A1a.id, sibling: A2.id, unrelated: B.id }[caller];
      const response = await api.put(`/v2/accounts/${id}/aaa/rest_credentials`);
      expect(response.status).toBe(200);
      issued[caller] = response.body.data;
      credentials.set(caller, basic(response.body.data.username, response.body.data.password));
    }
    const a1 = issued.self!;
    credentials.set('no credential', undefined);
    credentials.set("A1's username, wrong password", basic(a1.username, `${a1.password}x`));
    credentials.set("B's password under A1's username", basic(a1.username, issued.unrelated!.password));
    credentials.set('the master token as Bearer', `Bearer ${masterToken}`);
    credentials.set('a subscriber name and password', basic(A1_SUBSCRIBER, A1_SUBSCRIBER_PASSWORD));
  });

  const BAD_CREDENTIALS = [
    'no credential',
    "A1's username, wrong password",
    "B's password under A1's username",
    'the master token as Bearer',
    'a subscriber name and password',
  ];

  for (const row of REST_MATRIX) {
    for (const caller of [...TREE_CALLERS, ...BAD_CREDENTIALS]) {
      const column = (TREE_CALLERS as readonly string[]).indexOf(caller);
      const status = column < 0 ? 401 : row.expected[column]!;
      it(`${row.method} ${row.route} with the credential of ${caller} → ${status}`, async () => {
        const denied = status === 401 || status === 403;
        const before = denied ? await snapshot() : undefined;
        const path = row.route.replace('{accountId}', A1.id);
        const authorization = credentials.get(caller);
        // A valid token for the master account is no REST credential either.
        const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Auth-Token': masterToken };
        if (authorization) headers.Authorization = authorization;
        const requestBody = row.route.endsWith('/accounting') ? rlmAccountingBody : rlmBody;
        const response = await fetch(service.url + path, { method: row.method, headers, body: requestBody });
        const text = await response.text();
        expect(response.status, text).toBe(status);
        if (!before) return;
        const body = JSON.parse(text) as Record<string, unknown>;
        expect(body.message).toBe(status === 401 ? 'invalid_credentials' : 'forbidden');
        expectNoLeak({ status: response.status, headers: response.headers, body }, path);
        expect(changes(before, await snapshot()), 'a denied request changed the store').toEqual([]);
      });
    }
  }

  it("the authorize answer is in rlm_rest terms and carries A1's reply attributes", async () => {
    const response = await fetch(`${service.url}/v2/accounts/${A1.id}/aaa/rest/authorize`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: credentials.get('self')! },
      body: rlmBody,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ 'control:Auth-Type': 'Accept' });
  });
});

// ---------------------------------------------------------------------------------------------
// Where A1's own state stops an allowed caller (DELETE: A1 has children; PUT aaa: it has one),
// the same routes on a fresh leaf under A1, where they would succeed: only authorization stops them.
// ---------------------------------------------------------------------------------------------

/** Callers relative to a fresh leaf L, child of A1. */
const LEAF_CALLERS = ['self', 'parent', 'grandparent', 'superduper', 'sibling', 'uncle', 'unrelated'] as const;
type LeafCaller = (typeof LEAF_CALLERS)[number];
const LEAF_WHO: Record<LeafCaller, string> = {
  self: 'leaf',
  parent: 'A1',
  grandparent: 'A',
  superduper: 'master',
  sibling: 'A1a',
  uncle: 'A2',
  unrelated: 'B',
};

// prettier-ignore
const LEAF_MATRIX: (Pick<Row, 'method' | 'route' | 'body'> & { expected: number[] })[] = [
  //                                                          self parent grand super  sib  uncle unrel
  { method: 'DELETE', route: '/v2/accounts/{accountId}', expected: [403, 200, 200, 200, 403, 403, 403] },
  { method: 'PUT', route: '/v2/accounts/{accountId}/aaa', expected: [201, 201, 201, 201, 403, 403, 403], body: a1Aaa },
];

describe('fresh leaf under A1 (the request would succeed but for authorization)', () => {
  for (const row of LEAF_MATRIX) {
    for (const caller of [...LEAF_CALLERS, ...BAD_TOKENS]) {
      const status = expectedStatus(row.expected, LEAF_CALLERS, caller as Caller);
      const who = caller in LEAF_WHO ? `${caller} (${LEAF_WHO[caller as LeafCaller]})` : caller;
      it(`${row.method} ${row.route} on a leaf as ${who} → ${status}`, async () => {
        const leaf = await createAccount(api, A1.id, unique('leaf'));
        const treeCaller: Record<LeafCaller, string> = {
          self: leaf.token,
          parent: A1.token,
          grandparent: A.token,
          superduper: masterToken,
          sibling: A1a.token,
          uncle: A2.token,
          unrelated: B.token,
        };
        const token = caller in treeCaller ? treeCaller[caller as LeafCaller] : tokens.get(caller as Caller);
        const denied = status === 401 || status === 403;
        const before = denied ? await snapshot() : undefined;
        const path = row.route.replace('{accountId}', leaf.id);
        const response = await api.as(token).request(row.method, path, row.body?.(''));
        expect(response.status, JSON.stringify(response.body)).toBe(status);
        if (before) {
          expect(response.body.message).toBe(status === 401 ? 'invalid_credentials' : 'forbidden');
          expectNoLeak(response, path, { 'leaf id': leaf.id });
          expect(changes(before, await snapshot()), 'a denied request changed the store').toEqual([]);
        } else if (row.method === 'DELETE') {
          expect((await api.get(path)).status).toBe(404);
        } else {
          expect((await api.get(path)).body.data.servers[0].secret).toBe(A1_SECRET);
        }
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Beyond the matrix
// ---------------------------------------------------------------------------------------------

describe('the fixture', () => {
  it('is the intended tree', async () => {
    const tree = async (account: TestAccount) => (await storeGet(service, `accounts/${account.id}`)).pvt_tree;
    expect(await tree(A)).toEqual([masterId()]);
    expect(await tree(B)).toEqual([masterId()]);
    expect(await tree(A1)).toEqual([masterId(), A.id]);
    expect(await tree(A2)).toEqual([masterId(), A.id]);
    expect(await tree(A1a)).toEqual([masterId(), A.id, A1.id]);
  });

  it('the store snapshot the denied cells compare sees the documents under test', async () => {
    const state = await snapshot();
    expect(state.accounts).toHaveProperty([A1.id]);
    expect(state.aaa).toHaveProperty([A1.id]);
    expect(state.aaa_dicts).toHaveProperty([a1DictId]);
    expect(state.system_config).toHaveProperty(['circlemaker']);
  });

  it('every bad token claims the master account, and the same claims correctly signed are accepted', async () => {
    const path = `/v2/accounts/${masterId()}`;
    for (const caller of BAD_TOKENS.filter((c) => c !== 'no token')) {
      const claims = jwt.decode(String(tokens.get(caller))) as Record<string, unknown>;
      expect(claims, caller).toMatchObject({ account_id: masterId(), is_superduper_admin: true });
    }
    const signingKey = String((await storeGet(service, 'system_config/jwt_signing_key')).pvt_key);
    const good = jwt.sign({ account_id: masterId(), is_superduper_admin: true }, signingKey, { algorithm: 'HS256', expiresIn: 60 });
    expect((await api.as(good).get(path)).status).toBe(200);
    // The tampered token is B's, with only the payload changed.
    const [bHeader, , bSignature] = B.token.split('.');
    const [tHeader, tPayload, tSignature] = String(tokens.get('tampered token')).split('.');
    expect([tHeader, tSignature]).toEqual([bHeader, bSignature]);
    expect(tPayload).not.toBe(B.token.split('.')[1]);
    expect((jwt.decode(String(tokens.get('expired token'))) as { exp: number }).exp).toBeLessThan(Date.now() / 1000);
    expect(jwt.decode(String(tokens.get('alg none token')), { complete: true })?.header.alg).toBe('none');
  });
});

describe('dictionaries across tenants', () => {
  it("A1's dictionary is 404 to B through B's own path (GET, POST, DELETE) and 403 through A1's", async () => {
    const own = `/v2/accounts/${B.id}/aaa/dictionary/${encodeURIComponent(a1DictId)}`;
    for (const call of [
      { method: 'GET', path: own },
      { method: 'POST', path: own, body: a1Dictionary() },
      { method: 'DELETE', path: own },
    ]) {
      const before = await snapshot();
      const response = await api.as(B.token).request(call.method, call.path, call.body);
      expect(response.status, `${call.method} ${JSON.stringify(response.body)}`).toBe(404);
      expect(response.body.message).toBe('bad_identifier');
      expect(JSON.stringify(response.body)).not.toContain(A1_ATTR);
      expect(changes(before, await snapshot())).toEqual([]);
    }
    const listed = await api.as(B.token).get(`/v2/accounts/${B.id}/aaa/dictionary`);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((d: { owner: string }) => d.owner)).not.toContain(A1.id);
    expect(JSON.stringify(listed.body)).not.toContain(A1_DICT);
    const viaA1 = await api.as(B.token).get(`/v2/accounts/${A1.id}/aaa/dictionary/${encodeURIComponent(a1DictId)}`);
    expect(viaA1.status).toBe(403);
    expectNoLeak(viaA1, `/v2/accounts/${A1.id}/aaa/dictionary/${a1DictId}`);
  });

  // Through one's own path, A1's dictionary is visible to A1 and below it (names resolve upward), to nobody else.
  it.each([
    ['self (A1)', () => A1, 200],
    ['descendant (A1a), which inherits its ancestors’ dictionaries', () => A1a, 200],
    ['ancestor (A)', () => A, 404],
    ['sibling (A2)', () => A2, 404],
    ['unrelated (B)', () => B, 404],
  ] as const)("A1's dictionary through the own path of %s → %i", async (_label, viewer, status) => {
    const { id, token } = viewer();
    const response = await api.as(token).get(`/v2/accounts/${id}/aaa/dictionary/${encodeURIComponent(a1DictId)}`);
    expect(response.status).toBe(status);
    const listed = await api.as(token).get(`/v2/accounts/${id}/aaa/dictionary`);
    expect(listed.body.data.some((d: { id: string }) => d.id === a1DictId)).toBe(status === 200);
  });

  it("the master account's own path does not show A1's dictionary either (it has to use A1's path)", async () => {
    const response = await api.get(`/v2/accounts/${masterId()}/aaa/dictionary/${encodeURIComponent(a1DictId)}`);
    expect(response.status).toBe(404);
  });
});

/** Every key named `secret` anywhere in a JSON value. */
function secretKeys(value: unknown, at = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => secretKeys(item, `${at}[${index}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => [
    ...(key === 'secret' ? [`${at}.${key}`] : []),
    ...secretKeys(inner, `${at}.${key}`),
  ]);
}

describe('parents and tree across tenants', () => {
  const ids = (response: { body: Record<string, any> }) => (response.body.data as { id: string }[]).map((node) => node.id);

  it('each caller sees the ancestors from its own account down, never above it', async () => {
    expect(ids(await api.as(A1.token).get(`/v2/accounts/${A1a.id}/parents`))).toEqual([A1.id]);
    expect(ids(await api.as(A.token).get(`/v2/accounts/${A1a.id}/parents`))).toEqual([A.id, A1.id]);
    expect(ids(await api.as(A1.token).get(`/v2/accounts/${A1.id}/parents`))).toEqual([]);
    expect(ids(await api.as(masterToken).get(`/v2/accounts/${A1a.id}/parents`))).toEqual([masterId(), A.id, A1.id]);
  });

  it("another tenant's parents and tree are 403, and the tree holds only the account's own subtree", async () => {
    for (const path of [`/v2/accounts/${A1.id}/parents`, `/v2/accounts/${A1.id}/tree`]) {
      expect((await api.as(B.token).get(path)).status).toBe(403);
      expect((await api.as(A2.token).get(path)).status).toBe(403);
    }
    const tree = JSON.stringify((await api.as(A1.token).get(`/v2/accounts/${A1.id}/tree`)).body.data);
    expect(tree).toContain(A1a.id);
    for (const outside of [A.id, A2.id, B.id]) expect(tree).not.toContain(outside);
  });
});

describe('effective configuration', () => {
  it("a child cannot read its parent's configuration: A1 on A's effective, AAA document and account → 403", async () => {
    for (const path of [`/v2/accounts/${A.id}/aaa/effective`, `/v2/accounts/${A.id}/aaa`, `/v2/accounts/${A.id}`]) {
      const response = await api.as(A1.token).get(path);
      expect(response.status, path).toBe(403);
      expect(response.body.message).toBe('forbidden');
      expect(JSON.stringify(response.body)).not.toContain(A_SECRET);
    }
    expect((await api.as(A1.token).get(`/v2/accounts/${masterId()}/aaa/effective`)).status).toBe(403);
  });

  it.each([
    ['self (A1)', () => A1.token],
    ['ancestor (A)', () => A.token],
    ['superduper (master)', () => masterToken],
  ])("A1's effective configuration as %s never contains a server secret", async (_label, token) => {
    const response = await api.as(token()).get(`/v2/accounts/${A1.id}/aaa/effective`);
    expect(response.status).toBe(200);
    // It does use A1's own server and, by inheritance, A's: both have secrets to hide.
    expect(response.body.data.authentication.source).toBe(A1.id);
    expect(response.body.data.authorization.source).toBe(A.id);
    expect(response.body.data.authorization.servers[0].name).toBe('a-radius');
    expect(secretKeys(response.body)).toEqual([]);
    const text = JSON.stringify(response.body);
    for (const secret of [A1_SECRET, A_SECRET, SYSTEM_SECRET]) expect(text).not.toContain(secret);
  });

  it('A1a (no document) inherits from A1 and A, B from the system: no secret either', async () => {
    const response = await api.as(A1a.token).get(`/v2/accounts/${A1a.id}/aaa/effective`);
    expect(response.status).toBe(200);
    expect(response.body.data.authentication.source).toBe(A1.id);
    expect(secretKeys(response.body)).toEqual([]);
    const text = JSON.stringify(response.body);
    for (const secret of [A1_SECRET, A_SECRET, SYSTEM_SECRET]) expect(text).not.toContain(secret);
    const b = await api.as(B.token).get(`/v2/accounts/${B.id}/aaa/effective`);
    expect(b.body.data.authentication.source).toBe('system');
    expect(secretKeys(b.body)).toEqual([]);
    expect(JSON.stringify(b.body)).not.toContain(SYSTEM_SECRET);
  });
});

describe('no way into A1 through a request body', () => {
  it('B cannot create a child that claims to sit under A1, or make itself superduper', async () => {
    const created = await api.as(B.token).put(`/v2/accounts/${B.id}`, {
      name: 'intruder',
      id: A1a.id,
      pvt_tree: [masterId(), A.id, A1.id],
      pvt_superduper_admin: true,
      superduper_admin: true,
    });
    expect(created.status).toBe(201);
    expect(created.body.data.id).not.toBe(A1a.id);
    expect(created.body.data.superduper_admin).toBe(false);
    expect((await storeGet(service, `accounts/${created.body.data.id}`)).pvt_tree).toEqual([masterId(), B.id]);
    const intruder = await api.login(String(created.body.data.api_key));
    expect((await api.as(intruder).get(`/v2/accounts/${A1.id}`)).status).toBe(403);
    expect((await api.as(intruder).get('/v1/system_configs/circlemaker')).status).toBe(403);

    const patched = await api
      .as(B.token)
      .patch(`/v2/accounts/${B.id}`, { pvt_superduper_admin: true, superduper_admin: true, pvt_tree: [] });
    expect(patched.status).toBe(200);
    expect(patched.body.data.superduper_admin).toBe(false);
    expect((await storeGet(service, `accounts/${B.id}`)).pvt_tree).toEqual([masterId()]);
    expect((await api.as(B.token).get(`/v2/accounts/${A1.id}`)).status).toBe(403);
  });

  it('a dictionary B adds with owner A1 in the body is still B’s, and A1 does not see it', async () => {
    const name = unique('claims_a1');
    const response = await api.as(B.token).put(`/v2/accounts/${B.id}/aaa/dictionary`, { ...a1Dictionary(name), owner: A1.id });
    expect(response.status).toBe(201);
    expect(response.body.data).toMatchObject({ id: `${B.id}~${name}`, owner: B.id });
    const seen = await api.as(A1.token).get(`/v2/accounts/${A1.id}/aaa/dictionary/${encodeURIComponent(`${B.id}~${name}`)}`);
    expect(seen.status).toBe(404);
    const fake = await api.as(A1.token).get(`/v2/accounts/${A1.id}/aaa/dictionary/${encodeURIComponent(`${A1.id}~${name}`)}`);
    expect(fake.status).toBe(404);
  });

  it("B's AAA document cannot name A1's dictionary", async () => {
    const uses = { ...a1Aaa(), servers: [{ name: 'a1-radius', address: '10.12.0.1', secret: 'b-secret', dicts: [A1_DICT] }] };
    const response = await api.as(B.token).put(`/v2/accounts/${B.id}/aaa`, uses);
    expect(response.status).toBe(400);
    expect(response.body.data).toHaveProperty(['servers.0.dicts.0', 'unknown_dictionary']);
  });
});
