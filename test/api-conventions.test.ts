import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountDoc } from '../src/accounts/account-doc.js';
import { nestDescendants } from '../src/accounts/account-tree.js';
import { type Page, type PageRequest, readWholeList, UNPAGINATED_LIMITS } from '../src/pagination.js';
import { ValidationError } from '../src/errors.js';
import { type Api, type TestAccount, createAccount } from './support/api.js';
import type { TestService } from './support/service.js';
import { useSuiteService } from './support/suite.js';

// Crossbar conventions (issue 13 §4): paginate=false, the paged dictionary list, parents and
// tree, and FreeRADIUS text that arrives mangled or untyped.

let service: TestService;
let api: Api;
/** reseller → customer → site, with three more children under the reseller. */
let reseller: TestAccount;
let customer: TestAccount;
let site: TestAccount;
const names = { reseller: 'conv-reseller', customer: 'conv-customer', site: 'conv-site' };

useSuiteService((started) => ({ service, api } = started));

beforeAll(async () => {
  reseller = await createAccount(api, service.masterAccountId, names.reseller);
  customer = await createAccount(api.as(reseller.token), reseller.id, names.customer);
  site = await createAccount(api.as(customer.token), customer.id, names.site);
  for (const n of [1, 2, 3]) await createAccount(api.as(reseller.token), reseller.id, `conv-extra-${n}`);
  const as = api.as(reseller.token);
  const batch = await as.put(`/v2/accounts/${reseller.id}/aaa/subscribers/batch`, { batch_id: 'conv-batch', prefix: 'conv_', count: 3 });
  expect(batch.status).toBe(201);
  for (const name of ['conv_g1', 'conv_g2']) expect((await as.put(`/v2/accounts/${reseller.id}/aaa/groups`, { name })).status).toBe(201);
  for (const name of ['conv_dict_a', 'conv_dict_b', 'conv_dict_c']) {
    const added = await as.put(`/v2/accounts/${reseller.id}/aaa/dictionary`, {
      name,
      value: [{ attr: { vid: 0, id: 3000 + name.length, type: 'string', name: `Conv-${name}` } }],
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
  }
});

const fakeList = (total: number, pageCap = Number.POSITIVE_INFINITY) => {
  const reads: PageRequest[] = [];
  const fetchPage = async (page: PageRequest): Promise<Page<number>> => {
    reads.push(page);
    const from = Number(page.startKey ?? 0);
    const size = Math.min(page.pageSize, pageCap);
    const items = Array.from({ length: Math.max(0, Math.min(size, total - from)) }, (_, i) => from + i);
    return { items, nextStartKey: from + size < total ? String(from + size) : undefined };
  };
  return { reads, fetchPage };
};

describe('readWholeList (paginate=false)', () => {
  it('reads page after page to the end, from the start key', async () => {
    const { fetchPage } = fakeList(1_234);
    expect(await readWholeList(undefined, fetchPage)).toEqual(Array.from({ length: 1_234 }, (_, i) => i));
    expect(await readWholeList('1200', fetchPage)).toHaveLength(34);
  });

  it('answers a list of exactly the cap, and a 400 naming paginate for one item more', async () => {
    const limits = { ...UNPAGINATED_LIMITS, maxItems: 1_000 };
    expect(await readWholeList(undefined, fakeList(1_000).fetchPage, limits)).toHaveLength(1_000);
    const over = await readWholeList(undefined, fakeList(1_001).fetchPage, limits).catch((error: unknown) => error);
    expect(over).toBeInstanceOf(ValidationError);
    expect((over as ValidationError).status).toBe(400);
    expect((over as ValidationError).data).toMatchObject({ paginate: { max_items: { limit: 1_000 } } });
  });

  it('stops a scan of short pages after the read limit (a filter that matches little)', async () => {
    const { reads, fetchPage } = fakeList(1_000_000, 3);
    const over = await readWholeList(undefined, fetchPage, { ...UNPAGINATED_LIMITS, maxReads: 7 }).catch((error: unknown) => error);
    expect(over).toBeInstanceOf(ValidationError);
    expect(reads).toHaveLength(7);
  });

  it('ends on a start key that does not move rather than looping', async () => {
    let reads = 0;
    const items = await readWholeList(undefined, async () => ({ items: [reads++], nextStartKey: 'stuck' }));
    expect(items).toEqual([0, 1]);
  });
});

describe('?paginate=false on every paginated list', () => {
  it('children: the whole list in one answer (page_size its length, no next_start_key); paged otherwise', async () => {
    const path = `/v2/accounts/${reseller.id}/children`;
    const paged = await api.as(reseller.token).get(`${path}?page_size=2`);
    expect(paged.body.data).toHaveLength(2);
    expect(paged.body.next_start_key).toBeDefined();
    const whole = await api.as(reseller.token).get(`${path}?paginate=false&page_size=2`);
    expect(whole.status).toBe(200);
    expect(whole.body.data.map((a: { name: string }) => a.name).sort()).toEqual([
      names.customer,
      'conv-extra-1',
      'conv-extra-2',
      'conv-extra-3',
    ]);
    expect(whole.body.page_size).toBe(4);
    expect(whole.body).not.toHaveProperty('next_start_key');
  });

  it.each([
    ['descendants', () => `/v2/accounts/${reseller.id}/descendants`, 5],
    ['subscribers', () => `/v2/accounts/${reseller.id}/aaa/subscribers`, 3],
    ['groups', () => `/v2/accounts/${reseller.id}/aaa/groups`, 2],
    ['dictionaries', () => `/v2/accounts/${reseller.id}/aaa/dictionary`, 3 + 14],
    ['sessions', () => `/v2/accounts/${reseller.id}/aaa/sessions`, 0],
    ['auth log', () => `/v2/accounts/${reseller.id}/aaa/auth_log`, 0],
  ])('%s', async (_name, path, atLeast) => {
    const whole = await api.as(reseller.token).get(`${path()}?paginate=false&page_size=1`);
    expect(whole.status, JSON.stringify(whole.body)).toBe(200);
    // Crossbar's page_size on an unpaginated answer: the number of items.
    expect(whole.body.page_size).toBe(whole.body.data.length);
    expect(whole.body).not.toHaveProperty('next_start_key');
    expect(whole.body.data.length).toBeGreaterThanOrEqual(atLeast);
    if (atLeast > 1) expect(new Set(whole.body.data.map((item: { id: string }) => item.id)).size).toBe(whole.body.data.length);
  });

  it('anything but true or false is a 400 naming paginate', async () => {
    const response = await api.as(reseller.token).get(`/v2/accounts/${reseller.id}/children?paginate=no`);
    expect(response.status).toBe(400);
    expect(response.body.data).toHaveProperty('paginate.enum');
  });
});

describe('the dictionary list is paginated like the others', () => {
  const path = () => `/v2/accounts/${reseller.id}/aaa/dictionary`;

  it('answers page_size (50 by default) and follows next_start_key through every dictionary once, as paginate=false lists them', async () => {
    const first = await api.as(reseller.token).get(path());
    expect(first.body.page_size).toBe(50);
    const whole = (await api.as(reseller.token).get(`${path()}?paginate=false`)).body.data as { id: string; owner: string }[];
    const seen: { id: string }[] = [];
    let startKey: string | undefined;
    for (let pages = 0; pages < 50; pages++) {
      const page = await api.as(reseller.token).get(`${path()}?page_size=4${startKey ? `&start_key=${encodeURIComponent(startKey)}` : ''}`);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      expect(page.body.page_size).toBe(4);
      expect(page.body.data.length).toBeLessThanOrEqual(4);
      seen.push(...page.body.data);
      startKey = page.body.next_start_key;
      if (startKey === undefined) break;
    }
    expect(seen.map((d) => d.id)).toEqual(whole.map((d) => d.id));
    // Own first, then the system's.
    expect(whole[0]?.owner).toBe(reseller.id);
    expect(whole.at(-1)?.owner).toBe('system');
  });

  it('a start_key of a dictionary the account does not list is a 400 naming start_key', async () => {
    const response = await api
      .as(customer.token)
      .get(`${path().replace(reseller.id, customer.id)}?start_key=${encodeURIComponent(`${site.id}~x`)}`);
    expect(response.status).toBe(400);
    expect(response.body.data).toHaveProperty('start_key.invalid');
  });
});

describe('GET /v2/accounts/{ID}/parents', () => {
  const parentsOf = async (caller: string, id: string) => {
    const response = await api.as(caller).get(`/v2/accounts/${id}/parents`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.data as { id: string; name: string }[];
  };

  it('the superduper admin sees every ancestor, root first, as {id, name}', async () => {
    const parents = await parentsOf(api.token ?? '', site.id);
    expect(parents.map((p) => p.id)).toEqual([service.masterAccountId, reseller.id, customer.id]);
    expect(parents.slice(1)).toEqual([
      { id: reseller.id, name: names.reseller },
      { id: customer.id, name: names.customer },
    ]);
  });

  it('a caller sees the ancestors from its own account down, nothing above it', async () => {
    expect(await parentsOf(reseller.token, site.id)).toEqual([
      { id: reseller.id, name: names.reseller },
      { id: customer.id, name: names.customer },
    ]);
    expect(await parentsOf(customer.token, site.id)).toEqual([{ id: customer.id, name: names.customer }]);
    expect(await parentsOf(site.token, site.id)).toEqual([]);
  });

  it("an account outside the caller's tree is a 403", async () => {
    expect((await api.as(site.token).get(`/v2/accounts/${customer.id}/parents`)).status).toBe(403);
  });
});

describe('GET /v2/accounts/{ID}/tree', () => {
  it('nests every descendant under its parent as {id, name, children}', async () => {
    const response = await api.as(reseller.token).get(`/v2/accounts/${reseller.id}/tree`);
    expect(response.status).toBe(200);
    const tree = response.body.data as { id: string; name: string; children: unknown[] }[];
    expect(tree).toHaveLength(4);
    expect(tree.find((node) => node.id === customer.id)).toEqual({
      id: customer.id,
      name: names.customer,
      children: [{ id: site.id, name: names.site, children: [] }],
    });
    expect((await api.as(site.token).get(`/v2/accounts/${site.id}/tree`)).body.data).toEqual([]);
  });

  it('hangs an account whose parent is missing under the nearest ancestor present', () => {
    const doc = (id: string, tree: string[]) => ({ _id: id, name: id, pvt_tree: tree }) as unknown as AccountDoc;
    const nested = nestDescendants('r', [doc('a', ['r']), doc('c', ['r', 'a', 'b'])]);
    expect(nested).toEqual([{ id: 'a', name: 'a', children: [{ id: 'c', name: 'c', children: [] }] }]);
  });
});

describe('FreeRADIUS text that arrives mangled or untyped', () => {
  const base = () => `/v2/accounts/${reseller.id}/aaa/dictionary`;
  const FILE = '# Conv dictionary\nATTRIBUTE\tConv-Text-One\t3101\tstring\nATTRIBUTE\tConv-Text-Two\t3102\tinteger\n';
  const send = (method: string, path: string, body: string, contentType: string) =>
    api.as(reseller.token).request(method, path, undefined, { rawBody: body, headers: { 'Content-Type': contentType } });

  it('text/plain with no definitions (curl -d @file made it one comment line) is a 400 naming the body, not an empty dictionary', async () => {
    const response = await send('PUT', `${base()}?name=conv_mangled`, FILE.replace(/\n/g, ''), 'text/plain');
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.body.data).toHaveProperty('body.no_definitions');
    expect(JSON.stringify(response.body.data)).toContain('--data-binary');
    expect((await api.as(reseller.token).get(`${base()}/${reseller.id}~conv_mangled`)).status).toBe(404);
  });

  it.each(['application/x-www-form-urlencoded', 'application/json'])(
    'text sent as %s is a 400 that says to send text/plain',
    async (type) => {
      for (const body of [FILE, '$INCLUDE dictionary.rfc2865\n', 'VENDOR\tConv\t64000\n', 'ATTRIBUTE\tConv-X\t1\tstring\n']) {
        const response = await send('PUT', `${base()}?name=conv_untyped`, body, type);
        expect(response.status).toBe(400);
        expect(response.body.data).toHaveProperty(['Content-Type', 'text_plain']);
        expect(JSON.stringify(response.body)).toContain('text/plain');
      }
    },
  );

  it('malformed JSON that is not FreeRADIUS text keeps the plain JSON error', async () => {
    const response = await send('PUT', base(), '{"data": ', 'application/json');
    expect(response.status).toBe(400);
    expect(response.body.data).not.toHaveProperty('Content-Type');
  });

  it("POST …/dictionary/{ID} with text needs no ?name=: the name is the dictionary's", async () => {
    const id = `${reseller.id}~conv_dict_a`;
    const response = await send('POST', `${base()}/${id}`, FILE, 'text/plain');
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.data).toMatchObject({ id, name: 'conv_dict_a' });
    expect(response.body.data.value.map((e: { attr?: { name: string } }) => e.attr?.name)).toEqual(['Conv-Text-One', 'Conv-Text-Two']);
    // PUT still needs it: there is no dictionary to take it from.
    const put = await send('PUT', base(), FILE, 'text/plain');
    expect(put.status).toBe(400);
    expect(put.body.data).toHaveProperty('name.required');
  });
});
