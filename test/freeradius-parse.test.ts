import { describe, expect, it } from 'vitest';
import type { DictionaryEntry } from '../src/dictionary/dictionary-doc.js';
import { DictionaryParseError, parseFreeRadius, type IncludeResolver, type ParseOptions } from '../src/dictionary/freeradius/parse.js';
import { FREERADIUS_TYPES } from '../src/radius/dictionary/index.js';
import { AppError } from '../src/errors.js';

const FILE = 'dictionary.test';

const lines = (...text: string[]): string => text.join('\n');
const parse = (text: string, options: ParseOptions = {}) => parseFreeRadius(text, { fileName: FILE, ...options });
const entries = (text: string, options: ParseOptions = {}): DictionaryEntry[] => parse(text, options).entries;

function parseError(text: string, options: ParseOptions = {}): DictionaryParseError {
  try {
    parse(text, options);
  } catch (error) {
    if (error instanceof DictionaryParseError) return error;
    throw error;
  }
  throw new Error('expected a DictionaryParseError');
}

/** An in-memory directory for `$INCLUDE`: paths are resolved against nothing but these names. */
function files(contents: Record<string, string>): IncludeResolver {
  return (path) => {
    const text = contents[path];
    return text === undefined ? undefined : { text, fileName: path };
  };
}

const attr = (fields: Record<string, unknown>): DictionaryEntry => ({ attr: { vid: 0, enc: 'no', ...fields } }) as DictionaryEntry;

describe('parseFreeRadius: lines and comments', () => {
  it('skips blank lines and comments, at the start of a line, indented, or after a definition', () => {
    const text = lines(
      '# a comment',
      '',
      '   \t',
      '\t# indented',
      'ATTRIBUTE\tUser-Name\t1\tstring # trailing',
      'ATTRIBUTE Other 2 string#glued',
    );
    expect(entries(text)).toEqual([attr({ id: 1, type: 'string', name: 'User-Name' }), attr({ id: 2, type: 'string', name: 'Other' })]);
  });

  it('reads CRLF line endings and keywords in any case', () => {
    expect(entries('attribute A 1 string\r\nValue A One 1\r\n')).toEqual([
      attr({ id: 1, type: 'string', name: 'A' }),
      { val: { vid: 0, id: 1, val: 1, name: 'One', attr: 'A' } },
    ]);
  });

  it('returns no entries and no warnings for an empty text', () => {
    expect(parse('')).toEqual({ entries: [], warnings: [] });
  });
});

describe('parseFreeRadius: VENDOR', () => {
  it('declares a vendor, with its format when it is not 1,1', () => {
    expect(
      entries(
        lines(
          'VENDOR Cisco 9',
          'VENDOR USR 429 format=4,0',
          'VENDOR Lucent 4846 format=2,1',
          'VENDOR Starent 8164 format=2,2',
          'VENDOR WiMAX 24757 format=1,1,c',
          'VENDOR Plain 0x10 format=1,1',
        ),
      ),
    ).toEqual([
      { vendor: { Cisco: 9 } },
      { vendor: { USR: 429 }, format: '4,0' },
      { vendor: { Lucent: 4846 }, format: '2,1' },
      { vendor: { Starent: 8164 }, format: '2,2' },
      { vendor: { WiMAX: 24757 }, format: '1,1,c' },
      { vendor: { Plain: 16 } },
    ]);
  });

  it('gives USR, Lucent and Starent the formats FreeRADIUS gives them when the line has none', () => {
    expect(entries(lines('VENDOR USR 429', 'VENDOR Lucent 4846', 'VENDOR Starent 8164'))).toEqual([
      { vendor: { USR: 429 }, format: '4,0' },
      { vendor: { Lucent: 4846 }, format: '2,1' },
      { vendor: { Starent: 8164 }, format: '2,2' },
    ]);
    // An explicit 1,1 is the JSON format's default, so it is left out.
    expect(entries('VENDOR Starent 8164 format=1,1')).toEqual([{ vendor: { Starent: 8164 } }]);
  });

  it('accepts continuations for any 1,1 vendor, as FreeRADIUS 3.2 does (dictionary.telrad)', () => {
    expect(entries('VENDOR Telrad 5323 format=1,1,c')).toEqual([{ vendor: { Telrad: 5323 }, format: '1,1,c' }]);
  });

  it('ignores a repeated identical declaration with a warning, as FreeRADIUS does', () => {
    const result = parse(lines('VENDOR Motorola 161', 'VENDOR motorola 161'));
    expect(result.entries).toEqual([{ vendor: { Motorola: 161 } }]);
    expect(result.warnings).toEqual([{ fileName: FILE, line: 2, message: expect.stringMatching(/repeats dictionary.test line 1/) }]);
  });

  it('allows two names for one vendor number', () => {
    expect(entries(lines('VENDOR Altiga 3076', 'VENDOR Cisco-ASA 3076'))).toEqual([
      { vendor: { Altiga: 3076 } },
      { vendor: { 'Cisco-ASA': 3076 } },
    ]);
  });
});

