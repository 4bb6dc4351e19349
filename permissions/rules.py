"""Field and type rules: declared next to each schema field or type, printed in the SDL as directives.

``@requires(permission: "...")`` on a field — the caller's role must hold that permission.
``@public`` — any caller who can reach the parent object may read the field (values such
as ``Money.amount`` or ``PageInfo.hasNextPage``).
``@requires(permission: "...")`` on a type — a *type rule*: every selection that reaches an
object of that type needs the permission too, whatever the field's own rule
(``SINGLE_LINES``).

Row scope is not a field rule: it is applied by the sources, in SQL.
"""

from __future__ import annotations

import strawberry
from strawberry.schema_directive import Location

from permissions.roles import Permission


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION, Location.OBJECT],
    name="requires",
    description="The caller's role must hold this permission to select the field, or any field of this type.",
)
class Requires:
    permission: str


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="public",
    description="Readable by every caller who can reach the parent object.",
)
class Public:
    pass


Rule = Requires | Public
PUBLIC = Public()


def requires(permission: Permission) -> Requires:
    return Requires(permission=permission.value)


def rule_permission(rule: Rule) -> Permission | None:
    """The permission a rule demands; None for a public field."""
    return Permission(rule.permission) if isinstance(rule, Requires) else None


# Single lines need line:read: a caller without it (an aggregate-only grant) sees groups of
# lines, never one line. A type rule on each type that lists single lines (the top spenders,
# the anomalies, the savings finder), checked on the document for every selection reaching
# one; applied at run time (``permissions.principal.require_rule``) only where the arguments
# (a report grouped by line) or an event (a line's spending alert) decide.
SINGLE_LINES = requires(Permission.LINE_READ)

# What a spending alert is about -> the rule a caller must obey to hear of it: a line's alert
# shows a single line, a unit's shows the unit's budget.
ALERT_RULES: dict[str, Rule] = {"line": SINGLE_LINES, "unit": requires(Permission.BUDGET_READ)}


# Node type -> the permission needed to fetch such an object by id at all (None: anyone
# whose scope reaches it). Without it the answer is NOT_FOUND, as for a missing object.
TYPE_READ: dict[str, Permission | None] = {
    "Customer": None,
    "OrgUnit": Permission.ORG_READ,
    "Subscriber": rule_permission(SINGLE_LINES),
    "TariffPlan": Permission.CATALOGUE_READ,
    "Service": Permission.CATALOGUE_READ,
    "BillingAccount": Permission.INVOICE_READ,
    "Invoice": Permission.INVOICE_READ,
    "PortalUser": Permission.USER_READ,
    # Rows in view: one's own operations, or every one of one's customers' with audit:read.
    "BulkOperation": None,
    # Service accounts' keys: company-level, like the portal users they belong to.
    "ApiKey": Permission.USER_READ,
}
