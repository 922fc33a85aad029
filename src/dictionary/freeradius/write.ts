/**
 * The JSON dictionary format → FreeRADIUS dictionary text that `parseFreeRadius` reads back to
 * the same entries (for the entries the parser produces; see `writeFreeRadius`).
 */
import { AppError } from '../../errors.js';
import type { AttributeEntry, DictionaryEntry, ValueEntry, VendorEntry } from '../dictionary-doc.js';
import { ATTRIBUTE_NAME, IMPLICIT_VENDOR_FORMATS, MAX_UINT32, VALUE_NAME, VENDOR_NAME } from './type-table.js';

/**
 * An entry FreeRADIUS text cannot say (a value name with a space, a negative value, an `enc`
 * other than `no` or `encrypt=N`, a vendor attribute whose vendor has no name here). 422: the
 * dictionary is valid, it just has no FreeRADIUS form.
 */
export class DictionaryWriteError extends AppError {
  constructor(
    readonly index: number,
    readonly reason: string,
  ) {
    const message = `value.${index}: ${reason}`;
    super('not_exportable', message, { field: `value.${index}`, reason, message });
    this.name = 'DictionaryWriteError';
  }
}

export interface WriteOptions {
  /**
   * Entries of other dictionaries, for names this one uses without defining: the vendor of a
   * vendor attribute, the attribute of a value given only by `id`. Pass the same context to the
   * parser when reading the text back.
   */
  context?: readonly DictionaryEntry[];
  /** Lines for a leading comment (the dictionary's name and where it came from, say). */
  header?: readonly string[];
}

/** The FreeRADIUS flags of an attribute, in a fixed order. */
function flagsOf(attr: AttributeEntry['attr'], index: number): string[] {
  const flags: string[] = [];
  if (attr.flags?.has_tag) flags.push('has_tag');
  const enc = attr.enc ?? 'no';
  if (/^encrypt=[123]$/.test(enc)) flags.push(enc);
  else if (enc !== 'no')
    throw new DictionaryWriteError(index, `enc "${enc}" has no FreeRADIUS form (no, encrypt=1, encrypt=2 or encrypt=3)`);
  if (attr.flags?.array) flags.push('array');
  if (attr.flags?.concat) flags.push('concat');
  if (attr.flags?.virtual) flags.push('virtual');
  if (attr.flags?.secret) flags.push('secret');
  return flags;
}

/** Writes entries in document order, opening and closing BEGIN-VENDOR blocks as the vendor changes. */
class Writer {
  private readonly lines: string[] = [];
  /** The block open now: its vendor id and evs attribute. */
  private block: { vid: number; evs: string | undefined; name: string } | undefined;
  /** Vendor names by id, in the order their VENDOR lines are written. */
  private readonly written = new Map<number, string>();
  /** Vendor entries of the document not written yet, by vendor id. */
  private readonly pendingVendors = new Map<number, number>();
  private readonly contextVendors = new Map<number, string>();
  /** Built on first need: only values given by number alone need it. */
  private attributeNames: Map<string, string> | undefined;
  private readonly wroteEntry = new Set<number>();

  constructor(
    private readonly entries: readonly DictionaryEntry[],
    private readonly context: readonly DictionaryEntry[],
  ) {
    for (const entry of context) {
      if (!('vendor' in entry)) continue;
      for (const [name, id] of Object.entries(entry.vendor)) {
        if (!this.contextVendors.has(id)) this.contextVendors.set(id, name);
      }
    }
    entries.forEach((entry, index) => {
      if (!('vendor' in entry)) return;
      for (const id of Object.values(entry.vendor)) {
        if (!this.pendingVendors.has(id)) this.pendingVendors.set(id, index);
      }
    });
  }

  /** The name for a value given by vid and id: the first plain attribute with that number, the document's before the context's. */
  private attributeName(vid: number, id: number | undefined): string | undefined {
    if (!this.attributeNames) {
      this.attributeNames = new Map();
      for (const entry of [...this.entries, ...this.context]) {
        if (!('attr' in entry) || entry.attr.oid !== undefined || entry.attr.evs !== undefined) continue;
        const key = `${entry.attr.vid ?? 0}:${entry.attr.id}`;
        if (!this.attributeNames.has(key)) this.attributeNames.set(key, entry.attr.name);
      }
    }
    return this.attributeNames.get(`${vid}:${id}`);
  }

  write(header: readonly string[]): string {
    for (const line of header.flatMap((text) => text.split('\n'))) this.lines.push(`# ${line}`.trimEnd());
    if (header.length > 0) this.lines.push('');
    this.entries.forEach((entry, index) => {
      if (this.wroteEntry.has(index)) return;
      if ('vendor' in entry) this.vendor(entry, index);
      else if ('attr' in entry) this.attribute(entry, index);
      else this.value(entry, index);
    });
    this.closeBlock();
    return `${this.lines.join('\n')}\n`;
  }

