import type { ResolvedVendor } from './model.js';

// Internal records of a compile. Each carries the index of its dictionary in the list: that index
// is the whole ordering rule (lower wins across dictionaries; within one dictionary a later line
// overrides an earlier one, as FreeRADIUS does when it reads a file).

export interface VendorRecord {
  readonly vendor: ResolvedVendor;
  readonly lowerName: string;
  readonly dictIndex: number;
  readonly formatText: string;
}

export interface ValueRecord {
  readonly name: string;
  readonly lowerName: string;
  readonly value: number;
  readonly dictIndex: number;
  /** The entry's index in its dictionary: which of two lines of one dictionary came later. */
  readonly line: number;
}
