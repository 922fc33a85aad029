import type { FieldErrors } from '../errors.js';
import { typeCodec } from '../radius/codec/value-types.js';
import type { CompiledDictionary } from '../radius/dictionary/index.js';
import type { AttributeMap } from './subscriber-doc.js';

/**
 * Every attribute name must be known to the account's subscriber dictionaries and every value must
 * encode as its type (a value name of an enumerated attribute counts): `check.Sesion-Timeout` is a
 * 400 naming the field, not a reply FreeRADIUS drops later.
 */
export function attributeErrors(map: AttributeMap, dictionary: CompiledDictionary, field: string): FieldErrors {
  const errors: FieldErrors = {};
  for (const [name, value] of Object.entries(map)) {
    const path = `${field}.${name}`;
    const attribute = dictionary.attribute(name);
    if (!attribute) {
      errors[path] = { unknown_attribute: { message: `no dictionary of the account's subscriber settings defines ${name}` } };
      continue;
    }
    const codec = typeCodec(attribute.type);
    if (!codec) {
      errors[path] = { unsupported_type: { message: `${name} is of type ${attribute.type}, which a subscriber cannot set` } };
      continue;
    }
    for (const [index, item] of (Array.isArray(value) ? value : [value]).entries()) {
      try {
        codec.encode(item, attribute, dictionary);
      } catch (error) {
        const at = Array.isArray(value) ? `${path}.${index}` : path;
        errors[at] = { invalid_value: { message: `not a valid ${attribute.type}: ${(error as Error).message}` } };
      }
    }
  }
  return errors;
}
