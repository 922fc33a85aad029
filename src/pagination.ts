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
