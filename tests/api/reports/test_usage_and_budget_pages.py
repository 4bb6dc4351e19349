"""Every row of the usage and budget reports reachable: read to the last row a page at a time,
forward and backward, each row exactly once, the rows adding up to the report's totals and the
totals to the usage records; cursors of another question refused."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from core.values import Money, add_months, month_start
from tests.api.access.test_access import codes
from tests.support import World, today

CONNECTION = """totalCount pageInfo { hasNextPage endCursor hasPreviousPage startCursor } edges { cursor node {"""
USAGE = f"""query($f: Month!, $t: Month!, $d: Int!, $first: Int, $after: String, $last: Int, $before: String,
  $s: OrgStructure! = AS_BILLED) {{
  report: usageReport(from: $f, to: $t, unitDepth: $d, structure: $s) {{
    totals {{ kind quantity amount {{ amount currency }} }}
    rows(first: $first, after: $after, last: $last, before: $before) {{ {CONNECTION}
      orgUnit {{ id }} month kind quantity amount {{ amount currency }} suppressed }} }} }} }} }}"""
BUDGET = f"""query($f: Month!, $t: Month!, $first: Int, $after: String, $last: Int, $before: String) {{
  report: budgetReport(input: {{from: $f, to: $t}}) {{
    rows(first: $first, after: $after, last: $last, before: $before) {{ {CONNECTION}
      orgUnit {{ id }} month budget {{ amount }} actual {{ amount }} overBudget }} }} }} }} }}"""


def month(offset: int) -> str:
    return add_months(month_start(today()), offset).strftime("%Y-%m")


async def read_all(
    world: World, login: str, document: str, asked: dict[str, Any], size: int, *, backward: bool = False
) -> tuple[dict[str, Any], list[dict[str, Any]], int]:
    """Every page of the report's rows, following the cursors to the end (or, backward, the start)."""
    edges: list[dict[str, Any]] = []
    cursor, pages = None, 0
    while True:
        page_of = {"last": size, "before": cursor} if backward else {"first": size, "after": cursor}
        report = (await world.data(login, document, {**asked, **page_of}))["report"]
        page = report["rows"]
        pages += 1
        assert len(page["edges"]) <= size
        edges = page["edges"] + edges if backward else edges + page["edges"]
        info = page["pageInfo"]
        if not (info["hasPreviousPage"] if backward else info["hasNextPage"]):
            return report, edges, pages
        cursor = info["startCursor"] if backward else info["endCursor"]


def usage_key(edge: dict[str, Any]) -> tuple[Any, ...]:
    node = edge["node"]
    return (
        node["month"],
        node["suppressed"],
        (node["orgUnit"] or {}).get("id"),
        node["kind"],
        node["amount"]["currency"],
    )


