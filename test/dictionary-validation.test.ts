import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AttributeEntry, DictionaryEntry, ValueEntry } from '../src/dictionary/dictionary-doc.js';
import { FREERADIUS_TYPES } from '../src/dictionary/freeradius/parse.js';
import { validateDictionary } from '../src/dictionary/validate-dictionary.js';
import { ValidationError, type FieldErrors } from '../src/errors.js';
import { SchemaValidator } from '../src/schema/validator.js';

const schemas = new SchemaValidator();
const seedDir = new URL('../seed-dictionaries/', import.meta.url);

/** The body of the seed's PUT example, owner included. */
function curlExample(): Record<string, unknown> {
  return {
    name: 'dictionary_juniper',
    owner: '5157b7a3b843668a6baf83f6fa5e0bf4',
    value: [
      { attr: { vid: 2636, id: 5, type: 'string', name: 'Juniper_Deny_Configuration', enc: 'no' } },
      { vendor: { Juniper: 2636 } },
    ],
  };
}

/** The seed's example dictionary document, verbatim. */
function exampleDocument(): Record<string, unknown> {
  return {
    name: 'dictionary_juniper',
    owner: '5157b7a3b843668a6baf83f6fa5e0bf4',
    value: [
      { val: { vid: 2636, id: 5, val: 1, name: 'Juniper_Deny_Configuration' } },
      { attr: { vid: 2636, id: 5, type: 'string', name: 'Juniper_Deny_Configuration', enc: 'no' } },
      { attr: { vid: 2636, id: 4, type: 'string', name: 'Juniper_Allow_Configuration', enc: 'no' } },
      { attr: { vid: 2636, id: 3, type: 'string', name: 'Juniper_Deny_Commands', enc: 'no' } },
      { attr: { vid: 2636, id: 2, type: 'string', name: 'Juniper_Allow_Commands', enc: 'no' } },
      { attr: { vid: 2636, id: 1, type: 'string', name: 'Juniper_Local_User_Name', enc: 'no' } },
      { vendor: { Juniper: 2636 } },
    ],
  };
}

const ENTRY_SHAPE = 'An entry must have exactly one of the keys vendor, attr or val (and format only beside vendor)';

function fieldErrors(input: unknown): FieldErrors {
  try {
    validateDictionary(input, schemas);
  } catch (error) {
    if (error instanceof ValidationError) return error.fields;
    throw error;
  }
  throw new Error('expected a validation error');
}

const attr = (id: number, name: string, extra: Partial<AttributeEntry['attr']> = {}): AttributeEntry => ({
  attr: { id, name, type: 'integer', ...extra },
});

function readSeed(file: string): unknown {
  return JSON.parse(fs.readFileSync(new URL(file, seedDir), 'utf8'));
}

describe('validateDictionary: the seed examples', () => {
  it('accepts the PUT example and drops its foreign owner', () => {
    const fields = validateDictionary(curlExample(), schemas);
    expect(fields).not.toHaveProperty('owner');
    expect(fields.name).toBe('dictionary_juniper');
    expect(fields.value).toHaveLength(2);
  });

  it('accepts the example document, a value listed before its attribute included', () => {
    expect(validateDictionary(exampleDocument(), schemas).value).toHaveLength(7);
  });

  it('accepts the POST example (enc "yes", another vendor id)', () => {
    const body = curlExample();
    body.value = [
      { attr: { vid: 2636, id: 5, type: 'string', name: 'Juniper_Deny_Configuration', enc: 'yes' } },
      { vendor: { Juniper: 1111 } },
    ];
    expect(validateDictionary(body, schemas).value).toHaveLength(2);
  });

  it('fills vid 0 for standard attributes and for values given by id, not for values given only by attr', () => {
    const fields = validateDictionary(
      { name: 'd', value: [attr(6, 'Service-Type'), { val: { id: 6, val: 1, name: 'Login-User' } }, { val: { attr: 'Cisco-X', val: 1, name: 'On' } }] },
      schemas,
    );
    expect((fields.value[0] as AttributeEntry).attr.vid).toBe(0);
    expect((fields.value[1] as ValueEntry).val.vid).toBe(0);
    // The attribute may be a vendor attribute of another dictionary: vid 0 would be a guess.
    expect((fields.value[2] as ValueEntry).val).not.toHaveProperty('vid');
  });

  it('accepts a vendor attribute whose vendor another dictionary declares', () => {
    expect(() => validateDictionary({ name: 'd', value: [attr(1, 'X-One', { vid: 9 })] }, schemas)).not.toThrow();
  });
});

