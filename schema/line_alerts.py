"""Lines that stand out: top spenders and spending anomalies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from loaders.subscriber import SubscriberByIdLoader
from permissions.roles import Permission as P
from permissions.rules import SINGLE_LINES, requires
from resolvers.line_alerts import Anomalies as AnomaliesValue
from schema.common import Money, shown_as
from schema.enums import LimitAction
from schema.fields import field, related
from schema.scalars import Month
from schema.subscriber import Subscriber

SPENDING = requires(P.SPENDING_READ)


@strawberry.type(description="A line's spending in the period, ranked.")
class TopSpender:
    rank: int = field(SPENDING)
    line: Subscriber | None = related(SubscriberByIdLoader, "line_id", SPENDING)
    total: Money = field(SPENDING)
    company_share: Money = field(SPENDING)
    employee_share: Money = field(SPENDING)


@strawberry.type(
    description="The lines that spent most in a period, among the lines you may see.", directives=[SINGLE_LINES]
)
class TopSpenders:
    first: Month = field(SPENDING, name="from")
    last: Month = field(SPENDING, name="to")
    as_of: datetime = field(SPENDING)
    lines: list[TopSpender] = field(SPENDING)


@strawberry.type(description="A line whose month's charges exceed the monthly limit in force.")
class LineOverLimit:
    line: Subscriber | None = related(SubscriberByIdLoader, "line_id", SPENDING)
    spent: Money = field(SPENDING, description="The month's usage charges: what a limit counts (never fees).")
    limit: Money = field(SPENDING)
    limit_action: LimitAction = field(SPENDING, description="What the policy does at the limit.")


@strawberry.type(description="A line whose charges grew past the threshold against earlier months.")
class LineGrowth:
    line: Subscriber | None = related(SubscriberByIdLoader, "line_id", SPENDING)
    current: Money = field(SPENDING, description="This month.")
    earlier: Money = field(SPENDING, description="The earlier months' average.")
    growth_percent: Decimal | None = field(SPENDING, description="Null when there was nothing earlier.")


@strawberry.type(description="Lines that stand out in a month, among the lines you may see.", directives=[SINGLE_LINES])
class SpendingAnomalies:
    month: Month = field(SPENDING)
    as_of: datetime = field(SPENDING)

    @strawberry.field(
        directives=[SPENDING], description="Charges above the monthly limit in force, largest excess first."
    )
    async def over_limit(root: AnomaliesValue) -> list[LineOverLimit]:
        return shown_as(list[LineOverLimit], await root.over_limit())

    @strawberry.field(
        directives=[SPENDING],
        description="Lines whose charges grew by more than `percent` on the previous month.",
    )
    async def growth(root: AnomaliesValue, percent: int = 50) -> list[LineGrowth]:
        return shown_as(list[LineGrowth], await root.grown(percent))

    @strawberry.field(
        directives=[SPENDING],
        description="Roaming charges in `currency` (the company's when not given) of at least `minimum` (stated "
        "in that currency, with its decimals) and more than `factor` times the average of the three months "
        "before. Lines billed in another currency are left out: amounts are never converted.",
    )
    async def roaming_spikes(
        root: AnomaliesValue,
        factor: int = 3,
        minimum: Decimal = Decimal("20.00"),
        currency: str | None = None,
    ) -> list[LineGrowth]:
        return shown_as(list[LineGrowth], await root.roaming_spikes(factor, minimum, currency))
