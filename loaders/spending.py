"""Loaders for money: a line's spending, spending rolled up over a subtree, and policies."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import orjson

from core.billing_records import PolicyRecord, SpendingRecord
from core.blocks import NO_BLOCK, as_billed_only, block_stays, blocks_as_billed, broken_units
from core.crm_records import path_ids
from core.errors import CorpcareError, Forbidden, MixedCurrencies
from core.values import Money, add_months
from loaders.as_billed import numbered_places, recounted
from loaders.base import Loaders, Shared, SourceLoader
from sources.billing.policies import EffectivePolicy, effective_policy
from sources.billing.policy_reads import PolicySource
from sources.billing.products import ProductSource
from sources.billing.reports import BillingReports
from sources.billing.spending import SpendingSource
from sources.crm.history import Stay
from sources.crm.source import CrmSource

# (line id, month, currency, the line's unit path); month None = the current month
LineMonth = tuple[int, date | None, str, str]
# (customer id, unit path, month, currency, structure); a path of "/" is the whole customer;
# structure "as_billed" or "current" (resolvers/report_base.py)
UnitMonth = tuple[int, str, date | None, str, str]
AS_BILLED = "as_billed"
WHOLE_COMPANY = 0  # the unit id of the whole company (the path "/") among units with no figure
# (org path, currency) -> [total, employee share, lines with charges]
PathSums = dict[tuple[str, str], list[int]]


def _zero(period: date, currency: str) -> SpendingRecord:
    nothing = Money.from_minor(0, currency)
    return SpendingRecord(period=period, total=nothing, company_share=nothing, employee_share=nothing)


class SpendingPerCurrencyBySubscriberMonthLoader(SourceLoader[LineMonth, list[SpendingRecord]]):
    """A line's month, one record per currency it was charged in (a line moved between billing
    accounts in the month has two), in currency order; none when nothing was charged."""

    reads = (SpendingSource.spending_by_subscriber,)

    async def batch_load_fn(self, keys: list[LineMonth]) -> list[list[SpendingRecord]]:
        now = self.ctx.current_period
        wanted = [(sid, period or now, path) for sid, period, _, path in keys]
        found = await self.sources.spending.spending_by_subscriber([(sid, period) for sid, period, _ in wanted])
        return [
            [replace(record, subscriber_id=sid, org_path=path) for record in found.get((sid, period), ())]
            for sid, period, path in wanted
        ]


class SpendingBySubscriberMonthLoader(SourceLoader[LineMonth, SpendingRecord | MixedCurrencies]):
    """A line's one figure: its month in the currency it was charged in (the key's currency only
    names the zero of a month without charges); charged in two, MIXED_CURRENCIES. Read from the
    line's spending per currency, so asking both costs no statement more."""

    reads = SpendingPerCurrencyBySubscriberMonthLoader.reads

    def __init__(self, loaders: Loaders) -> None:
        super().__init__(loaders)
        self._per_currency = loaders.get(SpendingPerCurrencyBySubscriberMonthLoader)

    async def batch_load_fn(self, keys: list[LineMonth]) -> list[SpendingRecord | MixedCurrencies]:
        found = await self._per_currency.load_many(keys)
        figures: list[SpendingRecord | MixedCurrencies] = []
        for (sid, period, currency, path), records in zip(keys, found, strict=True):
            if len(records) > 1:
                figures.append(MixedCurrencies("The line's month", (record.total.currency for record in records)))
            else:
                zero = replace(_zero(period or self.ctx.current_period, currency), subscriber_id=sid, org_path=path)
                figures.append(records[0] if records else zero)
        return figures


