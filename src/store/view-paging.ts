import { ValidationError } from '../errors.js';
import type { Page } from '../pagination.js';

/** At most this many rows are read to fill one filtered page; the cursor then resumes the scan. */
export const SCAN_LIMIT = 5_000;

/** Where a scan resumes: the row's position in the view's order (a time) and its document id. */
export type ViewCursor = [position: string, docId: string];

/** A cursor as the opaque `next_start_key` clients send back. */
export const encodeCursor = ([position, docId]: ViewCursor): string => Buffer.from(JSON.stringify([position, docId])).toString('base64url');

/** A `start_key` back into a cursor; anything this API did not hand out is a 400. */
export function decodeCursor(cursor: string): ViewCursor {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string')) return value as ViewCursor;
  } catch {
    // falls through to the error below
  }
  throw ValidationError.single('start_key', 'invalid', 'start_key must be a next_start_key this API returned');
}

/** A filtered scan reads ahead so that a page takes few round trips. */
export const readAheadBatch = (pageSize: number): number => Math.min(SCAN_LIMIT, Math.max(pageSize + 1, 100));

export interface FilteredScan<D> {
  pageSize: number;
  startKey: string | undefined;
  /** Rows to read per round trip (the page is filled from several when rows are filtered out). */
  batchSize: number;
  /** Reads up to `limit` rows from `cursor` (or the range's start), each with its cursor. */
  read: (cursor: ViewCursor | undefined, limit: number) => Promise<{ cursor: ViewCursor; doc: D }[]>;
  matches: (doc: D) => boolean;
}

/**
 * One page of a view range filtered row by row: batches are read until the page is full, the
 * range ends, or SCAN_LIMIT rows were read (the cursor then resumes the scan, so a page may be short).
 */
export async function scanFilteredPage<D>(scan: FilteredScan<D>): Promise<Page<D>> {
  const { pageSize, batchSize } = scan;
  let cursor = scan.startKey ? decodeCursor(scan.startKey) : undefined;
  const items: D[] = [];
  let scanned = 0;
  for (;;) {
    // One row beyond the batch says where the next batch starts.
    const rows = await scan.read(cursor, batchSize + 1);
    for (const [index, row] of rows.entries()) {
      if (index === batchSize) break;
      scanned += 1;
      if (!scan.matches(row.doc)) continue;
      if (items.length === pageSize) return { items, nextStartKey: encodeCursor(row.cursor) };
      items.push(row.doc);
    }
    const resume = rows[batchSize];
    if (!resume) return { items, nextStartKey: undefined };
    if (scanned >= SCAN_LIMIT) return { items, nextStartKey: encodeCursor(resume.cursor) };
    cursor = resume.cursor;
  }
}
