"""Invoices as CSV rows: the history of the company's billing accounts (``Customer.billingAccounts``
then ``BillingAccount.invoices``, newest first) and one invoice's lines (``Invoice.bySubscriber``).
Read as GraphQL reads them: the same sources, the same company scope (accounts and invoices are
company documents), an invoice outside it answered as not found. Pages are walked by keyset, a
page at a time, never all of a large invoice in one statement."""

from __future__ import annotations

from collections.abc import AsyncIterator

from core.billing_records import BillingAccountRecord, InvoiceRecord
from core.ids import to_global_id
from permissions.roles import Permission
from request.context import Context
from resolvers.node import load_node
from resolvers.report_base import report_customer
from sources.keyset import Span

PAGE = 500

INVOICE_TITLES = ["Invoice id", "Invoice number", "Billing account", "Billing account number", "Period", "Issued on",
                  "Due on", "Status", "Currency", "Total", "Company share", "Employee share"]  # fmt: skip


async def invoice_accounts(
    context: Context, account_id: str | None, customer: str | None
) -> list[BillingAccountRecord]:
    """The accounts whose invoices the file lists: the one named (NOT_FOUND outside the caller's
    view), or every account of the company, as ``Customer.billingAccounts`` answers them."""
    if account_id is not None:
        return [await load_node(context, account_id, expect="BillingAccount")]
    company = await report_customer(context, customer)
    accounts = await context.sources.invoices.accounts_by_customer_ids([company], context.principal.scope)
    return sorted(accounts, key=lambda account: account.id)


async def invoices_csv(
    context: Context, account_id: str | None, customer: str | None
) -> tuple[list[str], AsyncIterator[list[str]]]:
    accounts = await invoice_accounts(context, account_id, customer)

    async def rows() -> AsyncIterator[list[str]]:
        for account in accounts:
            async for invoice in _invoices(context, account.id):
                yield _invoice_cells(invoice, account)

    return list(INVOICE_TITLES), rows()


async def _invoices(context: Context, account_id: int) -> AsyncIterator[InvoiceRecord]:
    after = None
    while True:
        page = await context.sources.invoices.invoice_pages([account_id], Span(PAGE, after=after))
        for invoice in page[:PAGE]:
            yield invoice
        if len(page) <= PAGE:
            return
        last = page[PAGE - 1]
        after = (last.period, last.id)


def _invoice_cells(invoice: InvoiceRecord, account: BillingAccountRecord) -> list[str]:
    return [
        to_global_id("Invoice", invoice.id), invoice.number, account.name, account.number,
        f"{invoice.period:%Y-%m}", invoice.issued_on.isoformat(), invoice.due_on.isoformat(), invoice.status.upper(),
        invoice.total.currency, str(invoice.total.amount), str(invoice.company_share.amount),
        str(invoice.employee_share.amount),
    ]  # fmt: skip


async def invoice_lines_csv(
    context: Context, invoice_id: str
) -> tuple[list[str], AsyncIterator[list[str]], InvoiceRecord]:
    """One invoice's lines (NOT_FOUND for an invoice outside the caller's view): each line's
    id (blank when the line is outside the caller's scope, as GraphQL answers it null), its number
    and employee for callers who may read personal data, and its amounts."""
    invoice: InvoiceRecord = await load_node(context, invoice_id, expect="Invoice")
    personal = context.principal.can(Permission.PERSONAL_READ)
    header = ["Line id", *(["Phone number", "Employee"] if personal else []), "Currency", "Total", "Company share",
              "Employee share"]  # fmt: skip

    async def rows() -> AsyncIterator[list[str]]:
        after = None
        while True:
            page = await context.sources.invoices.invoice_totals_by_subscriber([invoice.id], Span(PAGE, after=after))
            shown = page[:PAGE]
            ids = sorted({row.subscriber_id for row in shown})
            found = await context.sources.crm.subscribers_by_ids(ids, context.principal.scope)
            people = {line.id: (line.msisdn, line.employee_name) for line in found}
            for row in shown:
                line = to_global_id("Subscriber", row.subscriber_id) if row.subscriber_id in people else ""
                named = list(people.get(row.subscriber_id, ("", ""))) if personal else []
                yield [line, *named, row.total.currency, str(row.total.amount), str(row.company_share.amount),
                       str(row.employee_share.amount)]  # fmt: skip
            if len(page) <= PAGE:
                return
            after = (shown[-1].subscriber_id,)

    return header, rows(), invoice
