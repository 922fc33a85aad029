import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ConflictKind, type DictionarySource, DictionaryCompileError, compileDictionaries } from '../src/radius/dictionary/index.js';
import { DictionaryCompiler, dictionaryListKey, estimatedBytes } from '../src/dictionary/dictionary-compiler.js';
import { InvalidDictionaryError } from '../src/dictionary/invalid-dictionary.js';
import type { AttributeEntry, DictionaryEntry, DictionaryFields } from '../src/dictionary/dictionary-doc.js';

function dict(owner: string, name: string, value: DictionaryEntry[], rev = '1-a'): DictionarySource {
  return { id: `${owner}~${name}`, rev, name, owner, value };
}

function attr(name: string, id: number, type = 'string', more: Partial<AttributeEntry['attr']> = {}): AttributeEntry {
  return { attr: { vid: 0, id, type, name, enc: 'no', ...more } };
}

function seed(name: string, rev = '1-seed'): DictionarySource {
  const fields = JSON.parse(fs.readFileSync(new URL(`../seed-dictionaries/${name}.json`, import.meta.url), 'utf8')) as DictionaryFields;
  return dict('system', fields.name, fields.value, rev);
}

function kinds(list: readonly DictionarySource[]): ConflictKind[] {
  return compileDictionaries(list).conflicts.map((conflict) => conflict.kind);
}

// Two tenants' idea of attribute "Class-Of-Service" and of Service-Type's values.
const tenantA = dict('acct-a', 'custom', [
  { vendor: { Acme: 9999 } },
  attr('Class-Of-Service', 1, 'integer', { vid: 9999 }),
  { val: { attr: 'Class-Of-Service', name: 'Gold', val: 1 } },
  { val: { attr: 'Service-Type', name: 'Premium', val: 200 } },
]);
const tenantB = dict('acct-b', 'custom', [
  attr('Class-Of-Service', 240, 'string'),
  { val: { attr: 'Service-Type', name: 'Premium', val: 300 } },
]);

describe('ordered resolution: the first dictionary of the list wins', () => {
  const first = dict('acct', 'first', [
    attr('Foo', 200, 'integer'),
    { val: { attr: 'Foo', name: 'On', val: 1 } },
    attr('Same-Number', 210, 'integer'),
  ]);
  const second = dict('acct', 'second', [
    attr('Foo', 201, 'string'),
    { val: { attr: 'Foo', name: 'On', val: 2 } },
    attr('Other-Name', 210, 'integer'),
  ]);

  it('names resolve to the earlier dictionary, and the order of the list decides', () => {
    expect(compileDictionaries([first, second]).attribute('Foo')).toMatchObject({
      path: [200],
      type: 'integer',
      dictionary: { name: 'first' },
    });
    expect(compileDictionaries([second, first]).attribute('Foo')).toMatchObject({
      path: [201],
      type: 'string',
      dictionary: { name: 'second' },
    });
  });

  it('numbers resolve to the earlier dictionary: decoding 210 prints the winner name', () => {
    expect(compileDictionaries([first, second]).attributeByNumber(0, 210)?.name).toBe('Same-Number');
    expect(compileDictionaries([second, first]).attributeByNumber(0, 210)?.name).toBe('Other-Name');
    // The loser still encodes under its own name.
    expect(compileDictionaries([first, second]).attribute('Other-Name')?.path).toEqual([210]);
  });

  it('a shadowed definition keeps its number, and its own dictionary values', () => {
    const compiled = compileDictionaries([first, second]);
    expect(compiled.attributeByNumber(0, 201)).toMatchObject({ name: 'Foo', dictionary: { name: 'second' } });
    expect(compiled.valueNumber('Foo', 'On')).toBe(1);
    expect(compiled.valueName(compiled.attributeByNumber(0, 201) ?? 'missing', 2)).toBe('On');
  });

  it('value names and numbers of one attribute resolve to the earlier dictionary', () => {
    const base = dict('system', 'base', [attr('Mode', 50, 'integer'), { val: { vid: 0, id: 50, name: 'Fast', val: 1 } }]);
    const early = dict('acct', 'early', [
      { val: { attr: 'Mode', name: 'Fast', val: 7 } },
      { val: { attr: 'Mode', name: 'Quick', val: 1 } },
    ]);
    const compiled = compileDictionaries([early, base]);
    expect(compiled.valueNumber('Mode', 'Fast')).toBe(7);
    expect(compiled.valueName('Mode', 1)).toBe('Quick');
    const reversed = compileDictionaries([base, early]);
    expect(reversed.valueNumber('Mode', 'Fast')).toBe(1);
    expect(reversed.valueName('Mode', 1)).toBe('Fast');
    expect(reversed.valueNumber('Mode', 'Quick')).toBe(1);
  });

  it('within one dictionary a later line overrides an earlier one, as FreeRADIUS reads a file', () => {
    const aliases = dict('acct', 'aliases', [
      attr('Old-Name', 60, 'integer'),
      attr('New-Name', 60, 'integer'),
      { val: { attr: 'New-Name', name: 'Alive', val: 3 } },
      { val: { attr: 'New-Name', name: 'Interim-Update', val: 3 } },
    ]);
    const compiled = compileDictionaries([aliases]);
    expect(compiled.attributeByNumber(0, 60)?.name).toBe('New-Name');
    expect(compiled.attribute('Old-Name')?.path).toEqual([60]);
    expect(compiled.valueName('Old-Name', 3)).toBe('Interim-Update');
    expect(compiled.valueNumber('New-Name', 'Alive')).toBe(3);
    expect(compiled.conflicts).toEqual([]);
  });

  it('a name redefined in another case by a later line answers with the later line, under either spelling', () => {
    const respelled = dict('acct', 'respelled', [
      { vendor: { Acme: 7 } },
      { vendor: { ACME: 8 } },
      attr('Foo-Bar', 61, 'integer'),
      attr('FOO-BAR', 62, 'string'),
      { val: { attr: 'FOO-BAR', name: 'On', val: 1 } },
      { val: { attr: 'FOO-BAR', name: 'ON', val: 2 } },
    ]);
    const compiled = compileDictionaries([respelled]);
    for (const name of ['Foo-Bar', 'FOO-BAR', 'foo-bar']) expect(compiled.attribute(name)?.path).toEqual([62]);
    for (const name of ['Acme', 'ACME', 'acme']) expect(compiled.vendor(name)?.id).toBe(8);
    for (const name of ['On', 'ON', 'on']) expect(compiled.valueNumber('Foo-Bar', name)).toBe(2);
    expect(compiled.counts).toMatchObject({ attributes: 1, values: 1 });
  });
});