describe('validateDictionary: semantic errors', () => {
  it('reports a duplicate attribute name at its path with rule unique', () => {
    const errors = fieldErrors({ name: 'd', value: [attr(1, 'User-Name'), attr(2, 'Other'), attr(3, 'User-Name')] });
    expect(Object.keys(errors)).toEqual(['value.2.attr.name']);
    expect(errors['value.2.attr.name']?.unique?.message).toMatch(/User-Name.*value\.0/);
  });

  it('compares attribute names case-insensitively, as FreeRADIUS does', () => {
    expect(fieldErrors({ name: 'd', value: [attr(1, 'User-Name'), attr(2, 'user-name')] })).toHaveProperty(['value.1.attr.name', 'unique']);
  });

  // Decision: several names for one number (aliases) are allowed, as FreeRADIUS allows them:
  // dictionary.3gpp names 3GPP 22 twice, and dictionary.ruckus gives Ruckus 10 two names with
  // two types. Numbers are keyed by (vid, evs, oid or id), so these are all distinct too.
  it('allows two names for one attribute number (aliases), even with different types', () => {
    const value = [attr(7, 'A', { vid: 9 }), attr(7, 'B', { vid: 9, type: 'string' }), attr(7, 'C'), attr(7, 'D', { vid: 9, evs: 'Extended-Vendor-Specific-1' })];
    expect(validateDictionary({ name: 'd', value }, schemas).value).toHaveLength(4);
  });

  it('accepts FreeRADIUS server-side numbers (vid 0, from 256) but not as the first component of an oid', () => {
    // dictionary.freeradius.internal numbers its attributes from 500 up, dictionary.vqp from 11008.
    expect(() => validateDictionary({ name: 'd', value: [attr(1000, 'Auth-Type'), attr(300, 'Big', { vid: 429 })] }, schemas)).not.toThrow();
    const errors = fieldErrors({ name: 'd', value: [attr(1, 'Ext', { oid: '300.1' }), attr(0, 'Zero'), attr(0, 'Vendor-Zero', { vid: 9 })] });
    expect(errors).toEqual({
      'value.0.attr.oid': { maximum: expect.objectContaining({ target: 255 }) },
      'value.1.attr.id': { minimum: expect.objectContaining({ target: 1 }) },
    });
  });

  it('reports duplicate vendor names; allows two names for one vendor id unless their formats differ', () => {
    const errors = fieldErrors({
      name: 'd',
      value: [{ vendor: { Juniper: 2636 } }, { vendor: { juniper: 1 } }, { vendor: { Other: 2636 } }, { vendor: { Third: 2636 }, format: '2,1' }],
    });
    expect(Object.keys(errors)).toEqual(['value.1.vendor.juniper', 'value.3.vendor.Third']);
    expect(errors['value.1.vendor.juniper']?.unique?.message).toMatch(/Vendor juniper/);
    expect(errors['value.3.vendor.Third']?.unique?.message).toMatch(/2636.*format 1,1/);
  });

  it('reports one value name used twice for an attribute, but allows two names for one number', () => {
    const value = (val: number, name: string): ValueEntry => ({ val: { id: 40, val, name } });
    expect(() => validateDictionary({ name: 'd', value: [value(3, 'Alive'), value(3, 'Interim-Update')] }, schemas)).not.toThrow();
    expect(fieldErrors({ name: 'd', value: [value(1, 'Start'), value(2, 'Start')] })).toHaveProperty(['value.1.val.name', 'unique']);
  });

  it('keys values named by attr by that name, case-insensitively', () => {
    const value = (attribute: string, name: string): ValueEntry => ({ val: { attr: attribute, val: 1, name } });
    // Two aliases of one number may each list a value (dictionary.altiga and dictionary.cisco.asa do).
    expect(() => validateDictionary({ name: 'd', value: [value('Altiga-X', 'None'), value('ASA-X', 'None')] }, schemas)).not.toThrow();
    const errors = fieldErrors({ name: 'd', value: [value('Error-Cause', 'Busy'), value('error-cause', 'busy')] });
    expect(errors['value.1.val.name']?.unique?.message).toMatch(/Busy.*Error-Cause|busy.*error-cause/);
  });

  it('requires a value to name its attribute by attr or id', () => {
    const errors = fieldErrors({ name: 'd', value: [{ val: { val: 1, name: 'x' } }] });
    expect(errors).toEqual({ 'value.0.val.attr': { required: expect.objectContaining({ message: expect.stringMatching(/attr.*id/) }) } });
  });

  it('collects every semantic error in one response', () => {
    const errors = fieldErrors({ name: 'd', value: [attr(0, 'A'), attr(1, 'A'), { val: { val: 1, name: 'x' } }] });
    expect(Object.keys(errors).sort()).toEqual(['value.0.attr.id', 'value.1.attr.name', 'value.2.val.attr']);
  });
});

