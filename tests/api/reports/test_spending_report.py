"""The spending report reconciles: lines add up to units, units to the company, the company to
its invoices, company + employee share to the total — to the cent, under every role's scope."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from core.ids import from_global_id, to_global_id
from core.values import add_months, month_start
from tests.api.access.test_access import codes
from tests.support import World, nothing, today

REPORT = """query($input: SpendingReportInput!) { spendingReport(input: $input) {
  from to asOf rowCount
  totals { total { amount currency } companyShare { amount } employeeShare { amount } lines }
  rows(first: 10000) { nodes { orgUnit { id } costCentre line { id } month category tariffPlan { id } service { id }
    total { amount currency } companyShare { amount } employeeShare { amount } lines } } } }"""

PARTITIONS = {"ORG_UNIT", "COST_CENTRE", "LINE", "TARIFF_PLAN"}  # each line falls in exactly one group
# As billed, a line that moved counts in each unit (and cost centre) it was in during the months.
PARTITIONS_AS_BILLED = {"LINE", "TARIFF_PLAN"}


def month(day: date) -> str:
    return day.strftime("%Y-%m")


async def closed_months(world: World, customer: int) -> list[date]:
    async with world.engines.billing.connect() as conn:
        rows = await conn.execute(
            text("select distinct period from invoices where customer_id = :c order by period"), {"c": customer}
        )
        return [row[0] if isinstance(row[0], date) else date.fromisoformat(row[0]) for row in rows]


async def invoiced(world: World, customer: int, period: date) -> Decimal:
    minor = await world.scalar(
        "billing", "select sum(total_minor) from invoices where customer_id = :c and period = :p", c=customer, p=period
    )
    return Decimal(minor) / 100


async def report(world: World, login: str, **input: Any) -> dict[str, Any]:
    found = (await world.data(login, REPORT, {"input": input}))["spendingReport"]
    return found | {"rows": found["rows"]["nodes"]}


def amount(money: dict[str, str]) -> Decimal:
    return Decimal(money["amount"])


def summed(rows: list[dict[str, Any]], measure: str = "total") -> Decimal:
    return sum((amount(row[measure]) for row in rows), Decimal(0))


def by_month(rows: list[dict[str, Any]]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[row["month"]] += amount(row["total"])
    return dict(totals)


async def test_every_closed_month_reconciles_lines_units_company_and_invoices_to_the_cent(world, customer_admin):
    months = await closed_months(world, 1)
    assert len(months) >= 11
    first, last = month(months[0]), month(months[-1])
    company = await report(world, customer_admin, **{"from": first, "to": last, "groupBy": ["MONTH"]})
    company_by_month = by_month(company["rows"])
    for period in months:
        assert company_by_month[month(period)] == await invoiced(world, 1, period), month(period)
    lines = await report(world, customer_admin, **{"from": first, "to": last, "groupBy": ["MONTH", "LINE"]})
    assert by_month(lines["rows"]) == company_by_month
    for depth in range(4):
        units = await report(
            world, customer_admin, **{"from": first, "to": last, "groupBy": ["ORG_UNIT", "MONTH"], "unitDepth": depth}
        )
        assert by_month(units["rows"]) == company_by_month, depth
    centres = await report(world, customer_admin, **{"from": first, "to": last, "groupBy": ["COST_CENTRE", "MONTH"]})
    assert by_month(centres["rows"]) == company_by_month
    for row in company["rows"] + lines["rows"]:
        assert amount(row["companyShare"]) + amount(row["employeeShare"]) == amount(row["total"])
    assert [amount(t["total"]) for t in company["totals"]] == [sum(company_by_month.values())]


async def test_each_units_row_is_the_sum_of_its_own_lines_and_agrees_with_the_unit_spending_field(
    world, customer_admin
):
    last = add_months(month_start(today()), -1)
    per_line = await report(world, customer_admin, **{"from": month(last), "to": month(last), "groupBy": ["LINE"]})
    line_totals = {row["line"]["id"]: amount(row["total"]) for row in per_line["rows"]}
    for depth in (1, 2):
        units = await report(
            world,
            customer_admin,
            **{"from": month(last), "to": month(last), "groupBy": ["ORG_UNIT"], "unitDepth": depth},
        )
        assert len(units["rows"]) > 1
        for row in units["rows"]:
            unit = row["orgUnit"]["id"]
            under = await world.data(
                customer_admin,
                """query($u: ID!, $m: Month!) { subscribers(first: 2000, filter: {orgUnit: $u}) { nodes { id } }
                   node(id: $u) { ... on OrgUnit { depth spending(month: $m) { total { amount } lineCount } } } }""",
                {"u": unit, "m": month(last)},
            )
            own = sum((line_totals.get(n["id"], Decimal(0)) for n in under["subscribers"]["nodes"]), Decimal(0))
            node = under["node"]
            if node["depth"] == depth:  # a unit at the chosen depth stands for its whole subtree
                assert amount(row["total"]) == own == amount(node["spending"]["total"]), (depth, unit)
                assert node["spending"]["lineCount"] == row["lines"]
            else:  # a shallower unit: only the lines hanging on it directly
                assert amount(row["total"]) <= own


async def expected_by_month(world: World, line_ids: list[int], first: date, last: date) -> dict[str, Decimal]:
    """Independently of the report: the lines' charges summed month by month."""
    async with world.engines.billing.connect() as conn:
        rows = await conn.execute(
            text(
                "select period, subscriber_id, sum(amount_minor) from daily_charges "
                "where period between :f and :l group by period, subscriber_id"
            ),
            {"f": first, "l": last},
        )
        wanted = set(line_ids)
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for period, line, minor in rows:
            if line in wanted:
                day = period if isinstance(period, date) else date.fromisoformat(period)
                sums[month(day)] += Decimal(minor) / 100
        return dict(sums)


