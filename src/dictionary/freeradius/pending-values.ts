/**
 * VALUE lines wait until every attribute of the parse is known (FreeRADIUS fixes forward
 * references up the same way); then `settleValues` turns them into entries.
 */
import type { AttributeEntry, DictionaryEntry } from '../dictionary-doc.js';
import { DictionaryParseError, type ParseWarning } from './parse-error.js';
import { MAX_UINT32, valueMaxOf } from './type-table.js';

/**
 * Which file each of a growing list of lines came from, as runs: the file changes only at an
 * `$INCLUDE`, and a name is needed only for a message, so a column with a pointer per line
 * would be allocated for nothing.
 */
export class FileRuns {
  private readonly starts: number[] = [];
  private readonly names: string[] = [];

  /** Records that line `index` (the next one of the list) is in `fileName`. */
  note(index: number, fileName: string): void {
    if (this.names[this.names.length - 1] !== fileName) {
      this.starts.push(index);
      this.names.push(fileName);
    }
  }

  /** The file of line `index`: the last run starting at or before it. */
  at(index: number): string {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if ((this.starts[middle] as number) <= index) low = middle;
      else high = middle - 1;
    }
    return this.names[low] as string;
  }
}

/**
 * The VALUE lines of a parse. Kept as columns rather than an object per line: what a parse builds
 * survives until it ends, and every young-generation collection on the way copies each surviving
 * object, which cost more than the parsing itself.
 */
export class PendingValues {
  readonly attrs: string[] = [];
  readonly names: string[] = [];
  readonly numbers: number[] = [];
  readonly lines: number[] = [];
  readonly files = new FileRuns();

  /** Adds a line and returns its index. */
  add(attr: string, name: string, val: number, fileName: string, line: number): number {
    const index = this.lines.length;
    this.files.note(index, fileName);
    this.attrs.push(attr);
    this.names.push(name);
    this.numbers.push(val);
    this.lines.push(line);
    return index;
  }
}

/**
 * Replaces each number of `items` (a line of `pending`) by its `val` entry, in place, and returns
 * the array as the parse's entries. A value gets its attribute's vid and id where the attribute
 * is a plain one of this parse (for a TLV, extended or EVS attribute the id alone would be
 * ambiguous, so `attr` says it). Checks byte/short ranges, and drops exact repeats as FreeRADIUS
 * does (dictionary.ascend.illegal has some), with a warning; one name for two numbers is an error.
 * `attributeNamed` finds an attribute of this parse by lower-cased name.
 *
 * One pass over the items with a table per lookup: a forward reference costs no more than a
 * backward one. VALUE lines come in runs for one attribute, so the attribute found for the
 * previous line is reused while the next one names it the same way.
 */
export function settleValues(
  items: (DictionaryEntry | number)[],
  pending: PendingValues,
  attributeNamed: (lowerName: string) => AttributeEntry['attr'] | undefined,
  warnings: ParseWarning[],
): DictionaryEntry[] {
  const { attrs, names, numbers, lines, files } = pending;
  // Repeats are found by (attribute, value name), lower-cased, under the one key
  // `${attribute}:${name}`, as they always have been: an attribute and a value name that contain
  // `:` can meet there (attribute `A:b` value `c` and attribute `A` value `b:c`), and do so in
  // `joined`. Two such keys can only meet when both contain a `:`, so a line without one is looked
  // up in a map per attribute instead, which needs no joined string. Values are line indexes.
  const joined = new Map<string, number>();
  const byAttribute = new Map<string, Map<string, number>>();
  let lastAttr: string | undefined;
  let lastKey = '';
  let keyHasColon = false;
  let seen: Map<string, number> | undefined;
  let attribute: AttributeEntry['attr'] | undefined;
  let valueMax = MAX_UINT32;
  let plain = false;
  let kept = 0;
  for (let position = 0; position < items.length; position += 1) {
    const item = items[position] as DictionaryEntry | number;
    if (typeof item !== 'number') {
      items[kept] = item;
      kept += 1;
      continue;
    }
    const attr = attrs[item] as string;
    const name = names[item] as string;
    const val = numbers[item] as number;
    if (attr !== lastAttr) {
      lastAttr = attr;
      lastKey = attr.toLowerCase();
      keyHasColon = lastKey.includes(':');
      seen = undefined;
      attribute = attributeNamed(lastKey);
      valueMax = attribute ? valueMaxOf(attribute.type) : MAX_UINT32;
      plain = attribute !== undefined && attribute.oid === undefined && attribute.evs === undefined;
    }
    if (attribute && val > valueMax) {
      throw new DictionaryParseError(
        files.at(item),
        lines[item] as number,
        `value ${val} is too large for ${attribute.type} attribute ${attribute.name} (at most ${valueMax})`,
      );
    }
    // Keyed by the attribute's name as the line writes it, as the validator keys `attr`: two aliases
    // of one number may each list the same value (dictionary.altiga and dictionary.cisco.asa do).
    const lowerName = name.toLowerCase();
    let previous: number | undefined;
    if (keyHasColon || lowerName.includes(':')) {
      const key = `${lastKey}:${lowerName}`;
      previous = joined.get(key);
      if (previous === undefined) joined.set(key, item);
    } else {
      if (!seen) {
        seen = byAttribute.get(lastKey);
        if (!seen) {
          seen = new Map();
          byAttribute.set(lastKey, seen);
        }
      }
      previous = seen.get(lowerName);
      if (previous === undefined) seen.set(lowerName, item);
    }
    if (previous !== undefined) {
      const where = `${files.at(previous)} line ${lines[previous]}`;
      if (numbers[previous] !== val) {
        throw new DictionaryParseError(
          files.at(item),
          lines[item] as number,
          `VALUE ${attr} ${name} is already ${numbers[previous]} at ${where}`,
        );
      }
      warnings.push({ fileName: files.at(item), line: lines[item] as number, message: `VALUE ${attr} ${name} repeats ${where}; ignored` });
      continue;
    }
    items[kept] = plain && attribute ? { val: { vid: attribute.vid, id: attribute.id, val, name, attr } } : { val: { val, name, attr } };
    kept += 1;
  }
  items.length = kept;
  // Every number has been replaced by its entry or dropped.
  return items as DictionaryEntry[];
}
