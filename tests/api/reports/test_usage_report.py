"""Usage volumes and bundle use add up to the usage records and balances of the lines in scope: in
today's tree (CURRENT) over the lines each unit holds now, as billed (the default) over the unit
each line sat in on each record's day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import text

from core.ids import from_global_id
from core.values import add_months, month_start
from tests.api.reports.org_history import quantities, usage_by_unit, usage_oracle
from tests.support import World, today

USAGE = """query($f: Month!, $t: Month!, $d: Int!, $s: OrgStructure! = AS_BILLED) {
  usageReport(from: $f, to: $t, unitDepth: $d, structure: $s) {
  rows(first: 10000) { nodes { orgUnit { id } month kind quantity unit amount { amount } lines billed } } } }"""
BUNDLES = """{ bundleUtilisation { tariffPlan { code } bundle { code } lines allowance used percentUsed } }"""


def month(day: date) -> str:
    return day.strftime("%Y-%m")


async def lines_under(world: World, login: str, unit: str | None = None) -> set[int]:
    query = "query($u: ID) { subscribers(first: 2000, filter: {orgUnit: $u}) { nodes { id } } }"
    data = await world.data(login, query, {"u": unit})
    return {from_global_id(node["id"])[1] for node in data["subscribers"]["nodes"]}


async def usage_sums(world: World, lines: set[int], first: date, last: date) -> dict[tuple[str, str], int]:
    async with world.engines.billing.connect() as conn:
        rows = await conn.execute(
            text(
                "select subscriber_id, period, kind, sum(quantity) from usage_records "
                "where period between :f and :l group by subscriber_id, period, kind"
            ),
            {"f": first, "l": last},
        )
        sums: dict[tuple[str, str], int] = defaultdict(int)
        for line, period, kind, quantity in rows:
            if line in lines:
                day = period if isinstance(period, date) else date.fromisoformat(period)
                sums[(month(day), kind.upper())] += int(quantity)
        return dict(sums)


async def test_each_units_volumes_are_the_sum_of_its_lines_usage(world, customer_admin):
    current = month_start(today())
    first = add_months(current, -1)
    asked = {"f": month(first), "t": month(current), "d": 1}
    rows = (await world.data(customer_admin, USAGE, {**asked, "s": "CURRENT"}))["usageReport"]["rows"]["nodes"]
    units = {row["orgUnit"]["id"] for row in rows}
    assert len(units) > 1 and {row["billed"] for row in rows} == {True, False}
    for unit in units:
        expected = await usage_sums(world, await lines_under(world, customer_admin, unit), first, current)
        got = {(row["month"], row["kind"]): int(row["quantity"]) for row in rows if row["orgUnit"]["id"] == unit}
        assert got == expected, unit
    for row in rows:
        assert row["billed"] == (row["month"] < month(current))
        assert row["unit"] == {"VOICE": "SECONDS", "SMS": "MESSAGES"}.get(row["kind"], "KILOBYTES")
    for depth in range(4):
        as_billed = await usage_by_unit(world, customer_admin, month(first), month(current), depth)
        assert quantities(as_billed) == await usage_oracle(world, depth, month(first), month(current), current=False)


async def test_the_whole_company_equals_its_units_and_a_unit_admin_sees_its_subtree(world, customer_admin, unit_admin):
    last = add_months(month_start(today()), -1)
    variables = {"f": month(last), "t": month(last)}
    by_kind: dict[int, dict[str, Decimal]] = {}
    for depth in (0, 2):
        rows = (await world.data(customer_admin, USAGE, {**variables, "d": depth}))["usageReport"]["rows"]["nodes"]
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for row in rows:
            totals[row["kind"]] += Decimal(row["quantity"])
        by_kind[depth] = dict(totals)
    assert by_kind[0] == by_kind[2]
    mine = (await world.data(unit_admin, USAGE, {**variables, "d": 0, "s": "CURRENT"}))["usageReport"]["rows"]["nodes"]
    expected = await usage_sums(world, await lines_under(world, unit_admin), last, last)
    assert {(row["month"], row["kind"]): int(row["quantity"]) for row in mine} == expected
    # As billed, the unit admin's division holds the usage of the days lines spent in it: the
    # division's rows of the company's report.
    division = await usage_by_unit(world, unit_admin, month(last), month(last), 1)
    company = await usage_by_unit(world, customer_admin, month(last), month(last), 1)
    assert division and division == {key: value for key, value in company.items() if key[0] in {k[0] for k in division}}


async def test_bundle_use_per_plan_adds_up_the_balances_of_the_visible_lines(world, customer_admin, unit_admin):
    for login in (customer_admin, unit_admin):
        lines = await lines_under(world, login)
        async with world.engines.billing.connect() as conn:
            rows = await conn.execute(
                text(
                    "select p.code, b.code, lb.subscriber_id, lb.allowance, lb.used from bundle_balances lb "
                    "join line_products lp on lp.subscriber_id = lb.subscriber_id "
                    "join tariff_plans p on p.id = lp.plan_id join bundles b on b.id = lb.bundle_id "
                    "where lb.period = :p"
                ),
                {"p": month_start(today())},
            )
            expected: dict[tuple[str, str], list[int]] = {}
            for plan, bundle, line, allowance, used in rows:
                if line in lines:
                    cell = expected.setdefault((plan, bundle), [0, 0, 0])
                    cell[0] += 1
                    cell[1] += int(allowance)
                    cell[2] += int(used)
        got = (await world.data(login, BUNDLES))["bundleUtilisation"]
        assert {
            (r["tariffPlan"]["code"], r["bundle"]["code"]): [r["lines"], int(r["allowance"]), int(r["used"])]
            for r in got
        } == expected, login
        for row in got:
            share = (Decimal(row["used"]) * 100 / Decimal(row["allowance"])).quantize(Decimal("0.1"))
            assert Decimal(row["percentUsed"]) == share