describe('parseFreeRadius: ATTRIBUTE', () => {
  it('reads decimal, hex and dotted numbers', () => {
    expect(
      entries(
        lines(
          'ATTRIBUTE Dec 26 octets',
          'ATTRIBUTE Hex 0x1A octets',
          'ATTRIBUTE HexUpper 0X1f octets',
          'ATTRIBUTE Ext 241.26 evs',
          'ATTRIBUTE Tlv 0xad.0x02 ipv6prefix',
        ),
      ),
    ).toEqual([
      attr({ id: 26, type: 'octets', name: 'Dec' }),
      attr({ id: 26, type: 'octets', name: 'Hex' }),
      attr({ id: 31, type: 'octets', name: 'HexUpper' }),
      attr({ id: 26, type: 'evs', name: 'Ext', oid: '241.26' }),
      attr({ id: 2, type: 'ipv6prefix', name: 'Tlv', oid: '173.2' }),
    ]);
  });

  it('reads every type, case-insensitively, keeping aliases as written', () => {
    const text = FREERADIUS_TYPES.map(
      (type, index) => `ATTRIBUTE T${index} ${index + 1} ${index % 2 === 0 ? type.toUpperCase() : type}`,
    ).join('\n');
    expect(entries(text)).toEqual(FREERADIUS_TYPES.map((type, index) => attr({ id: index + 1, type, name: `T${index}` })));
    expect(FREERADIUS_TYPES).toEqual(expect.arrayContaining(['uint32', 'cidr', 'combo-ip', 'long-extended', 'vsa', 'ipv4prefix']));
  });

  it('reads octets[N] as octets with a length', () => {
    expect(
      entries(lines('ATTRIBUTE ARAP-Password 70 octets[16]', 'ATTRIBUTE Max 71 OCTETS[253]', 'ATTRIBUTE Hexlen 72 octets[0x10]')),
    ).toEqual([
      attr({ id: 70, type: 'octets', name: 'ARAP-Password', length: 16 }),
      attr({ id: 71, type: 'octets', name: 'Max', length: 253 }),
      attr({ id: 72, type: 'octets', name: 'Hexlen', length: 16 }),
    ]);
  });

  it('reads every flag, alone and comma-separated', () => {
    const text = lines(
      'ATTRIBUTE User-Password 2 string encrypt=1',
      'ATTRIBUTE Tunnel-Password 69 string has_tag,encrypt=2',
      'ATTRIBUTE Ascend-Send-Secret 214 string encrypt=3',
      'ATTRIBUTE Tunnel-Type 64 integer has_tag=1',
      'ATTRIBUTE EAP-Message 79 octets concat',
      'ATTRIBUTE Addresses 150 ipaddr array',
      'ATTRIBUTE Auth-Type 1000 integer virtual',
      'ATTRIBUTE Client-Secret 1123 string secret',
      'ATTRIBUTE Hex-Encrypt 3 string encrypt=0x2',
      'ATTRIBUTE Everything 4 string has_tag,encrypt=2,array,secret',
    );
    expect(entries(text)).toEqual([
      attr({ id: 2, type: 'string', name: 'User-Password', enc: 'encrypt=1' }),
      attr({ id: 69, type: 'string', name: 'Tunnel-Password', enc: 'encrypt=2', flags: { has_tag: true } }),
      attr({ id: 214, type: 'string', name: 'Ascend-Send-Secret', enc: 'encrypt=3' }),
      attr({ id: 64, type: 'integer', name: 'Tunnel-Type', flags: { has_tag: true } }),
      attr({ id: 79, type: 'octets', name: 'EAP-Message', flags: { concat: true } }),
      attr({ id: 150, type: 'ipaddr', name: 'Addresses', flags: { array: true } }),
      attr({ id: 1000, type: 'integer', name: 'Auth-Type', flags: { virtual: true } }),
      attr({ id: 1123, type: 'string', name: 'Client-Secret', flags: { secret: true } }),
      attr({ id: 3, type: 'string', name: 'Hex-Encrypt', enc: 'encrypt=2' }),
      attr({ id: 4, type: 'string', name: 'Everything', enc: 'encrypt=2', flags: { has_tag: true, array: true, secret: true } }),
    ]);
  });

  it('reads the old form with the vendor name as the fifth field', () => {
    expect(entries(lines('VENDOR Cisco 9', 'ATTRIBUTE Cisco-AVPair 1 string Cisco', 'ATTRIBUTE After 2 string'))).toEqual([
      { vendor: { Cisco: 9 } },
      attr({ vid: 9, id: 1, type: 'string', name: 'Cisco-AVPair' }),
      attr({ id: 2, type: 'string', name: 'After' }),
    ]);
  });

  it('accepts names with the characters FreeRADIUS allows', () => {
    expect(entries('ATTRIBUTE FreeRADIUS-802.1X:Anonce/x_y 1 octets')).toEqual([
      attr({ id: 1, type: 'octets', name: 'FreeRADIUS-802.1X:Anonce/x_y' }),
    ]);
  });

  it('keeps two names for one number (aliases)', () => {
    expect(entries(lines('ATTRIBUTE Old-Name 22 octets', 'ATTRIBUTE New-Name 22 string'))).toEqual([
      attr({ id: 22, type: 'octets', name: 'Old-Name' }),
      attr({ id: 22, type: 'string', name: 'New-Name' }),
    ]);
  });
});