describe('tenant scope: each list has its own meaning', () => {
  const system = seed('dictionary');

  it('two tenants defining the same name differently each get their own attribute and values', () => {
    const compiler = new DictionaryCompiler();
    const a = compiler.compile([tenantA, system]);
    const b = compiler.compile([tenantB, system]);
    expect(a).not.toBe(b);
    expect(a.attribute('Class-Of-Service')).toMatchObject({ vendorId: 9999, vendorName: 'Acme', path: [1], type: 'integer' });
    expect(b.attribute('Class-Of-Service')).toMatchObject({ vendorId: 0, vendorName: undefined, path: [240], type: 'string' });
    expect(a.valueNumber('Service-Type', 'Premium')).toBe(200);
    expect(b.valueNumber('Service-Type', 'Premium')).toBe(300);
    expect(b.valueNumber('Class-Of-Service', 'Gold')).toBeUndefined();
    // The system's own values are there for both.
    expect(a.valueNumber('Service-Type', 'Framed-User')).toBe(2);
    expect(b.valueName('Service-Type', 2)).toBe('Framed-User');
    expect(a.conflicts).toEqual([]);
    expect(b.conflicts).toEqual([]);
  });
});

describe('conflicts', () => {
  it('the same name with another number: the earlier dictionary is the winner', () => {
    const system = dict('system', 'base', [attr('Foo', 200, 'integer')]);
    const tenant = dict('acct-1', 'mine', [attr('Foo', 9, 'integer', { vid: 9 })]);
    const [conflict, ...rest] = compileDictionaries([tenant, system]).conflicts;
    expect(rest).toEqual([]);
    expect(conflict).toMatchObject({
      kind: 'attribute-name',
      name: 'Foo',
      winner: {
        dictionary: 'mine',
        owner: 'acct-1',
        dictionaryId: 'acct-1~mine',
        name: 'Foo',
        vendorId: 9,
        code: '26.9.9',
        type: 'integer',
      },
      shadowed: { dictionary: 'base', owner: 'system', dictionaryId: 'system~base', vendorId: 0, code: '200' },
    });
    expect(conflict?.message).toContain('Attribute Foo is 26.9.9 integer in dictionary "mine" of acct-1');
    expect(conflict?.message).toContain('200 integer in dictionary "base" of system is shadowed');
    expect(compileDictionaries([system, tenant]).conflicts[0]).toMatchObject({
      winner: { dictionary: 'base' },
      shadowed: { dictionary: 'mine' },
    });
  });

  it('the same name and number with another type or flag is a definition conflict', () => {
    const base = dict('system', 'base', [attr('Secret-Thing', 69, 'string', { enc: 'encrypt=2', flags: { has_tag: true } })]);
    expect(kinds([base, dict('acct', 'a', [attr('Secret-Thing', 69, 'octets', { enc: 'encrypt=2', flags: { has_tag: true } })])])).toEqual([
      'attribute-definition',
    ]);
    expect(kinds([base, dict('acct', 'b', [attr('Secret-Thing', 69, 'string', { flags: { has_tag: true } })])])).toEqual([
      'attribute-definition',
    ]);
    expect(kinds([base, dict('acct', 'c', [attr('Secret-Thing', 69, 'string', { enc: 'encrypt=2' })])])).toEqual(['attribute-definition']);
  });

  it('the same number with another name is a code conflict naming the number', () => {
    const compiled = compileDictionaries([dict('system', 'base', [attr('User-Name', 1)]), dict('acct', 'mine', [attr('Login-Name', 1)])]);
    expect(compiled.conflicts).toEqual([
      expect.objectContaining({
        kind: 'attribute-code',
        code: '1',
        winner: expect.objectContaining({ name: 'User-Name' }),
        shadowed: expect.objectContaining({ name: 'Login-Name' }),
      }),
    ]);
    expect(compiled.conflicts[0]?.message).toBe(
      'Attribute number 1 is User-Name in dictionary "base" of system; Login-Name of dictionary "mine" of acct keeps only its name',
    );
  });

  it('identical duplicates are not conflicts, whatever the case of the name', () => {
    const system = seed('dictionary');
    const copy = dict(
      'acct',
      'copy',
      system.value.map((entry) => ('attr' in entry ? { attr: { ...entry.attr, name: entry.attr.name.toUpperCase() } } : entry)),
    );
    const compiled = compileDictionaries([copy, system]);
    expect(compiled.conflicts).toEqual([]);
    expect(compiled.attribute('user-name')?.name).toBe('USER-NAME');
    expect(compiled.valueName('Service-Type', 2)).toBe('Framed-User');
  });

  it('vendor conflicts: another id, another name, another format', () => {
    const base = dict('system', 'base', [{ vendor: { Acme: 100 } }, { vendor: { Zed: 300 }, format: '2,1' }]);
    const other = dict('acct', 'other', [{ vendor: { ACME: 200 } }, { vendor: { Acme2: 100 } }, { vendor: { Zed: 300 }, format: '1,1' }]);
    const compiled = compileDictionaries([base, other]);
    expect(compiled.conflicts.map(({ kind, name, code }) => ({ kind, name, code }))).toEqual([
      { kind: 'vendor-name', name: 'Acme', code: undefined },
      { kind: 'vendor-id', name: undefined, code: '100' },
      { kind: 'vendor-format', name: 'Zed', code: undefined },
    ]);
    expect(compiled.conflicts[2]).toMatchObject({
      winner: { format: '2,1', dictionary: 'base' },
      shadowed: { format: '1,1', dictionary: 'other' },
    });
    expect(compiled.vendor('acme')?.id).toBe(100);
    expect(compiled.vendorById(100)?.name).toBe('Acme');
    expect(compiled.vendor('Acme2')?.id).toBe(100);
  });

  it('value conflicts: a name with another number, a number with another name', () => {
    const base = dict('system', 'base', [attr('Mode', 50, 'integer'), { val: { attr: 'Mode', name: 'Fast', val: 1 } }]);
    const other = dict('acct', 'other', [
      { val: { attr: 'mode', name: 'FAST', val: 2 } },
      { val: { attr: 'Mode', name: 'Quick', val: 1 } },
    ]);
    const compiled = compileDictionaries([base, other]);
    expect(compiled.conflicts).toEqual([
      expect.objectContaining({
        kind: 'value-name',
        name: 'Fast',
        winner: expect.objectContaining({ value: 1, attribute: 'Mode' }),
        shadowed: expect.objectContaining({ value: 2 }),
      }),
      expect.objectContaining({
        kind: 'value-number',
        code: '1',
        winner: expect.objectContaining({ name: 'Fast' }),
        shadowed: expect.objectContaining({ name: 'Quick' }),
      }),
    ]);
    expect(compiled.conflicts[0]?.message).toBe(
      'Value Fast of Mode is 1 in dictionary "base" of system; 2 in dictionary "other" of acct is shadowed',
    );
  });

  it('value tables are built when first asked for, and the order they are built in changes no answer, count or conflict', () => {
    const base = dict('system', 'base', [
      attr('Mode', 50, 'integer'),
      attr('Level', 51, 'integer'),
      { val: { attr: 'Mode', name: 'Fast', val: 1 } },
      { val: { attr: 'Level', name: 'High', val: 1 } },
    ]);
    // Conflicts on both attributes, their lines interleaved: Level's come first in the file.
    const other = dict('acct', 'other', [
      { val: { attr: 'Level', name: 'High', val: 9 } },
      { val: { attr: 'Mode', name: 'Fast', val: 8 } },
      { val: { attr: 'Level', name: 'Top', val: 1 } },
      { val: { attr: 'Mode', name: 'Quick', val: 1 } },
    ]);
    const untouched = compileDictionaries([base, other]);
    const modeFirst = compileDictionaries([base, other]);
    expect(modeFirst.valueName('Mode', 1)).toBe('Fast');
    expect(modeFirst.valueNumber('Level', 'top')).toBe(1);
    const summary = (compiled: typeof untouched) => ({
      counts: compiled.counts,
      conflicts: compiled.conflicts.map((conflict) => conflict.message),
      level: compiled.values('Level'),
      mode: compiled.values('Mode'),
    });
    expect(summary(modeFirst)).toEqual(summary(untouched));
    expect(untouched.conflicts.map((conflict) => `${conflict.kind} ${conflict.shadowed.name}`)).toEqual([
      'value-name High',
      'value-name Fast',
      'value-number Top',
      'value-number Quick',
    ]);
    expect(untouched.counts.values).toBe(4);
  });

  it('what a later dictionary finally says counts, not a line it overrides itself', () => {
    const base = dict('system', 'base', [attr('Mode', 50, 'integer'), { val: { attr: 'Mode', name: 'Fast', val: 1 } }]);
    const fixedValue = dict('acct', 'v', [
      { val: { attr: 'Mode', name: 'Fast', val: 2 } },
      { val: { attr: 'Mode', name: 'Fast', val: 1 } },
    ]);
    const fixedAttr = dict('acct', 'a', [attr('Mode', 51, 'integer'), attr('Mode', 50, 'integer')]);
    expect(compileDictionaries([base, fixedValue]).conflicts).toEqual([]);
    expect(compileDictionaries([base, fixedAttr]).conflicts).toEqual([]);
    // ...and the reverse: a later line of the shadowed dictionary can create the conflict.
    const broken = dict('acct', 'b', [attr('Mode', 50, 'integer'), attr('Mode', 52, 'integer')]);
    expect(compileDictionaries([base, broken]).conflicts).toEqual([
      expect.objectContaining({ kind: 'attribute-name', shadowed: expect.objectContaining({ code: '52' }) }),
    ]);
  });
});

