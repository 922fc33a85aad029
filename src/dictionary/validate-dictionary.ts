import { ValidationError, type FieldErrors } from '../errors.js';
import type { SchemaValidator } from '../schema/validator.js';
import type { AttributeEntry, DictionaryEntry, DictionaryFields } from './dictionary-doc.js';
import { flagProblem } from '../radius/dictionary/index.js';

/** Standard (non-vendor) attributes live in the one-byte Type field of RFC 2865; so do TLV children. */
const MAX_STANDARD_ATTRIBUTE = 255;

const ENTRY_PATH = /^value\.\d+$/;
const ENTRY_SHAPE_MESSAGE = 'An entry must have exactly one of the keys vendor, attr or val (and format only beside vendor)';

interface SchemaInput {
  name: string;
  owner?: string;
  value: DictionaryEntry[];
}

/**
 * Schema validation, with the shape errors of an entry reworded: Ajv's min/maxProperties text
 * ("at least 1 keys") does not tell a tenant that an entry is vendor, attr or val.
 */
function validateShape(input: unknown, schemas: SchemaValidator): SchemaInput {
  try {
    return schemas.validate<SchemaInput>('aaa_dict', input);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const fields: FieldErrors = {};
    for (const [field, rules] of Object.entries(error.fields)) {
      fields[field] = { ...rules };
      if (!ENTRY_PATH.test(field)) continue;
      for (const rule of ['minProperties', 'maxProperties'] as const) {
        const found = rules[rule];
        if (found) fields[field][rule] = { ...found, message: ENTRY_SHAPE_MESSAGE };
      }
    }
    throw new ValidationError(fields);
  }
}

/** Collects semantic errors in Crossbar's shape; the first error per field and rule is kept. */
class ErrorCollector {
  readonly fields: FieldErrors = {};

  add(field: string, rule: string, message: string, detail: Record<string, unknown> = {}): void {
    this.fields[field] ??= {};
    this.fields[field][rule] ??= { message, ...detail };
  }

  get empty(): boolean {
    return Object.keys(this.fields).length === 0;
  }
}

/**
 * Remembers the first entry index per key. Names compare case-insensitively because FreeRADIUS
 * looks attribute and vendor names up that way: `user-name` and `User-Name` would collide there.
 */
class FirstSeen {
  private readonly seen = new Map<string, number>();

  /** The index that already holds `key`, or undefined after recording `index` for it. */
  claim(key: string, index: number): number | undefined {
    const previous = this.seen.get(key);
    if (previous !== undefined) return previous;
    this.seen.set(key, index);
    return undefined;
  }
}

const FLAG_NAMES = ['has_tag', 'concat', 'array', 'virtual', 'secret'] as const;

/**
 * The spelling an accepted `enc` is stored in (the schema's enum refuses any other). `yes`, which
 * the seed's POST example sends, means encrypted as User-Password is (`encrypt=1`), the usual
 * meaning of an unqualified "encrypted" attribute in RADIUS; `encrypt=0` means `no`. Only the
 * canonical spellings are stored because they are what every reader of a stored dictionary
 * understands: the compiler (which refuses an `enc` it cannot interpret rather than send a secret
 * in clear) and the FreeRADIUS writer (which has no text for `yes` or `encrypt=0`).
 */
const STORED_ENC: ReadonlyMap<string, string> = new Map([
  ['no', 'no'],
  ['yes', 'encrypt=1'],
  ['encrypt=0', 'no'],
  ['encrypt=1', 'encrypt=1'],
  ['encrypt=2', 'encrypt=2'],
  ['encrypt=3', 'encrypt=3'],
]);

/** The components of an attribute's number: `oid` if it has one, else `id`. */
function numberPath(attr: AttributeEntry['attr']): number[] {
  return attr.oid === undefined ? [attr.id] : attr.oid.split('.').map(Number);
}

/**
 * What FreeRADIUS would refuse in one attribute, so that every valid dictionary can be exported as
 * text, and what the compiler could not interpret (an `oid` not ending in `id`), so that no stored
 * dictionary is ever refused there. Stores `enc` in its canonical spelling (see `STORED_ENC`).
 */