describe('parseFreeRadius: BEGIN-VENDOR / END-VENDOR', () => {
  it('gives attributes in the block the vendor id, and none after it', () => {
    const text = lines(
      'VENDOR Juniper 2636',
      'BEGIN-VENDOR Juniper',
      'ATTRIBUTE Juniper-Local-User-Name 1 string',
      'END-VENDOR Juniper',
      'ATTRIBUTE After 3 string',
    );
    expect(entries(text)).toEqual([
      { vendor: { Juniper: 2636 } },
      attr({ vid: 2636, id: 1, type: 'string', name: 'Juniper-Local-User-Name' }),
      attr({ id: 3, type: 'string', name: 'After' }),
    ]);
  });

  it('matches vendor names case-insensitively and lets an alias of the vendor close the block', () => {
    const text = lines(
      'VENDOR Altiga 3076',
      'VENDOR Cisco-ASA 3076',
      'begin-vendor cisco-asa',
      'ATTRIBUTE ASA-X 1 integer',
      'END-VENDOR Altiga',
    );
    expect(entries(text).at(-1)).toEqual(attr({ vid: 3076, id: 1, type: 'integer', name: 'ASA-X' }));
  });

  it('reads vendor TLVs as dotted numbers and range-checks by the vendor format', () => {
    const text = lines(
      'VENDOR 3GPP2 5535',
      'BEGIN-VENDOR 3GPP2',
      'ATTRIBUTE 3GPP2-Remote-IP-Address 59 tlv',
      'ATTRIBUTE 3GPP2-Remote-IP-Address-Value 59.1 ipaddr',
      'END-VENDOR 3GPP2',
      'VENDOR Lucent 4846 format=2,1',
      'BEGIN-VENDOR Lucent',
      'ATTRIBUTE Lucent-Big 65535 integer',
      'END-VENDOR Lucent',
      'VENDOR USR 429 format=4,0',
      'BEGIN-VENDOR USR',
      'ATTRIBUTE USR-Big 0x06300001 integer',
      'END-VENDOR USR',
    );
    expect(entries(text).filter((entry) => 'attr' in entry)).toEqual([
      attr({ vid: 5535, id: 59, type: 'tlv', name: '3GPP2-Remote-IP-Address' }),
      attr({ vid: 5535, id: 1, type: 'ipaddr', name: '3GPP2-Remote-IP-Address-Value', oid: '59.1' }),
      attr({ vid: 4846, id: 65535, type: 'integer', name: 'Lucent-Big' }),
      attr({ vid: 429, id: 0x06300001, type: 'integer', name: 'USR-Big' }),
    ]);
  });

  it('reads BEGIN-VENDOR format=<evs attribute> into evs', () => {
    const text = lines(
      'ATTRIBUTE Extended-Attribute-5 245 long-extended',
      'ATTRIBUTE Extended-Vendor-Specific-5 245.26 evs',
      'VENDOR FreeRADIUS 11344',
      'BEGIN-VENDOR FreeRADIUS format=extended-vendor-specific-5',
      'ATTRIBUTE FreeRADIUS-802.1X-Anonce 1 octets',
      'END-VENDOR FreeRADIUS',
    );
    expect(entries(text).at(-1)).toEqual(
      attr({ vid: 11344, id: 1, type: 'octets', name: 'FreeRADIUS-802.1X-Anonce', evs: 'Extended-Vendor-Specific-5' }),
    );
  });
});

describe('parseFreeRadius: BEGIN-TLV / END-TLV', () => {
  it('numbers the children under the parent, nested blocks included', () => {
    const text = lines(
      'VENDOR WiMAX 24757 format=1,1,c',
      'BEGIN-VENDOR WiMAX',
      'ATTRIBUTE WiMAX-Capability 1 tlv',
      'BEGIN-TLV WiMAX-Capability',
      'ATTRIBUTE WiMAX-Release 1 string',
      'ATTRIBUTE WiMAX-Inner 3 tlv',
      'begin-tlv wimax-inner',
      'ATTRIBUTE WiMAX-Deep 2 byte',
      'END-TLV WiMAX-Inner',
      'END-TLV WiMAX-Capability',
      'ATTRIBUTE WiMAX-After 2 integer',
      'END-VENDOR WiMAX',
    );
    expect(entries(text).filter((entry) => 'attr' in entry)).toEqual([
      attr({ vid: 24757, id: 1, type: 'tlv', name: 'WiMAX-Capability' }),
      attr({ vid: 24757, id: 1, type: 'string', name: 'WiMAX-Release', oid: '1.1' }),
      attr({ vid: 24757, id: 3, type: 'tlv', name: 'WiMAX-Inner', oid: '1.3' }),
      attr({ vid: 24757, id: 2, type: 'byte', name: 'WiMAX-Deep', oid: '1.3.2' }),
      attr({ vid: 24757, id: 2, type: 'integer', name: 'WiMAX-After' }),
    ]);
  });
});