describe('values across dictionaries', () => {
  it('a VALUE may name an attribute of an earlier or a later dictionary', () => {
    const values = dict('acct', 'values', [{ val: { attr: 'Acct-Status-Type', name: 'Tenant-Ping', val: 99 } }]);
    const system = seed('dictionary');
    const later = compileDictionaries([system, values]);
    const earlier = compileDictionaries([values, system]);
    for (const compiled of [later, earlier]) {
      expect(compiled.valueNumber('Acct-Status-Type', 'Tenant-Ping')).toBe(99);
      expect(compiled.valueName('Acct-Status-Type', 99)).toBe('Tenant-Ping');
      expect(compiled.valueNumber('Acct-Status-Type', 'Start')).toBe(1);
    }
  });

  it('a VALUE by vid/id (the seed format) and by name reach the same table', () => {
    const compiled = compileDictionaries([
      dict('acct', 'x', [
        { vendor: { Acme: 9999 } },
        attr('Acme-Level', 3, 'integer', { vid: 9999 }),
        { val: { vid: 9999, id: 3, name: 'Low', val: 1 } },
        { val: { attr: 'ACME-LEVEL', name: 'High', val: 2 } },
      ]),
    ]);
    const level = compiled.attribute('Acme-Level');
    expect(level && compiled.values(level)).toEqual([
      { name: 'Low', value: 1 },
      { name: 'High', value: 2 },
    ]);
    expect(compiled.counts).toEqual({ vendors: 1, attributes: 1, values: 2 });
  });

  it("a VALUE means its own dictionary's attribute when a name is shadowed", () => {
    const first = dict('acct', 'first', [attr('Foo', 200, 'integer')]);
    const second = dict('acct', 'second', [attr('Foo', 201, 'integer'), { val: { attr: 'Foo', name: 'Mine', val: 5 } }]);
    const compiled = compileDictionaries([first, second]);
    expect(compiled.valueName('Foo', 5)).toBeUndefined();
    expect(compiled.valueName(compiled.attributeByNumber(0, 201) ?? 'missing', 5)).toBe('Mine');
  });

  it('...the last definition its dictionary gives, when it redefines the name', () => {
    const first = dict('acct', 'first', [attr('Foo', 200, 'integer')]);
    const second = dict('acct', 'second', [
      attr('Foo', 201, 'integer'),
      attr('Foo', 200, 'integer'),
      { val: { attr: 'Foo', name: 'Mine', val: 5 } },
    ]);
    const compiled = compileDictionaries([first, second]);
    expect(compiled.valueName('Foo', 5)).toBe('Mine');
    expect(compiled.valueName(compiled.attributeByNumber(0, 201) ?? 'missing', 5)).toBeUndefined();
    expect(compiled.conflicts).toEqual([]);
  });

  it('a VALUE of an attribute no dictionary defines is reported, not attached', () => {
    const origin = dict('acct', 'orphans', [
      { val: { attr: 'Nowhere', name: 'X', val: 1 } },
      { val: { vid: 7, id: 1, name: 'Y', val: 2 } },
    ]);
    expect(compileDictionaries([origin]).unattachedValues).toEqual([
      { dictionary: { id: 'acct~orphans', rev: '1-a', name: 'orphans', owner: 'acct' }, attribute: 'Nowhere', name: 'X', value: 1 },
      { dictionary: { id: 'acct~orphans', rev: '1-a', name: 'orphans', owner: 'acct' }, attribute: '7:1', name: 'Y', value: 2 },
    ]);
  });
});

