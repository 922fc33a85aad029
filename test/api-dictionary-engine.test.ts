import { beforeAll, describe, expect, it } from 'vitest';
import { type Api, type TestAccount, createAccount } from './support/api.js';
import type { TestService } from './support/service.js';
import { useSuiteService } from './support/suite.js';

let service: TestService;
let api: Api;

useSuiteService((started) => ({ service, api } = started));

const vendorDictionary = (name: string, attributes: { name: string; id: number; type: string }[], vendorId = 64999) => ({
  name,
  value: [{ vendor: { Acme: vendorId } }, ...attributes.map((attr) => ({ attr: { vid: vendorId, ...attr } }))],
});

const aaaUsing = (dicts: string[], translated: string[] = ['User-Name']) => ({
  aaa_mode: 'on',
  servers: [{ name: 'radius1', address: '127.0.0.1', secret: 'shared-secret', dicts }],
  authentication: ['radius1'],
  authorization: ['radius1'],
  accounting: [],
  authn_avp_translation: translated.map((attribute) => ({
    attribute,
    request_key: attribute,
    request_value_regexp: '^(.*)$',
    attr_value_regexp: '^(.*)$',
  })),
});

describe('attribute-aware validation', () => {
  let tenant: TestAccount;
  beforeAll(async () => {
    tenant = await createAccount(api, service.masterAccountId, 'attr-check');
  });

  it('a translated attribute missing from the server dictionaries is a 400 naming the field and the attribute', async () => {
    const response = await api.as(tenant.token).put(`/v2/accounts/${tenant.id}/aaa`, aaaUsing(['dictionary'], ['User-Name', 'User-Nmae']));
    expect(response.status).toBe(400);
    const error = response.body.data['authn_avp_translation.1.attribute'];
    expect(error.unknown_attribute.message).toContain('User-Nmae');
    expect(error.unknown_attribute.message).toContain('radius1');
    expect(response.body.data['authn_avp_translation.0.attribute']).toBeUndefined();
  });

  it('a vendor attribute is accepted once the server lists the dictionary that defines it', async () => {
    const path = `/v2/accounts/${tenant.id}/aaa`;
    expect((await api.as(tenant.token).put(path, aaaUsing(['dictionary'], ['Cisco-AVPair']))).status).toBe(400);
    expect((await api.as(tenant.token).put(path, aaaUsing(['dictionary_cisco', 'dictionary'], ['Cisco-AVPair']))).status).toBe(201);
  });

  it('attribute names match case-insensitively, as FreeRADIUS does', async () => {
    const other = await createAccount(api, service.masterAccountId, 'case');
    expect((await api.as(other.token).put(`/v2/accounts/${other.id}/aaa`, aaaUsing(['dictionary'], ['user-name']))).status).toBe(201);
  });
});

