import { ValidationError } from './errors.js';

export interface PageRequest {
  pageSize: number;
  startKey: string | undefined;
}

export interface Page<T> {
  items: T[];
  nextStartKey: string | undefined;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/**
 * The most items `?paginate=false` answers with. Beyond it the request is a 400 rather than a
 * silently cut list: a script that asked for "everything" must not mistake a part for the whole.
 */
export const UNPAGINATED_MAX_ITEMS = 10_000;

/**
 * The most page reads one unpaginated answer may take. A filtered scan (sessions, auth log) can
 * return short pages while it walks rows that do not match; this bounds the walk too.
 */
export const UNPAGINATED_MAX_READS = 200;

export function parsePageRequest(query: Record<string, string | string[] | undefined>): PageRequest {
  const rawSize = query.page_size;
  let pageSize = DEFAULT_PAGE_SIZE;
  if (rawSize !== undefined) {
    if (typeof rawSize !== 'string' || !/^\d+$/.test(rawSize) || Number(rawSize) < 1 || Number(rawSize) > MAX_PAGE_SIZE) {
      throw ValidationError.single('page_size', 'range', `page_size must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
    }
    pageSize = Number(rawSize);
  }
  const rawStart = query.start_key;
  if (rawStart !== undefined && (typeof rawStart !== 'string' || rawStart.length > 256)) {
    throw ValidationError.single('start_key', 'type', 'start_key must be a single value');
  }
  return { pageSize, startKey: rawStart };
}

/** `?paginate=false` (Crossbar's switch): the whole list in one answer. `true` or absent: pages. */
export function wantsWholeList(query: Record<string, string | string[] | undefined>): boolean {
  const raw = query.paginate;
  if (raw === undefined || raw === 'true') return false;
  if (raw === 'false') return true;
  throw ValidationError.single('paginate', 'enum', 'paginate must be true or false');
}

export interface ListLimits {
  maxItems: number;
  maxReads: number;
  /** The request field the 400 names when the list is longer. */
  field: string;
}

export const UNPAGINATED_LIMITS: ListLimits = { maxItems: UNPAGINATED_MAX_ITEMS, maxReads: UNPAGINATED_MAX_READS, field: 'paginate' };

const tooLong = (limits: ListLimits): ValidationError =>
  ValidationError.single(
    limits.field,
    'max_items',
    `the list is too long to answer at once (more than ${limits.maxItems} items, or more than ${limits.maxReads} reads): page through it with page_size and start_key`,
    { limit: limits.maxItems },
  );

/**
 * Every item from `startKey` on, read page by page through `fetchPage` (the same reads a client
 * paging by hand would make), or a 400 naming `limits.field` when there are more than the limits allow.
 */
export async function readWholeList<T>(
  startKey: string | undefined,
  fetchPage: (page: PageRequest) => Promise<Page<T>>,
  limits: ListLimits = UNPAGINATED_LIMITS,
): Promise<T[]> {
  const items: T[] = [];
  let next = startKey;
  for (let reads = 0; reads < limits.maxReads; reads++) {
    const page = await fetchPage({ pageSize: MAX_PAGE_SIZE, startKey: next });
    items.push(...page.items);
    if (items.length > limits.maxItems) throw tooLong(limits);
    // A key that does not move would loop for ever: it ends the list rather than being trusted.
    if (page.nextStartKey === undefined || page.nextStartKey === next) return items;
    next = page.nextStartKey;
  }
  throw tooLong(limits);
}

/** One answer of a list route: the items and the envelope's paging keys. */
export interface ListAnswer<T> {
  items: T[];
  /** The next page's key, for a `Link` header; absent when unpaginated or at the end. */
  nextStartKey: string | undefined;
  pageSize: number | undefined;
  /** `page_size` and `next_start_key` for the envelope; unpaginated, `page_size` is the item count. */
  extra: Record<string, unknown>;
}

/** A list route's answer: one page (`page_size`, `start_key`) or, with `?paginate=false`, the whole list. */
export async function answerList<T>(
  query: Record<string, string | string[] | undefined>,
  fetchPage: (page: PageRequest) => Promise<Page<T>>,
): Promise<ListAnswer<T>> {
  const page = parsePageRequest(query);
  if (wantsWholeList(query)) {
    const items = await readWholeList(page.startKey, fetchPage);
    // Crossbar's page_size on an unpaginated answer: how many items it holds.
    return { items, nextStartKey: undefined, pageSize: undefined, extra: { page_size: items.length } };
  }
  const found = await fetchPage(page);
  return {
    items: found.items,
    nextStartKey: found.nextStartKey,
    pageSize: page.pageSize,
    extra: { page_size: page.pageSize, ...(found.nextStartKey ? { next_start_key: found.nextStartKey } : {}) },
  };
}
