"""Billing accounts and their invoices: pages per account, and the invoices' lines summed per
line and per category. Accounts and invoices are company documents: the caller's scope itself
narrows them (``company_predicate``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, select

from core.billing_records import BillingAccountRecord, CategoryAmount, InvoiceRecord, InvoiceSubscriberTotal
from core.scope import RowScope
from core.values import Money
from sources.billing.models import BillingAccount, Invoice, InvoiceLine
from sources.db import SqlSource, key_in
from sources.keyset import Span, bounds, reading_order
from sources.scope import company_predicate

ACCOUNT_COLUMNS = (
    BillingAccount.id,
    BillingAccount.customer_id,
    BillingAccount.number,
    BillingAccount.name,
    BillingAccount.currency,
    BillingAccount.payment_terms_days,
)
INVOICE_COLUMNS = (
    Invoice.id,
    Invoice.billing_account_id,
    Invoice.customer_id,
    Invoice.number,
    Invoice.period,
    Invoice.issued_on,
    Invoice.due_on,
    Invoice.status,
    Invoice.total_minor,
    Invoice.currency,
    Invoice.company_share_minor,
    Invoice.employee_share_minor,
)


def _invoice(row: Any) -> InvoiceRecord:
    return InvoiceRecord(
        id=row.id,
        billing_account_id=row.billing_account_id,
        customer_id=row.customer_id,
        number=row.number,
        period=row.period,
        issued_on=row.issued_on,
        due_on=row.due_on,
        status=row.status,
        total=Money.from_minor(row.total_minor, row.currency),
        company_share=Money.from_minor(row.company_share_minor, row.currency),
        employee_share=Money.from_minor(row.employee_share_minor, row.currency),
    )


class InvoiceSource(SqlSource):
    """A company's billing accounts, the invoices issued on them, and the invoices' lines."""

    async def accounts_by_customer_ids(
        self, customer_ids: Sequence[int], scope: RowScope
    ) -> list[BillingAccountRecord]:
        statement = (
            select(*ACCOUNT_COLUMNS)
            .where(
                key_in(BillingAccount.customer_id, customer_ids, self.dialect),
                company_predicate(scope, BillingAccount.customer_id),
            )
            .order_by(BillingAccount.number)
        )
        return [BillingAccountRecord(*row) for row in await self._rows(statement)]

    async def accounts_by_ids(self, ids: Sequence[int], scope: RowScope) -> list[BillingAccountRecord]:
        statement = select(*ACCOUNT_COLUMNS).where(
            key_in(BillingAccount.id, ids, self.dialect), company_predicate(scope, BillingAccount.customer_id)
        )
        return [BillingAccountRecord(*row) for row in await self._rows(statement)]

    async def invoice_pages(self, account_ids: Sequence[int], span: Span) -> list[InvoiceRecord]:
        """Per billing account, the invoices of ``span`` (newest first, keyset on period and id)
        in reading order, in one statement."""
        conditions = [
            key_in(Invoice.billing_account_id, account_ids, self.dialect),
            *bounds(_INVOICE_KEY, span, descending=True),
        ]
        order = reading_order(_INVOICE_KEY, span, descending=True)
        rank = func.row_number().over(partition_by=Invoice.billing_account_id, order_by=order).label("rank")
        ranked = select(*INVOICE_COLUMNS, rank).where(and_(*conditions)).subquery()
        statement = (
            select(ranked).where(ranked.c.rank <= span.fetch).order_by(ranked.c.billing_account_id, ranked.c.rank)
        )
        return [_invoice(row) for row in await self._rows(statement)]

    async def invoice_counts(self, account_ids: Sequence[int]) -> dict[int, int]:
        """Invoices issued on each billing account."""
        statement = (
            select(Invoice.billing_account_id, func.count(Invoice.id))
            .where(key_in(Invoice.billing_account_id, account_ids, self.dialect))
            .group_by(Invoice.billing_account_id)
        )
        return {row[0]: int(row[1]) for row in await self._rows(statement)}

    async def invoices_by_ids(self, ids: Sequence[int], scope: RowScope) -> list[InvoiceRecord]:
        statement = select(*INVOICE_COLUMNS).where(
            key_in(Invoice.id, ids, self.dialect), company_predicate(scope, Invoice.customer_id)
        )
        return [_invoice(row) for row in await self._rows(statement)]

    async def invoice_totals_by_subscriber(
        self, invoice_ids: Sequence[int], span: Span
    ) -> list[InvoiceSubscriberTotal]:
        """Per invoice, the lines' totals of ``span`` (line order, keyset on the line id) in reading
        order. One statement for every invoice, the page cut by the database (a window per
        invoice), never all lines read."""
        line = InvoiceLine
        conditions = [key_in(line.invoice_id, invoice_ids, self.dialect), *bounds((line.subscriber_id,), span)]
        sums = (
            select(
                line.invoice_id,
                line.subscriber_id,
                func.sum(line.amount_minor).label("total"),
                func.sum(line.company_share_minor).label("company"),
                func.sum(line.employee_share_minor).label("employee"),
            )
            .where(*conditions)
            .group_by(line.invoice_id, line.subscriber_id)
            .subquery()
        )
        order = reading_order((sums.c.subscriber_id,), span)
        rank = func.row_number().over(partition_by=sums.c.invoice_id, order_by=order).label("rank")
        ranked = select(sums, rank).subquery()
        statement = (
            select(
                ranked.c.invoice_id, ranked.c.subscriber_id, ranked.c.total, Invoice.currency,
                ranked.c.company, ranked.c.employee,
            )
            .join(Invoice, Invoice.id == ranked.c.invoice_id)
            .where(ranked.c.rank <= span.fetch)
            .order_by(ranked.c.invoice_id, ranked.c.rank)
        )  # fmt: skip
        return [
            InvoiceSubscriberTotal(
                row[0],
                row[1],
                Money.from_minor(int(row[2]), row[3]),
                Money.from_minor(int(row[4]), row[3]),
                Money.from_minor(int(row[5]), row[3]),
            )
            for row in await self._rows(statement)
        ]

    async def invoice_line_counts(self, invoice_ids: Sequence[int]) -> dict[int, int]:
        """Lines charged on each invoice."""
        statement = (
            select(InvoiceLine.invoice_id, func.count(InvoiceLine.subscriber_id.distinct()))
            .where(key_in(InvoiceLine.invoice_id, invoice_ids, self.dialect))
            .group_by(InvoiceLine.invoice_id)
        )
        return {row[0]: int(row[1]) for row in await self._rows(statement)}

    async def invoice_totals_by_category(self, invoice_ids: Sequence[int]) -> list[tuple[int, CategoryAmount]]:
        statement = (
            select(InvoiceLine.invoice_id, InvoiceLine.category, func.sum(InvoiceLine.amount_minor), Invoice.currency)
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .where(key_in(InvoiceLine.invoice_id, invoice_ids, self.dialect))
            .group_by(InvoiceLine.invoice_id, InvoiceLine.category, Invoice.currency)
            .order_by(InvoiceLine.invoice_id, InvoiceLine.category)
        )
        return [
            (row[0], CategoryAmount(row[1], Money.from_minor(row[2], row[3]))) for row in await self._rows(statement)
        ]

    async def line_totals_by_category(
        self, invoice_ids: Sequence[int], subscriber_ids: Sequence[int]
    ) -> list[tuple[int, int, CategoryAmount]]:
        """What each of ``subscriber_ids`` was charged per category on each of ``invoice_ids`` (the
        drill-down of one line's total on an invoice), in one statement: (invoice, line, amount)
        in invoice, line and category order."""
        line = InvoiceLine
        statement = (
            select(line.invoice_id, line.subscriber_id, line.category, func.sum(line.amount_minor), Invoice.currency)
            .join(Invoice, Invoice.id == line.invoice_id)
            .where(
                key_in(line.invoice_id, invoice_ids, self.dialect),
                key_in(line.subscriber_id, subscriber_ids, self.dialect),
            )
            .group_by(line.invoice_id, line.subscriber_id, line.category, Invoice.currency)
            .order_by(line.invoice_id, line.subscriber_id, line.category)
        )
        return [
            (row[0], row[1], CategoryAmount(row[2], Money.from_minor(row[3], row[4])))
            for row in await self._rows(statement)
        ]


_INVOICE_KEY = (Invoice.period, Invoice.id)
