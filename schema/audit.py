"""The audit trail, as customer admins and operator support read it."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from loaders.org import CustomerByIdLoader
from permissions.roles import Permission as P
from permissions.rules import requires
from resolvers.audit import AuditFilterArgs
from schema.customer import Customer
from schema.fields import field, related

AUDIT = requires(P.AUDIT_READ)


@strawberry.type(description="Who did (or tried) what, on behalf of which customer, with which result.")
class AuditRecord:
    at: datetime = field(AUDIT)
    request_id: str = field(AUDIT)
    login: str = field(AUDIT, description="The acting portal user.")
    role: str = field(AUDIT)
    customer: Customer | None = related(CustomerByIdLoader, "customer_id", AUDIT)
    action: str = field(AUDIT, description="The mutation, or graphql.read / graphql.mutation.")
    outcome: str = field(
        AUDIT,
        description="allowed or denied; pending while a change is under way (its intent, recorded before it "
        "touches anything); interrupted when it stopped midway — detail then says, per line, what was written.",
    )
    detail: JSON = field(AUDIT, description="Input, per-target results with before and after values.")


@strawberry.input
class AuditFilter:
    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = strawberry.field(default=None, description="A portal user's login.")
    action: str | None = None
    target: strawberry.ID | None = strawberry.field(default=None, description="Records that touched this object.")
    outcome: str | None = strawberry.field(
        default=None, description="allowed, denied (refused attempts), pending or interrupted."
    )
    customer: strawberry.ID | None = strawberry.field(
        default=None, description="Operator staff: that company's records only."
    )


def filter_args(given: AuditFilter | None) -> AuditFilterArgs:
    given = given or AuditFilter()
    return AuditFilterArgs(
        given.since, given.until, given.actor, given.action, given.target, given.outcome, given.customer
    )
