"""Budget against actual: the actual is the unit's rolled-up spending, the forecast follows its
stated rule, and units over budget come first."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

from sqlalchemy import text

from core.ids import from_global_id
from core.values import add_months, month_start
from tests.api.access.test_access import unit_id
from tests.support import World, today

REPORT = """query($input: BudgetReportInput!) { budgetReport(input: $input) { from to asOf
  rows(first: 10000) { nodes { orgUnit { id name } month budget { amount currency } actual { amount } percentUsed
         forecast { amount } forecastPercent overBudget } } } }"""
UNIT = """query($u: ID!, $m: Month!) { node(id: $u) { ... on OrgUnit {
  monthlyBudget { amount } spending(month: $m) { total { amount } } } } }"""
SET_BUDGET = """mutation($input: OrgUnitSetBudgetInput!) { orgUnitSetBudget(input: $input) { userErrors { code } } }"""


def month(day: date) -> str:
    return day.strftime("%Y-%m")


async def test_actual_is_the_units_rolled_up_spending_and_percent_follows(world, customer_admin):
    last = add_months(month_start(today()), -1)
    rows = (await world.data(customer_admin, REPORT, {"input": {"from": month(last), "to": month(last)}}))[
        "budgetReport"
    ]["rows"]["nodes"]
    assert len(rows) >= 3
    for row in rows:
        unit = (await world.data(customer_admin, UNIT, {"u": row["orgUnit"]["id"], "m": month(last)}))["node"]
        assert row["budget"]["amount"] == unit["monthlyBudget"]["amount"]
        assert row["actual"]["amount"] == unit["spending"]["total"]["amount"]
        expected = (Decimal(row["actual"]["amount"]) * 100 / Decimal(row["budget"]["amount"])).quantize(Decimal("0.1"))
        assert Decimal(row["percentUsed"]) == expected
        assert row["forecast"] is None
        assert row["overBudget"] == (Decimal(row["actual"]["amount"]) > Decimal(row["budget"]["amount"]))


async def recurring_and_usage(world: World, line_ids: list[int], period: date) -> tuple[int, int]:
    async with world.engines.billing.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "select subscriber_id, category, sum(amount_minor) from daily_charges "
                    "where period = :p group by subscriber_id, category"
                ),
                {"p": period},
            )
        ).all()
    wanted = set(line_ids)
    recurring = sum(int(total) for line, category, total in rows if line in wanted and category == "subscription")
    usage = sum(int(total) for line, category, total in rows if line in wanted and category != "subscription")
    return recurring, usage


async def test_the_current_month_is_forecast_by_the_stated_rule_and_over_budget_comes_first(
    writable_world, customer_admin
):
    world = writable_world
    current = month_start(today())
    sales = await unit_id(world, "Sales")
    await world.data(customer_admin, SET_BUDGET, {"input": {"orgUnit": sales, "monthlyBudget": "100.00"}})
    rows = (await world.data(customer_admin, REPORT, {"input": {"from": month(current), "to": month(current)}}))[
        "budgetReport"
    ]["rows"]["nodes"]
    assert rows[0]["orgUnit"]["id"] == sales and rows[0]["overBudget"] is True
    flags = [row["overBudget"] for row in rows]
    assert flags == sorted(flags, reverse=True)
    lines = await world.data(customer_admin, "query($u: ID!) { subscribers(first: 2000, filter: {orgUnit: $u}) "
                             "{ nodes { id } } }", {"u": sales})  # fmt: skip
    recurring, usage = await recurring_and_usage(
        world, [from_global_id(n["id"])[1] for n in lines["subscribers"]["nodes"]], current
    )
    days = calendar.monthrange(current.year, current.month)[1]
    forecast = recurring + usage * days // today().day
    assert rows[0]["actual"]["amount"] == f"{(recurring + usage) / 100:.2f}"
    assert rows[0]["forecast"]["amount"] == f"{forecast / 100:.2f}"


async def test_a_unit_admin_sees_the_budgets_of_its_subtree_only(world, unit_admin, customer_admin):
    last = month(add_months(month_start(today()), -1))
    mine = (await world.data(unit_admin, REPORT, {"input": {"from": last, "to": last}}))["budgetReport"]["rows"][
        "nodes"
    ]
    everyone = (await world.data(customer_admin, REPORT, {"input": {"from": last, "to": last}}))["budgetReport"][
        "rows"
    ]["nodes"]
    assert 0 < len(mine) < len(everyone)
    granted = await world.data(unit_admin, "{ viewer { scope { units { id descendants { id } } } } }")
    in_scope = {u["id"] for g in granted["viewer"]["scope"]["units"] for u in [g, *g["descendants"]]}
    assert {row["orgUnit"]["id"] for row in mine} <= in_scope


async def test_without_months_the_report_is_the_current_months_as_the_server_counts_them(world, customer_admin):
    current = month(month_start(today()))
    given = await world.data(customer_admin, REPORT, {"input": {"from": current, "to": current}})
    defaulted = await world.data(customer_admin, REPORT, {"input": {}})
    assert defaulted["budgetReport"]["from"] == defaulted["budgetReport"]["to"] == current
    without_moment = [{**report["budgetReport"], "asOf": None} for report in (given, defaulted)]
    assert without_moment[0] == without_moment[1]
    assert defaulted["budgetReport"]["rows"]["nodes"]