describe('vendors, numbers and flags', () => {
  const vendors = dict('system', 'vendors', [
    { vendor: { USR: 429 }, format: '4,0' },
    { vendor: { WiMAX: 24757 }, format: '1,1,c' },
    { vendor: { Cisco: 9 } },
    { vendor: { FreeRADIUS: 11344 } },
    attr('USR-Last-Number-Dialed-Out', 0x0066, 'string', { vid: 429 }),
    attr('WiMAX-Capability', 1, 'tlv', { vid: 24757 }),
    attr('WiMAX-Release', 1, 'string', { vid: 24757, oid: '1.1' }),
    attr('WiMAX-Accounting-Capabilities', 2, 'byte', { vid: 24757, oid: '1.2' }),
    attr('Cisco-AVPair', 1, 'string', { vid: 9 }),
    attr('Vendor-Specific', 26, 'vsa'),
    attr('Extended-Attribute-1', 241, 'extended'),
    attr('Frag-Status', 1, 'integer', { oid: '241.1' }),
    attr('Extended-Vendor-Specific-5', 26, 'evs', { oid: '245.26' }),
    attr('FreeRADIUS-802.1X-Anonce', 1, 'octets', { vid: 11344, evs: 'Extended-Vendor-Specific-5', length: 32 }),
    attr('Tunnel-Password', 69, 'string', { enc: 'encrypt=2', flags: { has_tag: true } }),
    attr('EAP-Message', 79, 'octets', { flags: { concat: true } }),
    attr('Some-Array', 150, 'ipaddr', { flags: { array: true, virtual: true, secret: true } }),
    { val: { attr: 'WiMAX-Accounting-Capabilities', name: 'IP-Session-Based', val: 1 } },
  ]);
  const compiled = compileDictionaries([vendors]);

  it('vendors by name (case-insensitively) and by id, with their format', () => {
    expect(compiled.vendor('usr')).toMatchObject({ id: 429, format: { typeOctets: 4, lengthOctets: 0, continuation: false } });
    expect(compiled.vendorById(24757)).toMatchObject({ name: 'WiMAX', format: { typeOctets: 1, lengthOctets: 1, continuation: true } });
    expect(compiled.vendor('CISCO')?.format).toEqual({ typeOctets: 1, lengthOctets: 1, continuation: false });
    expect(compiled.vendor('Juniper')).toBeUndefined();
  });

  it('attributes carry their vendor format; standard ones and undeclared vendors have 1,1', () => {
    expect(compiled.attribute('USR-Last-Number-Dialed-Out')).toMatchObject({
      vendorName: 'USR',
      path: [0x66],
      format: { typeOctets: 4, lengthOctets: 0 },
    });
    expect(compiled.attribute('WiMAX-Release')?.format.continuation).toBe(true);
    expect(compiled.attribute('Tunnel-Password')?.format).toEqual({ typeOctets: 1, lengthOctets: 1, continuation: false });
    const undeclared = compileDictionaries([dict('acct', 'x', [attr('Nobody-Attr', 1, 'string', { vid: 4242 })])]);
    expect(undeclared.attribute('Nobody-Attr')).toMatchObject({
      vendorId: 4242,
      vendorName: undefined,
      format: { typeOctets: 1, lengthOctets: 1 },
    });
  });

  it('extended, TLV and EVS numbers', () => {
    expect(compiled.attributeByCode(0, [26])?.name).toBe('Vendor-Specific');
    expect(compiled.attributeByCode(0, [241])?.name).toBe('Extended-Attribute-1');
    expect(compiled.attributeByCode(0, [241, 1])?.name).toBe('Frag-Status');
    expect(compiled.attributeByCode(0, [245, 26])?.name).toBe('Extended-Vendor-Specific-5');
    expect(compiled.attributeByCode(9, [1])?.name).toBe('Cisco-AVPair');
    expect(compiled.attributeByCode(24757, [1])?.name).toBe('WiMAX-Capability');
    expect(compiled.attributeByCode(24757, [1, 2])?.name).toBe('WiMAX-Accounting-Capabilities');
    expect(compiled.attributeByCode(24757, [1, 3])).toBeUndefined();
    expect(compiled.attributeByCode(24757, [2, 1])).toBeUndefined();
    expect(compiled.attributeByCode(24757, [])).toBeUndefined();
    expect(compiled.attributeByCode(11344, [1], 'extended-vendor-specific-5')).toMatchObject({
      name: 'FreeRADIUS-802.1X-Anonce',
      length: 32,
    });
    // An EVS attribute lives in its container's number space, not among the vendor's plain VSAs.
    expect(compiled.attributeByNumber(11344, 1)).toBeUndefined();
    expect(compiled.valueNumber('WiMAX-Accounting-Capabilities', 'ip-session-based')).toBe(1);
  });

  it('encryption and flags', () => {
    expect(compiled.attribute('Tunnel-Password')).toMatchObject({ encrypt: 2, hasTag: true, concat: false });
    expect(compiled.attribute('EAP-Message')).toMatchObject({ encrypt: 0, concat: true });
    expect(compiled.attribute('Some-Array')).toMatchObject({ array: true, virtual: true, secret: true, hasTag: false });
    expect(compiled.attribute('Frag-Status')).toMatchObject({
      vendorId: 0,
      path: [241, 1],
      dictionary: { id: 'system~vendors', owner: 'system' },
    });
  });

  it('malformed entries are refused with the dictionary and entry named', () => {
    const bad = (entry: DictionaryEntry): DictionarySource => dict('acct', 'bad', [attr('Fine', 1), entry]);
    expect(() => compileDictionaries([bad({ vendor: { X: 1 }, format: '3,1' })])).toThrow(DictionaryCompileError);
    expect(() => compileDictionaries([bad({ vendor: { X: 1 }, format: '3,1' })])).toThrow(
      expect.objectContaining({ dictionaryId: 'acct~bad', entryIndex: 1 }),
    );
    // The RADIUS package's error knows nothing of HTTP; the service maps it to a 400 at its edge.
    expect(() => compileDictionaries([bad({ vendor: { X: 1 }, format: '3,1' })])).toThrow(expect.not.objectContaining({ status: 400 }));
    const mapped = InvalidDictionaryError.from(new DictionaryCompileError('acct~bad', 1, 'vendor format "3,1" is not t,l[,c]'));
    expect(mapped).toMatchObject({ status: 400, code: 'invalid_dictionary', data: { dictionary: 'acct~bad', entry: 'value.1' } });
    expect(mapped.message).toBe('Dictionary acct~bad, value.1: vendor format "3,1" is not t,l[,c]');
    expect(() => compileDictionaries([bad(attr('Y', 2, 'string', { enc: 'yes' }))])).toThrow(
      'Dictionary acct~bad, value.1: attribute Y: enc "yes"',
    );
    expect(() => compileDictionaries([bad(attr('Z', 2, 'string', { oid: '1.3' }))])).toThrow(/oid "1.3"/);
    expect(() => compileDictionaries([bad(attr('Z', 2, 'string', { oid: '1..2' }))])).toThrow(DictionaryCompileError);
  });
});