  private closeBlock(): void {
    if (!this.block) return;
    this.lines.push(`END-VENDOR\t${this.block.name}`, '');
    this.block = undefined;
  }

  private vendor(entry: VendorEntry, index: number): void {
    this.wroteEntry.add(index);
    this.closeBlock();
    for (const [name, id] of Object.entries(entry.vendor)) {
      if (!VENDOR_NAME.test(name)) throw new DictionaryWriteError(index, `vendor name "${name}" has no FreeRADIUS form`);
      // Without a format, FreeRADIUS gives USR, Lucent and Starent their own; absent means 1,1 here.
      const format = entry.format ?? (IMPLICIT_VENDOR_FORMATS.has(id) ? '1,1' : undefined);
      this.lines.push(`VENDOR\t${name}\t${id}${format === undefined ? '' : `\tformat=${format}`}`);
      if (!this.written.has(id)) this.written.set(id, name);
    }
  }

  /** A name for BEGIN-VENDOR: a vendor written already, else the document's declaration moved up to here, else the context's. */
  private vendorName(vid: number, index: number): string {
    const written = this.written.get(vid);
    if (written !== undefined) return written;
    const pending = this.pendingVendors.get(vid);
    const declaration = pending === undefined ? undefined : this.entries[pending];
    if (pending !== undefined && declaration && 'vendor' in declaration) {
      // FreeRADIUS needs VENDOR before BEGIN-VENDOR names it (the seed's example lists it last).
      this.vendor(declaration, pending);
      const name = this.written.get(vid);
      if (name !== undefined) return name;
    }
    const known = this.contextVendors.get(vid);
    if (known !== undefined) return known;
    throw new DictionaryWriteError(index, `vendor ${vid} is not declared in this dictionary (pass the one that declares it as context)`);
  }

  private attribute(entry: AttributeEntry, index: number): void {
    const { attr } = entry;
    const vid = attr.vid ?? 0;
    if (!ATTRIBUTE_NAME.test(attr.name)) throw new DictionaryWriteError(index, `attribute name "${attr.name}" has no FreeRADIUS form`);
    if (attr.evs !== undefined && !ATTRIBUTE_NAME.test(attr.evs))
      throw new DictionaryWriteError(index, `evs "${attr.evs}" is not an attribute name`);
    if (vid === 0 && attr.evs !== undefined) throw new DictionaryWriteError(index, 'an evs attribute needs a vendor (vid)');
    if (attr.length !== undefined && attr.type !== 'octets') {
      throw new DictionaryWriteError(index, `a fixed length is for octets attributes, not ${attr.type}`);
    }
    const flags = flagsOf(attr, index);
    if (vid === 0) {
      this.closeBlock();
    } else if (this.block?.vid !== vid || this.block.evs !== attr.evs) {
      const name = this.vendorName(vid, index);
      this.closeBlock();
      this.lines.push(`BEGIN-VENDOR\t${name}${attr.evs === undefined ? '' : `\tformat=${attr.evs}`}`);
      this.block = { vid, evs: attr.evs, name };
    }
    const type = attr.length === undefined ? attr.type : `octets[${attr.length}]`;
    this.lines.push(`ATTRIBUTE\t${attr.name}\t${attr.oid ?? attr.id}\t${type}${flags.length > 0 ? `\t${flags.join(',')}` : ''}`);
  }

  private value(entry: ValueEntry, index: number): void {
    const { val } = entry;
    const attribute = val.attr ?? this.attributeName(val.vid ?? 0, val.id);
    if (attribute === undefined) {
      throw new DictionaryWriteError(
        index,
        `no attribute ${val.id} of vendor ${val.vid ?? 0} to name in VALUE (give attr, or pass the defining dictionary as context)`,
      );
    }
    if (!ATTRIBUTE_NAME.test(attribute)) throw new DictionaryWriteError(index, `attribute name "${attribute}" has no FreeRADIUS form`);
    if (!VALUE_NAME.test(val.name))
      throw new DictionaryWriteError(index, `value name "${val.name}" has no FreeRADIUS form (one word, no #)`);
    if (!Number.isInteger(val.val) || val.val < 0 || val.val > MAX_UINT32) {
      throw new DictionaryWriteError(index, `value ${val.val} has no FreeRADIUS form (0 to ${MAX_UINT32})`);
    }
    this.lines.push(`VALUE\t${attribute}\t${val.name}\t${val.val}`);
  }
}

/**
 * FreeRADIUS dictionary text for `entries`, in document order. Entries as `parseFreeRadius`
 * produces them come back identical: `parse(write(entries)).entries` deep-equals `entries`.
 * Other valid documents (the seed's format) export too and read back in that canonical form:
 * `vid` and `enc` filled in, a value's `attr` named, a vendor declared after its first attribute
 * moved up. Throws `DictionaryWriteError` for what FreeRADIUS text cannot say.
 */
export function writeFreeRadius(entries: readonly DictionaryEntry[], options: WriteOptions = {}): string {
  return new Writer(entries, options.context ?? []).write(options.header ?? []);
}