describe('parseFreeRadius: VALUE', () => {
  it('reads decimal and hex numbers and names with + . / characters', () => {
    const text = lines(
      'ATTRIBUTE Framed-Protocol 7 integer',
      'VALUE Framed-Protocol PPP 1',
      'VALUE Framed-Protocol ADSL2+ 0x10',
      'VALUE Framed-Protocol L2TP/IPSec 18',
      'VALUE Framed-Protocol 14.4K-BPS 4294967295',
    );
    expect(entries(text).slice(1)).toEqual([
      { val: { vid: 0, id: 7, val: 1, name: 'PPP', attr: 'Framed-Protocol' } },
      { val: { vid: 0, id: 7, val: 16, name: 'ADSL2+', attr: 'Framed-Protocol' } },
      { val: { vid: 0, id: 7, val: 18, name: 'L2TP/IPSec', attr: 'Framed-Protocol' } },
      { val: { vid: 0, id: 7, val: 4294967295, name: '14.4K-BPS', attr: 'Framed-Protocol' } },
    ]);
  });

  it('resolves vid and id from plain attributes of the same parse, later ones included, case-insensitively', () => {
    const text = lines(
      'VALUE juniper-local-user-name Early 1',
      'VENDOR Juniper 2636',
      'BEGIN-VENDOR Juniper',
      'ATTRIBUTE Juniper-Local-User-Name 1 integer',
      'END-VENDOR Juniper',
    );
    expect(entries(text)[0]).toEqual({ val: { vid: 2636, id: 1, val: 1, name: 'Early', attr: 'juniper-local-user-name' } });
  });

  it('keeps only attr for an attribute of another dictionary, or a TLV, extended or EVS one', () => {
    const text = lines('VALUE Error-Cause Busy 506', 'ATTRIBUTE Frag-Status 241.1 integer', 'VALUE Frag-Status Reserved 0');
    expect(entries(text)).toEqual([
      { val: { val: 506, name: 'Busy', attr: 'Error-Cause' } },
      attr({ id: 1, type: 'integer', name: 'Frag-Status', oid: '241.1' }),
      { val: { val: 0, name: 'Reserved', attr: 'Frag-Status' } },
    ]);
  });

  it('drops an exact repeat with a warning, as FreeRADIUS does, and keeps two names for one number', () => {
    const result = parse(
      lines(
        'ATTRIBUTE Acct-Status-Type 40 integer',
        'VALUE Acct-Status-Type Alive 3',
        'VALUE Acct-Status-Type Interim-Update 3',
        'VALUE acct-status-type ALIVE 3',
      ),
    );
    expect(result.entries.map((entry) => ('val' in entry ? entry.val.name : ''))).toEqual(['', 'Alive', 'Interim-Update']);
    expect(result.warnings).toEqual([
      { fileName: FILE, line: 4, message: expect.stringMatching(/repeats dictionary.test line 2; ignored/) },
    ]);
  });
});

describe('parseFreeRadius: $INCLUDE', () => {
  it('reads included files in place, with their own block state', () => {
    const include = files({
      'dictionary.vendor': lines('VENDOR V 9', 'BEGIN-VENDOR V', 'ATTRIBUTE V-One 1 string', 'END-VENDOR V'),
    });
    expect(entries(lines('ATTRIBUTE Before 1 string', '$INCLUDE dictionary.vendor', 'ATTRIBUTE After 2 string'), { include })).toEqual([
      attr({ id: 1, type: 'string', name: 'Before' }),
      { vendor: { V: 9 } },
      attr({ vid: 9, id: 1, type: 'string', name: 'V-One' }),
      attr({ id: 2, type: 'string', name: 'After' }),
    ]);
  });

  it('passes the including file to the resolver, so paths can be relative to it', () => {
    const calls: [string, string][] = [];
    const include: IncludeResolver = (path, fromFile) => {
      calls.push([path, fromFile]);
      return path === 'inner'
        ? { text: '$INCLUDE deeper', fileName: 'dir/inner' }
        : path === 'deeper'
          ? { text: '', fileName: 'dir/deeper' }
          : undefined;
    };
    parse('$INCLUDE inner', { include });
    expect(calls).toEqual([
      ['inner', FILE],
      ['deeper', 'dir/inner'],
    ]);
  });

  it('skips a missing $INCLUDE- file and a file already read, with warnings', () => {
    const include = files({ 'dictionary.a': 'ATTRIBUTE A 1 string' });
    const result = parse(lines('$INCLUDE- dictionary.missing', '$INCLUDE dictionary.a', '$INCLUDE dictionary.a'), { include });
    expect(result.entries).toEqual([attr({ id: 1, type: 'string', name: 'A' })]);
    expect(result.warnings.map((warning) => [warning.line, warning.message])).toEqual([
      [1, expect.stringMatching(/dictionary.missing: no such file; skipped/)],
      [3, expect.stringMatching(/already loaded; skipped/)],
    ]);
  });

  it('uses the context for names defined elsewhere, without copying anything from it', () => {
    const context: DictionaryEntry[] = [
      { vendor: { FreeRADIUS: 11344 } },
      { attr: { vid: 0, id: 26, oid: '245.26', type: 'evs', name: 'Extended-Vendor-Specific-5' } },
      { attr: { vid: 0, id: 1, type: 'tlv', name: 'Outer' } },
    ];
    const text = lines(
      'BEGIN-VENDOR FreeRADIUS format=Extended-Vendor-Specific-5',
      'ATTRIBUTE FreeRADIUS-802.1X-Anonce 1 octets',
      'END-VENDOR FreeRADIUS',
      'BEGIN-TLV Outer',
      'ATTRIBUTE Inner 2 string',
      'END-TLV Outer',
      'ATTRIBUTE X 3 string FreeRADIUS',
    );
    expect(entries(text, { context })).toEqual([
      attr({ vid: 11344, id: 1, type: 'octets', name: 'FreeRADIUS-802.1X-Anonce', evs: 'Extended-Vendor-Specific-5' }),
      attr({ id: 2, type: 'string', name: 'Inner', oid: '1.2' }),
      attr({ vid: 11344, id: 3, type: 'string', name: 'X' }),
    ]);
  });
});