describe('validateDictionary: the FreeRADIUS extensions', () => {
  it('accepts vendor formats and refuses malformed ones', () => {
    const ok = [{ vendor: { USR: 429 }, format: '4,0' }, { vendor: { WiMAX: 24757 }, format: '1,1,c' }, { vendor: { Lucent: 4846 }, format: '2,1' }];
    expect(validateDictionary({ name: 'd', value: ok }, schemas).value).toEqual(ok);
    const errors = fieldErrors({ name: 'd', value: [{ vendor: { A: 1 }, format: '3,1' }, { vendor: { B: 2 }, format: '1,1,x' }] });
    expect(errors).toHaveProperty(['value.0.format', 'pattern']);
    expect(errors).toHaveProperty(['value.1.format', 'pattern']);
  });

  it('allows format only beside vendor, and still one kind per entry', () => {
    const errors = fieldErrors({ name: 'd', value: [{ ...attr(1, 'A'), format: '1,1' }, { vendor: { V: 1 }, format: '1,1', ...attr(2, 'B') }] });
    expect(errors).toEqual({
      'value.0.vendor': { required: expect.anything() },
      'value.1': { maxProperties: expect.objectContaining({ message: expect.stringMatching(/exactly one of the keys vendor, attr or val/) }) },
    });
  });

  it('accepts oid, length, flags and evs', () => {
    const value: DictionaryEntry[] = [
      attr(26, 'Ext-Attr', { oid: '241.26', type: 'evs' }),
      attr(2, 'Tlv-Child', { vid: 5535, oid: '59.1.2', type: 'short' }),
      attr(70, 'ARAP-Password', { type: 'octets', length: 16 }),
      attr(64, 'Tunnel-Type', { flags: { has_tag: true } }),
      attr(69, 'Tunnel-Password', { type: 'string', enc: 'encrypt=2', flags: { has_tag: true } }),
      attr(79, 'EAP-Message', { type: 'octets', flags: { concat: true } }),
      attr(1, 'FreeRADIUS-802.1X-Anonce', { vid: 11344, type: 'octets', evs: 'Extended-Vendor-Specific-5' }),
      attr(1000, 'Auth-Type', { flags: { virtual: true } }),
      attr(1105, 'EAP-IKEv2-Secret', { type: 'string', flags: { secret: true } }),
      attr(9, 'Addresses', { type: 'ipaddr', flags: { array: true } }),
    ];
    expect(validateDictionary({ name: 'd', value }, schemas).value).toHaveLength(10);
  });

  it('checks the shape of oid, length, flags and evs', () => {
    const errors = fieldErrors({
      name: 'd',
      value: [
        attr(1, 'A', { oid: '1' }),
        attr(1, 'B', { type: 'octets', length: 254 }),
        { attr: { id: 1, name: 'C', type: 'string', flags: { has_tag: false } } },
        { attr: { id: 1, name: 'D', type: 'string', flags: { tagged: true } } },
        attr(1, 'E', { vid: 9, evs: 'not a name' }),
      ],
    });
    expect(errors).toEqual({
      'value.0.attr.oid': { pattern: expect.anything() },
      'value.1.attr.length': { maximum: expect.anything() },
      'value.2.attr.flags.has_tag': { enum: expect.anything() },
      'value.3.attr.flags.tagged': { additionalProperties: expect.anything() },
      'value.4.attr.evs': { pattern: expect.anything() },
    });
  });

  it('refuses what FreeRADIUS refuses, so every valid dictionary exports', () => {
    const errors = fieldErrors({
      name: 'd',
      value: [
        attr(2, 'A', { oid: '241.3' }),
        attr(1, 'B', { oid: '26.0' }),
        attr(1, 'C', { type: 'string', length: 4 }),
        attr(1, 'D', { type: 'ipaddr', flags: { has_tag: true } }),
        attr(1, 'E', { type: 'string', flags: { concat: true } }),
        attr(300, 'F', { vid: 9, flags: { virtual: true } }),
        attr(1, 'G', { type: 'integer', flags: { secret: true } }),
        attr(1, 'H', { type: 'octets', flags: { array: true } }),
        attr(1, 'I', { type: 'octets', enc: 'encrypt=3' }),
        attr(1, 'J', { evs: 'Extended-Vendor-Specific-1' }),
      ],
    });
    expect(Object.keys(errors)).toEqual([
      'value.0.attr.oid',
      'value.1.attr.oid',
      'value.2.attr.length',
      'value.3.attr.flags.has_tag',
      'value.4.attr.flags.concat',
      'value.5.attr.flags.virtual',
      'value.6.attr.flags.secret',
      'value.7.attr.flags.array',
      'value.8.attr.enc',
      'value.9.attr.vid',
    ]);
    expect(errors['value.0.attr.oid']?.consistent?.message).toMatch(/last component of oid 241.3 must be the id 2/);
  });

  it('knows the same types as the FreeRADIUS parser', () => {
    const schema = JSON.parse(fs.readFileSync(new URL('../schemas/aaa_dict.json', import.meta.url), 'utf8')) as {
      properties: { value: { items: { properties: { attr: { properties: { type: { enum: string[] } } } } } } };
    };
    expect([...schema.properties.value.items.properties.attr.properties.type.enum].sort()).toEqual([...FREERADIUS_TYPES].sort());
  });
});

