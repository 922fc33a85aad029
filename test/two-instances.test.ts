import { describe, expect, it } from 'vitest';
import { useTwoInstances } from './support/two-instances.js';
import { until } from './support/poll.js';
import { Api, createAccount } from './support/api.js';

const both = useTwoInstances();

const dictionary = (attributes: string[]) => ({
  name: 'dictionary_shared',
  value: [{ vendor: { Acme: 64998 } }, ...attributes.map((name, index) => ({ attr: { vid: 64998, id: index + 1, type: 'string', name } }))],
});

describe('two instances on one store', () => {
  it('a dictionary change through one is in force in the other: effective configuration and compiled lookups', async () => {
    const viaFirst = new Api(both.first.url);
    const viaSecond = new Api(both.second.url);
    const master = await viaFirst.login(both.first.masterApiKey);
    const tenant = await createAccount(viaFirst.as(master), both.first.masterAccountId, 'shared');
    const a = viaFirst.as(tenant.token);
    const b = viaSecond.as(tenant.token);

    const created = await a.put(`/v2/accounts/${tenant.id}/aaa/dictionary`, dictionary(['Acme-One']));
    expect(created.status).toBe(201);
    const aaa = {
      aaa_mode: 'on',
      servers: [{ name: 'r1', address: '127.0.0.1', secret: 's', dicts: ['dictionary_shared', 'dictionary'] }],
      authentication: ['r1'],
      authorization: [],
      accounting: [],
      authn_avp_translation: [{ attribute: 'Acme-One', request_key: 'k', request_value_regexp: '^(.*)$', attr_value_regexp: '^(.*)$' }],
    };
    expect((await a.put(`/v2/accounts/${tenant.id}/aaa`, aaa)).status).toBe(201);
    const revisionOnSecond = async () =>
      (await b.get(`/v2/accounts/${tenant.id}/aaa/effective`)).body.data?.authentication?.servers?.[0]?.dictionaries?.[0]?.revision;
    expect(await until(async () => (await revisionOnSecond()) === created.body.revision)).toBe(true);

    // A second attribute added through the first instance ...
    const updated = await a.post(`/v2/accounts/${tenant.id}/aaa/dictionary/${created.body.data.id}`, dictionary(['Acme-One', 'Acme-Two']));
    expect(updated.status).toBe(200);
    // ... is known to the second instance's compiled lookups: it accepts a translation using it.
    const withTwo = { authn_avp_translation: [...aaa.authn_avp_translation, { ...aaa.authn_avp_translation[0]!, attribute: 'Acme-Two' }] };
    expect(await until(async () => (await b.patch(`/v2/accounts/${tenant.id}/aaa`, withTwo)).status === 200)).toBe(true);
    expect(await revisionOnSecond()).toBe(updated.body.revision);

    // And a new account made through the second instance can log in through the first.
    const viaSecondMaster = viaSecond.as(await viaSecond.login(both.first.masterApiKey));
    const born = await viaSecondMaster.put(`/v2/accounts/${both.first.masterAccountId}`, { name: 'born-on-second' });
    expect(born.status).toBe(201);
    const token = await viaFirst.login(String(born.body.data.api_key));
    expect(await until(async () => (await viaFirst.as(token).get(`/v2/accounts/${born.body.data.id}`)).status === 200)).toBe(true);
  });
});
