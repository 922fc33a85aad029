import type { StoredDoc } from '../store/database.js';

export type { AttributeEntry, AttributeFlags, DictionaryEntry, ValueEntry, VendorEntry } from '../radius/dictionary/entries.js';
import type { DictionaryEntry } from '../radius/dictionary/entries.js';

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
