"""Helpers for the tests of history as it was: the figures a reorganisation must leave alone,
and an oracle that sums the charges by the unit each line sat in on each day, from raw rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from core.ids import from_global_id, to_global_id
from core.values import add_months, month_start
from resolvers.report_base import unit_at_depth
from tests.support import World, today

REPORT = """query($input: SpendingReportInput!) { spendingReport(input: $input) {
  totals { total { amount } }
  rows(first: 10000) { totalCount nodes { orgUnit { id } line { id } month total { amount } employeeShare { amount } } }
} }"""
UNITS = """query($m: Month!, $s: OrgStructure!) { customer { orgRoot { id spending(month: $m, structure: $s) {
  total { amount } employeeShare { amount } lineCount } descendants { id spending(month: $m, structure: $s) {
  total { amount } employeeShare { amount } lineCount } } } } }"""
BUDGETS = """query($input: BudgetReportInput!) { budgetReport(input: $input) {
  rows(first: 10000) { totalCount nodes { orgUnit { id } month budget { amount } actual { amount } } } } }"""
USAGE = """query($f: Month!, $t: Month!, $d: Int!, $s: OrgStructure!, $u: ID) {
  usageReport(from: $f, to: $t, unitDepth: $d, orgUnit: $u, structure: $s) {
  totals { kind quantity amount { amount currency } }
  rows(first: 10000) { totalCount nodes { orgUnit { id } month kind quantity amount { amount } lines suppressed } }
} }"""
LINE_MOVE = """mutation($input: SubscriberMoveInput!) { subscriberMove(input: $input) {
  applied userErrors { code } } }"""
UNIT_MOVE = """mutation($input: OrgUnitMoveInput!) { orgUnitMove(input: $input) { userErrors { code } } }"""

Figures = dict[tuple[Any, ...], Decimal]


def month(day: date) -> str:
    return day.strftime("%Y-%m")


def closed_range() -> tuple[str, str]:
    """The demo's closed months (it has 12 months, the last one open)."""
    current = month_start(today())
    return month(add_months(current, -11)), month(add_months(current, -1))


def gid(type_name: str, key: int) -> str:
    return to_global_id(type_name, key)


def key_of(global_id: str | None) -> int | None:
    return None if global_id is None else from_global_id(global_id)[1]


async def by_unit_and_month(
    world: World, login: str, first: str, last: str, depth: int, structure: str = "AS_BILLED"
) -> Figures:
    """(unit id, month, measure) → amount of the spending report grouped by org unit and month."""
    input = {"from": first, "to": last, "groupBy": ["ORG_UNIT", "MONTH"], "unitDepth": depth, "structure": structure}
    rows = _all_rows((await world.data(login, REPORT, {"input": input}))["spendingReport"]["rows"])
    found: Figures = {}
    for row in rows:
        unit = key_of(row["orgUnit"]["id"] if row["orgUnit"] else None)
        found[(unit, row["month"], "total")] = Decimal(row["total"]["amount"])
        found[(unit, row["month"], "employee")] = Decimal(row["employeeShare"]["amount"])
    return found


async def by_line_and_month(world: World, login: str, first: str, last: str, structure: str = "AS_BILLED") -> Figures:
    """(line id, month) → total; the lines outside the caller's scope today (no line named) add up under None."""
    input = {"from": first, "to": last, "groupBy": ["LINE", "MONTH"], "structure": structure}
    rows = _all_rows((await world.data(login, REPORT, {"input": input}))["spendingReport"]["rows"])
    found: Figures = defaultdict(Decimal)
    for row in rows:
        found[(key_of(row["line"]["id"] if row["line"] else None), row["month"])] += Decimal(row["total"]["amount"])
    return dict(found)


async def usage_by_unit(
    world: World, login: str, first: str, last: str, depth: int, structure: str = "AS_BILLED"
) -> Figures:
    """(unit id, month, kind) → quantity of the usage report, and (unit id, month, kind, "lines") → its
    lines; the remainder row of a caller without line:read under unit None."""
    asked = {"f": first, "t": last, "d": depth, "s": structure}
    rows = _all_rows((await world.data(login, USAGE, asked))["usageReport"]["rows"])
    found: Figures = {}
    for row in rows:
        key = (key_of(row["orgUnit"]["id"] if row["orgUnit"] else None), row["month"], row["kind"])
        assert key not in found, key
        found[key] = Decimal(row["quantity"])
        found[(*key, "lines")] = Decimal(row["lines"])
    return found


def quantities(figures: Figures) -> Figures:
    """``usage_by_unit`` without the line counts: what ``usage_oracle`` computes."""
    return {key: value for key, value in figures.items() if len(key) == 3}


async def unit_spending(world: World, login: str, period: str, structure: str = "AS_BILLED") -> Figures:
    """(unit id, measure) → the OrgUnit.spending field of every unit, for one month."""
    root = (await world.data(login, UNITS, {"m": period, "s": structure}))["customer"]["orgRoot"]
    found: Figures = {}
    for unit in [root, *root["descendants"]]:
        found[(key_of(unit["id"]), "total")] = Decimal(unit["spending"]["total"]["amount"])
        found[(key_of(unit["id"]), "employee")] = Decimal(unit["spending"]["employeeShare"]["amount"])
        found[(key_of(unit["id"]), "lines")] = Decimal(unit["spending"]["lineCount"])
    return found