async def test_each_role_sees_the_sum_of_exactly_the_lines_in_its_scope(
    world, customer_admin, unit_admin, finance, analyst, employee
):
    last = add_months(month_start(today()), -1)
    first = add_months(last, -2)
    for login in (customer_admin, unit_admin, finance, analyst, employee):
        visible = await world.data(login, "{ subscribers(first: 2000) { nodes { id } } }")
        line_ids = [from_global_id(node["id"])[1] for node in visible["subscribers"]["nodes"]]
        got = await report(world, login, **{"from": month(first), "to": month(last), "groupBy": ["MONTH"]})
        assert by_month(got["rows"]) == await expected_by_month(world, line_ids, first, last), login
        assert got["totals"][0]["lines"] <= len(line_ids)
    sales_admin = await report(world, unit_admin, **{"from": month(first), "to": month(last)})
    everything = await report(world, customer_admin, **{"from": month(first), "to": month(last)})
    assert amount(sales_admin["totals"][0]["total"]) < amount(everything["totals"][0]["total"])


async def test_another_company_and_bad_input_are_refused(world, customer_admin, support):
    last = month(add_months(month_start(today()), -1))
    refusals = [
        ({"from": last, "to": "2020-01"}, ["from"]),
        ({"from": "2020-01", "to": last}, ["to"]),
        ({"from": last, "to": last, "unitDepth": 5}, ["unitDepth"]),
        ({"from": last, "to": last, "groupBy": ["MONTH", "MONTH"]}, ["groupBy"]),
    ]
    for input, field in refusals:
        result = await world.run(customer_admin, REPORT, {"input": input})
        assert nothing(result) and codes(result) == ["BAD_USER_INPUT"], input
        assert result.errors[0].extensions.get("field") == field
    unnamed = await world.run(support, REPORT, {"input": {"from": last, "to": last}})
    assert codes(unnamed) == ["BAD_USER_INPUT"]
    named = await report(world, support, **{"from": last, "to": last, "customer": to_global_id("Customer", 2)})
    assert amount(named["totals"][0]["total"]) > 0


DIMENSIONS = ["ORG_UNIT", "COST_CENTRE", "LINE", "MONTH", "CATEGORY", "TARIFF_PLAN", "SERVICE"]
CATEGORIES = ["SUBSCRIPTION", "VOICE", "SMS", "DATA", "ROAMING", "CONTENT"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    dims=st.lists(st.sampled_from(DIMENSIONS), unique=True, max_size=3),
    depth=st.integers(min_value=0, max_value=3),
    back=st.integers(min_value=1, max_value=11),
    span=st.integers(min_value=0, max_value=5),
    categories=st.lists(st.sampled_from(CATEGORIES), unique=True, max_size=3),
    login=st.sampled_from(["acme.admin", "acme.sales.admin", "acme.finance", "acme.employee"]),
    structure=st.sampled_from(["AS_BILLED", "CURRENT"]),
)
async def test_any_grouping_adds_up_to_the_total(world, dims, depth, back, span, categories, login, structure):
    last = add_months(month_start(today()), -back)
    first = add_months(last, -span)
    input = {"from": month(first), "to": month(last), "groupBy": dims, "unitDepth": depth, "structure": structure}
    if categories:
        input["categories"] = categories
    got = await report(world, login, **input)
    totals = got["totals"]
    if "SERVICE" not in dims:  # by service, a line counts under each service it holds
        assert len(totals) <= 1 and summed(got["rows"]) == (summed(totals) if totals else 0)
    assert summed(got["rows"], "companyShare") + summed(got["rows"], "employeeShare") == summed(got["rows"])
    partitions = PARTITIONS if structure == "CURRENT" else PARTITIONS_AS_BILLED
    if totals and set(dims) <= partitions:
        assert sum(row["lines"] for row in got["rows"]) == totals[0]["lines"]
    elif totals and set(dims) <= PARTITIONS:
        assert sum(row["lines"] for row in got["rows"]) >= totals[0]["lines"]
    if categories and "CATEGORY" in dims:
        assert {row["category"] for row in got["rows"]} <= set(categories)
    assert got["rowCount"] == len(got["rows"])


