"""A caller without line:read sees no figure of fewer than five lines (issue 13, finding 3): small
groups are summed into a remainder, totals still add up, and callers who may read lines see
every group as before."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import text

from core.values import add_months, month_start
from tests.api.access.test_access import codes, unit_id
from tests.support import nothing, today

K = 5
REPORT = """query($input: SpendingReportInput!) { spendingReport(input: $input) {
  totals { total { amount currency } employeeShare { amount } lines }
  rows(first: 10000) { nodes { orgUnit { id } costCentre month category suppressed
    total { amount currency } employeeShare { amount } lines } } } }"""
USAGE = """query($f: Month!, $t: Month!, $d: Int!) { usageReport(from: $f, to: $t, unitDepth: $d) {
  rows(first: 10000) { nodes { orgUnit { id } month kind quantity amount { amount } lines } } } }"""


def month(offset: int) -> str:
    return add_months(month_start(today()), offset).strftime("%Y-%m")


def money(rows: list[dict[str, Any]], measure: str = "total") -> Decimal:
    return sum((Decimal(row[measure]["amount"]) for row in rows), Decimal(0))


async def report(world, login: str, **input: Any) -> dict[str, Any]:
    found = (await world.data(login, REPORT, {"input": input}))["spendingReport"]
    return found | {"rows": found["rows"]["nodes"]}


async def test_the_aggregate_viewer_sees_no_team_month_or_category_of_fewer_than_five_lines(world, aggregate_viewer):
    asked = {"from": month(-3), "to": month(-1), "groupBy": ["ORG_UNIT", "MONTH", "CATEGORY"], "unitDepth": 3}
    found = await report(world, aggregate_viewer, **asked)
    assert found["rows"], "the assistant still gets figures"
    assert [row for row in found["rows"] if row["lines"] < K] == []
    remainders = [row for row in found["rows"] if row["suppressed"]]
    assert remainders, "the demo's teams are small: some are summed into the remainder"
    assert all(row["orgUnit"] is None and row["category"] is None and row["month"] for row in remainders)
    # Rows and remainders add up to the totals, to the cent.
    assert money(found["rows"]) == money(found["totals"])
    assert money(found["rows"], "employeeShare") == money(found["totals"], "employeeShare")


async def test_grouping_by_tariff_plan_and_service_is_refused_to_the_aggregate_viewer(world, aggregate_viewer):
    # The finding: 93 of 189 rows of this report had `lines: 1`.
    asked = {"from": month(-1), "to": month(-1), "groupBy": ["ORG_UNIT", "TARIFF_PLAN", "SERVICE"], "unitDepth": 3}
    refused = await world.run(aggregate_viewer, REPORT, {"input": asked})
    assert nothing(refused) and codes(refused) == ["FORBIDDEN"]
    assert "line:read" in refused.errors[0].message


async def test_the_usage_report_shows_the_aggregate_viewer_no_kind_used_by_fewer_than_five_lines(
    world, aggregate_viewer
):
    rows = (await world.data(aggregate_viewer, USAGE, {"f": month(-3), "t": month(-1), "d": 3}))["usageReport"]["rows"][
        "nodes"
    ]
    assert rows, "the assistant still gets usage figures"
    assert [row for row in rows if row["lines"] < K] == []
    assert not [row for row in rows if row["kind"] == "ROAMING_DATA" and row["lines"] < K]


async def test_the_aggregate_viewers_totals_are_the_customer_admins_to_the_cent(
    world, aggregate_viewer, customer_admin, unit_admin
):
    sales = await unit_id(world, "Sales")
    for group_by, depth in ((["ORG_UNIT", "MONTH"], 3), (["CATEGORY"], 2), ([], 0), (["COST_CENTRE", "MONTH"], 1)):
        asked = {"from": month(-4), "to": month(-1), "groupBy": group_by, "unitDepth": depth}
        theirs = await report(world, aggregate_viewer, **asked)
        # The whole company's admin, over the assistant's subtree, and the subtree's own admin.
        for admins in (
            await report(world, customer_admin, **asked, orgUnit=sales),
            await report(world, unit_admin, **asked),
        ):
            assert theirs["totals"] == admins["totals"], group_by
            assert money(theirs["rows"]) == money(admins["rows"]) == money(admins["totals"]), group_by
            assert money(theirs["rows"], "employeeShare") == money(admins["totals"], "employeeShare"), group_by


async def test_callers_who_may_read_lines_still_see_every_group(world, unit_admin, customer_admin):
    asked = {"from": month(-1), "to": month(-1), "groupBy": ["ORG_UNIT", "TARIFF_PLAN", "SERVICE"], "unitDepth": 3}
    for login in (unit_admin, customer_admin):
        rows = (await report(world, login, **asked))["rows"]
        assert [row for row in rows if row["lines"] == 1], login
        assert not [row for row in rows if row["suppressed"]], login


async def test_the_aggregate_viewer_reporting_on_a_small_team_gets_nothing_of_it(world, aggregate_viewer, unit_admin):
    sales = await unit_id(world, "Sales")
    units = await world.data(unit_admin, """query($u: ID!) { node(id: $u) { ... on OrgUnit {
      children { children { id subscriberCount } } } } }""", {"u": sales})  # fmt: skip
    teams = [team for department in units["node"]["children"] for team in department["children"]]
    small = next(team for team in teams if 0 < team["subscriberCount"] < K)
    asked = {"from": month(-3), "to": month(-1), "orgUnit": small["id"], "groupBy": ["MONTH", "CATEGORY"]}
    assert (await report(world, unit_admin, **asked))["rows"], "the unit admin sees the team"
    found = await report(world, aggregate_viewer, **asked)
    assert found == {"totals": [], "rows": []}


async def test_a_cost_centre_above_the_unit_admins_grant_is_never_named(writable_world, unit_admin, customer_admin):
    # Finding 4: with no cost centre inside Sales, its lines' nearest centre is the company's own.
    sales = await writable_world.scalar("crm", "select path from org_units where name = 'Sales'")
    async with writable_world.engines.crm.begin() as conn:
        await conn.execute(
            text("update org_units set cost_centre_code = null where path >= :p and path < :q"),
            {"p": sales, "q": sales + "~"},
        )
    company = await writable_world.scalar("crm", "select cost_centre_code from org_units where depth = 0 and id = 1")
    asked = {
        "from": month(-1),
        "to": month(-1),
        "groupBy": ["COST_CENTRE"],
        "orgUnit": await unit_id(writable_world, "Sales"),
    }
    admins = await report(writable_world, customer_admin, **asked)
    assert {row["costCentre"] for row in admins["rows"]} == {company}, "the whole company's admin may name it"
    theirs = await report(writable_world, unit_admin, **asked)
    assert theirs["rows"] and {row["costCentre"] for row in theirs["rows"]} == {None}
    assert money(theirs["rows"]) == money(admins["rows"])


TEAMS = """query($u: ID!, $m: Month!) { node(id: $u) { ... on OrgUnit { children { children {
  id subscriberCount spending(month: $m) { total { amount } lineCount } } } } } }"""
BUDGETS = """query($f: Month!, $t: Month!) { budgetReport(input: {from: $f, to: $t}) {
  rows(first: 10000) { nodes { orgUnit { id subscriberCount } actual { amount } } } } }"""


async def test_unit_roll_ups_and_budgets_show_the_aggregate_viewer_no_unit_of_fewer_than_five_lines(
    world, aggregate_viewer, unit_admin
):
    variables = {"u": await unit_id(world, "Sales"), "m": month(-1)}
    teams = [
        t for d in (await world.data(aggregate_viewer, TEAMS, variables))["node"]["children"] for t in d["children"]
    ]
    admins = [t for d in (await world.data(unit_admin, TEAMS, variables))["node"]["children"] for t in d["children"]]
    assert [t for t in admins if 0 < t["spending"]["lineCount"] < K], "the demo has small teams"
    assert [t for t in teams if t["spending"] is not None and t["spending"]["lineCount"] < K] == []
    assert [t for t in teams if t["subscriberCount"] < K and t["spending"] is not None] == []
    budgets = (await world.data(aggregate_viewer, BUDGETS, {"f": month(-2), "t": month(-1)}))["budgetReport"]["rows"][
        "nodes"
    ]
    assert budgets, "large units keep their budget rows"
    assert [row for row in budgets if row["orgUnit"]["subscriberCount"] < K] == []


async def test_bundle_use_shows_the_aggregate_viewer_no_plan_held_by_fewer_than_five_lines(
    world, aggregate_viewer, unit_admin
):
    query = "{ bundleUtilisation { tariffPlan { code } bundle { code } lines used } }"  # this month
    admins = (await world.data(unit_admin, query))["bundleUtilisation"]
    assert [row for row in admins if row["lines"] < K], "the demo has plans held by a few lines"
    theirs = (await world.data(aggregate_viewer, query))["bundleUtilisation"]
    assert theirs and [row for row in theirs if row["lines"] < K] == []