describe('case-insensitive names', () => {
  const compiled = compileDictionaries([seed('dictionary'), seed('dictionary_juniper')]);

  it('attributes, vendors and values resolve whatever the case', () => {
    for (const name of ['User-Name', 'user-name', 'USER-NAME', 'uSeR-nAmE']) expect(compiled.attribute(name)?.path).toEqual([1]);
    expect(compiled.vendor('juniper')?.id).toBe(2636);
    expect(compiled.valueNumber('service-type', 'framed-user')).toBe(2);
    expect(compiled.valueNumber('Service-Type', 'FRAMED-USER')).toBe(2);
    // Printing keeps the dictionary's spelling.
    expect(compiled.attributeByNumber(0, 1)?.name).toBe('User-Name');
    expect(compiled.valueName('SERVICE-TYPE', 2)).toBe('Framed-User');
  });

  it('unknown names are undefined', () => {
    expect(compiled.attribute('User_Name')).toBeUndefined();
    expect(compiled.valueNumber('User-Name', 'x')).toBeUndefined();
    expect(compiled.valueNumber('No-Such-Attribute', 'x')).toBeUndefined();
    expect(compiled.valueName('No-Such-Attribute', 1)).toBeUndefined();
  });
});

describe('the seed dictionaries', () => {
  // Every seed file, whatever the seed script currently produces: the expectations come from the files.
  const seeds = fs
    .readdirSync(new URL('../seed-dictionaries/', import.meta.url))
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => seed(file.slice(0, -'.json'.length)));
  const compiled = compileDictionaries(seeds);

  it('compile together without conflicts or orphan values', () => {
    expect(seeds.length).toBeGreaterThanOrEqual(3);
    expect(compiled.conflicts).toEqual([]);
    expect(compiled.unattachedValues).toEqual([]);
    const names = new Set(
      seeds.flatMap((source) => source.value.flatMap((entry) => ('attr' in entry ? [entry.attr.name.toLowerCase()] : []))),
    );
    expect(compiled.counts.attributes).toBe(names.size);
  });

  it('every attribute resolves by name and by number, every value both ways', () => {
    for (const source of seeds) {
      for (const entry of source.value) {
        if ('attr' in entry) {
          const found = compiled.attribute(entry.attr.name);
          expect(found).toMatchObject({
            vendorId: entry.attr.vid ?? 0,
            type: entry.attr.type.toLowerCase(),
            dictionary: { name: source.name },
          });
          expect(found && compiled.attributeByCode(found.vendorId, found.path, found.evs)).toBeDefined();
        } else if ('val' in entry) {
          const attribute = entry.val.attr ?? compiled.attributeByNumber(entry.val.vid ?? 0, entry.val.id ?? 0)?.name ?? '?';
          expect(compiled.valueNumber(attribute, entry.val.name)).toBe(entry.val.val);
          expect(compiled.valueName(attribute, entry.val.val)).toBeDefined();
        }
      }
    }
  });

  it('resolve standard, encrypted and vendor attributes with values', () => {
    expect(compiled.attribute('User-Password')).toMatchObject({ encrypt: 1, dictionary: { name: 'dictionary', owner: 'system' } });
    expect(compiled.attribute('Juniper-Deny-Configuration')).toMatchObject({ vendorId: 2636, vendorName: 'Juniper', path: [5] });
    expect(compiled.attributeByNumber(10415, 1)?.name).toBe('3GPP-IMSI');
    expect(compiled.valueName('Acct-Status-Type', 3)).toBe('Interim-Update');
    expect(compiled.valueNumber('Acct-Status-Type', 'Alive')).toBe(3);
  });
});