def usage_sums(edges: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    sums: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for edge in edges:
        node = edge["node"]
        cell = sums[(node["kind"], node["amount"]["currency"])]
        cell[0] += Decimal(node["quantity"])
        cell[1] += Decimal(node["amount"]["amount"])
    return {group: (quantity, amount) for group, (quantity, amount) in sums.items()}


async def test_a_usage_report_is_read_to_its_last_row_both_ways_and_adds_up_to_its_totals(world, customer_admin):
    asked = {"f": month(-3), "t": month(0), "d": 3}
    report, edges, pages = await read_all(world, customer_admin, USAGE, asked, 7)
    keys = [usage_key(edge) for edge in edges]
    assert len(keys) > 50 and pages == -(-len(keys) // 7)
    assert len(set(keys)) == len(keys) == report["rows"]["totalCount"]
    totals = {
        (t["kind"], t["amount"]["currency"]): (Decimal(t["quantity"]), Decimal(t["amount"]["amount"]))
        for t in report["totals"]
    }
    assert usage_sums(edges) == totals
    async with world.engines.billing.connect() as conn:
        rows = await conn.execute(
            text("select kind, currency, sum(quantity), sum(amount_minor) from usage_records where customer_id = 1"
                 " and period >= :f and period <= :l group by kind, currency"),
            {"f": add_months(month_start(today()), -3), "l": month_start(today())},
        )  # fmt: skip
        expected = {
            (kind.upper(), currency): (Decimal(int(quantity)), Money.from_minor(int(amount), currency).amount)
            for kind, currency, quantity, amount in rows
        }
    assert totals == expected

    _, backward, _ = await read_all(world, customer_admin, USAGE, asked, 11, backward=True)
    assert [edge["cursor"] for edge in backward] == [edge["cursor"] for edge in edges]
    # In today's tree too: every row read to the last one, and the same totals (no tree moves a record).
    current, in_today, _ = await read_all(world, customer_admin, USAGE, {**asked, "s": "CURRENT"}, 7)
    assert len({usage_key(edge) for edge in in_today}) == len(in_today) == current["rows"]["totalCount"]
    assert usage_sums(in_today) == totals
    assert {
        (t["kind"], t["amount"]["currency"]): (Decimal(t["quantity"]), Decimal(t["amount"]["amount"]))
        for t in current["totals"]
    } == totals


async def test_the_aggregate_viewers_usage_pages_with_remainders_add_up_to_its_totals(world, aggregate_viewer):
    asked = {"f": month(-2), "t": month(-1), "d": 3}
    report, edges, _ = await read_all(world, aggregate_viewer, USAGE, asked, 5)
    keys = [usage_key(edge) for edge in edges]
    assert any(key[1] for key in keys), "the small units are summed into remainders"
    assert len(set(keys)) == len(keys) == report["rows"]["totalCount"]
    assert usage_sums(edges) == {
        (t["kind"], t["amount"]["currency"]): (Decimal(t["quantity"]), Decimal(t["amount"]["amount"]))
        for t in report["totals"]
    }
    _, backward, _ = await read_all(world, aggregate_viewer, USAGE, asked, 6, backward=True)
    assert [edge["cursor"] for edge in backward] == [edge["cursor"] for edge in edges]


async def test_a_budget_report_is_read_to_its_last_row_both_ways_in_its_own_order(world, customer_admin):
    asked = {"f": month(-3), "t": month(0)}
    report, edges, pages = await read_all(world, customer_admin, BUDGET, asked, 4)
    keys = [(edge["node"]["orgUnit"]["id"], edge["node"]["month"]) for edge in edges]
    assert len(keys) > 12 and pages == -(-len(keys) // 4)
    assert len(set(keys)) == len(keys) == report["rows"]["totalCount"]
    assert {period for _, period in keys} == {month(offset) for offset in range(-3, 1)}
    flags = [edge["node"]["overBudget"] for edge in edges]
    assert flags == sorted(flags, reverse=True), "over budget first, on every page"
    whole = (await world.data(customer_admin, BUDGET, {**asked, "first": 10_000}))["report"]["rows"]["edges"]
    assert [edge["node"] for edge in whole] == [edge["node"] for edge in edges]

    _, backward, _ = await read_all(world, customer_admin, BUDGET, asked, 5, backward=True)
    assert [edge["cursor"] for edge in backward] == [edge["cursor"] for edge in edges]
    between = await world.data(
        customer_admin, BUDGET, {**asked, "first": 50, "after": edges[2]["cursor"], "before": edges[9]["cursor"]}
    )
    assert [edge["cursor"] for edge in between["report"]["rows"]["edges"]] == [e["cursor"] for e in edges[3:9]]


async def test_a_usage_or_budget_cursor_of_another_question_is_refused(world, customer_admin):
    months = {"f": month(-2), "t": month(-1)}
    usage = (await world.data(customer_admin, USAGE, {**months, "d": 1, "first": 2}))["report"]["rows"]
    budget = (await world.data(customer_admin, BUDGET, {**months, "first": 2}))["report"]["rows"]
    refusals = [
        (USAGE, {**months, "d": 2}, usage["pageInfo"]["endCursor"]),  # another depth: another question
        (USAGE, {**months, "d": 1, "s": "CURRENT"}, usage["pageInfo"]["endCursor"]),  # another tree
        (USAGE, {**months, "d": 1}, budget["pageInfo"]["endCursor"]),  # a budget cursor on usage
        (BUDGET, {**months, "f": month(-3)}, budget["pageInfo"]["endCursor"]),  # other months
        (BUDGET, months, usage["pageInfo"]["endCursor"]),
        (BUDGET, months, "WyJ4Iiwx"),
    ]
    for document, asked, cursor in refusals:
        refused = await world.run(customer_admin, document, {**asked, "first": 2, "after": cursor})
        # The rows are refused: null where the schema lets them be (a budget report's rows may be
        # denied a role, so they are nullable), or the report that holds them.
        assert refused.data in ({"report": None}, {"report": {"rows": None}}), (asked, cursor)
        assert codes(refused) == ["BAD_USER_INPUT"] and refused.errors[0].path == ["report", "rows"]
    too_big = await world.run(customer_admin, BUDGET, {**months, "last": 10_001})
    assert codes(too_big) == ["BAD_USER_INPUT"]
    same = await world.data(customer_admin, BUDGET, {**months, "first": 2, "after": budget["pageInfo"]["endCursor"]})
    assert same["report"]["rows"]["edges"][0]["cursor"] not in {edge["cursor"] for edge in budget["edges"]}
