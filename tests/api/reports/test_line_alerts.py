"""Top spenders and anomalies agree with the lines' own figures, computed another way."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import text

from core.ids import from_global_id
from core.values import add_months, month_start
from tests.api.access.test_access import line_ids_under, unit_id
from tests.support import World, today

LINES = """query($m: Month!, $p: Month!) { subscribers(first: 2000) { nodes { id
  effectivePolicy { monthlyLimit { amount } }
  now: spending(month: $m) { total { amount } byCategory { category amount { amount } } }
  before: spending(month: $p) { total { amount } } } } }"""
TOP = """query($f: Month!, $t: Month!, $n: Int!) { topSpenders(from: $f, to: $t, first: $n) { asOf lines {
  rank line { id } total { amount } companyShare { amount } employeeShare { amount } } } }"""
ANOMALIES = """query($m: Month!) { spendingAnomalies(month: $m) {
  overLimit { line { id } spent { amount } limit { amount } }
  growth(percent: 80) { line { id } current { amount } earlier { amount } growthPercent }
  roamingSpikes(factor: 2, minimum: "5.00") { line { id } current { amount } } } }"""


SET_UNIT_POLICY = """mutation($input: OrgUnitSetPolicyInput!) { orgUnitSetPolicy(input: $input) {
  userErrors { code } } }"""
SET_LINE_POLICY = """mutation($input: SubscriberPolicySetInput!) { subscriberPolicySet(input: $input) { applied } }"""


def month(day: date) -> str:
    return day.strftime("%Y-%m")


async def charges(world: World, first: date, last: date, category: str | None = None) -> dict[tuple[int, date], int]:
    where = "" if category is None else f" and category = '{category}'"
    async with world.engines.billing.connect() as conn:
        rows = await conn.execute(
            text(
                "select subscriber_id, period, sum(amount_minor) from daily_charges "
                f"where period between :f and :l{where} group by subscriber_id, period"
            ),
            {"f": first, "l": last},
        )
        return {
            (line, period if isinstance(period, date) else date.fromisoformat(period)): int(total)
            for line, period, total in rows
        }


async def visible(world: World, login: str) -> set[int]:
    data = await world.data(login, "{ subscribers(first: 2000) { nodes { id } } }")
    return {from_global_id(node["id"])[1] for node in data["subscribers"]["nodes"]}


async def test_top_spenders_are_the_visible_lines_with_the_largest_totals(world, customer_admin, unit_admin):
    last = add_months(month_start(today()), -1)
    first = add_months(last, -2)
    sums: dict[int, int] = defaultdict(int)
    for (line, _), total in (await charges(world, first, last)).items():
        sums[line] += total
    for login in (customer_admin, unit_admin):
        mine = await visible(world, login)
        expected = sorted(((-total, line) for line, total in sums.items() if line in mine))[:5]
        got = (await world.data(login, TOP, {"f": month(first), "t": month(last), "n": 5}))["topSpenders"]["lines"]
        assert [r["rank"] for r in got] == [1, 2, 3, 4, 5]
        assert [(from_global_id(r["line"]["id"])[1], Decimal(r["total"]["amount"])) for r in got] == [
            (line, Decimal(-minus) / 100) for minus, line in expected
        ]
        for row in got:
            shares = Decimal(row["companyShare"]["amount"]) + Decimal(row["employeeShare"]["amount"])
            assert shares == Decimal(row["total"]["amount"])


async def test_over_limit_and_growth_match_each_lines_policy_and_spending(writable_world, customer_admin):
    world = writable_world
    last = add_months(month_start(today()), -1)
    # A low limit on Sales, and one of its lines allowed more on its own.
    sales = await unit_id(world, "Sales")
    unit_limit = {"input": {"orgUnit": sales, "policy": {"monthlyLimit": "20.00"}}}
    await world.data(customer_admin, SET_UNIT_POLICY, unit_limit)
    exempt = (await line_ids_under(world, sales))[0]
    line_limit = {"input": {"selection": {"ids": [exempt]}, "policy": {"monthlyLimit": "5000.00"}}}
    assert (await world.data(customer_admin, SET_LINE_POLICY, line_limit))["subscriberPolicySet"]["applied"] == 1
    lines = await world.data(customer_admin, LINES, {"m": month(last), "p": month(add_months(last, -1))})
    over, grown = set(), set()
    for node in lines["subscribers"]["nodes"]:
        now, before = Decimal(node["now"]["total"]["amount"]), Decimal(node["before"]["total"]["amount"])
        limit = node["effectivePolicy"]["monthlyLimit"]
        # A limit counts usage charges, never the recurring fees.
        usage = sum(
            Decimal(c["amount"]["amount"]) for c in node["now"]["byCategory"] if c["category"] != "SUBSCRIPTION"
        )
        if limit is not None and usage > Decimal(limit["amount"]):
            over.add(node["id"])
        if now > 0 and now * 100 > before * 180:
            grown.add(node["id"])
    got = (await world.data(customer_admin, ANOMALIES, {"m": month(last)}))["spendingAnomalies"]
    assert {r["line"]["id"] for r in got["overLimit"]} == over and over and exempt not in over
    assert {r["line"]["id"] for r in got["growth"]} == grown and grown
    for row in got["growth"]:
        earlier = Decimal(row["earlier"]["amount"])
        if earlier:
            growth = (Decimal(row["current"]["amount"]) - earlier) * 100 / earlier
            assert abs(Decimal(row["growthPercent"]) - growth) <= Decimal("0.05")


async def test_roaming_spikes_compare_with_the_three_months_before(world, customer_admin, unit_admin):
    last = add_months(month_start(today()), -1)
    roaming = await charges(world, add_months(last, -3), last, category="roaming")
    expected = set()
    for line in {line for line, _ in roaming} & await visible(world, customer_admin):
        now = roaming.get((line, last), 0)
        before = sum(roaming.get((line, add_months(last, -back)), 0) for back in (1, 2, 3))
        if now >= 500 and now * 100 * 3 > before * 200:
            expected.add(line)
    got = (await world.data(customer_admin, ANOMALIES, {"m": month(last)}))["spendingAnomalies"]["roamingSpikes"]
    assert {from_global_id(r["line"]["id"])[1] for r in got} == expected and expected
    theirs = (await world.data(unit_admin, ANOMALIES, {"m": month(last)}))["spendingAnomalies"]
    mine = await visible(world, unit_admin)
    for kind in ("overLimit", "growth", "roamingSpikes"):
        assert {from_global_id(r["line"]["id"])[1] for r in theirs[kind]} <= mine
