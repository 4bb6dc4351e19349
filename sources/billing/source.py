"""Batched reads from billing: one statement per call, sums computed by the database.

Billing knows lines only by id. Row scope reaches it as the ids of lines the CRM already
returned within scope, or, for company-level documents (accounts, invoices), as the scope
itself, applied by ``company_predicate``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Date, Integer, String, and_, bindparam, cast, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY

from sources.billing.models import (
    BillingAccount,
    Bundle,
    BundleBalance,
    DailyCharge,
    Invoice,
    InvoiceLine,
    LineProduct,
    LineService,
    PlanBundle,
    ScheduledPlanChange,
    Service,
    SpendingPolicy,
    TariffPlan,
    UsageRecord,
)
from sources.billing.records import (
    BillingAccountRecord,
    BundleBalanceRecord,
    BundleRecord,
    CategoryAmount,
    InvoiceRecord,
    InvoiceSubscriberTotal,
    LineServiceRecord,
    PolicyRecord,
    ScheduledPlanRecord,
    ServiceRecord,
    SpendingRecord,
    TariffPlanRecord,
    UsageRecordRow,
)
from sources.db import SqlSource, key_in
from sources.errors import MixedCurrencies, one_currency
from sources.keyset import Span, bounds, reading_order
from sources.scope import RowScope, company_predicate
from sources.values import Money, aware

ACCOUNT_COLUMNS = (
    BillingAccount.id,
    BillingAccount.customer_id,
    BillingAccount.number,
    BillingAccount.name,
    BillingAccount.currency,
    BillingAccount.payment_terms_days,
)
PLAN_COLUMNS = (TariffPlan.id, TariffPlan.code, TariffPlan.name, TariffPlan.monthly_fee_minor, TariffPlan.currency)
SERVICE_COLUMNS = (
    Service.id,
    Service.code,
    Service.name,
    Service.kind,
    Service.monthly_fee_minor,
    Service.currency,
    Service.bundle_id,
    Service.exclusion_group,
    Service.filter_level,
)
POLICY_COLUMNS = (
    SpendingPolicy.org_unit_id,
    SpendingPolicy.subscriber_id,
    SpendingPolicy.monthly_limit_minor,
    SpendingPolicy.limit_action,
    SpendingPolicy.company_share_percent,
    SpendingPolicy.content_filter,
    SpendingPolicy.roaming_allowed,
    SpendingPolicy.valid_from,
    SpendingPolicy.valid_to,
)
INVOICE_COLUMNS = (
    Invoice.id,
    Invoice.billing_account_id,
    Invoice.customer_id,
    Invoice.number,
    Invoice.period,
    Invoice.issued_on,
    Invoice.due_on,
    Invoice.status,
    Invoice.total_minor,
    Invoice.currency,
    Invoice.company_share_minor,
    Invoice.employee_share_minor,
)


def _plan(row: Any) -> TariffPlanRecord:
    return TariffPlanRecord(row.id, row.code, row.name, Money.from_minor(row.monthly_fee_minor, row.currency))


def _service(row: Any) -> ServiceRecord:
    fee = Money.from_minor(row.monthly_fee_minor, row.currency)
    return ServiceRecord(
        row.id, row.code, row.name, row.kind, fee, row.bundle_id, row.exclusion_group, row.filter_level
    )


def _policy(row: Any) -> PolicyRecord:
    valid_to = None if row.valid_to is None else aware(row.valid_to)
    return PolicyRecord(
        org_unit_id=row.org_unit_id,
        subscriber_id=row.subscriber_id,
        monthly_limit_minor=row.monthly_limit_minor,
        limit_action=row.limit_action,
        company_share_percent=row.company_share_percent,
        content_filter=row.content_filter,
        roaming_allowed=row.roaming_allowed,
        valid_from=aware(row.valid_from),
        valid_to=valid_to,
    )


def in_force_at(at: datetime | None) -> ColumnElement[bool]:
    """Policy rows in force at ``at``; None: in force now (the open ones)."""
    if at is None:
        return SpendingPolicy.valid_to.is_(None)
    return and_(SpendingPolicy.valid_from <= at, or_(SpendingPolicy.valid_to.is_(None), SpendingPolicy.valid_to > at))


def _invoice(row: Any) -> InvoiceRecord:
    return InvoiceRecord(
        id=row.id,
        billing_account_id=row.billing_account_id,
        customer_id=row.customer_id,
        number=row.number,
        period=row.period,
        issued_on=row.issued_on,
        due_on=row.due_on,
        status=row.status,
        total=Money.from_minor(row.total_minor, row.currency),
        company_share=Money.from_minor(row.company_share_minor, row.currency),
        employee_share=Money.from_minor(row.employee_share_minor, row.currency),
    )


class BillingSource(SqlSource):
    # accounts and catalogue -----------------------------------------------------------

    async def accounts_by_customer_ids(
        self, customer_ids: Sequence[int], scope: RowScope
    ) -> list[BillingAccountRecord]:
        statement = (
            select(*ACCOUNT_COLUMNS)
            .where(
                key_in(BillingAccount.customer_id, customer_ids, self.dialect),
                company_predicate(scope, BillingAccount.customer_id),
            )
            .order_by(BillingAccount.number)
        )
        return [BillingAccountRecord(*row) for row in await self._rows(statement)]

    async def accounts_by_ids(self, ids: Sequence[int], scope: RowScope) -> list[BillingAccountRecord]:
        statement = select(*ACCOUNT_COLUMNS).where(
            key_in(BillingAccount.id, ids, self.dialect), company_predicate(scope, BillingAccount.customer_id)
        )
        return [BillingAccountRecord(*row) for row in await self._rows(statement)]

    async def plans(self, ids: Sequence[int] | None = None) -> list[TariffPlanRecord]:
        statement = select(*PLAN_COLUMNS).order_by(TariffPlan.monthly_fee_minor, TariffPlan.id)
        if ids is not None:
            statement = statement.where(key_in(TariffPlan.id, ids, self.dialect))
        return [_plan(row) for row in await self._rows(statement)]

    async def services(self, ids: Sequence[int] | None = None) -> list[ServiceRecord]:
        statement = select(*SERVICE_COLUMNS).order_by(Service.kind, Service.name)
        if ids is not None:
            statement = statement.where(key_in(Service.id, ids, self.dialect))
        return [_service(row) for row in await self._rows(statement)]

    async def bundles_by_plan_ids(self, plan_ids: Sequence[int]) -> list[tuple[int, BundleRecord]]:
        statement = (
            select(PlanBundle.plan_id, Bundle.id, Bundle.code, Bundle.name, Bundle.kind, Bundle.allowance)
            .join(Bundle, Bundle.id == PlanBundle.bundle_id)
            .where(key_in(PlanBundle.plan_id, plan_ids, self.dialect))
            .order_by(Bundle.kind, Bundle.id)
        )
        return [(row[0], BundleRecord(*row[1:])) for row in await self._rows(statement)]

    async def bundles_by_ids(self, ids: Sequence[int]) -> list[BundleRecord]:
        statement = select(Bundle.id, Bundle.code, Bundle.name, Bundle.kind, Bundle.allowance).where(
            key_in(Bundle.id, ids, self.dialect)
        )
        return [BundleRecord(*row) for row in await self._rows(statement)]

    # a line's products ---------------------------------------------------------------

    async def plans_by_subscriber_ids(self, subscriber_ids: Sequence[int]) -> list[tuple[int, TariffPlanRecord]]:
        statement = (
            select(LineProduct.subscriber_id, *PLAN_COLUMNS)
            .join(TariffPlan, TariffPlan.id == LineProduct.plan_id)
            .where(key_in(LineProduct.subscriber_id, subscriber_ids, self.dialect))
        )
        return [(row[0], _plan(row)) for row in await self._rows(statement)]

    async def services_by_subscriber_ids(self, subscriber_ids: Sequence[int]) -> list[LineServiceRecord]:
        statement = (
            select(
                LineService.subscriber_id,
                LineService.activated_on,
                LineService.monthly_fee_minor.label("line_fee_minor"),
                *SERVICE_COLUMNS,
            )
            .join(Service, Service.id == LineService.service_id)
            .where(key_in(LineService.subscriber_id, subscriber_ids, self.dialect))
            .order_by(LineService.subscriber_id, Service.name)
        )
        return [
            LineServiceRecord(
                row.subscriber_id, _service(row), row.activated_on, Money.from_minor(row.line_fee_minor, row.currency)
            )
            for row in await self._rows(statement)
        ]

    async def scheduled_plans(self, subscriber_ids: Sequence[int]) -> list[ScheduledPlanRecord]:
        """(line id, effective from, plan) of the plan changes waiting for a later month."""
        statement = (
            select(ScheduledPlanChange.subscriber_id, ScheduledPlanChange.effective_from, *PLAN_COLUMNS)
            .join(TariffPlan, TariffPlan.id == ScheduledPlanChange.plan_id)
            .where(key_in(ScheduledPlanChange.subscriber_id, subscriber_ids, self.dialect))
        )
        return [ScheduledPlanRecord(row[0], row[1], _plan(row)) for row in await self._rows(statement)]

    async def bundle_balances(self, subscriber_ids: Sequence[int], period: date) -> list[BundleBalanceRecord]:
        statement = (
            select(
                BundleBalance.subscriber_id,
                BundleBalance.bundle_id,
                BundleBalance.period,
                Bundle.kind,
                BundleBalance.allowance,
                BundleBalance.used,
            )
            .join(Bundle, Bundle.id == BundleBalance.bundle_id)
            .where(key_in(BundleBalance.subscriber_id, subscriber_ids, self.dialect), BundleBalance.period == period)
            .order_by(BundleBalance.subscriber_id, Bundle.kind, BundleBalance.bundle_id)
        )
        return [BundleBalanceRecord(*row) for row in await self._rows(statement)]

    async def subscriber_ids_with_products(
        self, customer_ids: Iterable[int] | None, plan_ids: Sequence[int], service_ids: Sequence[int]
    ) -> set[int]:
        """Lines on any of ``plan_ids`` and with all of ``service_ids``: input to CRM filters."""
        statement = select(LineProduct.subscriber_id)
        if customer_ids is not None:
            statement = statement.where(key_in(LineProduct.customer_id, customer_ids, self.dialect))
        if plan_ids:
            statement = statement.where(key_in(LineProduct.plan_id, plan_ids, self.dialect))
        for service_id in service_ids:
            statement = statement.where(
                select(LineService.subscriber_id)
                .where(LineService.subscriber_id == LineProduct.subscriber_id, LineService.service_id == service_id)
                .exists()
            )
        return {row[0] for row in await self._rows(statement)}

    # spending --------------------------------------------------------------------------

    async def spending_by_subscriber(
        self, keys: Sequence[tuple[int, date]]
    ) -> dict[tuple[int, date], SpendingRecord | MixedCurrencies]:
        """Each (line, month)'s charges by category, summed by the database; a month charged in
        two currencies is that key's refusal, the others are answered."""
        ids = sorted({sid for sid, _ in keys})
        periods = sorted({period for _, period in keys})
        statement = (
            select(
                DailyCharge.subscriber_id,
                DailyCharge.period,
                DailyCharge.category,
                DailyCharge.currency,
                func.sum(DailyCharge.amount_minor),
                func.sum(DailyCharge.employee_share_minor),
            )
            .where(
                key_in(DailyCharge.subscriber_id, ids, self.dialect),
                key_in(DailyCharge.period, periods, self.dialect),
            )
            .group_by(DailyCharge.subscriber_id, DailyCharge.period, DailyCharge.category, DailyCharge.currency)
            .order_by(DailyCharge.subscriber_id, DailyCharge.category)
        )
        sums: dict[tuple[int, date], list[Any]] = defaultdict(list)
        for row in await self._rows(statement):
            sums[(row[0], row[1])].append(row)
        return {key: _spending_or_refusal(key[1], rows) for key, rows in sums.items()}

    async def spending_by_policy_period(self, keys: Sequence[tuple[int, date]]) -> Sequence[Any]:
        """(line, month, policy in force since, currency, total, employee share, over the limit) per
        policy each (line, month)'s charges were rated under."""
        ids = sorted({sid for sid, _ in keys})
        periods = sorted({period for _, period in keys})
        statement = (
            select(
                DailyCharge.subscriber_id,
                DailyCharge.period,
                DailyCharge.policy_since,
                DailyCharge.currency,
                func.sum(DailyCharge.amount_minor),
                func.sum(DailyCharge.employee_share_minor),
                func.sum(DailyCharge.over_limit_minor),
            )
            .where(
                key_in(DailyCharge.subscriber_id, ids, self.dialect),
                key_in(DailyCharge.period, periods, self.dialect),
            )
            .group_by(DailyCharge.subscriber_id, DailyCharge.period, DailyCharge.policy_since, DailyCharge.currency)
        )
        return await self._rows(statement)

    async def spending_by_group(
        self,
        customer_ids: Sequence[int],
        periods: Sequence[date],
        groups: Mapping[int, str],
        stays: Sequence[Stay] | None = None,
    ) -> Sequence[Any]:
        """(group, month, currency, total, employee share, lines charged) per group of lines.

        ``groups`` maps line ids to a group (an org path): the CRM's answer, handed over as
        data. Billing joins it to the charges by key and sums per group, so a roll-up over
        thousands of lines returns one row per group and month. With ``stays`` instead, a charge
        counts for the group its line had on the charge's day (``line_stays``).
        """
        if stays is not None:
            members, _, group, on = line_stays(stays, self.dialect)
        else:
            members, line_id, group = line_groups(groups, self.dialect)
            on = DailyCharge.subscriber_id == line_id
        statement = (
            select(
                group,
                DailyCharge.period,
                DailyCharge.currency,
                func.sum(DailyCharge.amount_minor),
                func.sum(DailyCharge.employee_share_minor),
                func.count(DailyCharge.subscriber_id.distinct()),
            )
            .select_from(DailyCharge)
            .join(members, on)
            .where(
                key_in(DailyCharge.customer_id, customer_ids, self.dialect),
                key_in(DailyCharge.period, periods, self.dialect),
            )
            .group_by(group, DailyCharge.period, DailyCharge.currency)
        )
        return await self._rows(statement)

    # policies --------------------------------------------------------------------------

    async def policies(
        self, unit_ids: Sequence[int], subscriber_ids: Sequence[int], at: datetime | None = None
    ) -> list[PolicyRecord]:
        """The policies set on the units and lines, as they are now or as they were ``at``."""
        owners = key_in(SpendingPolicy.org_unit_id, unit_ids, self.dialect) | key_in(
            SpendingPolicy.subscriber_id, subscriber_ids, self.dialect
        )
        statement = select(*POLICY_COLUMNS).where(owners, in_force_at(at))
        return [_policy(row) for row in await self._rows(statement)]

    async def policy_history(
        self, unit_ids: Sequence[int], subscriber_ids: Sequence[int], since: datetime, until: datetime
    ) -> list[PolicyRecord]:
        """Every version of the units' and lines' policies in force at some moment of [since, until)."""
        owners = key_in(SpendingPolicy.org_unit_id, unit_ids, self.dialect) | key_in(
            SpendingPolicy.subscriber_id, subscriber_ids, self.dialect
        )
        overlaps = and_(
            SpendingPolicy.valid_from < until, or_(SpendingPolicy.valid_to.is_(None), SpendingPolicy.valid_to > since)
        )
        statement = select(*POLICY_COLUMNS).where(owners, overlaps).order_by(SpendingPolicy.valid_from)
        return [_policy(row) for row in await self._rows(statement)]

    # usage -----------------------------------------------------------------------------

    async def usage_pages(
        self,
        subscriber_ids: Sequence[int],
        *,
        since: datetime | None,
        until: datetime | None,
        kinds: Sequence[str],
        span: Span,
    ) -> list[UsageRecordRow]:
        """Per line, the records of ``span`` (newest first, keyset on time and id) in reading
        order, for many lines in one statement."""
        conditions = [
            *_usage_of(subscriber_ids, since, until, kinds, self.dialect),
            *bounds(_USAGE_KEY, span, descending=True),
        ]
        order = reading_order(_USAGE_KEY, span, descending=True)
        rank = func.row_number().over(partition_by=UsageRecord.subscriber_id, order_by=order).label("rank")
        ranked = (
            select(
                UsageRecord.id,
                UsageRecord.subscriber_id,
                UsageRecord.started_at,
                UsageRecord.period,
                UsageRecord.kind,
                UsageRecord.quantity,
                UsageRecord.destination,
                UsageRecord.amount_minor,
                UsageRecord.currency,
                rank,
            )
            .where(and_(*conditions))
            .subquery()
        )
        statement = select(ranked).where(ranked.c.rank <= span.fetch).order_by(ranked.c.subscriber_id, ranked.c.rank)
        return [
            UsageRecordRow(
                id=row.id,
                subscriber_id=row.subscriber_id,
                started_at=aware(row.started_at),
                period=row.period,
                kind=row.kind,
                quantity=row.quantity,
                destination=row.destination,
                amount=Money.from_minor(row.amount_minor, row.currency),
            )
            for row in await self._rows(statement)
        ]

    async def usage_counts(
        self, subscriber_ids: Sequence[int], *, since: datetime | None, until: datetime | None, kinds: Sequence[str]
    ) -> dict[int, int]:
        """Per line, how many records the filters keep."""
        statement = (
            select(UsageRecord.subscriber_id, func.count(UsageRecord.id))
            .where(*_usage_of(subscriber_ids, since, until, kinds, self.dialect))
            .group_by(UsageRecord.subscriber_id)
        )
        return {row[0]: int(row[1]) for row in await self._rows(statement)}

    # invoices --------------------------------------------------------------------------

    async def invoice_pages(self, account_ids: Sequence[int], span: Span) -> list[InvoiceRecord]:
        """Per billing account, the invoices of ``span`` (newest first, keyset on period and id)
        in reading order, in one statement."""
        conditions = [
            key_in(Invoice.billing_account_id, account_ids, self.dialect),
            *bounds(_INVOICE_KEY, span, descending=True),
        ]
        order = reading_order(_INVOICE_KEY, span, descending=True)
        rank = func.row_number().over(partition_by=Invoice.billing_account_id, order_by=order).label("rank")
        ranked = select(*INVOICE_COLUMNS, rank).where(and_(*conditions)).subquery()
        statement = (
            select(ranked).where(ranked.c.rank <= span.fetch).order_by(ranked.c.billing_account_id, ranked.c.rank)
        )
        return [_invoice(row) for row in await self._rows(statement)]

    async def invoice_counts(self, account_ids: Sequence[int]) -> dict[int, int]:
        """Invoices issued on each billing account."""
        statement = (
            select(Invoice.billing_account_id, func.count(Invoice.id))
            .where(key_in(Invoice.billing_account_id, account_ids, self.dialect))
            .group_by(Invoice.billing_account_id)
        )
        return {row[0]: int(row[1]) for row in await self._rows(statement)}

    async def invoices_by_ids(self, ids: Sequence[int], scope: RowScope) -> list[InvoiceRecord]:
        statement = select(*INVOICE_COLUMNS).where(
            key_in(Invoice.id, ids, self.dialect), company_predicate(scope, Invoice.customer_id)
        )
        return [_invoice(row) for row in await self._rows(statement)]

    async def invoice_totals_by_subscriber(
        self, invoice_ids: Sequence[int], span: Span
    ) -> list[InvoiceSubscriberTotal]:
        """Per invoice, the lines' totals of ``span`` (line order, keyset on the line id) in reading
        order. One statement for every invoice, the page cut by the database (a window per
        invoice), never all lines read."""
        line = InvoiceLine
        conditions = [key_in(line.invoice_id, invoice_ids, self.dialect), *bounds((line.subscriber_id,), span)]
        sums = (
            select(
                line.invoice_id,
                line.subscriber_id,
                func.sum(line.amount_minor).label("total"),
                func.sum(line.company_share_minor).label("company"),
                func.sum(line.employee_share_minor).label("employee"),
            )
            .where(*conditions)
            .group_by(line.invoice_id, line.subscriber_id)
            .subquery()
        )
        order = reading_order((sums.c.subscriber_id,), span)
        rank = func.row_number().over(partition_by=sums.c.invoice_id, order_by=order).label("rank")
        ranked = select(sums, rank).subquery()
        statement = (
            select(
                ranked.c.invoice_id, ranked.c.subscriber_id, ranked.c.total, Invoice.currency,
                ranked.c.company, ranked.c.employee,
            )
            .join(Invoice, Invoice.id == ranked.c.invoice_id)
            .where(ranked.c.rank <= span.fetch)
            .order_by(ranked.c.invoice_id, ranked.c.rank)
        )  # fmt: skip
        return [
            InvoiceSubscriberTotal(
                row[0],
                row[1],
                Money.from_minor(int(row[2]), row[3]),
                Money.from_minor(int(row[4]), row[3]),
                Money.from_minor(int(row[5]), row[3]),
            )
            for row in await self._rows(statement)
        ]

    async def invoice_line_counts(self, invoice_ids: Sequence[int]) -> dict[int, int]:
        """Lines charged on each invoice."""
        statement = (
            select(InvoiceLine.invoice_id, func.count(InvoiceLine.subscriber_id.distinct()))
            .where(key_in(InvoiceLine.invoice_id, invoice_ids, self.dialect))
            .group_by(InvoiceLine.invoice_id)
        )
        return {row[0]: int(row[1]) for row in await self._rows(statement)}

    async def invoice_totals_by_category(self, invoice_ids: Sequence[int]) -> list[tuple[int, CategoryAmount]]:
        statement = (
            select(InvoiceLine.invoice_id, InvoiceLine.category, func.sum(InvoiceLine.amount_minor), Invoice.currency)
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .where(key_in(InvoiceLine.invoice_id, invoice_ids, self.dialect))
            .group_by(InvoiceLine.invoice_id, InvoiceLine.category, Invoice.currency)
            .order_by(InvoiceLine.invoice_id, InvoiceLine.category)
        )
        return [
            (row[0], CategoryAmount(row[1], Money.from_minor(row[2], row[3]))) for row in await self._rows(statement)
        ]