describe('ordered, tenant-scoped resolution', () => {
  it('two tenants defining the same attribute name differently each get their own meaning', async () => {
    const one = await createAccount(api, service.masterAccountId, 'tenant-one');
    const two = await createAccount(api, service.masterAccountId, 'tenant-two');
    await api
      .as(one.token)
      .put(`/v2/accounts/${one.id}/aaa/dictionary`, vendorDictionary('dictionary_acme', [{ name: 'Acme-Plan', id: 1, type: 'string' }]));
    await api
      .as(two.token)
      .put(`/v2/accounts/${two.id}/aaa/dictionary`, vendorDictionary('dictionary_acme', [{ name: 'Acme-Plan', id: 7, type: 'integer' }]));
    for (const tenant of [one, two]) {
      expect(
        (await api.as(tenant.token).put(`/v2/accounts/${tenant.id}/aaa`, aaaUsing(['dictionary_acme', 'dictionary'], ['Acme-Plan'])))
          .status,
      ).toBe(201);
    }
    const effectiveOne = await api.as(one.token).get(`/v2/accounts/${one.id}/aaa/effective`);
    const effectiveTwo = await api.as(two.token).get(`/v2/accounts/${two.id}/aaa/effective`);
    expect(effectiveOne.body.data.authentication.servers[0].dictionaries[0].id).toBe(`${one.id}~dictionary_acme`);
    expect(effectiveTwo.body.data.authentication.servers[0].dictionaries[0].id).toBe(`${two.id}~dictionary_acme`);
    expect(effectiveOne.body.data.authentication.servers[0].dictionary_warnings).toEqual([]);
  });

  it('a name resolves to the account’s own dictionary first, then its ancestors’, then the system’s', async () => {
    const parent = await createAccount(api, service.masterAccountId, 'shadow-parent');
    const child = await createAccount(api.as(parent.token), parent.id, 'shadow-child');
    await api
      .as(parent.token)
      .put(`/v2/accounts/${parent.id}/aaa/dictionary`, vendorDictionary('dictionary', [{ name: 'Acme-Parent', id: 1, type: 'string' }]));
    expect((await api.as(child.token).put(`/v2/accounts/${child.id}/aaa`, aaaUsing(['dictionary'], ['Acme-Parent']))).status).toBe(201);
    const effective = await api.as(child.token).get(`/v2/accounts/${child.id}/aaa/effective`);
    expect(effective.body.data.authentication.servers[0].dictionaries[0].owner).toBe(parent.id);
    // The parent's "dictionary" shadows the system's, so User-Name is unknown to this server.
    const shadowed = await api.as(child.token).post(`/v2/accounts/${child.id}/aaa`, aaaUsing(['dictionary'], ['User-Name']));
    expect(shadowed.status).toBe(400);
  });

  it('conflicting definitions in one list are warnings on save and in effective; the left-most wins', async () => {
    const tenant = await createAccount(api, service.masterAccountId, 'conflicts');
    const as = api.as(tenant.token);
    await as.put(
      `/v2/accounts/${tenant.id}/aaa/dictionary`,
      vendorDictionary('dictionary_left', [{ name: 'Acme-Speed', id: 1, type: 'integer' }]),
    );
    await as.put(
      `/v2/accounts/${tenant.id}/aaa/dictionary`,
      vendorDictionary('dictionary_right', [{ name: 'Acme-Speed', id: 2, type: 'string' }]),
    );
    const leftFirst = await as.put(
      `/v2/accounts/${tenant.id}/aaa`,
      aaaUsing(['dictionary_left', 'dictionary_right', 'dictionary'], ['Acme-Speed']),
    );
    expect(leftFirst.status).toBe(201);
    expect(leftFirst.body.warnings.length).toBeGreaterThan(0);
    const warning = leftFirst.body.warnings.find((w: { message: string }) => w.message.includes('Acme-Speed'));
    expect(warning.server).toBe('radius1');
    expect(warning.winner.dictionary).toBe('dictionary_left');
    expect(warning.shadowed.dictionary).toBe('dictionary_right');
    const rightFirst = await as.post(
      `/v2/accounts/${tenant.id}/aaa`,
      aaaUsing(['dictionary_right', 'dictionary_left', 'dictionary'], ['Acme-Speed']),
    );
    const flipped = rightFirst.body.warnings.find((w: { message: string }) => w.message.includes('Acme-Speed'));
    expect(flipped.winner.dictionary).toBe('dictionary_right');
    const effective = await as.get(`/v2/accounts/${tenant.id}/aaa/effective`);
    expect(effective.body.data.authentication.servers[0].dictionary_warnings.join(' ')).toContain('Acme-Speed');
  });
});

describe('reload', () => {
  it('an account reload reports per database what changed (nothing, when the feed is current)', async () => {
    const tenant = await createAccount(api, service.masterAccountId, 'reloader');
    const response = await api.as(tenant.token).post(`/v2/accounts/${tenant.id}/aaa/reload`);
    expect(response.status).toBe(200);
    expect(response.body.data.changed).toEqual({ accounts: [], aaa: [], system: [], dictionaries: [] });
    expect(response.body.data.total_changed).toBe(0);
  });

  it('the system reload is for the superduper admin, and reports the feeds', async () => {
    const tenant = await createAccount(api, service.masterAccountId, 'not-admin');
    expect((await api.as(tenant.token).post('/v1/system_configs/circlemaker/reload')).status).toBe(403);
    const response = await api.post('/v1/system_configs/circlemaker/reload');
    expect(response.status).toBe(200);
    expect(response.body.data.feeds).toHaveLength(4);
    expect(response.body.data.total_changed).toBe(0);
  });
});