class SpendingPerCurrencyByOrgUnitMonthLoader(SourceLoader[UnitMonth, list[SpendingRecord] | Forbidden | None]):
    """A unit's spending summed over the lines in its subtree that the caller may see, one record
    per currency they were charged in (in currency order; none when nothing was charged).

    For a caller who may not read lines (a floor on group sizes), billing sums whole atoms per
    block of lines instead (``permissions/disclosure.py``), and a unit too small to show has none.

    The CRM says where each visible line sits (one read); billing sums the charges of those
    lines per org path (one GROUP BY, the line-to-path map passed in as data); the roll-up
    over the tree adds up those per-path sums here. Both reads are kept for the request, so
    every level of a tree reuses them: two statements, however deep the query goes.

    Sums are kept per currency, and the roll-up never adds two: a unit whose lines were charged
    in two currencies in the month has two records (the spending report groups such a unit by
    currency too).

    As billed (the default), the CRM says where each line sat on which days instead
    (``sources/crm/history.py``), billing sums per path *then*, and a unit counts the paths that
    run through it: the days its lines spent in its subtree, wherever they are now. With a floor
    on group sizes, as billed, each month's blocks are those of where its lines sat then, and a
    unit shows a figure in the months it was made of whole blocks.
    """

    reads = (
        CrmSource.stays,
        CrmSource.stays_by_place,
        CrmSource.memberships,
        SpendingSource.spending_by_group,
        SpendingSource.spending_by_stay,
        BillingReports.by_block,
        SpendingSource.charge_marks,
        CrmSource.stay_marks,
    )

    def __init__(self, loaders: Loaders) -> None:
        super().__init__(loaders)
        self._closed_months = loaders.closed_months
        self._line_paths: Shared[int, dict[int, str]] = Shared()
        self._sums: Shared[tuple[int, date, str], PathSums] = Shared()
        # (customer, month, unit id): as billed, not whole blocks that month (a floor on group sizes)
        self._broken: set[tuple[int, date, int]] = set()

    async def batch_load_fn(self, keys: list[UnitMonth]) -> list[list[SpendingRecord] | Forbidden | None]:
        now = self.ctx.current_period
        wanted = [(c, path, period or now, currency, how) for c, path, period, currency, how in keys]
        # A caller under a floor sees as billed only: a unit's figure in today's tree is refused.
        refusals = [as_billed_only(self.ctx.group_floor, how) for *_, how in wanted]
        asked = [key for key, refusal in zip(wanted, refusals, strict=True) if refusal is None]
        sums = await self._sums.get(((c, period, how) for c, _, period, _, how in asked), self._sums_by)
        return [
            refusal
            or (self._roll_up(sums[(c, period, how)], path, period, how) if self._shown(c, path, period) else None)
            for (c, path, period, _, how), refusal in zip(wanted, refusals, strict=True)
        ]

    async def _sums_by(self, keys: list[tuple[int, date, str]]) -> dict[tuple[int, date, str], PathSums]:
        current = [(c, period) for c, period, how in keys if how != AS_BILLED]
        billed = [(c, period) for c, period, how in keys if how == AS_BILLED]
        found: dict[tuple[int, date, str], PathSums] = {}
        if current:
            found.update(((c, p, "current"), v) for (c, p), v in (await self._sums_by_path(current)).items())
        if billed:
            found.update(((c, p, AS_BILLED), v) for (c, p), v in (await self._billed(billed)).items())
        return found

    async def _billed(self, keys: list[tuple[int, date]]) -> dict[tuple[int, date], PathSums]:
        """As billed: a closed month's sums are final, kept once summed; the open month's are kept
        under the version of its charges and stays (``loaders/closed_months.py``). A caller under a
        floor on group sizes sums live: its blocks are worked out with the sums (``_broken``), for
        the request."""
        months = self._closed_months
        if self.ctx.group_floor:
            return await self._sums_as_billed(keys)
        closed = [key for key in keys if months.closed(key[1])]
        live = [key for key in keys if not months.closed(key[1])]
        versions = await self._versions(live) if live else None
        name = "{0[0]}:{0[1]}".format
        return await months.kept("org", closed, name, self._sums_as_billed, _encode_sums, _decode_sums, versions)

    async def _versions(self, keys: list[tuple[int, date]]) -> dict[tuple[int, date], str]:
        """(customer, open month) -> the version of what its sums are summed from: how many times
        its charges and its customer's stays were written, and today. Read before the sums."""
        customers = sorted({customer for customer, _ in keys})
        charged, moved = await asyncio.gather(
            self.sources.spending.charge_marks(customers, sorted({period for _, period in keys})),
            self.crm.stay_marks(customers),
        )
        today = self.ctx.today.isoformat()
        return {(c, p): f"{today}:{charged.get((c, p), 0)}:{moved.get(c, 0)}" for c, p in keys}

    async def _sums_as_billed(self, keys: list[tuple[int, date]]) -> dict[tuple[int, date], PathSums]:
        """(customer, month) -> org path then -> [total, employee share, lines with charges].

        A line charged in two places in one month would count twice in a unit holding both: the
        same statement also sums each such line per place (a group of its own), and an entry of -1
        line at the places' common part (``recounted``) makes every unit count it once."""
        customers = sorted({customer for customer, _ in keys})
        periods = sorted({period for _, period in keys})
        end = add_months(periods[-1], 1)
        result: dict[tuple[int, date], PathSums] = {key: {} for key in keys}
        if self.ctx.group_floor:
            stays = await self.crm.stays(customers, self.scope, periods[0], end)
            return await self._blocks_as_billed(customers, periods, stays, result) if stays else result
        places = await self.crm.stays_by_place(customers, self.scope, periods[0], end)
        if not places:
            return result
        numbered, groups = numbered_places(places)
        charged: dict[tuple[int, date], dict[tuple[int, str], list[str]]] = {}
        every_line = all(map(self.scope.covers_customer, customers))
        for number, period, currency, total, employee, lines in await self.sources.spending.spending_by_stay(
            customers, periods, numbered, every_line=every_line
        ):
            customer, path, line = groups[number]
            key = (customer, period)
            if line:
                charged.setdefault(key, {}).setdefault((line, currency), []).append(path)
            else:
                _add(result.get(key), path, currency, total, employee, lines)
        for key, by_line in charged.items():
            for (_, currency), paths in by_line.items():
                for shared in recounted(paths):
                    _add(result.get(key), shared, currency, 0, 0, -1)
        return result

    async def _blocks_as_billed(
        self, customers: list[int], periods: list[date], stays: Sequence[Stay], result: dict[tuple[int, date], PathSums]
    ) -> dict[tuple[int, date], PathSums]:
        """For a caller who may not read lines, as billed: sums per block (the path of a unit as it
        was), each month blocked over where its lines sat then; whole atoms only."""
        floor = self.ctx.group_floor
        customer_of: dict[str, int] = {}  # a block is a unit's path: one customer's
        blocks: list[tuple[int, str, str, date, date]] = []
        for customer in customers:
            mine = [(s.line_id, s.path, s.valid_from, s.valid_to) for s in stays if s.customer_id == customer]
            pieces = blocks_as_billed(mine, periods, floor)
            self._broken.update((customer, month, unit) for month, unit in broken_units(pieces))
            # The whole company, like a unit, only when all its lines are in blocks that month.
            self._broken.update((customer, piece.month, WHOLE_COMPANY) for piece in pieces if piece.block == NO_BLOCK)
            customer_of.update((piece.block, customer) for piece in pieces)
            blocks += block_stays(pieces, lambda piece: piece.block)
        for found in await self.ctx.sources.billing_reports.by_block(customers, periods, blocks, floor):
            assert found.period is not None
            _add(result.get((customer_of[found.group], found.period)), found.group, found.currency,
                 found.total_minor, found.employee_minor, found.lines)  # fmt: skip
        return result

    async def _load_line_paths(self, customers: list[int]) -> dict[int, dict[int, str]]:
        """customer -> line id -> org path, for the lines in scope."""
        found: dict[int, dict[int, str]] = {customer: {} for customer in customers}
        for sid, customer, path in await self.crm.memberships(customers, self.scope):
            found[customer][sid] = path
        return found

    async def _sums_by_path(self, keys: list[tuple[int, date]]) -> dict[tuple[int, date], PathSums]:
        """(customer, month) -> (org path, currency) -> [total, employee share, lines with charges]."""
        customers = sorted({customer for customer, _ in keys})
        paths = await self._line_paths.get(customers, self._load_line_paths)
        result: dict[tuple[int, date], PathSums] = {key: {} for key in keys}
        groups = {sid: path for by_line in paths.values() for sid, path in by_line.items()}
        if not groups:
            return result  # nothing in scope
        customer_of = {path: customer for customer, by_line in paths.items() for path in by_line.values()}
        periods = sorted({period for _, period in keys})
        found = await self.sources.spending.spending_by_group(customers, periods, groups)
        for path, period, currency, total, employee, lines in found:
            _add(result.get((customer_of[path], period)), path, currency, total, employee, lines)
        return result

    def _shown(self, customer: int, path: str, period: date) -> bool:
        """Without a floor, always. With one (as billed), when the unit was made of whole blocks
        that month (its figure is a sum of atoms): a unit too small to show has no figure (null)."""
        unit = WHOLE_COMPANY if path == "/" else path_ids(path)[-1]
        return not self.ctx.group_floor or (customer, period, unit) not in self._broken

    @staticmethod
    def _roll_up(by_path: PathSums, path: str, period: date, how: str) -> list[SpendingRecord]:
        """The unit's figures from the per-path sums, one per currency. Today's tree: the paths
        below its own. As billed: the paths (as they were) that run through the unit, wherever it
        sits now."""
        unit = "/" if path == "/" else f"/{path_ids(path)[-1]}/"
        per_currency: dict[str, list[int]] = {}
        for (line_path, currency), sums in by_path.items():
            if line_path.startswith(path) if how != AS_BILLED else unit in line_path:
                found = per_currency.setdefault(currency, [0, 0, 0])
                for at, value in enumerate(sums):
                    found[at] += value
        return [
            SpendingRecord(
                period=period,
                total=Money.from_minor(total, currency),
                company_share=Money.from_minor(total - employee, currency),
                employee_share=Money.from_minor(employee, currency),
                line_count=lines,
            )
            for currency, (total, employee, lines) in sorted(per_currency.items())
        ]