describe('immutability', () => {
  const compiled = compileDictionaries([seed('dictionary'), tenantA]);

  it('every object handed out is frozen', () => {
    const userName = compiled.attribute('User-Name');
    expect(Object.isFrozen(compiled)).toBe(true);
    expect(Object.isFrozen(userName)).toBe(true);
    expect(Object.isFrozen(userName?.path)).toBe(true);
    expect(Object.isFrozen(userName?.format)).toBe(true);
    expect(Object.isFrozen(userName?.dictionary)).toBe(true);
    expect(Object.isFrozen(compiled.dictionaries)).toBe(true);
    expect(Object.isFrozen(compiled.conflicts)).toBe(true);
    expect(Object.isFrozen(compiled.vendor('Acme'))).toBe(true);
    expect(Object.isFrozen(compiled.values('Service-Type'))).toBe(true);
  });

  it('writes throw (ES modules are strict) and change nothing', () => {
    // The readonly types refuse this at compile time; a caller going around them must fail at run time too.
    const userName = compiled.attribute('User-Name') as unknown as { name: string; path: number[] };
    expect(() => {
      userName.name = 'Mallory';
    }).toThrow(TypeError);
    expect(() => userName.path.push(2)).toThrow(TypeError);
    expect(compiled.attribute('User-Name')?.name).toBe('User-Name');
  });
});

