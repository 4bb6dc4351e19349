"""Loaders for money: a line's spending, spending rolled up over a subtree, and policies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from loaders.base import LoadContext, Shared, SourceLoader
from sources.billing.policies import EffectivePolicy, effective_policy
from sources.billing.records import PolicyRecord, SpendingRecord
from sources.blocks import disclosure_blocks
from sources.crm.records import path_ids
from sources.errors import MixedCurrencies, one_currency
from sources.values import Money

# (line id, month, currency, the line's unit path); month None = the current month
LineMonth = tuple[int, date | None, str, str]
# (customer id, unit path, month, currency); a path of "/" is the whole customer
UnitMonth = tuple[int, str, date | None, str]


def _zero(period: date, currency: str) -> SpendingRecord:
    nothing = Money.from_minor(0, currency)
    return SpendingRecord(period=period, total=nothing, company_share=nothing, employee_share=nothing)


class SpendingBySubscriberMonthLoader(SourceLoader[LineMonth, SpendingRecord | MixedCurrencies]):
    """A line's month in the currency it was charged in (the key's currency only names the zero
    of a month without charges); charged in two, that line's figure is MIXED_CURRENCIES."""

    async def batch_load_fn(self, keys: list[LineMonth]) -> list[SpendingRecord | MixedCurrencies]:
        now = self.ctx.current_period
        wanted = [(sid, period or now, currency, path) for sid, period, currency, path in keys]
        found = await self.billing.spending_by_subscriber([(sid, period) for sid, period, _, _ in wanted])
        records = []
        for sid, period, currency, path in wanted:
            record = found.get((sid, period)) or _zero(period, currency)
            records.append(
                replace(record, subscriber_id=sid, org_path=path) if isinstance(record, SpendingRecord) else record
            )
        return records