describe('parseFreeRadius: errors name the file, the line and what is wrong', () => {
  const v = 'VENDOR V 9';
  const cases: [string, string, number, RegExp][] = [
    ['an unknown directive', lines('ATTRIBUTE A 1 string', 'FLAGS internal'), 2, /unknown directive "FLAGS"/],
    ['VALUE-ALIAS, which FreeRADIUS 3.2 no longer has', 'VALUE-ALIAS A B', 1, /unknown directive "VALUE-ALIAS"/],
    ['a keyword without arguments', '\nATTRIBUTE', 2, /ATTRIBUTE has no arguments/],
    ['ATTRIBUTE with too few fields', 'ATTRIBUTE A 1', 1, /ATTRIBUTE needs a name, a number, a type/],
    ['ATTRIBUTE with too many fields', 'ATTRIBUTE A 1 string has_tag extra', 1, /ATTRIBUTE needs/],
    ['a bad number', 'ATTRIBUTE A 12a string', 1, /invalid attribute number "12a"/],
    ['a negative number', 'ATTRIBUTE A -1 string', 1, /invalid attribute number "-1"/],
    ['an empty dotted component', 'ATTRIBUTE A 241..1 string', 1, /invalid attribute number "241..1"/],
    ['a bare 0x', 'ATTRIBUTE A 0x string', 1, /invalid attribute number "0x"/],
    ['a number over 32 bits', lines(v, 'BEGIN-VENDOR V', 'ATTRIBUTE A 4294967296 string'), 3, /invalid attribute number "4294967296"/],
    ['an unknown type', 'ATTRIBUTE A 1 strng', 1, /unknown type "strng"/],
    ['octets[0]', 'ATTRIBUTE A 1 octets[0]', 1, /invalid length in "octets\[0\]"/],
    ['octets[254]', 'ATTRIBUTE A 1 octets[254]', 1, /invalid length/],
    ['octets[x]', 'ATTRIBUTE A 1 octets[x]', 1, /invalid length/],
    ['an unknown flag', 'ATTRIBUTE A 1 string has_tags', 1, /unknown flag "has_tags"/],
    ['an empty flag', 'ATTRIBUTE A 1 string has_tag,', 1, /unknown flag ""/],
    ['encrypt=4', 'ATTRIBUTE A 1 string encrypt=4', 1, /invalid flag "encrypt=4"/],
    ['encrypt=3 on octets', 'ATTRIBUTE A 1 octets encrypt=3', 1, /encrypt=3 is for string/],
    ['has_tag on ipaddr', 'ATTRIBUTE A 1 ipaddr has_tag', 1, /has_tag is for string and integer attributes, not ipaddr/],
    ['concat on string', 'ATTRIBUTE A 1 string concat', 1, /concat is for octets/],
    ['array on octets', 'ATTRIBUTE A 1 octets array', 1, /array is not allowed for type octets/],
    ['virtual below 256', 'ATTRIBUTE A 1 integer virtual', 1, /virtual is for attribute numbers from 256/],
    [
      'virtual on a vendor attribute',
      lines(v, 'BEGIN-VENDOR V', 'ATTRIBUTE A 300 integer virtual'),
      3,
      /virtual is not allowed on vendor attributes/,
    ],
    ['secret on integer', 'ATTRIBUTE A 1 integer secret', 1, /secret is for string and octets/],
    [
      'a vendor flag among other flags',
      lines(v, 'ATTRIBUTE A 1 string has_tag,V'),
      2,
      /unknown flag "V" \(a vendor name must be the only option\)/,
    ],
    [
      'a vendor flag inside BEGIN-VENDOR',
      lines(v, 'BEGIN-VENDOR V', 'ATTRIBUTE A 1 string V'),
      3,
      /vendor name "V" as a flag inside BEGIN-VENDOR V/,
    ],
    ['a vendor flag with a dotted number', lines(v, 'ATTRIBUTE A 1.2 string V'), 2, /vendor name "V" as a flag with a dotted number/],
    ['an Attr- name', 'ATTRIBUTE Attr-26 26 octets', 1, /Attr- names are reserved/],
    ['a name with a bad character', 'ATTRIBUTE Bad$Name 1 string', 1, /invalid attribute name "Bad\$Name"/],
    [
      'a name defined twice',
      lines('ATTRIBUTE A 1 string', 'ATTRIBUTE a 2 string'),
      2,
      /attribute a is already defined at dictionary.test line 1/,
    ],
    [
      'a vendor attribute too large for its format',
      lines(v, 'BEGIN-VENDOR V', 'ATTRIBUTE A 256 string'),
      3,
      /too large for a vendor with 1-octet types \(at most 255\)/,
    ],
    [
      'a 2-octet vendor attribute too large',
      lines('VENDOR L 4846 format=2,1', 'BEGIN-VENDOR L', 'ATTRIBUTE A 65536 string'),
      3,
      /2-octet types/,
    ],
    ['a dotted standard number over 255', 'ATTRIBUTE A 256.1 string', 1, /first component of a dotted number is a RADIUS attribute/],
    ['a TLV component 0', 'ATTRIBUTE A 26.0 string', 1, /TLV components are 1 to 255/],
    ['a TLV component over 255', 'ATTRIBUTE A 26.256 string', 1, /TLV components are 1 to 255/],
    ['too many components', 'ATTRIBUTE A 1.2.3.4.5.6 string', 1, /more than 5 components/],
    ['VENDOR without a number', 'VENDOR V', 1, /VENDOR needs a name, a number/],
    ['a bad vendor name', 'VENDOR V.x 9', 1, /invalid vendor name "V.x"/],
    ['a bad vendor number', 'VENDOR V nine', 1, /invalid vendor number "nine"/],
    ['vendor 0', 'VENDOR V 0', 1, /invalid vendor number "0"/],
    ['a vendor number over 24 bits', 'VENDOR V 16777216', 1, /invalid vendor number/],
    ['a bad vendor format', 'VENDOR V 9 format=3,1', 1, /invalid vendor format "format=3,1"/],
    ['a format without format=', 'VENDOR V 9 1,1', 1, /invalid vendor format "1,1"/],
    ['continuations with 2,1', 'VENDOR V 9 format=2,1,c', 1, /only format=1,1 can have continuations/],
    ['a vendor declared again differently', lines(v, 'VENDOR v 10'), 2, /vendor v is already declared at dictionary.test line 1 as 9/],
    ['BEGIN-VENDOR of an unknown vendor', 'BEGIN-VENDOR Nobody', 1, /unknown vendor "Nobody"/],
    [
      'BEGIN-VENDOR inside BEGIN-VENDOR',
      lines(v, 'VENDOR W 10', 'BEGIN-VENDOR V', 'BEGIN-VENDOR W'),
      4,
      /BEGIN-VENDOR W inside BEGIN-VENDOR V \(line 3\)/,
    ],
    ['a BEGIN-VENDOR option other than format=', lines(v, 'BEGIN-VENDOR V evs=X'), 2, /invalid BEGIN-VENDOR option "evs=X"/],
    [
      'format= naming an unknown attribute',
      lines(v, 'BEGIN-VENDOR V format=Nothing'),
      2,
      /unknown attribute "Nothing" in BEGIN-VENDOR format=/,
    ],
    [
      'format= naming a non-evs attribute',
      lines(v, 'ATTRIBUTE A 1 string', 'BEGIN-VENDOR V format=A'),
      3,
      /attribute A in BEGIN-VENDOR format= is not of type evs/,
    ],
    ['END-VENDOR without BEGIN-VENDOR', lines(v, 'END-VENDOR V'), 2, /END-VENDOR V without BEGIN-VENDOR/],
    [
      'END-VENDOR of another vendor',
      lines(v, 'VENDOR W 10', 'BEGIN-VENDOR V', 'END-VENDOR W'),
      4,
      /END-VENDOR W does not match BEGIN-VENDOR V \(line 3\)/,
    ],
    ['END-VENDOR of an unknown vendor', lines(v, 'BEGIN-VENDOR V', 'END-VENDOR Nobody'), 3, /unknown vendor "Nobody"/],
    ['BEGIN-VENDOR never closed', lines(v, 'BEGIN-VENDOR V', 'ATTRIBUTE A 1 string'), 2, /BEGIN-VENDOR V is not closed by END-VENDOR/],
    [
      'END-VENDOR inside BEGIN-TLV',
      lines(v, 'BEGIN-VENDOR V', 'ATTRIBUTE T 1 tlv', 'BEGIN-TLV T', 'END-VENDOR V'),
      5,
      /END-VENDOR V inside BEGIN-TLV T \(line 4\)/,
    ],
    ['BEGIN-TLV of an unknown attribute', 'BEGIN-TLV Nothing', 1, /unknown attribute "Nothing" in BEGIN-TLV/],
    ['BEGIN-TLV of a non-tlv attribute', lines('ATTRIBUTE A 1 string', 'BEGIN-TLV A'), 2, /attribute A in BEGIN-TLV is not of type tlv/],
    [
      'BEGIN-TLV of another vendor block',
      lines(v, 'ATTRIBUTE T 1 tlv', 'BEGIN-VENDOR V', 'BEGIN-TLV T'),
      4,
      /belongs to another vendor block/,
    ],
    ['END-TLV without BEGIN-TLV', lines('ATTRIBUTE T 1 tlv', 'END-TLV T'), 2, /END-TLV T without BEGIN-TLV/],
    [
      'END-TLV of another attribute',
      lines('ATTRIBUTE T 1 tlv', 'ATTRIBUTE U 2 tlv', 'BEGIN-TLV T', 'END-TLV U'),
      4,
      /END-TLV U does not match BEGIN-TLV T \(line 3\)/,
    ],
    ['BEGIN-TLV never closed', lines('ATTRIBUTE T 1 tlv', 'BEGIN-TLV T'), 2, /BEGIN-TLV T is not closed by END-TLV/],
    [
      'TLVs nested too deep',
      lines(
        'ATTRIBUTE T 1 tlv',
        'BEGIN-TLV T',
        'ATTRIBUTE T2 1 tlv',
        'BEGIN-TLV T2',
        'ATTRIBUTE T3 1 tlv',
        'BEGIN-TLV T3',
        'ATTRIBUTE T4 1 tlv',
        'BEGIN-TLV T4',
        'ATTRIBUTE T5 1 tlv',
        'BEGIN-TLV T5',
      ),
      10,
      /nested more than 4 deep/,
    ],
    ['VALUE with two fields', 'VALUE A B', 1, /VALUE needs an attribute name, a value name and a number/],
    ['VALUE with four fields', 'VALUE A B 1 2', 1, /VALUE needs/],
    ['a bad VALUE number', 'VALUE A B one', 1, /invalid value number "one"/],
    ['a negative VALUE', 'VALUE A B -1', 1, /invalid value number "-1"/],
    [
      'a VALUE too large for a byte',
      lines('ATTRIBUTE A 1 byte', 'VALUE A Big 256'),
      2,
      /value 256 is too large for byte attribute A \(at most 255\)/,
    ],
    ['a VALUE too large for a uint16', lines('ATTRIBUTE A 1 uint16', 'VALUE A Big 65536'), 2, /too large for uint16 attribute A/],
    [
      'one VALUE name with two numbers',
      lines('VALUE A Start 1', 'VALUE A Start 2'),
      2,
      /VALUE A Start is already 1 at dictionary.test line 1/,
    ],
    [
      '$INCLUDE without a resolver (an upload)',
      lines('ATTRIBUTE A 1 string', '$INCLUDE dictionary.rfc2865'),
      2,
      /\$INCLUDE dictionary.rfc2865: this dictionary cannot include files/,
    ],
    ['$INCLUDE- without a resolver', '$INCLUDE- dictionary.local', 1, /cannot include files/],
    ['$INCLUDE with two files', '$INCLUDE a b', 1, /\$INCLUDE takes one file name/],
  ];

  it.each(cases)('%s', (_, text, line, reason) => {
    const error = parseError(text);
    expect(error.line).toBe(line);
    expect(error.fileName).toBe(FILE);
    expect(error.reason).toMatch(reason);
    expect(error.message).toBe(`${FILE} line ${line}: ${error.reason}`);
  });

  it('is a 400 AppError carrying file, line and reason', () => {
    const error = parseError('\n\nATTRIBUTE A 1 strng');
    expect(error).toBeInstanceOf(AppError);
    expect(error.status).toBe(400);
    expect(error.data).toEqual({
      file: FILE,
      line: 3,
      reason: 'unknown type "strng"',
      message: 'dictionary.test line 3: unknown type "strng"',
    });
  });

  it('names the included file and its line for an error inside an include', () => {
    const include = files({ 'dictionary.inner': lines('ATTRIBUTE A 1 string', 'ATTRIBUTE B x string') });
    const error = parseError(lines('# outer', '$INCLUDE dictionary.inner'), { include });
    expect([error.fileName, error.line]).toEqual(['dictionary.inner', 2]);
  });

  it('names the $INCLUDE line for a missing file, a cycle, too deep a nesting, or a failing resolver', () => {
    expect(parseError(lines('', '$INCLUDE dictionary.nothing'), { include: files({}) })).toMatchObject({
      line: 2,
      reason: '$INCLUDE dictionary.nothing: no such file',
    });

    const cycle = parseError('$INCLUDE a', { include: files({ a: '$INCLUDE b', b: '\n$INCLUDE a' }) });
    expect([cycle.fileName, cycle.line, cycle.reason]).toEqual(['b', 2, `$INCLUDE a: include cycle ${FILE} → a → b → a`]);

    const chain: Record<string, string> = {};
    for (let depth = 0; depth < 5; depth += 1) chain[`f${depth}`] = `$INCLUDE f${depth + 1}`;
    chain.f5 = '';
    expect(parseError('$INCLUDE f0', { include: files(chain), maxIncludeDepth: 3 }).reason).toMatch(/nested more than 3 deep/);

    const failing: IncludeResolver = () => {
      throw new Error('more than 10 bytes in all');
    };
    expect(parseError(lines('', '', '$INCLUDE big'), { include: failing })).toMatchObject({
      line: 3,
      reason: '$INCLUDE big: more than 10 bytes in all',
    });
  });
});