function checkAttribute(attr: AttributeEntry['attr'], at: string, errors: ErrorCollector): void {
  if (attr.enc !== undefined) attr.enc = STORED_ENC.get(attr.enc) ?? attr.enc;
  const { vid = 0, id, oid, type, length, flags = {}, evs, enc } = attr;
  const [first = id, ...children] = numberPath(attr);
  if (oid !== undefined && children.at(-1) !== id) {
    errors.add(`${at}.attr.oid`, 'consistent', `The last component of oid ${oid} must be the id ${id}`);
  }
  if (vid === 0 && evs === undefined) {
    // 1..255 are RADIUS attributes; FreeRADIUS numbers its server-side attributes from 256
    // (dictionary.freeradius.internal), which only the first component of a dotted number cannot be.
    if (first < 1) {
      errors.add(`${at}.attr.id`, 'minimum', 'A standard attribute (vid 0) has a number from 1', { target: 1 });
    } else if (oid !== undefined && first > MAX_STANDARD_ATTRIBUTE) {
      errors.add(`${at}.attr.oid`, 'maximum', `The first component of a standard attribute's oid is from 1 to ${MAX_STANDARD_ATTRIBUTE}`, {
        target: MAX_STANDARD_ATTRIBUTE,
      });
    }
  }
  if (children.some((child) => child < 1 || child > MAX_STANDARD_ATTRIBUTE)) {
    errors.add(`${at}.attr.oid`, 'maximum', `The components after the first of an oid are from 1 to ${MAX_STANDARD_ATTRIBUTE}`, {
      target: MAX_STANDARD_ATTRIBUTE,
    });
  }
  if (evs !== undefined && vid === 0) {
    errors.add(`${at}.attr.vid`, 'required', 'An attribute carried in an Extended-Vendor-Specific attribute (evs) needs its vendor id');
  }
  if (length !== undefined && type !== 'octets') {
    errors.add(`${at}.attr.length`, 'consistent', `A fixed length is for octets attributes, not ${type}`);
  }
  const flagged = { type, vid, number: first };
  for (const flag of FLAG_NAMES) {
    const problem = flags[flag] ? flagProblem(flag, flagged) : undefined;
    if (problem) errors.add(`${at}.attr.flags.${flag}`, 'consistent', problem);
  }
  const problem = enc === 'encrypt=3' ? flagProblem('encrypt=3', flagged) : undefined;
  if (problem) errors.add(`${at}.attr.enc`, 'consistent', problem);
}

function checkEntries(entries: readonly DictionaryEntry[], errors: ErrorCollector): void {
  const vendorNames = new FirstSeen();
  const vendorFormats = new Map<number, { format: string; index: number }>();
  const attributeNames = new FirstSeen();
  const valueNames = new FirstSeen();

  entries.forEach((entry, index) => {
    const at = `value.${index}`;
    if ('vendor' in entry) {
      for (const [name, id] of Object.entries(entry.vendor)) {
        const sameName = vendorNames.claim(name.toLowerCase(), index);
        if (sameName !== undefined) {
          errors.add(`${at}.vendor.${name}`, 'unique', `Vendor ${name} is already declared by value.${sameName}`);
        }
        // Two names for one vendor number are allowed, as FreeRADIUS allows them (Altiga and
        // Cisco-ASA are both 3076), but not two wire formats for it.
        const format = entry.format ?? '1,1';
        const sameId = vendorFormats.get(id);
        if (sameId === undefined) {
          vendorFormats.set(id, { format, index });
        } else if (sameId.format !== format) {
          errors.add(
            `${at}.vendor.${name}`,
            'unique',
            `Vendor id ${id} is already declared by value.${sameId.index} with format ${sameId.format}`,
          );
        }
      }
    } else if ('attr' in entry) {
      checkAttribute(entry.attr, at, errors);
      const { name } = entry.attr;
      const sameName = attributeNames.claim(name.toLowerCase(), index);
      if (sameName !== undefined) {
        errors.add(`${at}.attr.name`, 'unique', `Attribute ${name} is already defined by value.${sameName}`);
      }
      // Numbers are not unique: FreeRADIUS allows several names for one number (3GPP 22 is
      // 3GPP-Location-Info and 3GPP-User-Location-Info), even with different types (Ruckus 10).
    } else {
      const value = entry.val;
      if (value.id === undefined && value.attr === undefined) {
        errors.add(`${at}.val.attr`, 'required', 'A value names its attribute: attr (its name), or id (and vid)');
        return;
      }
      // Filled here rather than as a schema default: a value that names its attribute only by
      // `attr` may belong to a vendor attribute of another dictionary, so vid 0 would be wrong.
      if (value.id !== undefined) value.vid ??= 0;
      const owner = value.attr !== undefined ? `attr:${value.attr.toLowerCase()}` : `${value.vid}:${value.id}`;
      const label = value.attr ?? `${value.id} (vendor ${value.vid})`;
      // Kept apart from numbers: FreeRADIUS allows two names for one value (Alive and
      // Interim-Update are both 3) but not one name for two values of the same attribute.
      const sameName = valueNames.claim(`${owner}:${value.name.toLowerCase()}`, index);
      if (sameName !== undefined) {
        errors.add(`${at}.val.name`, 'unique', `Value ${value.name} of attribute ${label} is already defined by value.${sameName}`);
      }
    }
  });
}

/**
 * Validates a dictionary request body: the `aaa_dict` schema, then the rules a schema cannot say
 * (unique names, the range of standard attributes, the flags FreeRADIUS allows per type). All
 * semantic errors are reported together. The body's `owner` is dropped: the owner is the account
 * the request is made for. Entries are completed in place (`vid` of a value given by `id`, `enc`
 * in its stored spelling).
 *
 * Everything `compileDictionaries` refuses (a vendor `format`, an `enc` or an `oid` it cannot
 * interpret) is refused here first, with the field's path: a dictionary that passes compiles.
 *
 * A vendor attribute may name a vendor that this dictionary does not declare: a server's `dicts`
 * list combines dictionaries, so the vendor may come from another one.
 */
export function validateDictionary(input: unknown, schemas: SchemaValidator): DictionaryFields {
  const { name, value } = validateShape(input, schemas);
  const errors = new ErrorCollector();
  checkEntries(value, errors);
  if (!errors.empty) throw new ValidationError(errors.fields);
  return { name, value };
}
