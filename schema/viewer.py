"""The caller: who they are, what they may do, and over which part of the company."""

from __future__ import annotations

import strawberry

from loaders.org import CustomerByIdLoader, OrgUnitByIdLoader
from loaders.subscriber import SubscriberByIdLoader
from permissions.principal import Principal
from permissions.roles import Permission as P
from permissions.roles import Role as RoleValue
from permissions.rules import PUBLIC, requires
from schema.customer import Customer
from schema.fields import field, instances_of, related, resolved
from schema.org_unit import OrgUnit
from schema.subscriber import Subscriber

Role = strawberry.enum(RoleValue, name="Role", description="A portal user's role.")


def _permissions(root: Principal) -> list[str]:
    return sorted(permission.value for permission in root.permissions)


def _scope(root: Principal) -> Principal:
    return root


def _whole_company(root: Principal) -> bool:
    return root.customer_id is not None and root.scope.covers_customer(root.customer_id)


def _all_customers(root: Principal) -> bool:
    return root.scope.customer_ids is None


@strawberry.type(description="The part of the company the caller may see and act on.")
class ViewerScope:
    all_customers: bool = resolved(PUBLIC, _all_customers, description="Operator staff: every customer.")
    whole_company: bool = resolved(PUBLIC, _whole_company)
    units: list[OrgUnit] = related(
        OrgUnitByIdLoader, "scope_unit_ids", requires(P.ORG_READ), many=True, description="Granted subtrees, if any."
    )
    line: Subscriber | None = related(
        SubscriberByIdLoader, "subscriber_id", PUBLIC, description="An employee's own line."
    )


@strawberry.type(description="The signed-in portal user or service account.")
class Viewer:
    login: str = field(PUBLIC)
    name: str = field(PUBLIC)
    role: Role = field(PUBLIC)  # type: ignore[valid-type]
    permissions: list[str] = resolved(PUBLIC, _permissions)
    customer: Customer | None = related(CustomerByIdLoader, "customer_id", PUBLIC)
    scope: ViewerScope = resolved(PUBLIC, _scope)

    is_type_of = instances_of(Principal)
