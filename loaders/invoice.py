"""Loaders for billing accounts, invoices and invoice drill-downs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from loaders.base import SourceLoader, grouped, in_key_order
from loaders.page import Page, encode_cursor
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


class InvoiceSubscriberTotalsLoader(SourceLoader[int, list[InvoiceSubscriberTotal]]):
    async def batch_load_fn(self, keys: list[int]) -> list[list[InvoiceSubscriberTotal]]:
        rows = await self.billing.invoice_totals_by_subscriber(keys)
        return grouped(keys, ((row.invoice_id, row) for row in rows))


class InvoiceCategoryTotalsLoader(SourceLoader[int, list[CategoryAmount]]):
    async def batch_load_fn(self, keys: list[int]) -> list[list[CategoryAmount]]:
        return grouped(keys, await self.billing.invoice_totals_by_category(keys))
