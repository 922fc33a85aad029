import type { AccountDoc } from './account-doc.js';

/** An account's place in a tree answer: Crossbar's `{id, name}`, with the accounts below it. */
export interface AccountTreeNode {
  id: string;
  name: string;
  children: AccountTreeNode[];
}

/** Crossbar's `{id, name}` of an account. */
export interface AccountName {
  id: string;
  name: string;
}

/**
 * The ancestors (of an account whose tree, root first, is `tree`) a viewer may see: from the
 * viewer's own account down, or all of them when `viewerId` is undefined (the superduper admin).
 * A viewer that is not among them (the account itself) sees none: nothing above its own account.
 */
export function ancestorsVisibleTo(tree: readonly string[], viewerId: string | undefined): string[] {
  if (viewerId === undefined) return [...tree];
  const at = tree.indexOf(viewerId);
  return at === -1 ? [] : tree.slice(at);
}

/**
 * The descendants of `rootId` nested under their parents (each's last `pvt_tree` entry), in the
 * order given. One whose parent is not among them (a listing that raced a move or delete) is
 * hung under the nearest ancestor that is, so no account is lost from the answer.
 */
export function nestDescendants(rootId: string, descendants: readonly AccountDoc[]): AccountTreeNode[] {
  const nodes = new Map<string, AccountTreeNode>();
  for (const doc of descendants) nodes.set(doc._id, { id: doc._id, name: doc.name, children: [] });
  const top: AccountTreeNode[] = [];
  for (const doc of descendants) {
    const node = nodes.get(doc._id) as AccountTreeNode;
    const below = doc.pvt_tree.slice(doc.pvt_tree.indexOf(rootId) + 1);
    const parentId = [...below].reverse().find((id) => nodes.has(id));
    (parentId === undefined ? top : (nodes.get(parentId) as AccountTreeNode).children).push(node);
  }
  return top;
}