describe('DictionaryCompiler: each dictionary compiled once, each list one shared composition', () => {
  const system = seed('dictionary');

  it('the same list at the same revisions is the same object', () => {
    const compiler = new DictionaryCompiler();
    const first = compiler.compile([tenantA, system]);
    // A fresh copy of the documents, as another request would read them.
    const again = compiler.compile([structuredClone(tenantA), structuredClone(system)]);
    expect(again).toBe(first);
    expect(compiler.stats()).toMatchObject({ hits: 2, misses: 2, size: 2, lists: 1 });
  });

  it('a dictionary is compiled once for every list that names it', () => {
    const compiler = new DictionaryCompiler();
    const tenants = Array.from({ length: 50 }, (_, index) =>
      dict(`acct-${index}`, 'own', [
        { vendor: { [`V${index}`]: 60_000 + index } },
        attr(`V${index}-Attr`, 1, 'string', { vid: 60_000 + index }),
      ]),
    );
    const lists = tenants.map((tenant) => compiler.compile([system, tenant]));
    expect(compiler.stats()).toMatchObject({ misses: 51, hits: 49, size: 51, lists: 50 });
    // The system's attributes are the very same objects in every list: shared, not copied.
    expect(new Set(lists.map((list) => list.attribute('User-Name'))).size).toBe(1);
    expect(lists[7]?.attribute('V7-Attr')).toMatchObject({ vendorId: 60_007, vendorName: 'V7' });
    expect(lists[7]?.attribute('V8-Attr')).toBeUndefined();
  });

  it('a new revision, another order or another list is another object', () => {
    const compiler = new DictionaryCompiler();
    const first = compiler.compile([tenantA, system]);
    const changed = compiler.compile([{ ...tenantA, rev: '2-b', value: [attr('Class-Of-Service', 2, 'string')] }, system]);
    expect(changed).not.toBe(first);
    expect(changed.attribute('Class-Of-Service')?.path).toEqual([2]);
    expect(compiler.compile([system, tenantA])).not.toBe(first);
    expect(compiler.compile([tenantA])).not.toBe(first);
    expect(compiler.stats()).toMatchObject({ misses: 3, size: 3, lists: 4 });
  });

  it('a dictionary whose vendor an earlier one declares differently is compiled apart for that list', () => {
    const compiler = new DictionaryCompiler();
    const own = dict('acct', 'own', [{ vendor: { Acme: 9999 } }, attr('Acme-Speed', 1, 'integer', { vid: 9999 })]);
    const earlier = dict('acct', 'earlier', [{ vendor: { Acme: 9999 }, format: '2,1' }]);
    expect(compiler.compile([own]).attribute('Acme-Speed')?.format.typeOctets).toBe(1);
    expect(compiler.compile([earlier, own]).attribute('Acme-Speed')?.format.typeOctets).toBe(2);
    expect(compileDictionaries([earlier, own]).attribute('Acme-Speed')?.format.typeOctets).toBe(2);
    expect(compiler.stats()).toMatchObject({ size: 3 });
  });

  it('keys are unambiguous whatever the ids contain', () => {
    expect(dictionaryListKey([{ id: 'a', rev: 'b,c' }])).not.toBe(dictionaryListKey([{ id: 'a,b', rev: 'c' }]));
    expect(
      dictionaryListKey([
        { id: 'a', rev: '1' },
        { id: 'b', rev: '1' },
      ]),
    ).not.toBe(
      dictionaryListKey([
        { id: 'b', rev: '1' },
        { id: 'a', rev: '1' },
      ]),
    );
  });

  it('keeps at most maxBytes of compiled dictionaries, dropping the least recently used with their lists', () => {
    const sized = (name: string, count: number): DictionarySource =>
      dict(
        'acct',
        name,
        Array.from({ length: count }, (_, index) => attr(`${name}-${index}`, index + 1)),
      );
    const dictionaries = Array.from({ length: 11 }, (_, index) => sized(`d${index}`, 10));
    const each = estimatedBytes(10);
    const compiler = new DictionaryCompiler({ maxBytes: 10 * each });
    const [first, ...others] = dictionaries.slice(0, 10).map((source) => compiler.compile([source]));
    expect(compiler.stats()).toMatchObject({ size: 10, evictions: 0, bytes: 10 * each });
    expect(compiler.compile([dictionaries[0] as DictionarySource])).toBe(first); // d0 is now the most recent
    compiler.compile([dictionaries[10] as DictionarySource]); // over: trims to 90 %, dropping d1 and d2 and their lists
    expect(compiler.stats()).toEqual({ hits: 1, misses: 11, evictions: 2, size: 9, bytes: 9 * each, maxBytes: 10 * each, lists: 9 });
    expect(compiler.compile([dictionaries[0] as DictionarySource])).toBe(first);
    expect(compiler.compile([dictionaries[3] as DictionarySource])).toBe(others[2]);
    expect(compiler.compile([dictionaries[1] as DictionarySource])).not.toBe(others[0]);
    // The dictionaries of the list being compiled are kept, even over the bound.
    const small = new DictionaryCompiler({ maxBytes: each });
    small.compile(dictionaries.slice(0, 3));
    expect(small.stats()).toMatchObject({ size: 3, bytes: 3 * each, lists: 1 });
    small.compile([dictionaries[5] as DictionarySource]);
    expect(small.stats()).toMatchObject({ size: 1, lists: 1 });
  });

  it('keeps at most maxLists compositions', () => {
    const compiler = new DictionaryCompiler({ maxLists: 2 });
    const a = dict('acct', 'a', [attr('A', 1)]);
    const b = dict('acct', 'b', [attr('B', 2)]);
    const ab = compiler.compile([a, b]);
    compiler.compile([b, a]);
    compiler.compile([a]); // over: trims to 90 % (1 list), the least recently used first
    expect(compiler.stats()).toMatchObject({ lists: 1, size: 2 });
    expect(compiler.compile([a, b])).not.toBe(ab);
  });

  it('evict drops every list containing a dictionary; clear drops all', () => {
    const compiler = new DictionaryCompiler();
    const withA = compiler.compile([tenantA, system]);
    compiler.compile([tenantB, system]);
    compiler.compile([tenantB]);
    expect(compiler.evict(tenantA.id)).toBe(1);
    expect(compiler.stats()).toMatchObject({ lists: 2, size: 2 });
    expect(compiler.compile([tenantA, system])).not.toBe(withA);
    expect(compiler.evict(system.id)).toBe(2);
    expect(compiler.evict('nobody~nothing')).toBe(0);
    compiler.clear();
    expect(compiler.stats()).toMatchObject({ size: 0, bytes: 0, lists: 0, misses: 4 });
  });

  it('a list and its prefixes are held apart, and dropping one leaves the others found', () => {
    const compiler = new DictionaryCompiler();
    const short = compiler.compile([system]);
    const long = compiler.compile([system, tenantA]);
    const longer = compiler.compile([system, tenantA, tenantB]);
    const empty = compiler.compile([]);
    expect(new Set([short, long, longer, empty]).size).toBe(4);
    expect(compiler.evict(tenantB.id)).toBe(1);
    expect(compiler.compile([system, tenantA])).toBe(long);
    expect(compiler.compile([system])).toBe(short);
    expect(compiler.compile([])).toBe(empty);
    expect(compiler.compile([system, tenantA, tenantB])).not.toBe(longer);
    expect(compiler.evict(tenantA.id)).toBe(2);
    expect(compiler.compile([system])).toBe(short);
    compiler.clear();
    expect(compiler.compile([system])).not.toBe(short);
    expect(compiler.stats()).toMatchObject({ lists: 1 });
  });

  it('a malformed list fails from the cache too, until a new revision', () => {
    const compiler = new DictionaryCompiler();
    const bad = dict('acct', 'bad', [{ vendor: { X: 1 }, format: 'nope' }]);
    // The service's cache answers with its own 400 error, carrying what the RADIUS package said.
    expect(() => compiler.compile([bad])).toThrow(InvalidDictionaryError);
    expect(() => compiler.compile([bad])).toThrow('Dictionary acct~bad, value.0: vendor format "nope" is not t,l[,c]');
    expect(compiler.stats()).toMatchObject({ hits: 1, misses: 1, size: 1 });
    expect(() => compiler.compile([system, bad])).toThrow(InvalidDictionaryError);
    expect(compiler.stats()).toMatchObject({ misses: 2 });
    const fixed = compiler.compile([{ ...bad, rev: '2-b', value: [{ vendor: { X: 1 }, format: '2,1' }] }]);
    expect(fixed.vendor('X')?.format.typeOctets).toBe(2);
  });

  it('refuses a nonsensical bound', () => {
    expect(() => new DictionaryCompiler({ maxLists: 0 })).toThrow(RangeError);
    expect(() => new DictionaryCompiler({ maxBytes: 1.5 })).toThrow(RangeError);
  });
});

