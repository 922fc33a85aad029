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
import type { CompiledDictionary } from '../radius/dictionary/index.js';
import { ValidationError } from '../errors.js';
import type { AttributeValue, DecodedAttribute } from '../radius/codec/index.js';
import type { AvpTranslation } from './aaa-doc.js';
import { compileTenantRegex, MatchBudget, REGEX_VALUE_MAX_BYTES, type UsableRegex } from './regex.js';

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
  throw ValidationError.single(`data.${key}`, 'type', 'must be a string, a number or a boolean to be translated', {
    value_type: Array.isArray(value) ? 'array' : typeof value,
  });
}

function toInteger(key: string, text: string): number {
  const trimmed = text.trim();
  const number = INTEGER.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(number)) {
    throw ValidationError.single(`data.${key}`, 'cast', `cannot cast ${JSON.stringify(text)} to an integer (string_to_integer)`, {
      value: text,
    });
  }
  return number;
}

function requireAttribute(dictionary: CompiledDictionary, attribute: string, field: string): string {
  const resolved = dictionary.attribute(attribute);
  if (!resolved) {
    throw ValidationError.single(field, 'unknown_attribute', `attribute ${attribute} is not in the server's dictionaries (avp: strict)`, {
      attribute,
    });
  }
  return resolved.name;
}

/** A stored pattern RE2 or the program limit now refuses (saved before the limit existed) is the caller's 400 too. */
function usableRequestRegex(key: string, pattern: string): UsableRegex {
  const compiled = compileTenantRegex(pattern);
  if (!compiled.ok) {
    throw ValidationError.single(`data.${key}`, 'regex', `the translation's request_value_regexp cannot be used: ${compiled.reason}`, {
      pattern,
    });
  }
  return compiled;
}

/**
 * The attributes to send for `message`. Throws a `ValidationError` (400) naming `data.<key>` for
 * a value the regex does not match (`regex`), a value too long for the regex to be applied to
 * (`maxLength`: see `MatchBudget`), text that does not cast (`cast`), a value that is not text
 * (`type`), or an attribute the dictionary does not know (`unknown_attribute`).
 */
export function translateRequest(
  message: Readonly<Record<string, unknown>>,
  translations: readonly AvpTranslation[],
  dictionary: CompiledDictionary,
  nas: NasSettings = {},
): OutgoingAttributes {
  const attributes = keyedByTenant<OutgoingValue>();
  const budget = new MatchBudget();
  for (const translation of translations) {
    const key = translation.request_key;
    if (!Object.hasOwn(message, key) || message[key] === undefined || message[key] === null) continue;
    const text = messageText(key, message[key]);
    const pattern = translation.request_value_regexp;
    const result = budget.firstGroup(usableRequestRegex(key, pattern), text);
    if (result.outcome === 'too_long') {
      const why =
        result.limit < REGEX_VALUE_MAX_BYTES
          ? ` (the limit is lower for a large pattern, and shared by the translations of one request)`
          : '';
      throw ValidationError.single(
        `data.${key}`,
        'maxLength',
        `the value is ${result.bytes} bytes (UTF-8); ${pattern} may be applied to at most ${result.limit}${why}`,
        { target: result.limit, pattern },
      );
    }
    if (result.outcome === 'no_match') {
      throw ValidationError.single(`data.${key}`, 'regex', `the value does not match ${pattern}`, { pattern });
    }
    const name = requireAttribute(dictionary, translation.attribute, `data.${key}`);
    attributes[name] = translation.cast === 'string_to_integer' ? toInteger(key, result.group) : result.group;
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
      if (
        item !== null &&
        typeof item === 'object' &&
        'name' in item &&
        'value' in item &&
        !Buffer.isBuffer(item) &&
        !(item instanceof Date)
      ) {
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

/**
 * Keys here come from tenants (a `request_key`, an attribute name of a tenant's dictionary), so
 * the maps have no prototype: a key `__proto__` is then a key like any other.
 */
function keyedByTenant<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function add(target: Record<string, JsonValue>, key: string, value: JsonValue): void {
  const existing = Object.hasOwn(target, key) ? target[key] : undefined;
  if (existing === undefined) target[key] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else target[key] = [existing, value];
}

/** The reply's attributes by name; an attribute that occurs several times becomes a list. */
export function attributesByName(attributes: readonly DecodedAttribute[]): Record<string, JsonValue> {
  const out = keyedByTenant<JsonValue>();
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
 * that does not give an integer, a pattern that cannot be used, and a value the reply's
 * `MatchBudget` no longer covers (a reply is at most 4,096 bytes, but a server the tenant chose
 * could repeat one attribute for every one of 128 translations).
 */
export function translateReply(
  attributes: readonly DecodedAttribute[],
  translations: readonly AvpTranslation[],
  dictionary?: CompiledDictionary,
): Record<string, JsonValue> {
  const out = keyedByTenant<JsonValue>();
  const budget = new MatchBudget();
  for (const attribute of attributes) {
    const lower = attribute.name.toLowerCase();
    for (const translation of translations) {
      if (translation.attribute.toLowerCase() !== lower) continue;
      const compiled = compileTenantRegex(translation.attr_value_regexp);
      if (!compiled.ok) continue;
      const result = budget.firstGroup(compiled, replyText(attribute, translation.cast, dictionary));
      if (result.outcome !== 'match') continue;
      const extracted = result.group;
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
