"""A line: the employee's SIM and number, its products, allowances, spending and usage."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

import strawberry

from core.crm_records import SubscriberRecord
from core.values import add_months, aware
from loaders import UsageFilter, UsagePageKey
from loaders.cursors import PageArgs, span_of
from loaders.org import OrgUnitByIdLoader
from loaders.spending import (
    PolicyBySubscriberLoader,
    SpendingBySubscriberMonthLoader,
    SpendingPerCurrencyBySubscriberMonthLoader,
)
from loaders.subscriber import (
    BundleBalancesBySubscriberIdLoader,
    BundleByIdLoader,
    ScheduledPlanBySubscriberIdLoader,
    ServicesBySubscriberIdLoader,
    TariffPlanBySubscriberIdLoader,
)
from loaders.usage import KEYSET, UsageBySubscriberLoader
from permissions.roles import Permission as P
from permissions.rules import PUBLIC, requires
from request.context import Info
from resolvers.entities import entity
from resolvers.service_choices import service_choices
from schema.catalogue import Bundle, Service, TariffPlan
from schema.common import Connection, Money, Node, shown_as
from schema.enums import UNIT_OF_KIND, LineStatus, QuantityUnit, UsageKind
from schema.fields import field, global_id, instances_of, related, resolved
from schema.org_unit import OrgUnit
from schema.scalars import Month
from schema.spending import EffectivePolicy, Spending

LINE = requires(P.LINE_READ)
PERSONAL = requires(P.PERSONAL_READ)
PRODUCT = requires(P.PRODUCT_READ)
USAGE_PAGE_MAX = 500


def _unit(root: Any) -> QuantityUnit:
    return UNIT_OF_KIND[root.kind]


def _remaining(root: Any) -> int:
    return root.remaining


@strawberry.type(description="A service active on a line, at the fee this line pays.")
class ActiveService:
    service: Service = field(PRODUCT)
    activated_on: date = field(PRODUCT)
    monthly_fee: Money = field(PRODUCT)


@strawberry.type(
    description="The services a line may change now, each on its own, by the checks the mutations make: the "
    "line's status and the policy in force (roaming, the content filter it asks for, services that exclude "
    "each other)."
)
class ServiceChoices:
    add: list[Service] = field(PRODUCT, description="Services it lacks that `subscriberServicesAdd` would add.")
    remove: list[Service] = field(
        PRODUCT, description="Services it holds that `subscriberServicesRemove` would take off."
    )


@strawberry.type(description="A tariff plan change waiting for the start of a billing month.")
class ScheduledPlanChange:
    plan: TariffPlan = field(PRODUCT)
    effective_from: date = field(PRODUCT)


@strawberry.type(description="Use of one allowance in the current billing month.")
class BundleBalance:
    period: Month = field(PRODUCT)
    kind: UsageKind = field(PRODUCT)
    unit: QuantityUnit = resolved(PRODUCT, _unit)
    allowance: int = field(PRODUCT)
    used: int = field(PRODUCT)
    remaining: int = resolved(PRODUCT, _remaining)
    bundle: Bundle = related(BundleByIdLoader, "bundle_id", PRODUCT)


@strawberry.type(description="One rated event: a call, messages or a data session.")
class UsageRecord:
    started_at: datetime = field(PUBLIC)
    period: Month = field(PUBLIC)
    kind: UsageKind = field(PUBLIC)
    quantity: int = field(PUBLIC)
    unit: QuantityUnit = resolved(PUBLIC, _unit)
    destination: str = field(PUBLIC)
    amount: Money = field(PUBLIC, description="Rated amount; zero when inside an allowance.")


def _spending_key(root: SubscriberRecord, month: Month | None = None) -> tuple[Any, ...]:
    return (root.id, month, root.currency, root.org_path)


def _policy_key(root: SubscriberRecord) -> tuple[int, str, str]:
    return (root.id, root.org_path, root.currency)


def _usage_key(
    root: SubscriberRecord,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    month: Annotated[Month | None, strawberry.argument(description="Only this billing month.")] = None,
    since: Annotated[datetime | None, strawberry.argument(description="Started at or after.")] = None,
    until: Annotated[datetime | None, strawberry.argument(description="Started before.")] = None,
    kinds: list[UsageKind] | None = None,
) -> UsagePageKey:
    span = span_of(KEYSET, PageArgs(first, after, last, before), default=50, maximum=USAGE_PAGE_MAX)
    since, until = since and aware(since), until and aware(until)
    if month is not None:
        start = datetime.combine(month, time(), UTC)
        since = max(since, start) if since else start
        end = datetime.combine(add_months(month, 1), time(), UTC)
        until = min(until, end) if until else end
    kept = tuple(sorted(kind.value for kind in kinds or ()))
    return UsagePageKey(UsageFilter(root.id, since, until, kept), span)


@strawberry.type(description="An employee's mobile line.")
class Subscriber(Node):
    id: strawberry.ID = global_id("Subscriber", PUBLIC)
    msisdn: str = field(PERSONAL, description="The phone number, E.164.")
    employee_name: str = field(PERSONAL)
    email: str | None = field(PERSONAL)
    iccid: str = field(PERSONAL, description="The SIM card's serial number.")
    imsi: str = field(PERSONAL)
    position: str | None = field(LINE)
    device: str | None = field(LINE)
    status: LineStatus = field(LINE)
    activated_on: date = field(LINE)
    org_unit: OrgUnit | None = related(OrgUnitByIdLoader, "org_unit_id", requires(P.ORG_READ))
    tariff_plan: TariffPlan | None = related(TariffPlanBySubscriberIdLoader, "id", PRODUCT)
    scheduled_plan_change: ScheduledPlanChange | None = related(ScheduledPlanBySubscriberIdLoader, "id", PRODUCT)
    services: list[ActiveService] | None = related(ServicesBySubscriberIdLoader, "id", PRODUCT)
    bundles: list[BundleBalance] | None = related(BundleBalancesBySubscriberIdLoader, "id", PRODUCT)
    spending: Spending | None = related(
        SpendingBySubscriberMonthLoader,
        _spending_key,
        requires(P.SPENDING_READ),
        description="The current month by default. Null with MIXED_CURRENCIES when the line was charged in more "
        "than one currency in the month (it moved between billing accounts): ask spendingByCurrency.",
    )
    spending_by_currency: list[Spending] | None = related(
        SpendingPerCurrencyBySubscriberMonthLoader,
        _spending_key,
        requires(P.SPENDING_READ),
        description="The same charges as `spending`, one entry per currency the line was charged in, in currency "
        "order; empty when nothing was charged. Amounts in two currencies are never added.",
    )
    effective_policy: EffectivePolicy | None = related(PolicyBySubscriberLoader, _policy_key, requires(P.POLICY_READ))

    @strawberry.field(
        directives=[PRODUCT],
        description="What services the line may add or remove now: a front end offers these and no others.",
    )
    async def service_choices(root: SubscriberRecord, info: Info) -> ServiceChoices | None:
        return shown_as(ServiceChoices, await service_choices(info, root))

    usage: Connection[UsageRecord] | None = related(
        UsageBySubscriberLoader,
        _usage_key,
        requires(P.USAGE_READ),
        description=f"Itemised usage, newest first: `first`/`after` or `last`/`before`, at most {USAGE_PAGE_MAX} "
        "a page.",
    )

    is_type_of = instances_of(SubscriberRecord)

    @classmethod
    def resolve_reference(cls, info: Info, global_id: object) -> Awaitable[SubscriberRecord | None]:
        """Federation: the line with this global id, or None as for a missing one (``resolvers/entities.py``)."""
        return entity(info.context, "Subscriber", global_id)