describe('property: resolution equals a naive left-to-right search', () => {
  const names = ['Alpha', 'alpha', 'Beta', 'GAMMA', 'Delta'];
  const definition = fc.record({
    name: fc.constantFrom(...names),
    id: fc.integer({ min: 1, max: 6 }),
    type: fc.constantFrom('string', 'integer'),
  });
  const dictionaries = fc.array(fc.array(definition, { maxLength: 6 }), { minLength: 1, maxLength: 5 });

  /** The specification, written as plainly as possible: first dictionary, then the last line within it. */
  function naive(list: { name: string; id: number; type: string }[][], matches: (d: { name: string; id: number }) => boolean) {
    for (const [index, entries] of list.entries()) {
      const found = entries.filter(matches).pop();
      if (found) return { ...found, index };
    }
    return undefined;
  }

  it('for every name and number', () => {
    fc.assert(
      fc.property(dictionaries, (list) => {
        const sources = list.map((entries, index) =>
          dict(
            'acct',
            `d${index}`,
            entries.map(({ name, id, type }) => attr(name, id, type)),
          ),
        );
        const compiled = compileDictionaries(sources);
        for (const name of names) {
          const expected = naive(list, (d) => d.name.toLowerCase() === name.toLowerCase());
          const actual = compiled.attribute(name);
          expect(
            actual && { name: actual.name, id: actual.path[0], type: actual.type, index: Number(actual.dictionary.name.slice(1)) },
          ).toEqual(expected);
        }
        for (let id = 1; id <= 6; id += 1) {
          const expected = naive(list, (d) => d.id === id);
          expect(compiled.attributeByNumber(0, id)?.name).toBe(expected?.name);
        }
      }),
    );
  });
});
