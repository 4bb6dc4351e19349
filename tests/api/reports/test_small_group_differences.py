"""No figure the aggregate viewer can derive narrows to fewer than five lines (issue 13, finding 3):
not one row, and not the difference of two nested figures from overlapping reports (grouped by
a dimension or not, at another unit depth, over another month range, subtree or categories).

The oracle reads the charges and usage records straight from the billing database and the org
tree from the CRM (``tests/oracle.py``, and for each charge or usage record where its line sat on
its day, as the reports group them by default): each figure's *region* — the (line, month,
category or kind, place) facts it claims to cover — comes from the report's own keys, never from
corpcare's suppression code. A leak is a figure, or the difference of two nested figures, that
equals the true sum of a region holding between one and four lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import text

from core.ids import from_global_id
from core.values import add_months, month_start
from tests.api.access.test_access import codes
from tests.api.reports.org_history import utc_day
from tests.oracle import Scope, global_id, read_rows
from tests.support import LOGINS, World, today

K = 5
MONTHS = 6  # the closed months the reports range over
REPORT = """query($input: SpendingReportInput!) { spendingReport(input: $input) {
  totals { total { amount currency } lines }
  rows(first: 10000) { nodes { orgUnit { id } month category suppressed total { amount currency } lines } } } }"""
CATEGORIES = ["SUBSCRIPTION", "VOICE", "SMS", "DATA", "ROAMING", "CONTENT"]

# line, month (YYYY-MM), category or usage kind (as the schema spells it), the units on the line's
# path where the facts count: as billed (the reports' default, the only tree a caller without
# line:read may ask for)
Fact = tuple[int, str, str, tuple[int, ...]]
Where = Callable[[tuple[int, ...]], bool]  # which paths a figure's region takes


@dataclass
class Truth:
    """The aggregate viewer's world as the databases hold it."""

    facts: dict[Fact, int]  # minor units
    units: dict[int, str]  # unit id -> path, the units the viewer may see

    def region(self, where: Where, months: set[str], categories: set[str]) -> frozenset[Fact]:
        return frozenset(f for f in self.facts if where(f[3]) and f[1] in months and f[2] in categories)

    def total(self, region: frozenset[Fact]) -> int:
        return sum(self.facts[f] for f in region)


_TRUTH: dict[tuple[str, str], Truth] = {}
# What the figures sum: the charges (minor units) per category and day, or the usage records
# (quantities) with their kind and start (their day is its day in UTC, the day they are charged on).
SUMS = {
    "charges": "select subscriber_id, day, period, category, sum(amount_minor) from daily_charges "
    "where customer_id = :c group by subscriber_id, day, period, category",
    "usage": "select subscriber_id, started_at, period, kind, quantity from usage_records where customer_id = :c",
}


def _ids(path: str) -> tuple[int, ...]:
    return tuple(int(part) for part in path.strip("/").split("/"))


async def truth(world: World, what: str = "charges") -> Truth:
    if (world.backend, what) not in _TRUTH:
        rows = await read_rows(world)
        scope = Scope.of(rows, "aggregate_viewer")
        granted = {_ids(path)[-1] for path in scope.paths or ()}
        units = {
            unit: path for unit, (customer, path) in rows.units.items()
            if customer == scope.customer_id and any(path.startswith(p) for p in scope.paths or ())
        }  # fmt: skip
        async with world.engines.crm.connect() as conn:
            statement = (
                "select subscriber_id, org_path, valid_from, valid_to from line_memberships where customer_id = :c"
            )
            stays: dict[int, list[tuple[str, str, str | None, tuple[int, ...]]]] = {}
            for line, path, start, end in await conn.execute(text(statement), {"c": scope.customer_id}):
                stays.setdefault(line, []).append((path, str(start), end and str(end), _ids(path)))

        def at(line: int, day: str) -> tuple[int, ...]:
            """Where the line's facts of ``day`` (ISO) count: its path then."""
            return next(
                ids for _, start, end, ids in stays[line] if start <= str(day) and (end is None or str(day) < end)
            )

        first = add_months(month_start(today()), -MONTHS)
        facts: dict[Fact, int] = defaultdict(int)
        async with world.engines.billing.connect() as conn:
            for line, day, period, kind, amount in await conn.execute(text(SUMS[what]), {"c": scope.customer_id}):
                month = str(period)[:7]
                where = at(line, str(day) if what == "charges" else utc_day(day).isoformat())
                if granted & set(where) and month >= f"{first:%Y-%m}":
                    facts[(line, month, kind.upper(), where)] += int(amount)
        _TRUTH[(world.backend, what)] = Truth(dict(facts), units)
    return _TRUTH[(world.backend, what)]


