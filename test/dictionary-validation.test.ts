import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DictionaryCompileError, compileDictionaries } from '../src/radius/dictionary/index.js';
import type { AttributeEntry, DictionaryEntry, DictionaryFields, ValueEntry } from '../src/dictionary/dictionary-doc.js';
import { parseFreeRadius } from '../src/dictionary/freeradius/parse.js';
import { FREERADIUS_TYPES } from '../src/radius/dictionary/index.js';
import { writeFreeRadius } from '../src/dictionary/freeradius/write.js';
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
    value: [{ attr: { vid: 2636, id: 5, type: 'string', name: 'Juniper_Deny_Configuration', enc: 'no' } }, { vendor: { Juniper: 2636 } }],
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
      {
        name: 'd',
        value: [attr(6, 'Service-Type'), { val: { id: 6, val: 1, name: 'Login-User' } }, { val: { attr: 'Cisco-X', val: 1, name: 'On' } }],
      },
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
    const value = [
      attr(7, 'A', { vid: 9 }),
      attr(7, 'B', { vid: 9, type: 'string' }),
      attr(7, 'C'),
      attr(7, 'D', { vid: 9, evs: 'Extended-Vendor-Specific-1' }),
    ];
    expect(validateDictionary({ name: 'd', value }, schemas).value).toHaveLength(4);
  });

  it('accepts FreeRADIUS server-side numbers (vid 0, from 256) but not as the first component of an oid', () => {
    // dictionary.freeradius.internal numbers its attributes from 500 up, dictionary.vqp from 11008.
    expect(() =>
      validateDictionary({ name: 'd', value: [attr(1000, 'Auth-Type'), attr(300, 'Big', { vid: 429 })] }, schemas),
    ).not.toThrow();
    const errors = fieldErrors({
      name: 'd',
      value: [attr(1, 'Ext', { oid: '300.1' }), attr(0, 'Zero'), attr(0, 'Vendor-Zero', { vid: 9 })],
    });
    expect(errors).toEqual({
      'value.0.attr.oid': { maximum: expect.objectContaining({ target: 255 }) },
      'value.1.attr.id': { minimum: expect.objectContaining({ target: 1 }) },
    });
  });

  it('reports duplicate vendor names; allows two names for one vendor id unless their formats differ', () => {
    const errors = fieldErrors({
      name: 'd',
      value: [
        { vendor: { Juniper: 2636 } },
        { vendor: { juniper: 1 } },
        { vendor: { Other: 2636 } },
        { vendor: { Third: 2636 }, format: '2,1' },
      ],
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
    const ok = [
      { vendor: { USR: 429 }, format: '4,0' },
      { vendor: { WiMAX: 24757 }, format: '1,1,c' },
      { vendor: { Lucent: 4846 }, format: '2,1' },
    ];
    expect(validateDictionary({ name: 'd', value: ok }, schemas).value).toEqual(ok);
    const errors = fieldErrors({
      name: 'd',
      value: [
        { vendor: { A: 1 }, format: '3,1' },
        { vendor: { B: 2 }, format: '1,1,x' },
      ],
    });
    expect(errors).toHaveProperty(['value.0.format', 'pattern']);
    expect(errors).toHaveProperty(['value.1.format', 'pattern']);
  });

  it('allows format only beside vendor, and still one kind per entry', () => {
    const errors = fieldErrors({
      name: 'd',
      value: [
        { ...attr(1, 'A'), format: '1,1' },
        { vendor: { V: 1 }, format: '1,1', ...attr(2, 'B') },
      ],
    });
    expect(errors).toEqual({
      'value.0.vendor': { required: expect.anything() },
      'value.1': {
        maxProperties: expect.objectContaining({ message: expect.stringMatching(/exactly one of the keys vendor, attr or val/) }),
      },
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
    expect(() =>
      validateDictionary(
        { name: 'd', value: [{ val: { id: 1, val: -5, name: 'neg' } }, { val: { id: 1, val: 4294967295, name: 'max' } }] },
        schemas,
      ),
    ).not.toThrow();
  });
});

/** Compiles entries as one stored dictionary would be compiled. */
const compile = (value: readonly DictionaryEntry[]) => compileDictionaries([{ id: 'x', rev: '1', name: 'x', owner: 'o', value }]);

describe('validateDictionary: nothing it accepts is refused by the compiler', () => {
  // Each case is an entry compileDictionaries throws DictionaryCompileError for (checked below,
  // so the list follows the compiler), and the one error validation reports for it instead.
  const cases: [string, DictionaryEntry, string, string][] = [
    ['an empty vendor format', { vendor: { V: 9 }, format: '' }, 'value.0.format', 'pattern'],
    ['a vendor format with type 3', { vendor: { V: 9 }, format: '3,1' }, 'value.0.format', 'pattern'],
    ['a vendor format with length 4', { vendor: { V: 9 }, format: '1,4' }, 'value.0.format', 'pattern'],
    ['a vendor format with a third field other than c', { vendor: { V: 9 }, format: '1,1,x' }, 'value.0.format', 'pattern'],
    ['a vendor format written as FreeRADIUS text', { vendor: { V: 9 }, format: 'format=1,1' }, 'value.0.format', 'pattern'],
    ['an oid that is not a dotted number', attr(2, 'A', { oid: '241.x' }), 'value.0.attr.oid', 'pattern'],
    ['an oid with an empty component', attr(2, 'A', { oid: '241..2' }), 'value.0.attr.oid', 'pattern'],
    ['an oid whose last component is not id', attr(2, 'A', { oid: '241.3' }), 'value.0.attr.oid', 'consistent'],
    ['a TLV oid whose last component is not id', attr(1, 'A', { vid: 5535, oid: '59.1.2' }), 'value.0.attr.oid', 'consistent'],
    ['an enc that is no FreeRADIUS flag', attr(2, 'A', { type: 'string', enc: 'maybe' }), 'value.0.attr.enc', 'enum'],
    ['encrypt=4', attr(2, 'A', { type: 'string', enc: 'encrypt=4' }), 'value.0.attr.enc', 'enum'],
    ['an enc in another case', attr(2, 'A', { type: 'string', enc: 'ENCRYPT=1' }), 'value.0.attr.enc', 'enum'],
    ['an enc with a leading zero', attr(2, 'A', { type: 'string', enc: 'encrypt=01' }), 'value.0.attr.enc', 'enum'],
    ['an empty enc', attr(2, 'A', { type: 'string', enc: '' }), 'value.0.attr.enc', 'enum'],
  ];

  it.each(cases)('refuses %s when saved, naming the field', (_, entry, field, rule) => {
    expect(() => compile([structuredClone(entry)])).toThrow(DictionaryCompileError);
    expect(fieldErrors({ name: 'd', value: [entry] })).toEqual({
      [field]: { [rule]: expect.objectContaining({ message: expect.any(String) }) },
    });
  });

  it('names the allowed enc values in the error', () => {
    const errors = fieldErrors({ name: 'd', value: [attr(2, 'A', { type: 'string', enc: 'maybe' })] });
    expect(errors['value.0.attr.enc']?.enum?.message).toBe(
      'Value is not one of "no", "yes", "encrypt=0", "encrypt=1", "encrypt=2", "encrypt=3"',
    );
  });

  it('stores the seed example\'s enc "yes" as encrypt=1 and encrypt=0 as no, which compile and export', () => {
    const value: DictionaryEntry[] = [
      { attr: { vid: 2636, id: 5, type: 'string', name: 'Juniper_Deny_Configuration', enc: 'yes' } },
      { attr: { vid: 2636, id: 6, type: 'string', name: 'Juniper_Plain', enc: 'encrypt=0' } },
      { vendor: { Juniper: 1111 } },
      { vendor: { Juniper2: 2636 } },
    ];
    const fields = validateDictionary({ name: 'dictionary_juniper', value }, schemas);
    expect(fields.value.slice(0, 2).map((entry) => (entry as AttributeEntry).attr.enc)).toEqual(['encrypt=1', 'no']);
    const compiled = compile(fields.value);
    expect(compiled.attribute('Juniper_Deny_Configuration')?.encrypt).toBe(1);
    expect(compiled.attribute('Juniper_Plain')?.encrypt).toBe(0);
    const back = parseFreeRadius(writeFreeRadius(fields.value)).entries;
    expect(back.filter((entry) => 'attr' in entry).map((entry) => (entry as AttributeEntry).attr.enc)).toEqual(['encrypt=1', 'no']);
  });

  it('refuses continuations for a vendor format other than 1,1, as FreeRADIUS does', () => {
    expect(fieldErrors({ name: 'd', value: [{ vendor: { V: 9 }, format: '2,1,c' }] })).toEqual({
      'value.0.format': { pattern: expect.anything() },
    });
    expect(validateDictionary({ name: 'd', value: [{ vendor: { V: 9 }, format: '1,1,c' }] }, schemas).value).toHaveLength(1);
  });

  // Generated documents mix what is valid with what the compiler cannot interpret, in every field
  // it reads as text (mostly valid, so that whole documents often pass); whatever validation lets
  // through must compile.
  /** `arb` one time in `freq`, else absent. */
  const sometimes = <T>(arb: fc.Arbitrary<T>, freq = 3): fc.Arbitrary<T | undefined> =>
    fc.oneof({ weight: 1, arbitrary: arb }, { weight: freq - 1, arbitrary: fc.constant(undefined) });
  /** Drops absent fields: a JSON document has no `undefined`. */
  const defined = <T extends object>(fields: T): T =>
    Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
  const mostly = <T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<T>): fc.Arbitrary<T> =>
    fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: invalid });
  const vendorFormat = mostly(
    fc.constantFrom('1,1', '2,1', '4,0', '1,0', '2,2', '1,1,c'),
    fc.oneof(fc.constantFrom('2,1,c', '4,2,c', '3,1', '1,3', ' 1,1', '1, 1', '1,1,C', '', 'x'), fc.string({ maxLength: 6 })),
  );
  const enc = mostly(
    fc.constantFrom('no', 'yes', 'encrypt=0', 'encrypt=1', 'encrypt=2', 'encrypt=3'),
    fc.oneof(fc.constantFrom('encrypt=4', 'Yes', 'NO', 'encrypt=', ' no', ''), fc.string({ maxLength: 10 })),
  );
  const component = mostly(fc.integer({ min: 1, max: 255 }), fc.constantFrom(0, 256, 4294967295, 9999999999));
  const oid = mostly(
    fc.array(component, { minLength: 2, maxLength: 5 }).map((parts) => parts.join('.')),
    fc.oneof(fc.constantFrom('1..2', '241.x', '.1', '1.', '7', '1.2.3.4.5.6'), fc.string({ maxLength: 8 })),
  );
  const attrEntry = fc
    .record({
      vid: sometimes(fc.constantFrom(0, 9, 5535, 16777215), 2),
      id: component,
      type: fc.constantFrom('string', 'octets', 'integer', 'byte', 'tlv', 'evs', 'ipaddr', 'uint32', 'date'),
      name: fc.constantFrom('A', 'B', 'C', 'D', 'E', 'User-Name', 'X.1', 'Ext', 'Tlv', 'Child'),
      enc: sometimes(enc, 2),
      oid: sometimes(oid),
      // With an oid, its last component is usually made the id (the rest of the time they differ).
      matchOid: fc.integer({ min: 0, max: 4 }).map((roll) => roll > 0),
      length: sometimes(fc.integer({ min: 0, max: 300 }), 6),
      flags: sometimes(
        fc.constantFrom({ has_tag: true as const }, { concat: true as const }, { array: true as const }, { secret: true as const }),
        6,
      ),
      evs: sometimes(fc.constantFrom('Extended-Vendor-Specific-5', 'bad evs'), 8),
    })
    .map(({ matchOid, ...fields }): DictionaryEntry => {
      const last = fields.oid?.split('.').at(-1);
      if (matchOid && last !== undefined && /^\d+$/.test(last)) fields.id = Number(last);
      return { attr: defined(fields) };
    });
  const vendorEntry = fc
    .record({ name: fc.constantFrom('V', 'W', 'Juniper'), id: fc.constantFrom(9, 5535, 2636), format: sometimes(vendorFormat, 2) })
    .map(
      ({ name, id, format }): DictionaryEntry => (format === undefined ? { vendor: { [name]: id } } : { vendor: { [name]: id }, format }),
    );
  const valEntry = fc
    .record({
      vid: sometimes(fc.constantFrom(0, 9), 2),
      id: sometimes(component, 2),
      val: fc.integer({ min: -5, max: 70000 }),
      name: fc.constantFrom('One', 'Two', 'Three'),
      attr: sometimes(fc.constantFrom('A', 'B', 'User-Name'), 2),
    })
    .map((fields): DictionaryEntry => ({ val: defined(fields) }));
  const documentValue = fc.array(fc.oneof(attrEntry, vendorEntry, valEntry), { maxLength: 6 });

  it('compiles every generated document that validates (fast-check)', () => {
    const RUNS = 3000;
    let refused = 0;
    // What the valid documents contained, so the run is known to cover each field the compiler reads.
    // The seed is fixed because the coverage check below is about this run, not any run.
    const seen = new Set<string>();
    fc.assert(
      fc.property(documentValue, (value) => {
        const input = { name: 'x', value: structuredClone(value) };
        let fields: DictionaryFields;
        try {
          fields = validateDictionary(input, schemas);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          refused += 1;
          return;
        }
        for (const [index, entry] of value.entries()) {
          if ('vendor' in entry) seen.add(`format ${entry.format ?? '(none)'}`);
          if ('attr' in entry) seen.add(`enc ${entry.attr.enc ?? '(none)'}`).add(entry.attr.oid === undefined ? 'no oid' : 'oid');
          if ('attr' in entry && 'attr' in (fields.value[index] as DictionaryEntry))
            seen.add(`stored enc ${(fields.value[index] as AttributeEntry).attr.enc ?? '(none)'}`);
        }
        // What validation returns (the input, completed in place) is what the service stores.
        expect(() => compileDictionaries([{ id: 'x', rev: '1', name: 'x', owner: 'o', value: fields.value }])).not.toThrow();
      }),
      { numRuns: RUNS, seed: 20261121 },
    );
    expect(refused).toBeGreaterThan(RUNS / 10);
    expect(RUNS - refused).toBeGreaterThan(RUNS / 10);
    expect([...seen]).toEqual(
      expect.arrayContaining([
        'format (none)',
        'format 1,1',
        'format 2,1',
        'format 4,0',
        'format 1,1,c',
        'enc (none)',
        'enc no',
        'enc yes',
        'enc encrypt=0',
        'enc encrypt=1',
        'enc encrypt=2',
        'enc encrypt=3',
        'oid',
        'no oid',
      ]),
    );
    // Only the spellings the compiler and the FreeRADIUS writer read are stored.
    expect([...seen].filter((item) => item.startsWith('stored enc')).sort()).toEqual([
      'stored enc (none)',
      'stored enc encrypt=1',
      'stored enc encrypt=2',
      'stored enc encrypt=3',
      'stored enc no',
    ]);
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
    Object.fromEntries(
      value.flatMap((entry) => ('val' in entry && entry.val.vid === vid && entry.val.id === id ? [[entry.val.name, entry.val.val]] : [])),
    );

  it('dictionary holds RFC 2865 and 2866 with their values', () => {
    const value = entries('dictionary.json');
    expect(attribute(value, 'User-Name')).toEqual({ vid: 0, id: 1, type: 'string', name: 'User-Name', enc: 'no' });
    expect(attribute(value, 'User-Password')).toMatchObject({ id: 2, type: 'string', enc: 'encrypt=1' });
    expect(attribute(value, 'Acct-Status-Type')).toMatchObject({ id: 40, type: 'integer' });
    expect(valuesOf(value, 0, 40)).toMatchObject({ Start: 1, Stop: 2, 'Interim-Update': 3 });
    expect(valuesOf(value, 0, 6)).toMatchObject({ 'Login-User': 1, 'Framed-User': 2 });
    expect(valuesOf(value, 0, 49)).toMatchObject({ 'User-Request': 1, 'Host-Request': 18 });
    for (const name of [
      'Framed-Protocol',
      'NAS-Port-Type',
      'Acct-Authentic',
      'Termination-Action',
      'Acct-Session-Time',
      'Acct-Delay-Time',
    ]) {
      expect(attribute(value, name), name).toBeDefined();
    }
  });

  it('dictionary is the RFC set: no vendor files, no server-side attributes, the RFC flags kept', () => {
    const value = entries('dictionary.json');
    const vendors = value.flatMap((entry) => ('vendor' in entry ? Object.keys(entry.vendor) : []));
    expect(vendors).toEqual(['ADSL-Forum']); // declared by RFC 4679
    for (const entry of value) {
      if ('attr' in entry && entry.attr.vid === 0)
        expect(Number((entry.attr.oid ?? String(entry.attr.id)).split('.')[0])).toBeLessThanOrEqual(255);
    }
    expect(attribute(value, 'Tunnel-Password')).toEqual({
      vid: 0,
      id: 69,
      type: 'string',
      name: 'Tunnel-Password',
      enc: 'encrypt=2',
      flags: { has_tag: true },
    });
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
