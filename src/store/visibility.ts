/**
 * Kazoo's convention: keys starting with `_` belong to CouchDB and `pvt_` to the service. Neither
 * comes in from a request nor goes out in a response.
 */
export function isInternalKey(key: string): boolean {
  return key.startsWith('_') || key.startsWith('pvt_');
}

export function publicPart(doc: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(doc).filter(([key]) => !isInternalKey(key)));
}

export function internalPart(doc: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(doc).filter(([key]) => isInternalKey(key)));
}

/** A request body without internal keys and without the read-only keys the resource names. */
export function writablePart(input: Record<string, unknown>, readOnly: readonly string[] = []): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([key]) => !isInternalKey(key) && !readOnly.includes(key)));
}
