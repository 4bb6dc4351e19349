"""Billing accounts and their invoices (sources/billing/invoices.py), read from the seeded demo and
checked against the billing tables: company documents narrowed by the caller's scope, invoices
paged newest first per account in one statement, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from core.scope import RowScope
from sources.keyset import Span
from tests.support import World


async def _rows(world: World, sql: str, **params: Any) -> list[Any]:
    async with world.engines.billing.connect() as conn:
        return list((await conn.execute(text(sql), params)).all())


async def _customers(world: World) -> list[int]:
    return [row[0] for row in await _rows(world, "select distinct customer_id from billing_accounts order by 1")]


async def test_a_companys_accounts_are_read_within_its_scope_only(world):
    first, second, *_ = await _customers(world)
    accounts = world.sources.invoices
    expected = await _rows(
        world, "select id, number from billing_accounts where customer_id = :c order by number", c=first
    )

    own = await accounts.accounts_by_customer_ids([first, second], RowScope(frozenset({first})))
    assert [(a.id, a.number) for a in own] == [(row[0], row[1]) for row in expected] and own
    assert await accounts.accounts_by_customer_ids([first], RowScope(frozenset({second}))) == []
    ids = [a.id for a in own]
    assert [a.id for a in await accounts.accounts_by_ids(ids, RowScope(frozenset({first})))] == ids
    assert await accounts.accounts_by_ids(ids, RowScope(frozenset({second}))) == []
    assert len(await accounts.accounts_by_ids(ids, RowScope.everything())) == len(ids)


async def test_invoices_come_newest_first_per_account_a_page_at_a_time_in_one_statement(world):
    accounts = [row[0] for row in await _rows(world, "select id from billing_accounts order by id")]
    expected: dict[int, list[int]] = {account: [] for account in accounts}
    for account, invoice in await _rows(
        world, "select billing_account_id, id from invoices order by billing_account_id, period desc, id desc"
    ):
        expected[account].append(invoice)
    assert all(len(invoices) > 3 for invoices in expected.values()), "the demo has months of invoices"
    invoices = world.sources.invoices

    world.counter.reset()
    first = await invoices.invoice_pages(accounts, Span(limit=2))
    counts = await invoices.invoice_counts(accounts)
    assert world.counter.count == 2
    assert counts == {account: len(found) for account, found in expected.items()}
    for account in accounts:
        page = [i for i in first if i.billing_account_id == account]
        assert [i.id for i in page] == expected[account][:3], "a page reads one more row than it shows"
        after = (page[1].period, page[1].id)
        following = await invoices.invoice_pages([account], Span(limit=2, after=after))
        assert [i.id for i in following] == expected[account][2:5]


async def test_an_invoices_lines_sum_per_line_and_category_to_its_total(world):
    (invoice,) = (await _rows(world, "select id from invoices where total_minor > 0 order by id limit 1"))[0]
    total = (await _rows(world, "select total_minor from invoices where id = :i", i=invoice))[0][0]
    invoices = world.sources.invoices
    (scoped,) = await invoices.invoices_by_ids([invoice], RowScope.everything())
    assert scoped.id == invoice and scoped.total.minor == total

    lines = await invoices.invoice_line_counts([invoice])
    per_line = await invoices.invoice_totals_by_subscriber([invoice], Span(limit=10**6))
    per_category = await invoices.invoice_totals_by_category([invoice])
    assert lines == {invoice: len(per_line)} and per_line
    assert sum(row.total.minor for row in per_line) == total
    assert sum(amount.amount.minor for _, amount in per_category) == total
    assert all(row.company_share.minor + row.employee_share.minor == row.total.minor for row in per_line)
