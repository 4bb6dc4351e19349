"""Every change a selection of lines can receive, by mutation name.

An action is built from the mutation's input as plain data (the same data that is
fingerprinted, audited and kept with a bulk operation), so a bulk operation resumed after a
restart rebuilds exactly the action it started with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from permissions.roles import Permission
from resolvers.line_actions import PlanChange, ServicesChange, StatusChange
from resolvers.line_changes import LineAction
from resolvers.org_changes import LineMove
from resolvers.policy_changes import PolicyChange


@dataclass(frozen=True, slots=True)
class LineOperation:
    name: str
    permission: Permission
    build: Callable[[dict[str, Any]], LineAction]


def _policy(echo: dict[str, Any]) -> LineAction:
    changes = dict(echo["policy"])
    if changes.get("monthly_limit") is not None:
        changes["monthly_limit"] = Decimal(changes["monthly_limit"])
    return PolicyChange(changes)


LINE_OPERATIONS = {
    operation.name: operation
    for operation in (
        LineOperation(
            "subscriberSuspend", Permission.LINE_WRITE, lambda _: StatusChange("subscriberSuspend", "suspended")
        ),
        LineOperation("subscriberResume", Permission.LINE_WRITE, lambda _: StatusChange("subscriberResume", "active")),
        LineOperation(
            "subscriberServicesAdd",
            Permission.SERVICE_WRITE,
            lambda echo: ServicesChange("subscriberServicesAdd", list(echo["services"]), adding=True),
        ),
        LineOperation(
            "subscriberServicesRemove",
            Permission.SERVICE_WRITE,
            lambda echo: ServicesChange("subscriberServicesRemove", list(echo["services"]), adding=False),
        ),
        LineOperation(
            "subscriberPlanChange",
            Permission.PRODUCT_WRITE,
            lambda echo: PlanChange("subscriberPlanChange", echo["plan"], echo["effective"] == "next_period"),
        ),
        LineOperation("subscriberPolicySet", Permission.POLICY_WRITE, _policy),
        LineOperation("subscriberMove", Permission.LINE_WRITE, lambda echo: LineMove(echo["org_unit"])),
    )
}


def line_action(operation: str, echo: dict[str, Any]) -> LineAction:
    return LINE_OPERATIONS[operation].build(echo)


def permission_for(operation: str) -> Permission:
    return LINE_OPERATIONS[operation].permission