class SpendingByOrgUnitMonthLoader(SourceLoader[UnitMonth, SpendingRecord | CorpcareError | None]):
    """A unit's one figure: its spending in the one currency its lines were charged in (the
    company's, at zero, when none); charged in two, MIXED_CURRENCIES. Read from the unit's
    spending per currency, so asking both costs no statement more."""

    reads = SpendingPerCurrencyByOrgUnitMonthLoader.reads

    def __init__(self, loaders: Loaders) -> None:
        super().__init__(loaders)
        self._per_currency = loaders.get(SpendingPerCurrencyByOrgUnitMonthLoader)

    async def batch_load_fn(self, keys: list[UnitMonth]) -> list[SpendingRecord | CorpcareError | None]:
        # A refused key fails its own load only (load_many would fail them all).
        found = await asyncio.gather(*map(self._per_currency.load, keys), return_exceptions=True)
        return [self._one(records, key) for records, key in zip(found, keys, strict=True)]

    def _one(
        self, records: list[SpendingRecord] | BaseException | None, key: UnitMonth
    ) -> SpendingRecord | CorpcareError | None:
        if isinstance(records, BaseException) and not isinstance(records, CorpcareError):
            raise records
        if records is None or isinstance(records, CorpcareError):
            return records  # too small to show (a floor on group sizes), or not as billed under one
        if len(records) > 1:
            return MixedCurrencies("The unit's spending", (record.total.currency for record in records))
        _, _, period, currency, _ = key
        return records[0] if records else _zero(period or self.ctx.current_period, currency)