def _spending_or_refusal(period: date, rows: list[Any]) -> SpendingRecord | MixedCurrencies:
    try:
        return _spending(period, rows)
    except MixedCurrencies as refusal:
        return refusal


def _spending(period: date, rows: list[Any]) -> SpendingRecord:
    """Fold per-category sums (category, currency, total, employee share) into one record. A
    line is billed in one currency; charges in two (a line moved between accounts in the month)
    are refused rather than added."""
    currency = one_currency("The line's month", (row[3] for row in rows), rows[0][3])
    total = sum(int(row[4]) for row in rows)
    employee = sum(int(row[5]) for row in rows)
    return SpendingRecord(
        period=period,
        total=Money.from_minor(total, currency),
        company_share=Money.from_minor(total - employee, currency),
        employee_share=Money.from_minor(employee, currency),
        by_category=[CategoryAmount(row[2], Money.from_minor(int(row[4]), currency)) for row in rows],
        line_count=1,
    )


def line_groups(groups: Mapping[int, str], dialect: str) -> tuple[Any, ColumnElement[Any], ColumnElement[Any]]:
    """A derived table (line id, group) from a line → group map handed over as data: one
    bound parameter whatever its size (two arrays on PostgreSQL, one JSON object on SQLite).
    Returns the table and its two columns, ready to join to the charges by line."""
    if dialect == "postgresql":
        members = (
            func.unnest(
                bindparam(None, list(groups), type_=ARRAY(Integer())),
                bindparam(None, list(groups.values()), type_=ARRAY(String())),
            )
            .table_valued("line_id", "grp")
            .render_derived(name="members")
        )
        return members, members.c.line_id, members.c.grp
    as_json = json.dumps({str(key): value for key, value in groups.items()})
    members = func.json_each(bindparam(None, as_json, type_=String())).table_valued("key", "value").alias("members")
    return members, cast(members.c.key, Integer()), members.c.value


