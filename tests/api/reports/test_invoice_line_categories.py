"""An invoice drilled down to one line's charges per category (``InvoiceLineTotal.byCategory``):
each line's categories add up to its total, all lines' categories to the invoice's per category,
a page of lines is read in one statement whatever its size, and a role without invoice:read is
refused the field."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from tests.api.reports.test_spending_report import amount

INVOICES = "{ customer { billingAccounts { invoices(first: 3) { nodes { id } } } } }"
DRILL = """query($id: ID!, $first: Int) { node(id: $id) { ... on Invoice {
  byCategory { category amount { amount currency } }
  bySubscriber(first: $first) { totalCount nodes { total { amount currency }
    byCategory { category amount { amount currency } } } } } } }"""
ONE_LINE = """query($id: ID!) { node(id: $id) { ... on Invoice {
  bySubscriber(first: 1) { nodes { byCategory { category } } } } } }"""


async def invoice_ids(world, login: str) -> list[str]:
    accounts = (await world.data(login, INVOICES))["customer"]["billingAccounts"]
    return [invoice["id"] for account in accounts for invoice in account["invoices"]["nodes"]]


async def test_each_lines_categories_add_up_to_its_total_and_to_the_invoices(world, finance):
    for invoice_id in await invoice_ids(world, finance):
        invoice = (await world.data(finance, DRILL, {"id": invoice_id, "first": 1000}))["node"]
        lines = invoice["bySubscriber"]["nodes"]
        assert len(lines) == invoice["bySubscriber"]["totalCount"] > 0
        per_category: dict[str, Decimal] = defaultdict(Decimal)
        for line in lines:
            assert line["byCategory"], "a line on an invoice was charged something"
            assert sum((amount(c["amount"]) for c in line["byCategory"]), Decimal(0)) == amount(line["total"])
            assert {c["amount"]["currency"] for c in line["byCategory"]} == {line["total"]["currency"]}
            categories = [c["category"] for c in line["byCategory"]]
            assert len(categories) == len(set(categories))
            for c in line["byCategory"]:
                per_category[c["category"]] += amount(c["amount"])
        assert dict(per_category) == {c["category"]: amount(c["amount"]) for c in invoice["byCategory"]}


async def test_a_page_of_lines_categories_is_one_statement_whatever_its_size(world, finance):
    invoice_id = (await invoice_ids(world, finance))[0]
    counts = []
    for first in (2, 40):
        plain = world.with_empty_cache()
        await plain.data(finance, DRILL.replace("byCategory { category amount { amount currency } } } }", "} }"),
                         {"id": invoice_id, "first": first})  # fmt: skip
        without = plain.counter.count
        drilled = world.with_empty_cache()
        answer = await drilled.data(finance, DRILL, {"id": invoice_id, "first": first})
        assert len(answer["node"]["bySubscriber"]["nodes"]) == first
        counts.append(drilled.counter.count - without)
    assert counts == [1, 1]


async def test_a_role_without_invoice_read_is_refused_the_lines_categories(world, finance, unit_admin):
    invoice_id = (await invoice_ids(world, finance))[0]
    refused = await world.run(unit_admin, ONE_LINE, {"id": invoice_id})
    assert refused.data == {"node": None}
    assert {error.extensions["code"] for error in refused.errors or ()} <= {"NOT_FOUND", "FORBIDDEN"}
    assert refused.errors
