// The org tree as a flat list in tree order (each unit with its depth), to pick a unit from, and
// the roles a company admin may give from this screen (an employee needs a line, support is the
// operator's: neither is given here).
import type { AccessQuery, Role } from "../gql/graphql";

export type Unit = { id: string; name: string; depth: number };
export type AccessUser = NonNullable<AccessQuery["portalUsers"]>[number];

export const GIVEN_ROLES: readonly Role[] = ["CUSTOMER_ADMIN", "UNIT_ADMIN", "FINANCE", "ANALYST", "AGGREGATE_VIEWER"];

export function unitsOf(data: AccessQuery | undefined): Unit[] {
  const root = data?.customer?.orgRoot;
  if (!root) return [];
  return [root, ...(root.descendants ?? [])].map((unit) => ({
    id: unit.id,
    name: unit.name ?? unit.id,
    depth: unit.depth ?? 0,
  }));
}

/** A unit's name indented by its depth, for a <select>'s option. */
export function indented(unit: Unit): string {
  return `${"\u00a0\u00a0".repeat(unit.depth)}${unit.name}`;
}
