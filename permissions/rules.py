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


def requires(permission: Permission) -> Requires:
    return Requires(permission=permission.value)


def rule_permission(rule: Rule) -> Permission | None:
    """The permission a rule demands; None for a public field."""
    return Permission(rule.permission) if isinstance(rule, Requires) else None