def _encode_sums(by_path: PathSums) -> bytes:
    return orjson.dumps([[path, currency, *sums] for (path, currency), sums in by_path.items()])


def _decode_sums(raw: bytes) -> PathSums:
    return {(path, currency): sums for path, currency, *sums in orjson.loads(raw)}


def _add(by_path: PathSums | None, path: str, currency: str, total: Any, employee: Any, lines: Any) -> None:
    if by_path is not None:
        sums = by_path.setdefault((path, currency), [0, 0, 0])
        sums[0] += int(total)
        sums[1] += int(employee)
        sums[2] += int(lines)


class PolicyByOrgUnitLoader(SourceLoader[tuple[int, str, str], EffectivePolicy]):
    """Effective policy of a unit, keyed by (customer id, path, the company's currency). A limit is
    in the billing currency of the lines it limits (``resolvers/policy_changes.py``): it is shown in
    the one currency the unit's lines are billed in, or in the company's when they are billed in
    several (each line then reads it in its own)."""

    reads = (PolicySource.policies, CrmSource.memberships, ProductSource.billing_currencies)

    async def batch_load_fn(self, keys: list[tuple[int, str, str]]) -> list[EffectivePolicy]:
        unit_ids = sorted({i for _, path, _ in keys for i in path_ids(path)})
        by_unit = {p.org_unit_id: p for p in await self.sources.policies.policies(unit_ids, [])}
        billed = await self._billed_in(sorted({customer for customer, _, _ in keys}))
        policies = []
        for _, path, currency in keys:
            below = {found for at, currencies in billed.items() if at.startswith(path) for found in currencies}
            shown = next(iter(below)) if len(below) == 1 else currency
            policies.append(effective_policy((by_unit.get(i) for i in path_ids(path)), shown))
        return policies

    async def _billed_in(self, customers: list[int]) -> dict[str, set[str]]:
        """Org path -> the billing currencies of the lines in scope there."""
        lines = await self.crm.memberships(customers, self.scope)
        currencies = await self.sources.products.billing_currencies([sid for sid, _, _ in lines]) if lines else {}
        found: dict[str, set[str]] = {}
        for sid, _, path in lines:
            if sid in currencies:
                found.setdefault(path, set()).add(currencies[sid])
        return found


class PolicyBySubscriberLoader(SourceLoader[tuple[int, str, str], EffectivePolicy]):
    """Effective policy of a line, keyed by (line id, its unit's path, the company's currency). Its
    limit is in the line's billing account's currency (``resolvers/policy_changes.py``)."""

    reads = (PolicySource.policies, ProductSource.billing_currencies)

    async def batch_load_fn(self, keys: list[tuple[int, str, str]]) -> list[EffectivePolicy]:
        unit_ids = sorted({i for _, path, _ in keys for i in path_ids(path)})
        rows = await self.sources.policies.policies(unit_ids, [sid for sid, _, _ in keys])
        billed_in = await self.sources.products.billing_currencies([sid for sid, _, _ in keys])
        by_unit: dict[Any, PolicyRecord] = {p.org_unit_id: p for p in rows if p.org_unit_id is not None}
        by_line: dict[Any, PolicyRecord] = {p.subscriber_id: p for p in rows if p.subscriber_id is not None}
        return [
            effective_policy(
                [*(by_unit.get(i) for i in path_ids(path)), by_line.get(sid)], billed_in.get(sid, currency)
            )
            for sid, path, currency in keys
        ]