def month(offset: int) -> str:
    return add_months(month_start(today()), offset).strftime("%Y-%m")


def months_between(first: str, last: str) -> set[str]:
    found, at = set(), date.fromisoformat(first + "-01")
    while f"{at:%Y-%m}" <= last:
        found.add(f"{at:%Y-%m}")
        at = add_months(at, 1)
    return found


@st.composite
def questions(draw: Any, units: list[int]) -> dict[str, Any]:
    last = draw(st.integers(-MONTHS, -1))
    first = draw(st.integers(-MONTHS, last))
    group_by = draw(st.lists(st.sampled_from(["ORG_UNIT", "MONTH", "CATEGORY"]), unique=True, max_size=3))
    asked: dict[str, Any] = {"from": month(first), "to": month(last), "groupBy": group_by}
    asked["unitDepth"] = draw(st.integers(0, 3))
    if draw(st.booleans()):
        asked["orgUnit"] = draw(st.sampled_from(units))
    if draw(st.integers(0, 3)) == 0:
        asked["categories"] = draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3, unique=True))
    return asked


@dataclass(frozen=True)
class Figure:
    what: str
    total: int
    region: frozenset[Fact]


def figures(found: dict[str, Any], asked: dict[str, Any], world: Truth) -> list[Figure]:
    """The report's totals and rows with the regions their keys claim (remainders claim none)."""
    depth = asked["unitDepth"]
    subtree = from_global_id(asked["orgUnit"])[1] if "orgUnit" in asked else None
    months = months_between(asked["from"], asked["to"])
    categories = set(asked.get("categories") or CATEGORIES)
    minor = lambda money: int((Decimal(money["amount"]) * 100).to_integral_value())  # noqa: E731
    out = [Figure(f"totals of {asked}", minor(t["total"]), world.region(_under(subtree), months, categories))
           for t in found["totals"]]  # fmt: skip
    for row in found["rows"]["nodes"]:
        if row["suppressed"]:
            continue
        # orgUnit null and not the remainder: the company, above the viewer's grant
        in_row = _under(subtree)
        if row["orgUnit"] is not None:
            in_row = _at_depth(subtree, depth, from_global_id(row["orgUnit"]["id"])[1])
        region = world.region(
            in_row, {row["month"]} if row["month"] else months, {row["category"]} if row["category"] else categories
        )
        out.append(Figure(f"row {row} of {asked}", minor(row["total"]), region))
    return out


def _under(subtree: int | None) -> Where:
    return lambda at: subtree is None or subtree in at


def _at_depth(subtree: int | None, depth: int, unit: int) -> Where:
    """The paths in ``subtree`` whose unit at ``depth`` is ``unit`` (a path above it: its own unit)."""
    return lambda at: (subtree is None or subtree in at) and at[min(depth, len(at) - 1)] == unit


def leaks(found: list[Figure], world: Truth) -> list[str]:
    """Figures, and differences of nested figures, that give the true sum of one to four lines."""
    problems = []
    nested = sum(1 for outer in found for inner in found if inner.region < outer.region)
    assert nested, "no two figures nest: nothing was tried"

    def small(region: frozenset[Fact]) -> bool:
        return 0 < len({fact[0] for fact in region}) < K

    for figure in found:
        if small(figure.region) and figure.total == world.total(figure.region):
            problems.append(f"{figure.what} is {len({f[0] for f in figure.region})} lines")
    for outer in found:
        for inner in found:
            if inner.region < outer.region:
                rest = outer.region - inner.region
                if small(rest) and outer.total - inner.total == world.total(rest):
                    problems.append(f"{outer.what} minus {inner.what} isolates {len({f[0] for f in rest})} lines")
    return problems


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_no_figure_or_difference_of_nested_figures_narrows_to_fewer_than_five_lines(world, data):
    known = await truth(world)
    units = sorted(known.units)
    unit_ids = [global_id("OrgUnit", unit) for unit in units]
    found: list[Figure] = []
    for _ in range(3):
        asked = data.draw(questions(unit_ids), label="report")
        note(str(asked))
        report = (await world.data(LOGINS["aggregate_viewer"], REPORT, {"input": asked}))["spendingReport"]
        found += figures(report, asked, known)
    # The same months as roll-ups: every unit's spending, and the budget report's actuals.
    offset = data.draw(st.integers(-MONTHS, -1), label="month")
    found += await roll_ups(world, known, unit_ids, month(offset))
    assert leaks(found, known) == []