describe('validateDictionary: shape errors', () => {
  it('rejects an unknown attribute type with the allowed list', () => {
    const errors = fieldErrors({ name: 'd', value: [attr(1, 'A', { type: 'varchar' })] });
    expect(Object.keys(errors)).toEqual(['value.0.attr.type']);
    expect(errors['value.0.attr.type']?.enum?.message).toMatch(/"string"/);
  });

  it('explains an entry with two kinds or none', () => {
    const errors = fieldErrors({ name: 'd', value: [{ ...attr(1, 'A'), vendor: { V: 1 } }, {}] });
    expect(errors).toEqual({
      'value.0': { maxProperties: expect.objectContaining({ message: ENTRY_SHAPE }) },
      'value.1': { minProperties: expect.objectContaining({ message: ENTRY_SHAPE }) },
    });
  });

  it('names an unknown entry kind and unknown keys inside an entry', () => {
    const errors = fieldErrors({ name: 'd', value: [{ attribute: {} }, { attr: { id: 1, type: 'string', name: 'A', vendor: 1 } }] });
    expect(errors).toEqual({
      'value.0.attribute': { additionalProperties: expect.anything() },
      'value.1.attr.vendor': { additionalProperties: expect.anything() },
    });
  });

  it('reports missing fields by path', () => {
    const errors = fieldErrors({ value: [{ attr: { id: 1, name: 'A' } }, { val: { id: 1, name: 'x' } }] });
    expect(Object.keys(errors).sort()).toEqual(['name', 'value.0.attr.type', 'value.1.val.val']);
  });

  it('checks vendor entries: a name pattern and a 24-bit id', () => {
    const errors = fieldErrors({ name: 'd', value: [{ vendor: { 'bad name': 1 } }, { vendor: { V: 16777216 } }] });
    expect(errors).toHaveProperty(['value.0.vendor', 'propertyNames']);
    expect(errors).toHaveProperty(['value.1.vendor.V', 'maximum']);
  });

  it('checks the dictionary name pattern', () => {
    expect(fieldErrors({ name: 'a/b', value: [] })).toHaveProperty(['name', 'pattern']);
    expect(fieldErrors({ name: 'x'.repeat(65), value: [] })).toHaveProperty(['name', 'pattern']);
  });

  it('accepts large and negative values', () => {
    expect(() => validateDictionary({ name: 'd', value: [{ val: { id: 1, val: -5, name: 'neg' } }, { val: { id: 1, val: 4294967295, name: 'max' } }] }, schemas)).not.toThrow();
  });
});

