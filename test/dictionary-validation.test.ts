import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AttributeEntry, DictionaryEntry, ValueEntry } from '../src/dictionary/dictionary-doc.js';
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

  it('fills vid 0 for standard attributes and values', () => {
    const fields = validateDictionary({ name: 'd', value: [attr(6, 'Service-Type'), { val: { id: 6, val: 1, name: 'Login-User' } }] }, schemas);
    expect((fields.value[0] as AttributeEntry).attr.vid).toBe(0);
    expect((fields.value[1] as ValueEntry).val.vid).toBe(0);
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

  it('reports an attribute number defined twice for the same vendor', () => {
    const errors = fieldErrors({ name: 'd', value: [attr(7, 'A', { vid: 9 }), attr(7, 'B', { vid: 9 }), attr(7, 'C')] });
    expect(Object.keys(errors)).toEqual(['value.1.attr.id']);
    expect(errors['value.1.attr.id']).toHaveProperty('unique');
  });

  it('rejects a standard attribute above 255 but accepts a vendor attribute above it', () => {
    const errors = fieldErrors({ name: 'd', value: [attr(300, 'Big')] });
    expect(errors).toEqual({ 'value.0.attr.id': { maximum: expect.objectContaining({ target: 255 }) } });
    expect(() => validateDictionary({ name: 'd', value: [attr(300, 'Big', { vid: 429 })] }, schemas)).not.toThrow();
  });

  it('reports duplicate vendor names and ids', () => {
    const errors = fieldErrors({ name: 'd', value: [{ vendor: { Juniper: 2636 } }, { vendor: { juniper: 1 } }, { vendor: { Other: 2636 } }] });
    expect(errors['value.1.vendor.juniper']?.unique?.message).toMatch(/Vendor juniper/);
    expect(errors['value.2.vendor.Other']?.unique?.message).toMatch(/2636/);
  });

  it('reports one value name used twice for an attribute, but allows two names for one number', () => {
    const value = (val: number, name: string): ValueEntry => ({ val: { id: 40, val, name } });
    expect(() => validateDictionary({ name: 'd', value: [value(3, 'Alive'), value(3, 'Interim-Update')] }, schemas)).not.toThrow();
    expect(fieldErrors({ name: 'd', value: [value(1, 'Start'), value(2, 'Start')] })).toHaveProperty(['value.1.val.name', 'unique']);
  });

  it('collects every semantic error in one response', () => {
    const errors = fieldErrors({ name: 'd', value: [attr(256, 'A'), attr(1, 'A'), attr(1, 'B')] });
    expect(Object.keys(errors).sort()).toEqual(['value.0.attr.id', 'value.1.attr.name', 'value.2.attr.id']);
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
      'value.0': { maxProperties: expect.objectContaining({ message: 'An entry must have exactly one of the keys vendor, attr or val' }) },
      'value.1': { minProperties: expect.objectContaining({ message: 'An entry must have exactly one of the keys vendor, attr or val' }) },
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

  it('has the three system dictionaries', () => {
    expect(files.sort()).toEqual(['dictionary.json', 'dictionary_3gpp.json', 'dictionary_juniper.json']);
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
