/**
 * Vendors and attributes as the parser looks them up by name: its own definitions, and those of
 * the dictionaries loaded before (the parse's context).
 */
import type { DictionaryEntry } from '../dictionary-doc.js';
import { typeWidthOf } from './type-table.js';

export interface VendorInfo {
  name: string;
  id: number;
  /** The format FreeRADIUS uses for it, "1,1" included. */
  format: string;
  /** Octets of the vendor's type field and the largest attribute number they hold: worked out once per vendor, not per attribute. */
  typeWidth: number;
  maxNumber: number;
  /** Where it is declared; `file` is undefined for the context. */
  file: string | undefined;
  line: number;
}

/** An attribute as BEGIN-TLV and BEGIN-VENDOR format= look it up. */
export interface AttributeInfo {
  name: string;
  vid: number;
  evs: string | undefined;
  /** All components, the TLV parents' included. */
  path: number[];
  type: string;
}

/** Lower-cased name → definition, for the dictionaries loaded before this parse. */
export interface ContextIndex {
  vendors: Map<string, VendorInfo>;
  attributes: Map<string, AttributeInfo>;
}

/** Where a definition comes from, for a message. */
export function describeSource(file: string | undefined, line: number): string {
  return file !== undefined ? `${file} line ${line}` : 'another dictionary (context)';
}

/** Indexes are kept per context array: importing a directory parses 237 files against one context. */
const contextIndexes = new WeakMap<readonly DictionaryEntry[], ContextIndex>();

export function indexContext(context: readonly DictionaryEntry[]): ContextIndex {
  const cached = contextIndexes.get(context);
  if (cached) return cached;
  const index: ContextIndex = { vendors: new Map(), attributes: new Map() };
  for (const entry of context) {
    if ('vendor' in entry) {
      for (const [name, id] of Object.entries(entry.vendor)) {
        // Absent means "1,1" in the JSON format.
        const format = entry.format ?? '1,1';
        index.vendors.set(name.toLowerCase(), { name, id, format, ...typeWidthOf(format), file: undefined, line: 0 });
      }
    } else if ('attr' in entry) {
      const { vid = 0, id, oid, type, name, evs } = entry.attr;
      const path = oid === undefined ? [id] : oid.split('.').map(Number);
      index.attributes.set(name.toLowerCase(), { name, vid, evs, path, type });
    }
  }
  contextIndexes.set(context, index);
  return index;
}