# (line id, group, first day, day after the last or None): a line's group for a range of days.
Stay = tuple[int, str, date, date | None]


def line_stays(stays: Sequence[Stay], dialect: str) -> tuple[Any, ColumnElement[Any], ColumnElement[Any], Any]:
    """``line_groups`` over days: a derived table (line id, group, from, to) handed over as data
    in one bound parameter, and the join condition that puts a charge in the group its line
    had on the charge's day. A line may appear in several stays; they never overlap, so each
    charge counts once. Returns the table, its line and group columns, and that condition."""
    members: Any
    if dialect == "postgresql":
        members = (
            func.unnest(
                bindparam(None, [s[0] for s in stays], type_=ARRAY(Integer())),
                bindparam(None, [s[1] for s in stays], type_=ARRAY(String())),
                bindparam(None, [s[2] for s in stays], type_=ARRAY(Date())),
                bindparam(None, [s[3] for s in stays], type_=ARRAY(Date())),
            )
            .table_valued("line_id", "grp", "valid_from", "valid_to")
            .render_derived(name="members")
        )
        columns: list[Any] = [members.c.line_id, members.c.grp, members.c.valid_from, members.c.valid_to]
    else:
        as_json = json.dumps(
            [[line, grp, start.isoformat(), end and end.isoformat()] for line, grp, start, end in stays]
        )
        members = func.json_each(bindparam(None, as_json, type_=String())).table_valued("value").alias("members")
        item = members.c.value
        columns = [
            cast(func.json_extract(item, "$[0]"), Integer()),
            func.json_extract(item, "$[1]", type_=String()),
            func.json_extract(item, "$[2]"),
            func.json_extract(item, "$[3]"),
        ]
    line_id, group, valid_from, valid_to = columns
    on = and_(
        DailyCharge.subscriber_id == line_id,
        DailyCharge.day >= valid_from,
        or_(valid_to.is_(None), DailyCharge.day < valid_to),
    )
    return members, line_id, group, on


_USAGE_KEY = (UsageRecord.started_at, UsageRecord.id)
_INVOICE_KEY = (Invoice.period, Invoice.id)


def _usage_of(
    subscriber_ids: Sequence[int], since: datetime | None, until: datetime | None, kinds: Sequence[str], dialect: str
) -> list[ColumnElement[bool]]:
    """The usage records of these lines that the filters keep."""
    conditions = [key_in(UsageRecord.subscriber_id, subscriber_ids, dialect)]
    if since is not None:
        conditions.append(UsageRecord.started_at >= since)
    if until is not None:
        conditions.append(UsageRecord.started_at < until)
    if kinds:
        conditions.append(UsageRecord.kind.in_(kinds))
    return conditions
