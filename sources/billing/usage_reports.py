"""Usage figures computed by billing: volumes per group of lines, bundle use per plan, and the
lines whose usage fits a cheaper plan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select

from sources.billing.disclosure import OUTSIDE, Blocks, Facts, Question, line_blocks, suppressed_sums
from sources.billing.members import Stay, line_groups, line_stays, utc_day
from sources.billing.models import BundleBalance, LineProduct, TariffPlan, UsageRecord
from sources.db import SqlSource, key_in


@dataclass(frozen=True, slots=True)
class UsageSum:
    group: str
    period: date
    kind: str
    quantity: int  # seconds, messages or kilobytes
    amount_minor: int  # as rated
    currency: str
    lines: int


@dataclass(frozen=True, slots=True)
class BundleUse:
    plan_id: int
    bundle_id: int
    lines: int
    allowance: int
    used: int


class UsageFigures(SqlSource):
    """Usage volumes and bundle use, summed by billing for the lines corpcare names."""

    async def volumes(
        self, customer: int, first: date, last: date, groups: Mapping[int, str] | Sequence[Stay]
    ) -> list[UsageSum]:
        """Per group, month and kind: quantity, rated amount and lines, over itemised usage. ``groups``
        maps a line to its group (today's tree), or as billed gives a line's group per range of days
        (``line_stays``): a record counts for the group its line had on the record's day (in UTC,
        the day it is charged on), so a line that moved within a month counts in both groups."""
        if not groups:
            return []
        usage = UsageRecord
        if isinstance(groups, Mapping):
            members, line_id, group = line_groups(groups, self.dialect)
            on = usage.subscriber_id == line_id
        else:
            members, _, group, on = line_stays(groups, self.dialect, usage.subscriber_id,
                                               utc_day(usage.started_at, self.dialect))  # fmt: skip
        grouped = [group, usage.period, usage.kind, usage.currency]
        statement = (
            select(*grouped, func.sum(usage.quantity), func.sum(usage.amount_minor),
                   func.count(usage.subscriber_id.distinct()))
            .select_from(usage)
            .join(members, on)
            .where(usage.customer_id == customer, usage.period >= first, usage.period <= last)
            .group_by(*grouped)
            .order_by(*grouped)
        )  # fmt: skip
        return [
            UsageSum(row[0], row[1], row[2], int(row[4]), int(row[5]), row[3], int(row[6]))
            for row in await self._rows(statement)
        ]

    async def volumes_in_atoms(
        self, customer: int, first: date, last: date, blocks: Blocks, floor: int, *, pools: bool
    ) -> list[UsageSum]:
        """``volumes`` for a caller who may not read single lines: whole atoms of at least ``floor``
        lines (``sources/billing/disclosure.py``), blocks' rows as given — as billed, the stays of
        each line's blocks, a record joined by its day as in ``volumes``; the group of the
        remainder of a month and kind is ``REMAINDER``."""
        if not blocks:
            return []
        usage = UsageRecord
        facts = Facts(usage.__table__, usage.subscriber_id, usage.period, usage.kind, usage.currency,
                      [usage.quantity, usage.amount_minor],
                      [usage.customer_id == customer, usage.period >= first, usage.period <= last],
                      utc_day(usage.started_at, self.dialect))  # fmt: skip
        question = Question(by_month=True, by_kind=True, pools=pools, pool_by_kind=True)
        statement = suppressed_sums(facts, blocks, question, floor, self.dialect, rows=True)
        return [
            UsageSum(row[0], row[1], row[2], int(row[4]), int(row[5]), row[3], int(row[6]))
            for row in await self._rows(statement.order_by(*statement.selected_columns[:4]))
        ]

    async def bundle_use(self, period: date, lines: Sequence[int]) -> list[BundleUse]:
        """Per tariff plan and bundle: lines, total allowance and total use in ``period``."""
        if not lines:
            return []
        balance = BundleBalance
        statement = (
            select(LineProduct.plan_id, balance.bundle_id, func.count(balance.subscriber_id),
                   func.sum(balance.allowance), func.sum(balance.used))
            .join(LineProduct, LineProduct.subscriber_id == balance.subscriber_id)
            .where(balance.period == period, key_in(balance.subscriber_id, lines, self.dialect))
            .group_by(LineProduct.plan_id, balance.bundle_id)
            .order_by(LineProduct.plan_id, balance.bundle_id)
        )  # fmt: skip
        return [BundleUse(*(int(value) for value in row)) for row in await self._rows(statement)]

    async def bundle_use_in_atoms(
        self, period: date, blocks: Mapping[int, tuple[str, str]], floor: int
    ) -> list[BundleUse]:
        """``bundle_use`` for a caller who may not read single lines: summed over whole atoms — a
        block's lines on one plan and bundle, at least ``floor`` of them — whose row is not
        ``OUTSIDE`` the question. Smaller atoms are left out (bundles of different plans do not add)."""
        if not blocks:
            return []
        members, line_id, block, row = line_blocks(blocks, self.dialect)
        balance = BundleBalance
        keys = [block.label("block"), row.label("grp"), LineProduct.plan_id.label("plan"),
                balance.bundle_id.label("bundle")]  # fmt: skip
        cells = (
            select(*keys, func.count(balance.subscriber_id.distinct()).label("n"),
                   func.sum(balance.allowance).label("allowance"), func.sum(balance.used).label("used"))
            .select_from(members)
            .join(balance, balance.subscriber_id == line_id)
            .join(LineProduct, LineProduct.subscriber_id == balance.subscriber_id)
            .where(balance.period == period)
            .group_by(*keys)
            .cte("cells")
        )  # fmt: skip
        statement = (
            select(cells.c.plan, cells.c.bundle, func.sum(cells.c.n), func.sum(cells.c.allowance),
                   func.sum(cells.c.used))
            .where(cells.c.n >= floor, cells.c.grp != OUTSIDE)
            .group_by(cells.c.plan, cells.c.bundle)
            .order_by(cells.c.plan, cells.c.bundle)
        )  # fmt: skip
        return [BundleUse(*(int(value) for value in found)) for found in await self._rows(statement)]


USAGE_KINDS = ("voice", "sms", "data", "roaming_data")


@dataclass(frozen=True, slots=True)
class PlanFit:
    """A tariff plan as the savings finder sees it: its fee and its allowance per usage kind."""

    plan_id: int
    fee_minor: int
    allowances: Mapping[str, int]  # kind -> allowance; a kind missing has none


@dataclass(frozen=True, slots=True)
class Saving:
    line_id: int
    current_plan_id: int
    current_fee_minor: int
    plan_id: int
    fee_minor: int
    currency: str


class Savings(SqlSource):
    async def cheaper_plans(
        self, customer: int, first: date, last: date, lines: Sequence[int], plans: Sequence[PlanFit]
    ) -> list[Saving]:
        """Lines whose heaviest month of usage, kind by kind, fits a plan cheaper than theirs.

        Each line's peak per kind over the months (a month without usage lowers nothing) is
        compared with every plan's allowances, cheapest plan first, in one statement; only the
        lines with a cheaper fitting plan come back."""
        if not lines or not plans:
            return []
        usage = UsageRecord
        monthly = (
            select(usage.subscriber_id, usage.kind, usage.period, func.sum(usage.quantity).label("quantity"))
            .where(usage.customer_id == customer, usage.period >= first, usage.period <= last,
                   key_in(usage.subscriber_id, lines, self.dialect))
            .group_by(usage.subscriber_id, usage.kind, usage.period)
            .subquery("monthly")
        )  # fmt: skip
        peaks = (
            select(
                monthly.c.subscriber_id,
                *(func.max(case((monthly.c.kind == kind, monthly.c.quantity), else_=0)).label(kind)
                  for kind in USAGE_KINDS),
            )
            .group_by(monthly.c.subscriber_id)
            .subquery("peaks")
        )  # fmt: skip
        by_fee = sorted(plans, key=lambda plan: (plan.fee_minor, plan.plan_id))

        def fits(plan: PlanFit) -> Any:
            return and_(*(func.coalesce(peaks.c[kind], 0) <= plan.allowances.get(kind, 0) for kind in USAGE_KINDS))

        cheapest_fee = case(*((fits(plan), plan.fee_minor) for plan in by_fee), else_=None)
        cheapest_plan = case(*((fits(plan), plan.plan_id) for plan in by_fee), else_=None)
        statement = (
            select(LineProduct.subscriber_id, LineProduct.plan_id, TariffPlan.monthly_fee_minor, cheapest_plan,
                   cheapest_fee, TariffPlan.currency)
            .join(TariffPlan, TariffPlan.id == LineProduct.plan_id)
            .outerjoin(peaks, peaks.c.subscriber_id == LineProduct.subscriber_id)
            .where(key_in(LineProduct.subscriber_id, lines, self.dialect), cheapest_fee < TariffPlan.monthly_fee_minor)
            .order_by((TariffPlan.monthly_fee_minor - cheapest_fee).desc(), LineProduct.subscriber_id)
        )  # fmt: skip
        return [Saving(*row) for row in await self._rows(statement)]
