"""No figure the aggregate viewer can derive narrows to fewer than five lines (issue 13, finding 3):
not one row, and not the difference of two nested figures from overlapping reports (grouped by
a dimension or not, at another unit depth, over another month range, subtree or categories).

The oracle reads the charges straight from the billing database and the org tree from the CRM
(``tests/oracle.py``): each figure's *region* — the (line, month, category) facts it claims to
cover — comes from the report's own keys, never from corpcare's suppression code. A leak is
a figure, or the difference of two nested figures, that equals the true sum of a region holding
between one and four lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import text

from resolvers.ids import from_global_id
from sources.values import add_months, month_start
from tests.oracle import Scope, global_id, read_rows
from tests.support import LOGINS, World, today

K = 5
MONTHS = 6  # the closed months the reports range over
REPORT = """query($input: SpendingReportInput!) { spendingReport(input: $input) {
  totals { total { amount currency } lines }
  rows(first: 10000) { nodes { orgUnit { id } month category suppressed total { amount currency } lines } } } }"""
CATEGORIES = ["SUBSCRIPTION", "VOICE", "SMS", "DATA", "ROAMING", "CONTENT"]

Fact = tuple[int, str, str]  # line, month (YYYY-MM), category (as the schema spells it)


@dataclass
class Truth:
    """The aggregate viewer's world as the databases hold it."""

    facts: dict[Fact, int]  # minor units
    lines: dict[int, list[int]]  # line id -> unit ids on its path, root first
    units: dict[int, str]  # unit id -> path, the units the viewer may see

    def region(self, lines: set[int], months: set[str], categories: set[str]) -> frozenset[Fact]:
        return frozenset(f for f in self.facts if f[0] in lines and f[1] in months and f[2] in categories)

    def total(self, region: frozenset[Fact]) -> int:
        return sum(self.facts[f] for f in region)


_TRUTH: dict[tuple[str, str], Truth] = {}
# What the figures sum: the charges (minor units) per category, or the usage (quantities) per kind.
SUMS = {
    "charges": "select subscriber_id, period, category, sum(amount_minor) from daily_charges "
    "where customer_id = :c group by subscriber_id, period, category",
    "usage": "select subscriber_id, period, kind, sum(quantity) from usage_records "
    "where customer_id = :c group by subscriber_id, period, kind",
}


async def truth(world: World, what: str = "charges") -> Truth:
    if (world.backend, what) not in _TRUTH:
        rows = await read_rows(world)
        scope = Scope.of(rows, "aggregate_viewer")
        visible = {
            line: [int(part) for part in path.strip("/").split("/")]
            for line, (customer, path) in rows.lines.items()
            if customer == scope.customer_id and any(path.startswith(p) for p in scope.paths or ())
        }
        units = {
            unit: path for unit, (customer, path) in rows.units.items()
            if customer == scope.customer_id and any(path.startswith(p) for p in scope.paths or ())
        }  # fmt: skip
        first = add_months(month_start(today()), -MONTHS)
        async with world.engines.billing.connect() as conn:
            result = await conn.execute(text(SUMS[what]), {"c": scope.customer_id})
            facts = {}
            for line, period, kind, amount in result.all():
                month = str(period)[:7]
                if line in visible and month >= f"{first:%Y-%m}":
                    facts[(line, month, kind.upper())] = int(amount)
        _TRUTH[(world.backend, what)] = Truth(facts, visible, units)
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
    lines = {line for line, ids in world.lines.items() if subtree is None or subtree in ids}
    months = months_between(asked["from"], asked["to"])
    categories = set(asked.get("categories") or CATEGORIES)
    minor = lambda money: int((Decimal(money["amount"]) * 100).to_integral_value())  # noqa: E731
    out = [Figure(f"totals of {asked}", minor(t["total"]), world.region(lines, months, categories))
           for t in found["totals"]]  # fmt: skip
    for row in found["rows"]["nodes"]:
        if row["suppressed"]:
            continue
        in_row = lines  # orgUnit null and not the remainder: the company, above the viewer's grant
        if row["orgUnit"] is not None:
            unit = from_global_id(row["orgUnit"]["id"])[1]
            in_row = {line for line in lines if world.lines[line][min(depth, len(world.lines[line]) - 1)] == unit}
        region = world.region(
            in_row, {row["month"]} if row["month"] else months, {row["category"]} if row["category"] else categories
        )
        out.append(Figure(f"row {row} of {asked}", minor(row["total"]), region))
    return out


def leaks(found: list[Figure], world: Truth) -> list[str]:
    """Figures, and differences of nested figures, that give the true sum of one to four lines."""
    problems = []
    nested = sum(1 for outer in found for inner in found if inner.region < outer.region)
    assert nested, "no two figures nest: nothing was tried"

    def small(region: frozenset[Fact]) -> bool:
        return 0 < len({line for line, _, _ in region}) < K

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
        region = known.region({line for line, ids in known.lines.items() if unit in ids}, {at}, set(CATEGORIES))
        minor = int((Decimal(money["amount"]) * 100).to_integral_value())
        out.append(Figure(f"{unit_id} in {at}", minor, region))
    return out


USAGE = """query($f: Month!, $t: Month!, $d: Int!, $u: ID) { usageReport(from: $f, to: $t, unitDepth: $d, orgUnit: $u) {
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
        subtree = from_global_id(asked["u"])[1] if asked["u"] else None
        lines = {line for line, ids in known.lines.items() if subtree is None or subtree in ids}
        for row in rows:
            if row["suppressed"]:
                continue
            at = lines  # orgUnit null: the company, above the viewer's grant (depth 0)
            if row["orgUnit"] is not None:
                unit = from_global_id(row["orgUnit"]["id"])[1]
                at = {line for line in lines if known.lines[line][min(asked["d"], len(known.lines[line]) - 1)] == unit}
            region = known.region(at, {row["month"]}, {row["kind"]})
            found.append(Figure(f"{row} of {asked}", int(Decimal(row["quantity"])), region))
    if sum(1 for outer in found for inner in found if inner.region < outer.region):
        assert leaks(found, known) == []
    else:
        assert [f for f in found if 0 < len({line for line, _, _ in f.region}) < K] == []