async def budget_rows(world: World, login: str, first: str, last: str, structure: str = "AS_BILLED") -> Figures:
    input = {"from": first, "to": last, "structure": structure}
    rows = _all_rows((await world.data(login, BUDGETS, {"input": input}))["budgetReport"]["rows"])
    found: Figures = {}
    for row in rows:
        unit = key_of(row["orgUnit"]["id"])
        found[(unit, row["month"], "budget")] = Decimal(row["budget"]["amount"])
        found[(unit, row["month"], "actual")] = Decimal(row["actual"]["amount"])
    return found


async def invoiced(world: World, customer: int = 1) -> Figures:
    async with world.engines.billing.connect() as conn:
        rows = await conn.execute(
            text("select period, sum(total_minor) from invoices where customer_id = :c group by period"),
            {"c": customer},
        )
        return {(month(_day(period)),): Decimal(minor) / 100 for period, minor in rows}


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


async def _history(
    world: World, customer: int
) -> tuple[dict[int, list[tuple[date, date | None, str]]], dict[int, str]]:
    """Each line's stays (first day, day after the last or None, path) and today's paths, from raw rows."""
    async with world.engines.crm.connect() as conn:
        stays = (await conn.execute(
            text("select subscriber_id, org_path, valid_from, valid_to from line_memberships where customer_id = :c"),
            {"c": customer},
        )).all()  # fmt: skip
        paths = dict((await conn.execute(text("select id, org_path from subscribers"))).all())
    by_line: dict[int, list[tuple[date, date | None, str]]] = defaultdict(list)
    for line, path, start, end in stays:
        by_line[line].append((_day(start), None if end is None else _day(end), path))
    return by_line, paths


def _path_on(by_line: dict[int, list[tuple[date, date | None, str]]], line: int, day: date) -> str:
    held = [p for start, end, p in by_line[line] if start <= day and (end is None or day < end)]
    assert len(held) == 1, (line, day, held)  # stays never overlap and cover every charged day
    return held[0]


def utc_day(moment: Any) -> date:
    """A usage record's day as it is charged: its start's day in UTC (SQLite hands back text, and
    naive timestamps are UTC)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).astimezone(UTC).date()


async def oracle(
    world: World,
    depth: int,
    first: str,
    last: str,
    *,
    current: bool,
    customer: int = 1,
    lines: dict[tuple[int, str], int] | None = None,
) -> Figures:
    """The report grouped by org unit and month computed from raw rows: each charge under the unit
    at ``depth`` of the line's path on the charge's day (``current``: today's path). ``lines``, when
    given, receives the lines with charges of every unit and month, each line counted once."""
    by_line, paths = await _history(world, customer)
    async with world.engines.billing.connect() as conn:
        charges = await conn.execute(
            text("select subscriber_id, day, period, amount_minor from daily_charges where customer_id = :c"),
            {"c": customer},
        )
        found: dict[tuple[Any, ...], int] = defaultdict(int)
        charged: dict[tuple[int, str], set[int]] = defaultdict(set)
        for line, day, period, amount in charges:
            period_text = month(_day(period))
            if not first <= period_text <= last:
                continue
            path = paths[line] if current else _path_on(by_line, line, _day(day))
            found[(unit_at_depth(path, depth), period_text, "total")] += amount
            for unit in path.strip("/").split("/"):  # every unit on the path counts the line once
                charged[(int(unit), period_text)].add(line)
    if lines is not None:
        lines.update({key: len(found_lines) for key, found_lines in charged.items()})
    return {key: Decimal(minor) / 100 for key, minor in found.items() if minor}


async def usage_oracle(
    world: World,
    depth: int,
    first: str,
    last: str,
    *,
    current: bool,
    customer: int = 1,
    lines: dict[tuple[int, str, str], int] | None = None,
) -> Figures:
    """The usage report's (unit, month, kind) → quantity from raw rows: each usage record under the
    unit at ``depth`` of the path its line had on the record's day in UTC (``current``: today's
    path). ``lines``, when given, receives the lines with usage of every unit, month and kind (as
    the schema spells kinds), each line counted once."""
    by_line, paths = await _history(world, customer)
    async with world.engines.billing.connect() as conn:
        records = await conn.execute(
            text("select subscriber_id, started_at, period, kind, quantity from usage_records where customer_id = :c"),
            {"c": customer},
        )
        found: dict[tuple[Any, ...], int] = defaultdict(int)
        used: dict[tuple[int, str, str], set[int]] = defaultdict(set)
        for line, started_at, period, kind, quantity in records:
            period_text = month(_day(period))
            if not first <= period_text <= last:
                continue
            path = paths[line] if current else _path_on(by_line, line, utc_day(started_at))
            found[(unit_at_depth(path, depth), period_text, kind.upper())] += quantity
            for unit in path.strip("/").split("/"):
                used[(int(unit), period_text, kind.upper())].add(line)
    if lines is not None:
        lines.update({key: len(found_lines) for key, found_lines in used.items()})
    return {key: Decimal(quantity) for key, quantity in found.items() if quantity}


def nonzero(figures: Figures) -> Figures:
    return {key: value for key, value in figures.items() if value}


def _all_rows(page: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's rows, every one on the one page asked for."""
    assert len(page["nodes"]) == page["totalCount"], "more rows than one page"
    return page["nodes"]