// The parser scans characters instead of splitting with regexes, caches the last type and VALUE
// attribute, and looks names up in its own hash table: these pin what that must not change.
describe('parseFreeRadius: the fast paths read what the plain rules say', () => {
  it('splits words on space, tab, \\v, \\f and \\r only, and cuts a line at its first #', () => {
    const text = lines('ATTRIBUTE\u000bA\u000c1\tstring#x # y', ' \t\r', 'VALUE A B\u00e9 1 # not ASCII, still one word');
    expect(entries(text)).toEqual([
      attr({ id: 1, type: 'string', name: 'A' }),
      { val: { vid: 0, id: 1, val: 1, name: 'B\u00e9', attr: 'A' } },
    ]);
    // A non-breaking space is part of a word, and a space to VALUE_NAME.
    expect(parseError('ATTRIBUTE\u00a0A 1 string').reason).toBe('unknown directive "ATTRIBUTE\u00a0A"');
    expect(parseError(lines('', '\u00a0')).reason).toBe('\u00a0 has no arguments');
    expect(parseError('VALUE A B\u00a0C 1').reason).toBe('invalid value name "B\u00a0C" (at most 128 characters)');
  });

  it('reads numbers as sscanf does: leading zeros, either case of 0x, nothing above 32 bits however written', () => {
    expect(
      entries(lines('ATTRIBUTE A 0001 octets', 'ATTRIBUTE B 0X0000000000000002 octets', 'ATTRIBUTE C 0xfF.0x01 octets')).map((entry) =>
        'attr' in entry ? [entry.attr.id, entry.attr.oid] : [],
      ),
    ).toEqual([
      [1, undefined],
      [2, undefined],
      [1, '255.1'],
    ]);
    expect(parseError('VALUE A B 00000000004294967296').reason).toMatch(/invalid value number "00000000004294967296"/);
    expect(parseError('VALUE A B 0x100000000').reason).toMatch(/invalid value number "0x100000000"/);
    expect(parseError('VALUE A B 0x1g').reason).toMatch(/invalid value number "0x1g"/);
  });

  it('gives each line its own type and length, whatever the line before had', () => {
    expect(
      entries(
        lines(
          'ATTRIBUTE A 1 octets[4]',
          'ATTRIBUTE B 2 octets[4]',
          'ATTRIBUTE C 3 octets',
          'ATTRIBUTE D 4 OCTETS[4]',
          'ATTRIBUTE E 5 String',
          'ATTRIBUTE F 6 String',
        ),
      ),
    ).toEqual([
      attr({ id: 1, type: 'octets', name: 'A', length: 4 }),
      attr({ id: 2, type: 'octets', name: 'B', length: 4 }),
      attr({ id: 3, type: 'octets', name: 'C' }),
      attr({ id: 4, type: 'octets', name: 'D', length: 4 }),
      attr({ id: 5, type: 'string', name: 'E' }),
      attr({ id: 6, type: 'string', name: 'F' }),
    ]);
    expect(parseError(lines('ATTRIBUTE A 1 octets[4]', 'ATTRIBUTE B 2 octets[400]')).line).toBe(2);
  });

  it("keeps each VALUE line's spelling of its attribute, and checks a new spelling", () => {
    expect(
      entries(lines('ATTRIBUTE Service-Type 6 integer', 'VALUE Service-Type A 1', 'VALUE service-type B 2', 'VALUE Service-Type C 3')),
    ).toEqual([
      attr({ id: 6, type: 'integer', name: 'Service-Type' }),
      { val: { vid: 0, id: 6, val: 1, name: 'A', attr: 'Service-Type' } },
      { val: { vid: 0, id: 6, val: 2, name: 'B', attr: 'service-type' } },
      { val: { vid: 0, id: 6, val: 3, name: 'C', attr: 'Service-Type' } },
    ]);
    expect(parseError(lines('VALUE A X 1', 'VALUE A$ Y 2')).reason).toBe('invalid attribute name "A$" in VALUE');
  });

  it('finds names case-insensitively among thousands of attributes', () => {
    const many = Array.from({ length: 3000 }, (_, index) => `ATTRIBUTE Attribute-Number-${index} ${(index % 255) + 1} integer`);
    expect(entries(lines(...many, 'VALUE ATTRIBUTE-NUMBER-2999 Last 7')).at(-1)).toEqual({
      val: { vid: 0, id: (2999 % 255) + 1, val: 7, name: 'Last', attr: 'ATTRIBUTE-NUMBER-2999' },
    });
    expect(parseError(lines(...many, 'ATTRIBUTE attribute-number-1500 1 string'))).toMatchObject({
      line: 3001,
      reason: `attribute attribute-number-1500 is already defined at ${FILE} line 1501`,
    });
    expect(parseError(lines(...many, 'BEGIN-TLV ATTRIBUTE-NUMBER-7')).reason).toBe(
      'attribute Attribute-Number-7 in BEGIN-TLV is not of type tlv',
    );
  });

  it('names the right file for a repeated VALUE, a conflicting one, or an attribute defined twice across $INCLUDEs', () => {
    const include = files({ inner: lines('ATTRIBUTE B 2 integer', 'VALUE A One 1') });
    expect(parse(lines('ATTRIBUTE A 1 integer', 'VALUE A One 1', '$INCLUDE inner', 'VALUE A one 1'), { include }).warnings).toEqual([
      { fileName: 'inner', line: 2, message: `VALUE A One repeats ${FILE} line 2; ignored` },
      { fileName: FILE, line: 4, message: `VALUE A one repeats ${FILE} line 2; ignored` },
    ]);
    expect(parseError(lines('ATTRIBUTE A 1 integer', '$INCLUDE inner', 'VALUE A One 2'), { include })).toMatchObject({
      fileName: FILE,
      line: 3,
      reason: 'VALUE A One is already 1 at inner line 2',
    });
    expect(parseError(lines('$INCLUDE inner', 'ATTRIBUTE b 3 string'), { include })).toMatchObject({
      fileName: FILE,
      line: 2,
      reason: 'attribute b is already defined at inner line 1',
    });
  });

  it('compares value names with a colon like any other', () => {
    const result = parse(lines('ATTRIBUTE A 1 integer', 'VALUE A x:y 1', 'VALUE A X:Y 1', 'VALUE A x:z 2'));
    expect(result.entries).toHaveLength(3);
    expect(result.warnings.map((warning) => warning.line)).toEqual([3]);
  });
});
