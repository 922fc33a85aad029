import { badRequest } from '../errors.js';
import type { AttributeMap, AttributeValue } from './subscriber-doc.js';

/** The request attributes rlm_rest sent, by name, each with its values as text. */
export type RestAttributes = ReadonlyMap<string, readonly string[]>;

/**
 * rlm_rest's JSON body (`body = 'json'`): each attribute as
 * `{"User-Name": {"type": "string", "value": ["bob"]}}`. Names are kept as sent; values become text.
 */
export function parseRestBody(body: unknown): RestAttributes {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('invalid_rlm_rest_body', 'the body must be rlm_rest JSON: an object of attributes');
  }
  const attributes = new Map<string, string[]>();
  // Plain loops: this runs on every rlm_rest request, and filter/map chains allocate twice per attribute.
  for (const [name, entry] of Object.entries(body as Record<string, unknown>)) {
    const raw = typeof entry === 'object' && entry !== null && 'value' in entry ? (entry as { value: unknown }).value : entry;
    const values: string[] = [];
    if (Array.isArray(raw)) {
      for (const value of raw) if (value !== null && value !== undefined) values.push(String(value));
    } else if (raw !== null && raw !== undefined) values.push(String(raw));
    attributes.set(name, values);
  }
  return attributes;
}

export function firstValue(attributes: RestAttributes, name: string): string | undefined {
  return attributes.get(name)?.[0];
}

type RestValue = AttributeValue | AttributeValue[] | { op: string; value: AttributeValue | AttributeValue[] };

/**
 * The response body rlm_rest applies: `"reply:Name"` / `"control:Name"` keys. One value is set
 * (`:=`); several are added (`+=`), so that every Cisco-AVPair reaches the reply.
 */
export function restResponse(lists: { reply?: AttributeMap; control?: AttributeMap }): Record<string, RestValue> {
  const body: Record<string, RestValue> = {};
  for (const [list, attributes] of Object.entries(lists)) {
    for (const [name, value] of Object.entries(attributes ?? {})) {
      body[`${list}:${name}`] = Array.isArray(value) ? (value.length === 1 ? (value[0] as AttributeValue) : { op: '+=', value }) : value;
    }
  }
  return body;
}
