"""Field rules: declared next to each schema field, printed in the SDL as directives.

``@requires(permission: "...")`` — the caller's role must hold that permission.
``@public`` — any caller who can reach the parent object may read the field (values such
as ``Money.amount`` or ``PageInfo.hasNextPage``).

Row scope is not a field rule: it is applied by the sources, in SQL.
"""

from __future__ import annotations

import strawberry
from strawberry.schema_directive import Location

from permissions.roles import Permission


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="requires",
    description="The caller's role must hold this permission to select the field.",
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


# Node type -> the permission needed to fetch such an object by id at all (None: anyone
# whose scope reaches it). Without it the answer is NOT_FOUND, as for a missing object.
TYPE_READ: dict[str, Permission | None] = {
    "Customer": None,
    "OrgUnit": Permission.ORG_READ,
    "Subscriber": Permission.LINE_READ,
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


def requires(permission: Permission) -> Requires:
    return Requires(permission=permission.value)


def rule_permission(rule: Rule) -> Permission | None:
    """The permission a rule demands; None for a public field."""
    return Permission(rule.permission) if isinstance(rule, Requires) else None
