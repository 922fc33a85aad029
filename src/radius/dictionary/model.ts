import type { DictionaryEntry } from './entries.js';
import type { VendorFormat } from './vendor-format.js';

/**
 * One dictionary of an ordered list, as the compiler needs it. `rev` identifies the content: the
 * compiler's cache trusts that the same `id` and `rev` always mean the same entries.
 */
export interface DictionarySource {
  readonly id: string;
  readonly rev: string;
  readonly name: string;
  readonly owner: string;
  readonly value: readonly DictionaryEntry[];
}

/** Which dictionary of the list a definition came from. */
export interface DictionaryOrigin {
  readonly id: string;
  readonly rev: string;
  readonly name: string;
  readonly owner: string;
}

/** FreeRADIUS `encrypt=N`: 0 none, 1 User-Password, 2 Tunnel-Password (salted), 3 Ascend-Secret. */
export type EncryptMethod = 0 | 1 | 2 | 3;

export interface ResolvedVendor {
  readonly name: string;
  readonly id: number;
  readonly format: VendorFormat;
  readonly dictionary: DictionaryOrigin;
}

/** An attribute as the codec and the validators need it; every field is resolved, none optional. */
export interface ResolvedAttribute {
  readonly name: string;
  /** 0 for standard (and extended) attributes. */
  readonly vendorId: number;
  /** The vendor's name when a dictionary of the list declares the vendor. */
  readonly vendorName: string | undefined;
  /** The number path under the vendor: `[1]`, extended `[241, 26]`, TLV child `[1, 2]`. */
  readonly path: readonly number[];
  /** Lower-cased FreeRADIUS type (`integer`, `octets`, `tlv`, ...). */
  readonly type: string;
  /** The fixed length of `octets[N]`. */
  readonly length: number | undefined;
  readonly encrypt: EncryptMethod;
  readonly hasTag: boolean;
  readonly concat: boolean;
  readonly array: boolean;
  readonly virtual: boolean;
  readonly secret: boolean;
  /** The Extended-Vendor-Specific attribute carrying this vendor attribute, as the dictionary names it. */
  readonly evs: string | undefined;
  /** The vendor's wire format; the RFC 2865 one (1,1) for standard attributes and undeclared vendors. */
  readonly format: VendorFormat;
  readonly dictionary: DictionaryOrigin;
}

/** A `val` entry naming an attribute that no dictionary of the list defines. */
export interface UnattachedValue {
  readonly dictionary: DictionaryOrigin;
  /** The attribute as the entry names it: its name, or `vid:id`. */
  readonly attribute: string;
  readonly name: string;
  readonly value: number;
}

export interface DictionaryCounts {
  /** Distinct vendor ids. */
  readonly vendors: number;
  /** Distinct attribute names (aliases count once each). */
  readonly attributes: number;
  /** Distinct (attribute number, value name) pairs. */
  readonly values: number;
}