class SpendingByOrgUnitMonthLoader(SourceLoader[UnitMonth, SpendingRecord | MixedCurrencies | None]):
    """A unit's spending summed over the lines in its subtree that the caller may see.

    For a caller who may not read lines (a floor on group sizes), billing sums whole atoms per
    block of lines instead (``permissions/disclosure.py``), and a unit too small to show has none.

    The CRM says where each visible line sits (one read); billing sums the charges of those
    lines per org path (one GROUP BY, the line-to-path map passed in as data); the roll-up
    over the tree adds up those per-path sums here. Both reads are kept for the request, so
    every level of a tree reuses them: two statements, however deep the query goes.

    Sums are kept per currency, and the roll-up never adds two: a unit whose lines were charged
    in two currencies in the month has no one figure, and its key answers MIXED_CURRENCIES (the
    spending report groups such a unit by currency instead).
    """

    def __init__(self, ctx: LoadContext) -> None:
        super().__init__(ctx)
        self._line_paths: Shared[int, dict[int, str]] = Shared()
        self._sums: Shared[tuple[int, date], dict[tuple[str, str], list[int]]] = Shared()
        self._block_cache: dict[int, dict[int, str]] = {}

    async def batch_load_fn(self, keys: list[UnitMonth]) -> list[SpendingRecord | MixedCurrencies | None]:
        now = self.ctx.current_period
        wanted = [(customer, path, period or now, currency) for customer, path, period, currency in keys]
        sums = await self._sums.get(((c, period) for c, _, period, _ in wanted), self._sums_by_path)
        return [
            self._roll_up(sums[(c, period)], path, period, currency) if await self._shown(c, path) else None
            for c, path, period, currency in wanted
        ]

    async def _load_line_paths(self, customers: list[int]) -> dict[int, dict[int, str]]:
        """customer -> line id -> org path, for the lines in scope."""
        found: dict[int, dict[int, str]] = {customer: {} for customer in customers}
        for sid, customer, path in await self.crm.memberships(customers, self.scope):
            found[customer][sid] = path
        return found

    async def _sums_by_path(
        self, keys: list[tuple[int, date]]
    ) -> dict[tuple[int, date], dict[tuple[str, str], list[int]]]:
        """(customer, month) -> (org path, currency) -> [total, employee share, lines with charges]."""
        customers = sorted({customer for customer, _ in keys})
        paths = await self._line_paths.get(customers, self._load_line_paths)
        result: dict[tuple[int, date], dict[tuple[str, str], list[int]]] = {key: {} for key in keys}
        groups = {sid: path for by_line in paths.values() for sid, path in by_line.items()}
        if not groups:
            return result  # nothing in scope
        customer_of = {path: customer for customer, by_line in paths.items() for path in by_line.values()}
        periods = sorted({period for _, period in keys})
        found: Sequence[Any]
        if self.ctx.group_floor:
            found = await self._by_block(customers, periods, paths, customer_of)
        else:
            found = await self.billing.spending_by_group(customers, periods, groups)
        for path, period, currency, total, employee, lines in found:
            by_path = result.get((customer_of[path], period))
            if by_path is not None:
                sums = by_path.setdefault((path, currency), [0, 0, 0])
                sums[0] += int(total)
                sums[1] += int(employee)
                sums[2] += int(lines)
        return result

    async def _by_block(
        self, customers: list[int], periods: list[date], paths: dict[int, dict[int, str]], customer_of: dict[str, int]
    ) -> list[tuple[Any, ...]]:
        """For a caller who may not read lines: sums per block of lines (a released unit's path),
        whole atoms of at least the floor's lines only (``sources/billing/disclosure.py``)."""
        blocks: dict[int, str] = {}
        for customer, by_line in paths.items():
            found = self._blocks(customer, by_line)
            blocks.update(found)
            customer_of.update((block, customer) for block in found.values())
        floor = self.ctx.group_floor
        sums = await self.ctx.sources.billing_reports.by_block(customers, periods, blocks, floor)
        return [(s.group, s.period, s.currency, s.total_minor, s.employee_minor, s.lines) for s in sums]

    def _blocks(self, customer: int, by_line: dict[int, str]) -> dict[int, str]:
        if customer not in self._block_cache:
            self._block_cache[customer] = disclosure_blocks(by_line, self.ctx.group_floor)
        return self._block_cache[customer]

    async def _shown(self, customer: int, path: str) -> bool:
        """Without a floor, always. With one, when the unit's lines are whole blocks (its figure
        is a sum of atoms): a unit too small to show on its own has no figure (null)."""
        if not self.ctx.group_floor:
            return True
        by_line = (await self._line_paths.get([customer], self._load_line_paths))[customer]
        blocks = self._blocks(customer, by_line)
        return all(blocks[line].startswith(path) for line, at in by_line.items() if at.startswith(path))

    @staticmethod
    def _roll_up(
        by_path: dict[tuple[str, str], list[int]], path: str, period: date, currency: str
    ) -> SpendingRecord | MixedCurrencies:
        """The subtree's sums in its one currency (``currency``, the company's, when it has no
        charges)."""
        inside = [(charged_in, sums) for (line_path, charged_in), sums in by_path.items() if line_path.startswith(path)]
        try:
            currency = one_currency("The unit's spending", (charged_in for charged_in, _ in inside), currency)
        except MixedCurrencies as refusal:
            return refusal
        total = employee = lines = 0
        for _, sums in inside:
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


class PolicyByOrgUnitLoader(SourceLoader[tuple[str, str], EffectivePolicy]):
    """Effective policy of a unit, keyed by (path, currency)."""

    async def batch_load_fn(self, keys: list[tuple[str, str]]) -> list[EffectivePolicy]:
        unit_ids = sorted({i for path, _ in keys for i in path_ids(path)})
        by_unit = {p.org_unit_id: p for p in await self.billing.policies(unit_ids, [])}
        return [effective_policy((by_unit.get(i) for i in path_ids(path)), currency) for path, currency in keys]


class PolicyBySubscriberLoader(SourceLoader[tuple[int, str, str], EffectivePolicy]):
    """Effective policy of a line, keyed by (line id, its unit's path, currency)."""

    async def batch_load_fn(self, keys: list[tuple[int, str, str]]) -> list[EffectivePolicy]:
        unit_ids = sorted({i for _, path, _ in keys for i in path_ids(path)})
        rows = await self.billing.policies(unit_ids, [sid for sid, _, _ in keys])
        by_unit: dict[Any, PolicyRecord] = {p.org_unit_id: p for p in rows if p.org_unit_id is not None}
        by_line: dict[Any, PolicyRecord] = {p.subscriber_id: p for p in rows if p.subscriber_id is not None}
        return [
            effective_policy([*(by_unit.get(i) for i in path_ids(path)), by_line.get(sid)], currency)
            for sid, path, currency in keys
        ]