async def test_the_report_sends_the_same_statements_at_any_size(world, large_world, finance):
    counts = []
    last = month(add_months(month_start(today()), -1))
    for seeded in (world.with_empty_cache(), large_world.with_empty_cache()):  # the org tree read, not cached
        await report(seeded, finance, **{"from": last, "to": last, "groupBy": ["ORG_UNIT", "MONTH"], "unitDepth": 2})
        counts.append(seeded.counter.count)
    # One more than the report's own with the cache empty: the count of lines in scope that prices
    # it before it runs (engine/work.py), kept in the shared cache afterwards. Rows and totals are
    # one statement; billing's BEGIN and ROLLBACK of the answer's moment are two more, and on
    # PostgreSQL the moment's timestamp (asOf) one more again.
    assert counts[0] == counts[1] <= (6 if world.backend == "postgres" else 5) + 1, counts


async def test_a_policy_change_that_moves_cost_to_employees_keeps_every_closed_month_reconciled(
    writable_world, customer_admin
):
    """Charges are split when they are rated: a new cost split applies to charges from then on, and
    the closed months — already invoiced — keep their figures and still add up."""
    world = writable_world
    months = await closed_months(world, 1)
    window = {"from": month(months[0]), "to": month(months[-1]), "groupBy": ["MONTH", "ORG_UNIT"], "unitDepth": 1}
    before = await report(world, customer_admin, **window)
    sales = (await world.data(customer_admin, "{ customer { orgRoot { children { id name } } } }"))["customer"][
        "orgRoot"
    ]["children"]
    unit = next(u["id"] for u in sales if u["name"] == "Sales")
    change = """mutation($input: OrgUnitSetPolicyInput!) { orgUnitSetPolicy(input: $input) {
      orgUnit { effectivePolicy { companySharePercent } } userErrors { code } } }"""
    changed = await world.data(
        customer_admin, change, {"input": {"orgUnit": unit, "policy": {"companySharePercent": 40}}}
    )
    assert changed["orgUnitSetPolicy"]["orgUnit"]["effectivePolicy"]["companySharePercent"] == 40
    after = await report(world, customer_admin, **window)
    assert {k: v for k, v in after.items() if k != "asOf"} == {k: v for k, v in before.items() if k != "asOf"}
    for period, total in by_month(after["rows"]).items():
        assert total == await invoiced(world, 1, date.fromisoformat(period + "-01"))
    for row in after["rows"]:
        assert amount(row["companyShare"]) + amount(row["employeeShare"]) == amount(row["total"])


async def test_by_service_each_row_is_the_spending_of_the_lines_holding_it(world, customer_admin):
    last = add_months(month_start(today()), -1)
    got = await report(world, customer_admin, **{"from": month(last), "to": month(last), "groupBy": ["SERVICE"]})
    visible = await world.data(customer_admin, "{ subscribers(first: 2000) { nodes { id } } }")
    lines = {from_global_id(node["id"])[1] for node in visible["subscribers"]["nodes"]}
    async with world.engines.billing.connect() as conn:
        holders = (await conn.execute(text("select service_id, subscriber_id from line_services"))).all()
    per_line = await expected_by_line(world, last)
    expected: dict[str | None, Decimal] = defaultdict(Decimal)
    holding = {line for _, line in holders}
    for service, line in holders:
        if line in lines:
            expected[to_global_id("Service", service)] += per_line.get(line, Decimal(0))
    expected[None] = sum((per_line.get(line, Decimal(0)) for line in lines - holding), Decimal(0))
    assert {(row["service"] or {}).get("id"): amount(row["total"]) for row in got["rows"]} == {
        key: value for key, value in expected.items() if value
    }


async def expected_by_line(world: World, period: date) -> dict[int, Decimal]:
    async with world.engines.billing.connect() as conn:
        rows = await conn.execute(
            text("select subscriber_id, sum(amount_minor) from daily_charges where period = :p group by subscriber_id"),
            {"p": period},
        )
        return {line: Decimal(total) / 100 for line, total in rows}


async def test_months_not_given_are_counted_from_the_servers_month(world, customer_admin):
    current = month_start(today())
    by_month = {"groupBy": ["MONTH"]}

    async def report(input: dict[str, Any]) -> dict[str, Any]:
        answer = (await world.data(customer_admin, REPORT, {"input": by_month | input}))["spendingReport"]
        return {**answer, "asOf": None}

    assert await report({}) == await report({"from": month(current), "to": month(current)})
    last_three = await report({"lastMonths": 3})
    assert last_three == await report({"from": month(add_months(current, -2)), "to": month(current)})
    assert {row["month"] for row in last_three["rows"]["nodes"]} == {month(add_months(current, -n)) for n in range(3)}
    ending = month(add_months(current, -1))
    assert await report({"lastMonths": 2, "to": ending}) == await report(
        {"from": month(add_months(current, -2)), "to": ending}
    )
    for refused in ({"lastMonths": 3, "from": ending}, {"lastMonths": 0}, {"lastMonths": 121}):
        result = await world.run(customer_admin, REPORT, {"input": refused})
        assert nothing(result) and codes(result) == ["BAD_USER_INPUT"], refused
        assert result.errors[0].extensions.get("field") == ["input", "lastMonths"]
