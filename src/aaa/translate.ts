/**
 * Translation between the internal message of an AAA request (`{"User-Name": "bob@x", ...}`)
 * and RADIUS attributes, as an operation's `*_avp_translation` list says. Pure: no I/O.
 *
 * Request: for each translation whose `request_key` the message has, the value is matched against
 * `request_value_regexp` (RE2, first capture group), cast if `cast` says so, and sent as
 * `attribute`. Only translated keys are sent. Every attribute must exist in the server's compiled
 * dictionary (`avp: strict`). Reply: for each reply attribute a translation names, the value
 * (as text) is matched against `attr_value_regexp` and cast back, giving `request_key`.
 */
import type { CompiledDictionary } from '../dictionary/compiled-dictionary.js';
import { ValidationError } from '../errors.js';
import type { AttributeValue, DecodedAttribute } from '../radius/codec/index.js';
import type { AvpTranslation } from './aaa-doc.js';
import { firstGroup } from './regex.js';

export type OutgoingValue = string | number;
export type OutgoingAttributes = Record<string, OutgoingValue>;

export interface NasSettings {
  nas_address?: string | undefined;
  nas_port?: number | string | undefined;
}

/** JSON for one decoded value: Buffers as `0x` hex, bigints as decimal text, dates in ISO 8601. */
export type JsonValue = string | number | boolean | JsonValue[] | { [key: string]: JsonValue };

const INTEGER = /^[+-]?\d+$/;

function messageText(key: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  throw ValidationError.single(`data.${key}`, 'type', 'must be a string, a number or a boolean to be translated', { value_type: Array.isArray(value) ? 'array' : typeof value });
}

function toInteger(key: string, text: string): number {
  const trimmed = text.trim();
  const number = INTEGER.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(number)) {
    throw ValidationError.single(`data.${key}`, 'cast', `cannot cast ${JSON.stringify(text)} to an integer (string_to_integer)`, { value: text });
  }
  return number;
}

function requireAttribute(dictionary: CompiledDictionary, attribute: string, field: string): string {
  const resolved = dictionary.attribute(attribute);
  if (!resolved) {
    throw ValidationError.single(field, 'unknown_attribute', `attribute ${attribute} is not in the server's dictionaries (avp: strict)`, { attribute });
  }
  return resolved.name;
}

/**
 * The attributes to send for `message`. Throws a `ValidationError` (400) naming `data.<key>` for
 * a value the regex does not match (`regex`), text that does not cast (`cast`), a value that is not
 * text (`type`), or an attribute the dictionary does not know (`unknown_attribute`).
 */
export function translateRequest(
  message: Readonly<Record<string, unknown>>,
  translations: readonly AvpTranslation[],
  dictionary: CompiledDictionary,
  nas: NasSettings = {},
): OutgoingAttributes {
  const attributes: OutgoingAttributes = {};
  for (const translation of translations) {
    const key = translation.request_key;
    if (!Object.hasOwn(message, key) || message[key] === undefined || message[key] === null) continue;
    const text = messageText(key, message[key]);
    const extracted = firstGroup(translation.request_value_regexp, text);
    if (extracted === undefined) {
      throw ValidationError.single(`data.${key}`, 'regex', `the value does not match ${translation.request_value_regexp}`, {
        pattern: translation.request_value_regexp,
      });
    }
    const name = requireAttribute(dictionary, translation.attribute, `data.${key}`);
    attributes[name] = translation.cast === 'string_to_integer' ? toInteger(key, extracted) : extracted;
  }
  if (nas.nas_address !== undefined && nas.nas_address !== '') {
    attributes[requireAttribute(dictionary, 'NAS-IP-Address', 'nas_address')] = nas.nas_address;
  }
  if (nas.nas_port !== undefined && nas.nas_port !== '') {
    const port = typeof nas.nas_port === 'number' ? nas.nas_port : Number(nas.nas_port);
    if (!Number.isSafeInteger(port) || port < 0) {
      throw ValidationError.single('nas_port', 'cast', `nas_port ${JSON.stringify(nas.nas_port)} is not an integer`);
    }
    attributes[requireAttribute(dictionary, 'NAS-Port', 'nas_port')] = port;
  }
  return attributes;
}

/** A decoded value as JSON. */
export function jsonValue(value: AttributeValue): JsonValue {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `0x${value.toString('hex')}`;
  if (Array.isArray(value)) {
    return value.map((item: unknown) => {
      if (item !== null && typeof item === 'object' && 'name' in item && 'value' in item && !Buffer.isBuffer(item) && !(item instanceof Date)) {
        const child = item as DecodedAttribute;
        return { [child.name]: jsonValue(child.value) };
      }
      return jsonValue(item as AttributeValue);
    });
  }
  const out: Record<string, JsonValue> = {};
  for (const [member, inner] of Object.entries(value as Record<string, AttributeValue>)) out[member] = jsonValue(inner);
  return out;
}

function add(target: Record<string, JsonValue>, key: string, value: JsonValue): void {
  const existing = target[key];
  if (existing === undefined) target[key] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else target[key] = [existing, value];
}

/** The reply's attributes by name; an attribute that occurs several times becomes a list. */
export function attributesByName(attributes: readonly DecodedAttribute[]): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const attribute of attributes) add(out, attribute.name, jsonValue(attribute.value));
  return out;
}

function replyText(attribute: DecodedAttribute, cast: AvpTranslation['cast'], dictionary: CompiledDictionary | undefined): string {
  const { value } = attribute;
  // The reverse of string_to_integer: a number back to its text; a VALUE name back to its number.
  if (cast === 'string_to_integer' && typeof value === 'string' && dictionary && attribute.definition) {
    const number = dictionary.valueNumber(attribute.definition, value);
    if (number !== undefined) return String(number);
  }
  const json = jsonValue(value);
  return typeof json === 'string' ? json : JSON.stringify(json);
}

/**
 * The internal keys a reply translates back to. A value the `attr_value_regexp` does not match is
 * left out (the server answered; its answer is not an error of the caller's), and so is a cast
 * that does not give an integer.
 */
export function translateReply(
  attributes: readonly DecodedAttribute[],
  translations: readonly AvpTranslation[],
  dictionary?: CompiledDictionary,
): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const attribute of attributes) {
    const lower = attribute.name.toLowerCase();
    for (const translation of translations) {
      if (translation.attribute.toLowerCase() !== lower) continue;
      const extracted = firstGroup(translation.attr_value_regexp, replyText(attribute, translation.cast, dictionary));
      if (extracted === undefined) continue;
      if (translation.cast === 'string_to_integer') {
        const trimmed = extracted.trim();
        if (!INTEGER.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) continue;
        add(out, translation.request_key, String(Number(trimmed)));
      } else {
        add(out, translation.request_key, extracted);
      }
    }
  }
  return out;
}
