"""Loaders for money: a line's spending, spending rolled up over a subtree, and policies."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from loaders.base import SourceLoader
from sources.billing.policies import EffectivePolicy, effective_policy
from sources.billing.records import PolicyRecord, SpendingRecord
from sources.values import Money

# (line id, month, currency); month None = the current month
LineMonth = tuple[int, date | None, str]
# (customer id, unit path, month, currency); a path of "/" is the whole customer
UnitMonth = tuple[int, str, date | None, str]


def _zero(period: date, currency: str) -> SpendingRecord:
    nothing = Money.from_minor(0, currency)
    return SpendingRecord(period=period, total=nothing, company_share=nothing, employee_share=nothing)


class SpendingBySubscriberMonthLoader(SourceLoader[LineMonth, SpendingRecord]):
    async def batch_load_fn(self, keys: list[LineMonth]) -> list[SpendingRecord]:
        now = self.ctx.current_period
        wanted = [(sid, period or now, currency) for sid, period, currency in keys]
        found = await self.billing.spending_by_subscriber([(sid, period) for sid, period, _ in wanted])
        return [found.get((sid, period)) or _zero(period, currency) for sid, period, currency in wanted]


class SpendingByOrgUnitMonthLoader(SourceLoader[UnitMonth, SpendingRecord]):
    """A unit's spending summed over the lines in its subtree that the caller may see.

    Billing sums charges per line; the CRM says which visible line sits where; the roll-up
    over the tree happens here, over one row per line, never over charge rows.
    """

    async def batch_load_fn(self, keys: list[UnitMonth]) -> list[SpendingRecord]:
        now = self.ctx.current_period
        keys = [(customer, path, period or now, currency) for customer, path, period, currency in keys]
        customers = sorted({key[0] for key in keys})
        paths = sorted({key[1] for key in keys})
        periods = sorted({key[2] for key in keys})
        members = await self.crm.memberships(customers, _outermost(paths), self.scope)
        path_of = dict(members)
        per_line = await self.billing.spending_per_subscriber(customers, periods) if path_of else []

        # (org path, month) -> [total, employee share, lines]
        by_path: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0, 0])
        for sid, period, _currency, total, employee in per_line:
            path = path_of.get(sid)
            if path is not None:
                sums = by_path[(path, period)]
                sums[0] += int(total)
                sums[1] += int(employee)
                sums[2] += 1
        return [self._roll_up(by_path, path, period, currency) for _, path, period, currency in keys]  # type: ignore[arg-type]

    @staticmethod
    def _roll_up(by_path: dict[tuple[str, date], list[int]], path: str, period: date, currency: str) -> SpendingRecord:
        total = employee = lines = 0
        for (line_path, line_period), sums in by_path.items():
            if line_period == period and line_path.startswith(path):
                total += sums[0]
                employee += sums[1]
                lines += sums[2]
        return SpendingRecord(
            period=period,
            total=Money.from_minor(total, currency),
            company_share=Money.from_minor(total - employee, currency),
            employee_share=Money.from_minor(employee, currency),
            line_count=lines,
        )


def _outermost(paths: list[str]) -> list[str]:
    """Drop paths that lie inside another path of the list (sorted input)."""
    kept: list[str] = []
    for path in paths:
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


def _chain_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/")]


class PolicyByOrgUnitLoader(SourceLoader[tuple[str, str], EffectivePolicy]):
    """Effective policy of a unit, keyed by (path, currency)."""

    async def batch_load_fn(self, keys: list[tuple[str, str]]) -> list[EffectivePolicy]:
        unit_ids = sorted({i for path, _ in keys for i in _chain_ids(path)})
        by_unit = {p.org_unit_id: p for p in await self.billing.policies(unit_ids, [])}
        return [effective_policy((by_unit.get(i) for i in _chain_ids(path)), currency) for path, currency in keys]


class PolicyBySubscriberLoader(SourceLoader[tuple[int, str, str], EffectivePolicy]):
    """Effective policy of a line, keyed by (line id, its unit's path, currency)."""

    async def batch_load_fn(self, keys: list[tuple[int, str, str]]) -> list[EffectivePolicy]:
        unit_ids = sorted({i for _, path, _ in keys for i in _chain_ids(path)})
        rows = await self.billing.policies(unit_ids, [sid for sid, _, _ in keys])
        by_unit: dict[Any, PolicyRecord] = {p.org_unit_id: p for p in rows if p.org_unit_id is not None}
        by_line: dict[Any, PolicyRecord] = {p.subscriber_id: p for p in rows if p.subscriber_id is not None}
        return [
            effective_policy([*(by_unit.get(i) for i in _chain_ids(path)), by_line.get(sid)], currency)
            for sid, path, currency in keys
        ]
