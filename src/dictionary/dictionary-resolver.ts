import { SYSTEM_OWNER } from '../aaa/aaa-doc.js';
import type { Store } from '../store/couch.js';
import type { CompiledDictionary, DictionarySource } from '../radius/dictionary/index.js';
import type { DictionaryCompiler } from './dictionary-compiler.js';
import { dictionaryId } from './dictionary-doc.js';

export interface ResolvedList {
  /** The dictionaries, in the order the list names them. */
  sources: DictionarySource[];
  /** Names no visible owner has. */
  missing: string[];
}

/**
 * Turns a server's `dicts` list into dictionaries and a compiled lookup. Each name resolves to the
 * nearest owner that has it: the account itself, then its ancestors, then the system.
 */
export class DictionaryResolver {
  constructor(
    private readonly store: Store,
    private readonly compiler: DictionaryCompiler,
  ) {}

  async resolve(names: readonly string[], ownerChain: readonly string[]): Promise<ResolvedList> {
    const owners = [...new Set([...ownerChain, SYSTEM_OWNER])];
    const candidates = names.flatMap((name) => owners.map((owner) => dictionaryId(owner, name)));
    const found = await this.store.dictionaries.getMany(candidates);
    const sources: DictionarySource[] = [];
    const missing: string[] = [];
    for (const name of names) {
      const doc = owners.map((owner) => found.get(dictionaryId(owner, name))).find((candidate) => candidate !== undefined);
      if (!doc) {
        missing.push(name);
        continue;
      }
      sources.push({ id: doc._id, rev: doc._rev ?? '', name: doc.name, owner: doc.pvt_owner, value: doc.value });
    }
    return { sources, missing };
  }

  /** The compiled lookup for a list, shared with every other user of the same list and revisions. */
  async compile(names: readonly string[], ownerChain: readonly string[]): Promise<{ compiled: CompiledDictionary; missing: string[] }> {
    const { sources, missing } = await this.resolve(names, ownerChain);
    return { compiled: this.compiled(sources), missing };
  }

  compiled(sources: readonly DictionarySource[]): CompiledDictionary {
    return this.compiler.compile(sources);
  }
}
