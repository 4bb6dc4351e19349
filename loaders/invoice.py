"""Loaders for billing accounts, invoices and invoice drill-downs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from loaders.base import SourceLoader, grouped, in_key_order
from loaders.page import Page, Window, encode_cursor
from sources.billing.records import (
    BillingAccountRecord,
    CategoryAmount,
    InvoiceRecord,
    InvoiceSubscriberTotal,
)


class BillingAccountsByCustomerIdLoader(SourceLoader[int, list[BillingAccountRecord]]):
    """Accounts are company-level documents: only a caller who sees the whole company gets them."""

    async def batch_load_fn(self, keys: list[int]) -> list[list[BillingAccountRecord]]:
        rows = await self.billing.accounts_by_customer_ids(keys, self.scope)
        return grouped(keys, ((row.customer_id, row) for row in rows))


@dataclass(frozen=True, slots=True)
class InvoicePageKey:
    account_id: int
    after: tuple[date, int] | None
    limit: int


def invoice_cursor(row: InvoiceRecord) -> str:
    return encode_cursor(row.period.isoformat(), row.id)


class InvoicesByAccountLoader(SourceLoader[InvoicePageKey, Page]):
    async def batch_load_fn(self, keys: list[InvoicePageKey]) -> list[Page]:
        pages: dict[InvoicePageKey, Page] = {}
        shapes: dict[tuple[tuple[date, int] | None, int], list[InvoicePageKey]] = {}
        for key in keys:
            shapes.setdefault((key.after, key.limit), []).append(key)
        for (after, limit), group in shapes.items():
            rows = await self.billing.invoice_pages([k.account_id for k in group], after=after, limit=limit + 1)
            for key in group:
                mine = [row for row in rows if row.billing_account_id == key.account_id]
                pages[key] = Page(mine, limit, invoice_cursor)
        return [pages[key] for key in keys]


class BillingAccountByIdLoader(SourceLoader[int, BillingAccountRecord | None]):
    async def batch_load_fn(self, keys: list[int]) -> list[BillingAccountRecord | None]:
        rows = await self.billing.accounts_by_ids(keys, self.scope)
        return in_key_order(keys, {row.id: row for row in rows})


class InvoiceByIdLoader(SourceLoader[int, InvoiceRecord | None]):
    async def batch_load_fn(self, keys: list[int]) -> list[InvoiceRecord | None]:
        rows = await self.billing.invoices_by_ids(keys, self.scope)
        return in_key_order(keys, {row.id: row for row in rows})


@dataclass(frozen=True, slots=True)
class InvoiceLinesPageKey:
    """A page of an invoice's per-line totals, in line order: ``limit`` after ``after`` or
    (``backward``) the last ``limit`` before ``before`` (line ids)."""

    invoice_id: int
    after: int | None
    before: int | None
    limit: int
    backward: bool = False


def invoice_line_cursor(row: InvoiceSubscriberTotal) -> str:
    return encode_cursor(row.invoice_id, row.subscriber_id)


class InvoiceSubscriberTotalsLoader(SourceLoader[InvoiceLinesPageKey, Window]):
    """Pages of lines' totals: one statement per page shape, for every invoice asked with it; each
    page is read with one row more than asked, to learn whether more lie beyond it."""

    async def batch_load_fn(self, keys: list[InvoiceLinesPageKey]) -> list[Window]:
        shapes: dict[tuple[int | None, int | None, int, bool], list[InvoiceLinesPageKey]] = {}
        for key in keys:
            shapes.setdefault((key.after, key.before, key.limit, key.backward), []).append(key)
        pages: dict[InvoiceLinesPageKey, Window] = {}
        for (after, before, limit, backward), group in shapes.items():
            invoices = sorted({key.invoice_id for key in group})
            rows = await self.billing.invoice_totals_by_subscriber(
                invoices, after=after, before=before, limit=limit + 1, backward=backward
            )
            for key in group:
                pages[key] = self._window(key, [row for row in rows if row.invoice_id == key.invoice_id])
        return [pages[key] for key in keys]

    def _window(self, key: InvoiceLinesPageKey, rows: list[InvoiceSubscriberTotal]) -> Window:
        more = len(rows) > key.limit
        shown = (rows[len(rows) - key.limit :] if key.limit else []) if key.backward else rows[: key.limit]
        has_previous, has_next = (more, key.before is not None) if key.backward else (key.after is not None, more)
        return Window(shown, [invoice_line_cursor(row) for row in shown], has_previous, has_next, self._counter(key))

    def _counter(self, key: InvoiceLinesPageKey) -> Callable[[], Awaitable[int]]:
        async def count() -> int:
            return await self._counts.load(key.invoice_id)

        return count

    @cached_property
    def _counts(self) -> InvoiceLineCountLoader:
        return InvoiceLineCountLoader(self.ctx)


class InvoiceLineCountLoader(SourceLoader[int, int]):
    """How many lines an invoice charges (``totalCount`` of its pages), one statement for all."""

    async def batch_load_fn(self, keys: list[int]) -> list[int]:
        counts = await self.billing.invoice_line_counts(keys)
        return [counts.get(key, 0) for key in keys]


class InvoiceCategoryTotalsLoader(SourceLoader[int, list[CategoryAmount]]):
    async def batch_load_fn(self, keys: list[int]) -> list[list[CategoryAmount]]:
        return grouped(keys, await self.billing.invoice_totals_by_category(keys))
