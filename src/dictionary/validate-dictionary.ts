import { ValidationError, type FieldErrors } from '../errors.js';
import type { SchemaValidator } from '../schema/validator.js';
import type { DictionaryEntry, DictionaryFields } from './dictionary-doc.js';

/** Standard (non-vendor) attributes live in the one-byte Type field of RFC 2865. */
const MAX_STANDARD_ATTRIBUTE = 255;

const ENTRY_PATH = /^value\.\d+$/;
const ENTRY_SHAPE_MESSAGE = 'An entry must have exactly one of the keys vendor, attr or val';

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

function checkEntries(entries: readonly DictionaryEntry[], errors: ErrorCollector): void {
  const vendorNames = new FirstSeen();
  const vendorIds = new FirstSeen();
  const attributeNames = new FirstSeen();
  const attributeNumbers = new FirstSeen();
  const valueNames = new FirstSeen();

  entries.forEach((entry, index) => {
    const at = `value.${index}`;
    if ('vendor' in entry) {
      for (const [name, id] of Object.entries(entry.vendor)) {
        const sameName = vendorNames.claim(name.toLowerCase(), index);
        if (sameName !== undefined) {
          errors.add(`${at}.vendor.${name}`, 'unique', `Vendor ${name} is already declared by value.${sameName}`);
        }
        const sameId = vendorIds.claim(String(id), index);
        if (sameId !== undefined) {
          errors.add(`${at}.vendor.${name}`, 'unique', `Vendor id ${id} is already declared by value.${sameId}`);
        }
      }
    } else if ('attr' in entry) {
      const { vid = 0, id, name } = entry.attr;
      if (vid === 0 && id > MAX_STANDARD_ATTRIBUTE) {
        errors.add(`${at}.attr.id`, 'maximum', `A standard attribute (vid 0) has an id from 1 to ${MAX_STANDARD_ATTRIBUTE}`, {
          target: MAX_STANDARD_ATTRIBUTE,
        });
      }
      const sameName = attributeNames.claim(name.toLowerCase(), index);
      if (sameName !== undefined) {
        errors.add(`${at}.attr.name`, 'unique', `Attribute ${name} is already defined by value.${sameName}`);
      }
      const sameNumber = attributeNumbers.claim(`${vid}:${id}`, index);
      if (sameNumber !== undefined) {
        errors.add(`${at}.attr.id`, 'unique', `Attribute ${id} of vendor ${vid} is already defined by value.${sameNumber}`);
      }
    } else {
      const { vid = 0, id, name } = entry.val;
      // Kept apart from numbers: FreeRADIUS allows two names for one value (Alive and
      // Interim-Update are both 3) but not one name for two values of the same attribute.
      const sameName = valueNames.claim(`${vid}:${id}:${name.toLowerCase()}`, index);
      if (sameName !== undefined) {
        errors.add(`${at}.val.name`, 'unique', `Value ${name} of attribute ${id} (vendor ${vid}) is already defined by value.${sameName}`);
      }
    }
  });
}

/**
 * Validates a dictionary request body: the `aaa_dict` schema, then the rules a schema cannot say
 * (unique names and numbers, the range of standard attributes). All semantic errors are reported
 * together. The body's `owner` is dropped: the owner is the account the request is made for.
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
