"""What a portal hears as usage arrives: spending alerts (a line's balances reuse BundleBalance)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from loaders.org import OrgUnitByIdLoader
from loaders.subscriber import SubscriberByIdLoader
from permissions.roles import Permission as P
from permissions.rules import requires
from schema.common import Money
from schema.enums import SpendingAlertKind, SpendingAlertSubject
from schema.fields import field, related
from schema.org_unit import OrgUnit
from schema.scalars import Month
from schema.subscriber import Subscriber

SPENDING = requires(P.SPENDING_READ)


@strawberry.type(
    description="A line's month usage charges reached 80 % or 100 % of its monthly limit, or the charges of a "
    "unit's lines reached 80 % or 100 % of the unit's monthly budget; or a line's limit action took effect "
    "(see kind)."
)
class SpendingAlert:
    subject: SpendingAlertSubject = field(SPENDING)
    kind: SpendingAlertKind = field(SPENDING)
    threshold: int = field(SPENDING, description="The percentage of the limit or budget reached: 80 or 100.")
    line: Subscriber | None = related(SubscriberByIdLoader, "line_id", SPENDING, description="For a line's alert.")
    org_unit: OrgUnit | None = related(OrgUnitByIdLoader, "org_unit_id", SPENDING, description="For a unit's alert.")
    month: Month = field(SPENDING)
    spent: Money | None = field(
        SPENDING,
        description="Charges this month when the threshold was reached; null for callers who see only groups "
        "of lines (without line:read), whose figures are sums of whole groups (see spendingReport).",
    )
    limit: Money = field(SPENDING, description="The line's monthly limit, or the unit's monthly budget.")
    at: datetime = field(SPENDING)
