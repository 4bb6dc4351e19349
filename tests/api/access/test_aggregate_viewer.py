"""An aggregate-only grant: figures rolled up over the granted subtree, never a single line."""

from __future__ import annotations

from decimal import Decimal

from core.values import add_months, month_start
from tests.api.access.test_access import codes, line_ids_under, unit_id
from tests.support import nothing, today

UNIT = """query($u: ID!, $m: Month!) { node(id: $u) { ... on OrgUnit { name subscriberCount
  monthlyBudget { amount } spending(month: $m) { total { amount } lineCount }
  children { name spending(month: $m) { total { amount } } } } } }"""
REPORT = """query($input: SpendingReportInput!) { spendingReport(input: $input) {
  totals { total { amount } lines } rows { nodes { orgUnit { name } total { amount } } } } }"""


def month(offset: int) -> str:
    return add_months(month_start(today()), offset).strftime("%Y-%m")


async def test_the_assistant_sees_the_units_admins_figures_rolled_up_over_groups_of_five_lines(
    world, aggregate_viewer, unit_admin
):
    sales = await unit_id(world, "Sales")
    variables = {"u": sales, "m": month(-1)}
    theirs = (await world.data(aggregate_viewer, UNIT, variables))["node"]
    admins = (await world.data(unit_admin, UNIT, variables))["node"]
    assert {k: theirs[k] for k in ("name", "subscriberCount", "monthlyBudget")} == {
        k: admins[k] for k in ("name", "subscriberCount", "monthlyBudget")
    }
    # Issue 13, finding 3: figures count only parts of five lines or more (the smaller ones are
    # left out of roll-ups); a unit too small to show on its own has none.
    assert theirs["spending"]["lineCount"] >= 5
    assert 0 < Decimal(theirs["spending"]["total"]["amount"]) <= Decimal(admins["spending"]["total"]["amount"])
    assert [child["name"] for child in theirs["children"]] == [child["name"] for child in admins["children"]]
    report = {"input": {"from": month(-3), "to": month(-1), "groupBy": ["ORG_UNIT"], "unitDepth": 2}}
    theirs_report = (await world.data(aggregate_viewer, REPORT, report))["spendingReport"]
    admins_report = (await world.data(unit_admin, REPORT, report))["spendingReport"]
    assert theirs_report["totals"] == admins_report["totals"]
    assert sum(Decimal(r["total"]["amount"]) for r in theirs_report["rows"]["nodes"]) == Decimal(
        admins_report["totals"][0]["total"]["amount"]
    )


async def test_the_assistant_gets_no_single_line_anywhere(world, aggregate_viewer):
    line = (await line_ids_under(world, await unit_id(world, "Sales")))[0]
    listing = await world.run(aggregate_viewer, "{ subscribers(first: 5) { nodes { id } } }")
    assert nothing(listing) and codes(listing) == ["FORBIDDEN"]
    node = await world.run(aggregate_viewer, "query($id: ID!) { node(id: $id) { id } }", {"id": line})
    assert node.data == {"node": None} and codes(node) == ["NOT_FOUND"]
    by_line = {"input": {"from": month(-1), "to": month(-1), "groupBy": ["LINE"]}}
    refused = await world.run(aggregate_viewer, REPORT, by_line)
    assert nothing(refused) and codes(refused) == ["FORBIDDEN"]
    last = month(-1)
    for document in (f'{{ topSpenders(from: "{last}", to: "{last}") {{ lines {{ rank }} }} }}',
                     f'{{ spendingAnomalies(month: "{last}") {{ month }} }}'):  # fmt: skip
        result = await world.run(aggregate_viewer, document)
        assert nothing(result) and codes(result) == ["FORBIDDEN"], document


async def test_outside_the_granted_subtree_the_assistant_sees_nothing(world, aggregate_viewer):
    operations = await unit_id(world, "Operations")
    result = await world.run(aggregate_viewer, "query($u: ID!) { node(id: $u) { id } }", {"u": operations})
    assert result.data == {"node": None} and codes(result) == ["NOT_FOUND"]
    outside = {"input": {"from": month(-1), "to": month(-1), "orgUnit": operations}}
    refused = await world.run(aggregate_viewer, REPORT, outside)
    assert nothing(refused) and codes(refused) == ["NOT_FOUND"]
