/**
 * The layering of `src`, as rules over import edges:
 *
 *   http → domain (aaa, accounts, dictionary) → store;   domain → radius;   radius → nothing of ours
 *
 * - `src/radius` is a package of its own: it imports only its own files and `node:` built-ins,
 *   so it can be lifted out as a library (no npm packages either).
 * - A lower layer never imports a higher one: store never imports domain or http, domain never
 *   imports http. `shared` (errors, log, schema, ...) is below store, `config` between domain and
 *   http, and the composition root (`service.ts`, `main.ts`, the CLI) above everything.
 * - No import cycles inside `src/radius`, type-only ones included.
 */
import type { ImportEdge } from './import-graph.js';

export type Layer = 'radius' | 'shared' | 'store' | 'domain' | 'config' | 'http' | 'root';

/**
 * Higher may import lower (and its own layer); never the reverse. `radius` has its own, stricter
 * rule. `config` reads the environment with the domain's own parsers, and http reads the config.
 */
const RANK: Readonly<Record<Layer, number>> = { radius: 0, shared: 1, store: 2, domain: 3, config: 4, http: 5, root: 6 };

const ROOT = ['src/service.ts', 'src/main.ts', 'src/cluster.ts', 'src/cli.ts', 'src/cli/'];
/** Directories of shared helpers; every other directory of src is a domain module (aaa, accounts, dictionary, ...). */
const SHARED_DIRECTORIES = ['src/schema/', 'src/types/', 'src/errors/'];

export function layerOf(file: string): Layer {
  if (file.startsWith('src/radius/')) return 'radius';
  if (file.startsWith('src/store/')) return 'store';
  if (file.startsWith('src/http/')) return 'http';
  if (file === 'src/config.ts') return 'config';
  if (ROOT.some((prefix) => file === prefix || (prefix.endsWith('/') && file.startsWith(prefix)))) return 'root';
  if (SHARED_DIRECTORIES.some((prefix) => file.startsWith(prefix))) return 'shared';
  // A file directly in src (errors.ts, log.ts, ...) is shared; a directory is a domain module.
  return file.slice('src/'.length).includes('/') ? 'domain' : 'shared';
}

/**
 * Edges that break the layering today and are owned by other work: each is listed so that no new
 * one can appear unnoticed. Remove an entry when its edge goes (the test says so).
 */
export const KNOWN_EXCEPTIONS: ReadonlyMap<string, string> = new Map([
  // The store types its databases and mirrors with the domain's document shapes (type only).
  ['src/store/couch.ts -> src/accounts/account-doc.ts', 'store typed with a domain document'],
  ['src/store/couch.ts -> src/aaa/aaa-doc.ts', 'store typed with a domain document'],
  ['src/store/couch.ts -> src/dictionary/dictionary-doc.ts', 'store typed with a domain document'],
  ['src/store/store-cache.ts -> src/accounts/account-doc.ts', 'store typed with a domain document'],
  ['src/store/store-cache.ts -> src/aaa/aaa-doc.ts', 'store typed with a domain document'],
  ['src/store/store-cache.ts -> src/dictionary/dictionary-doc.ts', 'store typed with a domain document'],
]);

export function edgeKey(edge: ImportEdge): string {
  return `${edge.from} -> ${edge.to}`;
}

/** Why an edge breaks the layering, or undefined if it does not. */
export function violation(edge: ImportEdge): string | undefined {
  const from = layerOf(edge.from);
  if (from === 'radius') {
    if (edge.external) return edge.to.startsWith('node:') ? undefined : `src/radius imports the package ${edge.to} (only node: built-ins)`;
    return edge.to.startsWith('src/radius/') ? undefined : `src/radius imports ${edge.to}, outside itself`;
  }
  if (edge.external) return undefined;
  const to = layerOf(edge.to);
  if (RANK[to] > RANK[from]) return `${from} imports ${to} (${edge.to}): a lower layer imports a higher one`;
  return undefined;
}

/** Import cycles among the given files, each as the list of files around it. */
export function cycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    if (edge.external) continue;
    next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  }
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const target of next.get(file) ?? []) {
      if (state.get(target) === 'open') found.push([...stack.slice(stack.indexOf(target)), target]);
      else if (state.get(target) === undefined) visit(target);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of next.keys()) if (state.get(file) === undefined) visit(file);
  return found;
}
