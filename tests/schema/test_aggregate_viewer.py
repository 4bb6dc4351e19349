"""An aggregate-only grant: figures rolled up over the granted subtree, never a single line."""

from __future__ import annotations

from sources.values import add_months, month_start
from tests.schema.test_access import codes, line_ids_under, unit_id
from tests.support import nothing, today

UNIT = """query($u: ID!, $m: Month!) { node(id: $u) { ... on OrgUnit { name subscriberCount
  monthlyBudget { amount } spending(month: $m) { total { amount } lineCount }
  children { name spending(month: $m) { total { amount } } } } } }"""
REPORT = """query($input: SpendingReportInput!) { spendingReport(input: $input) {
  totals { total { amount } lines } rows { orgUnit { name } total { amount } } } }"""


def month(offset: int) -> str:
    return add_months(month_start(today()), offset).strftime("%Y-%m")


async def test_the_assistant_sees_the_same_rolled_up_figures_as_the_units_admin(world, aggregate_viewer, unit_admin):
    sales = await unit_id(world, "Sales")
    variables = {"u": sales, "m": month(-1)}
    theirs = await world.data(aggregate_viewer, UNIT, variables)
    assert theirs == await world.data(unit_admin, UNIT, variables)
    assert theirs["node"]["spending"]["lineCount"] > 0
    report = {"input": {"from": month(-3), "to": month(-1), "groupBy": ["ORG_UNIT"], "unitDepth": 2}}
    assert await world.data(aggregate_viewer, REPORT, report) == await world.data(unit_admin, REPORT, report)


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
