"""Every row of a report reachable: a report of thousands of rows read to its last row a page at
a time, forward and backward, each row exactly once; cursors of another question refused."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from core.ids import from_global_id
from core.values import Money, add_months, month_start
from demo.feed import UsageFeed
from tests.api.access.test_access import codes
from tests.support import World, nothing, today

PAGE = """query($input: SpendingReportInput!, $first: Int, $after: String, $last: Int, $before: String) {
  spendingReport(input: $input) { rowCount totals { total { amount currency } }
    rows(first: $first, after: $after, last: $last, before: $before) {
      totalCount pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
      edges { cursor node { line { id } month category total { amount currency } } } } } }"""
INVOICES = """{ customer { billingAccounts { invoices(first: 1) { nodes { id total { amount currency } } } } } }"""
LINES = """query($i: ID!, $after: String, $before: String, $first: Int, $last: Int) { node(id: $i) { ... on Invoice {
  bySubscriber(first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
    edges { cursor node { subscriber { id } total { amount currency } } } } } } }"""


def month(offset: int) -> str:
    return add_months(month_start(today()), offset).strftime("%Y-%m")


def key(edge: dict[str, Any]) -> tuple[Any, ...]:
    node = edge["node"]
    return node["line"]["id"], node["month"], node["category"], node["total"]["currency"]


def by_currency(edges: list[dict[str, Any]]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for edge in edges:
        sums[edge["node"]["total"]["currency"]] += Decimal(edge["node"]["total"]["amount"])
    return dict(sums)


async def read_all(world: World, login: str, asked: dict[str, Any], size: int, *, backward: bool = False) -> Any:
    """Every page of the report, following the cursors to the end (or, backward, the start)."""
    edges: list[dict[str, Any]] = []
    cursor, pages = None, 0
    while True:
        variables = {"input": asked, "last": size, "before": cursor} if backward else {
            "input": asked, "first": size, "after": cursor}  # fmt: skip
        report = (await world.data(login, PAGE, variables))["spendingReport"]
        page = report["rows"]
        pages += 1
        edges = page["edges"] + edges if backward else edges + page["edges"]
        info = page["pageInfo"]
        assert len(page["edges"]) <= size
        more = info["hasPreviousPage"] if backward else info["hasNextPage"]
        if not more:
            return report, edges, pages
        cursor = info["startCursor"] if backward else info["endCursor"]


async def test_a_report_of_thousands_of_rows_is_read_to_its_last_row_each_row_once(large_world, customer_admin):
    asked = {"from": month(-3), "to": month(-1), "groupBy": ["LINE", "MONTH", "CATEGORY"]}
    report, edges, pages = await read_all(large_world, customer_admin, asked, 1000)
    keys = [key(edge) for edge in edges]
    assert len(keys) > 5000 and pages == -(-len(keys) // 1000)
    assert len(set(keys)) == len(keys) == report["rows"]["totalCount"] == report["rowCount"]
    totals = {t["total"]["currency"]: Decimal(t["total"]["amount"]) for t in report["totals"]}
    assert by_currency(edges) == totals
    async with large_world.engines.billing.connect() as conn:
        rows = await conn.execute(
            text("select currency, sum(amount_minor) from daily_charges where customer_id = 1"
                 " and period >= :f and period <= :l group by currency"),
            {"f": add_months(month_start(today()), -3), "l": add_months(month_start(today()), -1)},
        )  # fmt: skip
        assert totals == {currency: Money.from_minor(int(total), currency).amount for currency, total in rows}

    _, backward, _ = await read_all(large_world, customer_admin, asked, 700, backward=True)
    assert [key(edge) for edge in backward] == keys
    assert [edge["cursor"] for edge in backward] == [edge["cursor"] for edge in edges]


async def test_a_page_between_two_cursors_holds_the_rows_between_them(world, customer_admin):
    asked = {"from": month(-2), "to": month(-1), "groupBy": ["LINE", "MONTH"]}
    _, edges, _ = await read_all(world, customer_admin, asked, 10_000)
    assert len(edges) > 20
    start, end = edges[4]["cursor"], edges[15]["cursor"]
    between = await world.data(customer_admin, PAGE, {"input": asked, "first": 50, "after": start, "before": end})
    page = between["spendingReport"]["rows"]
    assert [edge["cursor"] for edge in page["edges"]] == [edge["cursor"] for edge in edges[5:15]]
    assert page["pageInfo"]["hasPreviousPage"] and page["pageInfo"]["hasNextPage"]


async def test_a_cursor_of_another_question_or_a_made_up_one_is_refused(world, customer_admin):
    asked = {"from": month(-2), "to": month(-1), "groupBy": ["LINE", "MONTH"]}
    first = (await world.data(customer_admin, PAGE, {"input": asked, "first": 3}))["spendingReport"]["rows"]
    cursor = first["pageInfo"]["endCursor"]
    other = {**asked, "from": month(-3)}  # the same dimensions, other months: another question
    for input, after in ((other, cursor), (asked, "bm90IGEgY3Vyc29y"), (asked, "WyJ4Iiwx")):
        refused = await world.run(customer_admin, PAGE, {"input": input, "first": 3, "after": after})
        assert nothing(refused) and codes(refused) == ["BAD_USER_INPUT"], after
    too_big = await world.run(customer_admin, PAGE, {"input": asked, "first": 10_001})
    assert codes(too_big) == ["BAD_USER_INPUT"]
    same = await world.data(customer_admin, PAGE, {"input": asked, "first": 3, "after": cursor})
    assert same["spendingReport"]["rows"]["edges"][0]["cursor"] != cursor


async def test_an_invoices_lines_paged_to_the_end_equal_the_databases_sums(world, finance):
    accounts = (await world.data(finance, INVOICES))["customer"]["billingAccounts"]
    invoices = [account["invoices"]["nodes"][0] for account in accounts]
    assert len(invoices) == 2
    for invoice in invoices:
        got: list[dict[str, Any]] = []
        cursor, total_count = None, None
        while True:
            lines = await invoice_lines(world, finance, invoice["id"], first=7, after=cursor)
            assert len(lines["edges"]) <= 7
            total_count = lines["totalCount"]
            got += lines["edges"]
            if not lines["pageInfo"]["hasNextPage"]:
                break
            cursor = lines["pageInfo"]["endCursor"]
        assert len(got) == total_count > 7
        async with world.engines.billing.connect() as conn:
            rows = await conn.execute(
                text("select l.subscriber_id, sum(l.amount_minor), i.currency from invoice_lines l"
                     " join invoices i on i.id = l.invoice_id where l.invoice_id = :i"
                     " group by l.subscriber_id, i.currency order by l.subscriber_id"),
                {"i": from_global_id(invoice["id"])[1]},
            )  # fmt: skip
            expected = [Money.from_minor(int(total), currency) for _, total, currency in rows]
        assert [(Decimal(e["node"]["total"]["amount"]), e["node"]["total"]["currency"]) for e in got] == [
            (money.amount, money.currency) for money in expected
        ]
        assert sum(money.amount for money in expected) == Decimal(invoice["total"]["amount"])
        last_five = await invoice_lines(world, finance, invoice["id"], last=5)
        assert [edge["cursor"] for edge in last_five["edges"]] == [edge["cursor"] for edge in got[-5:]]
        assert last_five["pageInfo"]["hasPreviousPage"] and not last_five["pageInfo"]["hasNextPage"]
        before = await invoice_lines(world, finance, invoice["id"], last=3, before=got[-5]["cursor"])
        assert [edge["cursor"] for edge in before["edges"]] == [edge["cursor"] for edge in got[-8:-5]]


async def test_an_invoices_line_cursor_is_refused_on_another_invoice(world, finance):
    accounts = (await world.data(finance, INVOICES))["customer"]["billingAccounts"]
    mine, other = (account["invoices"]["nodes"][0]["id"] for account in accounts)
    cursor = (await invoice_lines(world, finance, mine, first=1))["pageInfo"]["endCursor"]
    assert (await invoice_lines(world, finance, mine, first=1, after=cursor))["edges"][0]["cursor"] != cursor
    refused = await world.run(finance, LINES, {"i": other, "first": 1, "after": cursor})
    assert codes(refused) == ["BAD_USER_INPUT"]


async def invoice_lines(world: World, login: str, invoice: str, **page: Any) -> dict[str, Any]:
    return (await world.data(login, LINES, {"i": invoice, **page}))["node"]["bySubscriber"]


async def test_pages_read_while_the_feed_rates_usage_hold_every_row_once(writable_world, customer_admin):
    """The current month grows between pages (new lines and categories get charges): a keyset
    cursor still starts right after the last row seen, so no row comes twice and no row that was
    there from the start is skipped."""
    world = writable_world
    asked = {"from": month(0), "to": month(0), "groupBy": ["LINE", "CATEGORY"]}
    _, before, _ = await read_all(world, customer_admin, asked, 10_000)
    feed = UsageFeed(world.engines, world.sources.events, seed=17, customer_ids=[1])
    seen: list[dict[str, Any]] = []
    cursor, rounds = None, 0
    while True:
        variables = {"input": asked, "first": 15, "after": cursor}
        page = (await world.data(customer_admin, PAGE, variables))["spendingReport"]["rows"]
        seen += page["edges"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["pageInfo"]["endCursor"]
        rounds += (await feed.round(60)).usage_records > 0
    keys = [key(edge) for edge in seen]
    assert rounds > 3 and len(set(keys)) == len(keys)
    assert {key(edge) for edge in before} <= set(keys)
    _, after, _ = await read_all(world, customer_admin, asked, 10_000)
    assert len(after) >= len(before) and set(keys) <= {key(edge) for edge in after}
