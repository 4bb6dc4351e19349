// The org tree as the screen holds it: every unit the caller sees (the subtree comes flat, in
// tree order, each unit naming its parent), by id, with its children in order.
import type { OrgUnitFieldsFragment, OrgSubtreeFragment } from "../gql/graphql";

export type Unit = OrgUnitFieldsFragment;

export type Tree = {
  roots: Unit[];
  byId: Map<string, Unit>;
  children: Map<string, Unit[]>;
};

export function treeOf(subtrees: readonly OrgSubtreeFragment[]): Tree {
  const byId = new Map<string, Unit>();
  const children = new Map<string, Unit[]>();
  const roots: Unit[] = [];
  for (const subtree of subtrees) {
    for (const unit of [subtree, ...(subtree.descendants ?? [])]) {
      if (byId.has(unit.id)) continue;
      byId.set(unit.id, unit);
    }
  }
  for (const unit of byId.values()) {
    const parent = unit.parent?.id;
    if (parent !== undefined && byId.has(parent)) children.set(parent, [...(children.get(parent) ?? []), unit]);
    else roots.push(unit);
  }
  return { roots, byId, children };
}

/** The units of the tree in tree order (a parent before its children), with their depth in it. */
export function inOrder(tree: Tree): Unit[] {
  const order: Unit[] = [];
  const visit = (unit: Unit) => {
    order.push(unit);
    for (const child of tree.children.get(unit.id) ?? []) visit(child);
  };
  tree.roots.forEach(visit);
  return order;
}
