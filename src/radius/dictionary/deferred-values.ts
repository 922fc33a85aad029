/**
 * The VALUE entries of a compile, put into their attribute's tables when that attribute's values
 * are first asked for. A list of thousands of attributes has values for a few hundred of them,
 * and a request asks for a handful: building every table at compile time was a third of a cold
 * compile, and a tenant's unused value tables were a fifth of what its compiled dictionary kept.
 *
 * Which attribute (number) a VALUE belongs to is decided at compile time, as before: only the
 * claiming (which line wins a name or number, and which lines lose) waits. Claims are made in line
 * order per number, and the conflicts of values are reported in line order over the whole list,
 * so a list's answers and conflicts are the same whether and in which order its tables were built.
 */
import { type Loss, valueConflict } from './conflicts.js';
import type { ValueEntry } from './entries.js';
import type { DictionaryOrigin } from './model.js';
import type { ValueRecord } from './records.js';
import { type CodeNode, type ValueClaims, ValueTable, setNamed } from './tables.js';

/** A value's place in the list: dictionary index, then entry index (entries per dictionary stay far below 2^32). */
function positionOf(dictIndex: number, line: number): number {
  return dictIndex * 0x1_0000_0000 + line;
}

interface ValueLoss extends Loss {
  readonly position: number;
}

export class DeferredValues implements ValueClaims {
  readonly #dictionaries: readonly DictionaryOrigin[];
  /** Nodes with values not yet claimed, in the order they got their first. */
  #waiting: CodeNode[] = [];
  readonly #losses: ValueLoss[] = [];
  #count = 0;

  constructor(dictionaries: readonly DictionaryOrigin[]) {
    this.#dictionaries = dictionaries;
  }

  add(node: CodeNode, entry: ValueEntry['val'], dictIndex: number, line: number): void {
    let pending = node.pendingValues;
    if (pending === undefined) {
      pending = node.pendingValues = { entries: [], positions: [] };
      this.#waiting.push(node);
    }
    pending.entries.push(entry);
    pending.positions.push(positionOf(dictIndex, line));
  }

  /** The node's values, its table built now if it has values waiting. */
  tableOf(node: CodeNode): ValueTable | undefined {
    if (node.pendingValues !== undefined) this.#claim(node);
    return node.values;
  }

  /** Distinct (number, value name) pairs; builds every table. */
  count(): number {
    this.#claimAll();
    return this.#count;
  }

  /** The lines that lost a value name or number to an earlier dictionary, in line order; builds every table. */
  losses(): readonly Loss[] {
    this.#claimAll();
    return this.#losses.sort((a, b) => a.position - b.position);
  }

  #claimAll(): void {
    for (const node of this.#waiting) if (node.pendingValues !== undefined) this.#claim(node);
    this.#waiting = [];
  }

  #claim(node: CodeNode): void {
    const pending = node.pendingValues;
    // Only nodes with an attribute get values (`add` is called for those only).
    if (pending === undefined || node.record === undefined) return;
    node.pendingValues = undefined;
    const table = (node.values ??= new ValueTable());
    const { entries, positions } = pending;
    for (let index = 0; index < entries.length; index += 1) {
      const { val, name } = entries[index] as ValueEntry['val'];
      const position = positions[index] as number;
      const dictIndex = Math.floor(position / 0x1_0000_0000);
      this.#claimValue(
        node,
        table,
        { name, lowerName: name.toLowerCase(), value: val, dictIndex, line: position % 0x1_0000_0000 },
        position,
      );
    }
  }

  #claimValue(node: CodeNode, table: ValueTable, record: ValueRecord, position: number): void {
    const byName = table.byName.get(record.lowerName);
    if (byName === undefined || byName.dictIndex === record.dictIndex) {
      if (byName === undefined) this.#count += 1;
      setNamed(table.byName, record.lowerName, record.name, record, byName?.name);
    } else {
      this.#losses.push(this.#loss(node, table.byName, record.lowerName, byName, record, position, 'value-name'));
    }
    const byNumber = table.byNumber.get(record.value);
    if (byNumber === undefined || byNumber.dictIndex === record.dictIndex) {
      // Within one dictionary the later name is printed (FreeRADIUS: "prefer the new name").
      table.byNumber.set(record.value, record);
    } else {
      this.#losses.push(this.#loss(node, table.byNumber, record.value, byNumber, record, position, 'value-number'));
    }
  }

  #loss(
    node: CodeNode,
    slot: object,
    key: string | number,
    winner: ValueRecord,
    loser: ValueRecord,
    position: number,
    kind: 'value-name' | 'value-number',
  ): ValueLoss {
    const dictionaries = this.#dictionaries;
    const same = kind === 'value-name' ? winner.value === loser.value : winner.lowerName === loser.lowerName;
    return {
      slot,
      key,
      dictIndex: loser.dictIndex,
      position,
      judge: () =>
        same || node.record === undefined ? undefined : valueConflict(kind, node.record.attribute, winner, loser, dictionaries),
    };
  }
}
