import type { StoredDoc } from '../store/database.js';

/** Entries of the seed's dictionary format: one key per entry, `vendor`, `attr` or `val`. */
export interface VendorEntry {
  vendor: Record<string, number>;
}

export interface AttributeEntry {
  attr: {
    /** Vendor id; 0 (or absent) for standard attributes. */
    vid?: number;
    id: number;
    type: string;
    name: string;
    /** Kazoo's flag: `no`, or the encryption the attribute uses. */
    enc?: string;
  };
}

export interface ValueEntry {
  val: {
    vid?: number;
    /** The attribute number the value belongs to. */
    id: number;
    val: number;
    name: string;
  };
}

export type DictionaryEntry = VendorEntry | AttributeEntry | ValueEntry;

export interface DictionaryFields {
  name: string;
  value: DictionaryEntry[];
}

export interface DictionaryDoc extends StoredDoc, DictionaryFields {
  pvt_type: 'aaa_dict';
  /** The owning account id, or `system`. */
  pvt_owner: string;
  pvt_created: number;
  pvt_modified: number;
}

/** Ids are derived from owner and name, so CouchDB itself refuses a duplicate name for one owner. */
export function dictionaryId(owner: string, name: string): string {
  return `${owner}~${name}`;
}
