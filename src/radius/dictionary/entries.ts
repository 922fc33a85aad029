/**
 * The JSON dictionary format (Kazoo's `aaa_dict` entries plus extensions): what a compiled
 * dictionary is built from. The service stores documents of them; FreeRADIUS text is parsed into them.
 *
 * Entries of the seed's dictionary format: `vendor`, `attr` or `val`, one per entry. Fields past
 * the seed's (marked "extension") carry what FreeRADIUS dictionaries say and the seed cannot; a
 * document in the seed's own shape is still valid and means the same.
 */
export interface VendorEntry {
  vendor: Record<string, number>;
  /**
   * Extension: FreeRADIUS `format=t,l[,c]` (type octets, length octets, continuation); "1,1" if
   * absent. (FreeRADIUS text without a format means 4,0 for USR, 2,1 for Lucent, 2,2 for Starent:
   * the importer writes those out, the exporter writes `format=1,1` for them when absent here.)
   */
  format?: string;
}

/** Extension: FreeRADIUS attribute flags other than encryption (which stays in `enc`). */
export interface AttributeFlags {
  has_tag?: true;
  concat?: true;
  array?: true;
  virtual?: true;
  secret?: true;
}

export interface AttributeEntry {
  attr: {
    /** Vendor id; 0 (or absent) for standard attributes. */
    vid?: number;
    /**
     * The attribute number; with `oid`, the last component of it. Standard attributes (vid 0) are
     * 1..255 on the wire; FreeRADIUS numbers its server-side attributes from 256
     * (dictionary.freeradius.internal). A vendor attribute may be 0.
     */
    id: number;
    type: string;
    name: string;
    /** Kazoo's flag: `no`, or FreeRADIUS's `encrypt=1|2|3`. */
    enc?: string;
    /**
     * Extension: the full dotted number (TLV child `59.1` of vendor attribute 59, extended `241.26`)
     * when it has more than one component; under `vid` and `evs` like `id`.
     */
    oid?: string;
    /** Extension: FreeRADIUS `octets[N]`, a fixed length. */
    length?: number;
    /** Extension: has_tag, concat, array, virtual, secret. */
    flags?: AttributeFlags;
    /**
     * Extension: the name of the Extended-Vendor-Specific attribute (type `evs`, e.g.
     * `Extended-Vendor-Specific-5`, 245.26) that carries this vendor attribute, as FreeRADIUS's
     * `BEGIN-VENDOR <vendor> format=<that name>` says. An attribute's number is (vid, evs, oid or
     * id); several names may share one number (aliases), as in FreeRADIUS.
     */
    evs?: string;
  };
}

/**
 * A value names its attribute by `attr`, by `id` (and `vid`), or both; at least one. The importer
 * always writes `attr` (what the VALUE line says) and adds `vid`/`id` when the attribute is a plain
 * one (no `oid`, no `evs`) of the same dictionary; an `id` alone could not tell a TLV child from
 * a top-level attribute.
 */
export interface ValueEntry {
  val: {
    vid?: number;
    /** The number of the attribute the value belongs to. */
    id?: number;
    val: number;
    name: string;
    /** Extension: the attribute's name, as FreeRADIUS `VALUE` lines name it (it may be defined in another dictionary). */
    attr?: string;
  };
}

export type DictionaryEntry = VendorEntry | AttributeEntry | ValueEntry;