ROLL_UPS = """query($ids: [ID!]!, $m: Month!) {
  nodes(ids: $ids) { ... on OrgUnit { id spending(month: $m) { total { amount } } } }
  budgetReport(input: {from: $m, to: $m}) { rows(first: 10000) { nodes { orgUnit { id } actual { amount } } } } }"""


async def roll_ups(world: World, known: Truth, unit_ids: list[str], at: str) -> list[Figure]:
    data = await world.data(LOGINS["aggregate_viewer"], ROLL_UPS, {"ids": unit_ids, "m": at})
    amounts = [(node["id"], node["spending"]["total"]) for node in data["nodes"] if node and node["spending"]]
    amounts += [(row["orgUnit"]["id"], row["actual"]) for row in data["budgetReport"]["rows"]["nodes"]]
    out = []
    for unit_id, money in amounts:
        unit = from_global_id(unit_id)[1]
        region = known.region(_under(unit), {at}, set(CATEGORIES))
        minor = int((Decimal(money["amount"]) * 100).to_integral_value())
        out.append(Figure(f"{unit_id} in {at}", minor, region))
    return out


USAGE = """query($f: Month!, $t: Month!, $d: Int!, $u: ID, $s: OrgStructure! = AS_BILLED) {
  usageReport(from: $f, to: $t, unitDepth: $d, orgUnit: $u, structure: $s) {
  rows(first: 10000) { nodes { orgUnit { id } month kind quantity suppressed } } } }"""
KINDS = ["VOICE", "SMS", "DATA", "ROAMING_DATA"]


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_no_usage_volume_or_difference_of_nested_volumes_narrows_to_fewer_than_five_lines(world, data):
    known = await truth(world, "usage")
    unit_ids = [None, *(global_id("OrgUnit", unit) for unit in sorted(known.units))]
    found: list[Figure] = []
    for _ in range(3):
        last = data.draw(st.integers(-MONTHS, -1), label="to")
        first = data.draw(st.integers(-MONTHS, last), label="from")
        depth, unit = data.draw(st.integers(0, 3), label="depth"), data.draw(st.sampled_from(unit_ids), label="unit")
        asked = {"f": month(first), "t": month(last), "d": depth, "u": unit}
        note(str(asked))
        rows = (await world.data(LOGINS["aggregate_viewer"], USAGE, asked))["usageReport"]["rows"]["nodes"]
        # The same question in today's tree is refused: set against the figures as billed it would
        # single out the lines that moved.
        current = await world.run(LOGINS["aggregate_viewer"], USAGE, {**asked, "s": "CURRENT"})
        assert current.data == {"usageReport": None} and codes(current) == ["FORBIDDEN"]
        assert current.errors[0].extensions["field"] == ["structure"]
        subtree = from_global_id(asked["u"])[1] if asked["u"] else None
        for row in rows:
            if row["suppressed"]:
                continue
            where = _under(subtree)  # orgUnit null: the company, above the viewer's grant (depth 0)
            if row["orgUnit"] is not None:
                where = _at_depth(subtree, asked["d"], from_global_id(row["orgUnit"]["id"])[1])
            region = known.region(where, {row["month"]}, {row["kind"]})
            found.append(Figure(f"{row} of {asked}", int(Decimal(row["quantity"])), region))
    if sum(1 for outer in found for inner in found if inner.region < outer.region):
        assert leaks(found, known) == []
    else:
        assert [f for f in found if 0 < len({fact[0] for fact in f.region}) < K] == []
