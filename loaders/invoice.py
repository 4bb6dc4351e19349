"""Loaders for billing accounts, invoices and invoice drill-downs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core.billing_records import (
    BillingAccountRecord,
    CategoryAmount,
    InvoiceRecord,
    InvoiceSubscriberTotal,
)
from loaders.base import Loaders, SourceLoader, grouped, in_key_order
from loaders.cursors import Keyset, Window, day, key32, window_of
from sources.billing.invoices import InvoiceSource
from sources.keyset import Span


class BillingAccountsByCustomerIdLoader(SourceLoader[int, list[BillingAccountRecord]]):
    reads = (InvoiceSource.accounts_by_customer_ids,)

    """Accounts are company-level documents: only a caller who sees the whole company gets them."""

    async def batch_load_fn(self, keys: list[int]) -> list[list[BillingAccountRecord]]:
        rows = await self.sources.invoices.accounts_by_customer_ids(keys, self.scope)
        return grouped(keys, ((row.customer_id, row) for row in rows))


INVOICES = Keyset("invoices", (day, key32))


@dataclass(frozen=True, slots=True)
class InvoicePageKey:
    account_id: int
    span: Span


def invoice_cursor(row: InvoiceRecord) -> str:
    return INVOICES.cursor(row.period, row.id)


class InvoicesByAccountLoader(SourceLoader[InvoicePageKey, Window]):
    """Pages of invoices for many accounts: one statement per page shape."""

    reads = (InvoiceSource.invoice_pages, InvoiceSource.invoice_counts)

    def __init__(self, loaders: Loaders) -> None:
        super().__init__(loaders)
        self._counts = loaders.get(InvoiceCountByAccountLoader)

    async def batch_load_fn(self, keys: list[InvoicePageKey]) -> list[Window]:
        pages: dict[InvoicePageKey, Window] = {}
        shapes: dict[Span, list[InvoicePageKey]] = {}
        for key in keys:
            shapes.setdefault(key.span, []).append(key)
        for span, group in shapes.items():
            rows = await self.sources.invoices.invoice_pages([k.account_id for k in group], span)
            for key in group:
                mine = [row for row in rows if row.billing_account_id == key.account_id]
                pages[key] = window_of(mine, span, invoice_cursor, self._counter(key.account_id))
        return [pages[key] for key in keys]

    def _counter(self, account_id: int) -> Callable[[], Awaitable[int]]:
        async def count() -> int:
            return await self._counts.load(account_id)

        return count


class InvoiceCountByAccountLoader(SourceLoader[int, int]):
    """How many invoices each account has (``totalCount`` of its pages), one statement for all."""

    reads = (InvoiceSource.invoice_counts,)

    async def batch_load_fn(self, keys: list[int]) -> list[int]:
        counts = await self.sources.invoices.invoice_counts(keys)
        return [counts.get(key, 0) for key in keys]


class BillingAccountByIdLoader(SourceLoader[int, BillingAccountRecord | None]):
    reads = (InvoiceSource.accounts_by_ids,)

    async def batch_load_fn(self, keys: list[int]) -> list[BillingAccountRecord | None]:
        rows = await self.sources.invoices.accounts_by_ids(keys, self.scope)
        return in_key_order(keys, {row.id: row for row in rows})


class InvoiceByIdLoader(SourceLoader[int, InvoiceRecord | None]):
    reads = (InvoiceSource.invoices_by_ids,)

    async def batch_load_fn(self, keys: list[int]) -> list[InvoiceRecord | None]:
        rows = await self.sources.invoices.invoices_by_ids(keys, self.scope)
        return in_key_order(keys, {row.id: row for row in rows})


@dataclass(frozen=True, slots=True)
class InvoiceLinesPageKey:
    """A page of an invoice's per-line totals, in line order (keyset on the line id)."""

    invoice_id: int
    span: Span


INVOICE_LINES = Keyset("invoiceLines", (key32, key32))


def invoice_line_cursor(row: InvoiceSubscriberTotal) -> str:
    return INVOICE_LINES.cursor(row.invoice_id, row.subscriber_id)


class InvoiceSubscriberTotalsLoader(SourceLoader[InvoiceLinesPageKey, Window]):
    """Pages of lines' totals: one statement per page shape, for every invoice asked with it; each
    page is read with one row more than asked, to learn whether more lie beyond it."""

    reads = (InvoiceSource.invoice_totals_by_subscriber, InvoiceSource.invoice_line_counts)

    def __init__(self, loaders: Loaders) -> None:
        super().__init__(loaders)
        self._counts = loaders.get(InvoiceLineCountLoader)

    async def batch_load_fn(self, keys: list[InvoiceLinesPageKey]) -> list[Window]:
        shapes: dict[Span, list[InvoiceLinesPageKey]] = {}
        for key in keys:
            shapes.setdefault(key.span, []).append(key)
        pages: dict[InvoiceLinesPageKey, Window] = {}
        for span, group in shapes.items():
            rows = await self.sources.invoices.invoice_totals_by_subscriber(
                sorted({key.invoice_id for key in group}), span
            )
            for key in group:
                mine = [row for row in rows if row.invoice_id == key.invoice_id]
                pages[key] = window_of(mine, span, invoice_line_cursor, self._counter(key))
        return [pages[key] for key in keys]

    def _counter(self, key: InvoiceLinesPageKey) -> Callable[[], Awaitable[int]]:
        async def count() -> int:
            return await self._counts.load(key.invoice_id)

        return count


class InvoiceLineCountLoader(SourceLoader[int, int]):
    """How many lines an invoice charges (``totalCount`` of its pages), one statement for all."""

    reads = (InvoiceSource.invoice_line_counts,)

    async def batch_load_fn(self, keys: list[int]) -> list[int]:
        counts = await self.sources.invoices.invoice_line_counts(keys)
        return [counts.get(key, 0) for key in keys]


class InvoiceCategoryTotalsLoader(SourceLoader[int, list[CategoryAmount]]):
    reads = (InvoiceSource.invoice_totals_by_category,)

    async def batch_load_fn(self, keys: list[int]) -> list[list[CategoryAmount]]:
        return grouped(keys, await self.sources.invoices.invoice_totals_by_category(keys))


@dataclass(frozen=True, slots=True)
class InvoiceLineKey:
    """One line's charges on one invoice."""

    invoice_id: int
    subscriber_id: int


class InvoiceLineCategoryTotalsLoader(SourceLoader[InvoiceLineKey, list[CategoryAmount]]):
    """Each line's total on an invoice, per category: one statement for every line asked together."""

    reads = (InvoiceSource.line_totals_by_category,)

    async def batch_load_fn(self, keys: list[InvoiceLineKey]) -> list[list[CategoryAmount]]:
        rows = await self.sources.invoices.line_totals_by_category(
            sorted({key.invoice_id for key in keys}), sorted({key.subscriber_id for key in keys})
        )
        return grouped(keys, ((InvoiceLineKey(invoice, line), amount) for invoice, line, amount in rows))