describe('seed dictionaries', () => {
  const files = fs.readdirSync(seedDir).filter((file) => file.endsWith('.json'));

  it('has the standard set and the common vendors', () => {
    expect(files.sort()).toEqual([
      'dictionary.json',
      'dictionary_3gpp.json',
      'dictionary_3gpp2.json',
      'dictionary_alcatel_sr.json',
      'dictionary_cisco.json',
      'dictionary_ericsson_ab.json',
      'dictionary_erx.json',
      'dictionary_freeradius.json',
      'dictionary_huawei.json',
      'dictionary_juniper.json',
      'dictionary_microsoft.json',
      'dictionary_mikrotik.json',
      'dictionary_wimax.json',
      'dictionary_wispr.json',
    ]);
  });

  it.each(files)('%s validates and is named after its file', (file) => {
    const fields = validateDictionary(readSeed(file), schemas);
    expect(`${fields.name}.json`).toBe(file);
  });

  const entries = (file: string): DictionaryEntry[] => validateDictionary(readSeed(file), schemas).value;
  const attribute = (value: DictionaryEntry[], name: string) =>
    value.flatMap((entry) => ('attr' in entry && entry.attr.name === name ? [entry.attr] : []))[0];
  const valuesOf = (value: DictionaryEntry[], vid: number, id: number) =>
    Object.fromEntries(value.flatMap((entry) => ('val' in entry && entry.val.vid === vid && entry.val.id === id ? [[entry.val.name, entry.val.val]] : [])));

  it('dictionary holds RFC 2865 and 2866 with their values', () => {
    const value = entries('dictionary.json');
    expect(attribute(value, 'User-Name')).toEqual({ vid: 0, id: 1, type: 'string', name: 'User-Name', enc: 'no' });
    expect(attribute(value, 'User-Password')).toMatchObject({ id: 2, type: 'string', enc: 'encrypt=1' });
    expect(attribute(value, 'Acct-Status-Type')).toMatchObject({ id: 40, type: 'integer' });
    expect(valuesOf(value, 0, 40)).toMatchObject({ Start: 1, Stop: 2, 'Interim-Update': 3 });
    expect(valuesOf(value, 0, 6)).toMatchObject({ 'Login-User': 1, 'Framed-User': 2 });
    expect(valuesOf(value, 0, 49)).toMatchObject({ 'User-Request': 1, 'Host-Request': 18 });
    for (const name of ['Framed-Protocol', 'NAS-Port-Type', 'Acct-Authentic', 'Termination-Action', 'Acct-Session-Time', 'Acct-Delay-Time']) {
      expect(attribute(value, name), name).toBeDefined();
    }
  });

  it('dictionary is the RFC set: no vendor files, no server-side attributes, the RFC flags kept', () => {
    const value = entries('dictionary.json');
    const vendors = value.flatMap((entry) => ('vendor' in entry ? Object.keys(entry.vendor) : []));
    expect(vendors).toEqual(['ADSL-Forum']); // declared by RFC 4679
    for (const entry of value) {
      if ('attr' in entry && entry.attr.vid === 0) expect(Number((entry.attr.oid ?? String(entry.attr.id)).split('.')[0])).toBeLessThanOrEqual(255);
    }
    expect(attribute(value, 'Tunnel-Password')).toEqual({ vid: 0, id: 69, type: 'string', name: 'Tunnel-Password', enc: 'encrypt=2', flags: { has_tag: true } });
    expect(attribute(value, 'EAP-Message')).toMatchObject({ id: 79, flags: { concat: true } });
    expect(attribute(value, 'Frag-Status')).toMatchObject({ id: 1, oid: '241.1' });
    expect(valuesOf(value, 0, 101)).toMatchObject({ 'Residual-Context-Removed': 201, 'Multiple-Session-Selection-Unsupported': 508 }); // Error-Cause: RFC 5176 extends RFC 3576
  });

  it('dictionary_3gpp and dictionary_juniper are vendor dictionaries', () => {
    const gpp = entries('dictionary_3gpp.json');
    expect(gpp[0]).toEqual({ vendor: { '3GPP': 10415 } });
    expect(attribute(gpp, '3GPP-IMSI')).toMatchObject({ vid: 10415, id: 1 });
    const juniper = entries('dictionary_juniper.json');
    expect(juniper[0]).toEqual({ vendor: { Juniper: 2636 } });
    expect(attribute(juniper, 'Juniper-Deny-Configuration')).toMatchObject({ vid: 2636, id: 5, type: 'string' });
    expect(valuesOf(juniper, 2636, 21)).toMatchObject({ Read_Only: 1, Admin: 2 });
  });
});
