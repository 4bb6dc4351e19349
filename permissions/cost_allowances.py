"""Cost allowances per role: how many cost points a caller may spend, and how fast they come back.
(Called cost budgets before: "budget" is a unit's money; the old setting names are still read.)

Every principal spends from a bucket of its role's size, and at the same time from its
customer's bucket, shared by all of that company's people. Operator support reads across
customers, and which customer an operation will touch is not known before it runs: the
operator's staff share one "operator" bucket of a customer's size instead.

Defaults: a bucket holds at least the costliest operation the cost limit lets through (100,000),
so anything allowed can run from a full bucket, and refills in 20 seconds. An admin's bucket
holds two such operations, or about forty dashboards (≈ 4,900 each); analysts, who page
through whole companies, get three; employees and aggregate viewers, whose rows are few, one.
A customer's bucket is ten admins' worth.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from infra.throttle import Bucket
from permissions.roles import Role

if TYPE_CHECKING:  # the settings read the allowances without the rules (and strawberry) behind Principal
    from permissions.principal import Principal


@dataclass(frozen=True, slots=True)
class CostAllowance:
    maximum: int
    restore_rate: float  # points a second

    def __post_init__(self) -> None:
        if self.maximum < 1 or not self.restore_rate > 0:
            raise ValueError("a cost allowance needs a maximum of at least 1 and a restore rate above 0")


ROLE_COST_ALLOWANCES: dict[Role, CostAllowance] = {
    Role.CUSTOMER_ADMIN: CostAllowance(200_000, 10_000),
    Role.UNIT_ADMIN: CostAllowance(200_000, 10_000),
    Role.FINANCE: CostAllowance(200_000, 10_000),
    Role.ANALYST: CostAllowance(300_000, 15_000),
    Role.EMPLOYEE: CostAllowance(100_000, 5_000),
    Role.SUPPORT: CostAllowance(200_000, 10_000),
    Role.AGGREGATE_VIEWER: CostAllowance(100_000, 5_000),
}
CUSTOMER_COST_ALLOWANCE = CostAllowance(2_000_000, 100_000)


@dataclass(frozen=True, slots=True)
class CostAllowances:
    roles: Mapping[Role, CostAllowance] = field(default_factory=lambda: dict(ROLE_COST_ALLOWANCES))
    customer: CostAllowance = CUSTOMER_COST_ALLOWANCE

    def buckets(self, principal: Principal) -> tuple[Bucket, Bucket]:
        """The principal's bucket and its customer's (the operator's, for operator support)."""
        own = self.roles.get(principal.role) or ROLE_COST_ALLOWANCES[principal.role]
        # The braces are a Redis Cluster hash tag: both buckets live in one slot, so one script
        # can charge them together.
        group = "{operator}" if principal.customer_id is None else f"{{customer:{principal.customer_id}}}"
        return (
            Bucket(f"{group}:user:{principal.user_id}", own.maximum, own.restore_rate),
            Bucket(group, self.customer.maximum, self.customer.restore_rate),
        )


__all__ = ["CUSTOMER_COST_ALLOWANCE", "ROLE_COST_ALLOWANCES", "CostAllowance", "CostAllowances"]
