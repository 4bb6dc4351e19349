"""Billing accounts and their invoices, with drill-down by line and by category."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from core.billing_records import BillingAccountRecord, InvoiceRecord
from core.errors import BadUserInput
from loaders import InvoiceLinesPageKey, InvoicePageKey
from loaders.cursors import PageArgs, span_of
from loaders.invoice import (
    INVOICE_LINES,
    INVOICES,
    BillingAccountByIdLoader,
    InvoiceCategoryTotalsLoader,
    InvoiceLineCategoryTotalsLoader,
    InvoiceLineKey,
    InvoicesByAccountLoader,
    InvoiceSubscriberTotalsLoader,
)
from loaders.org import CustomerByIdLoader
from loaders.subscriber import SubscriberByIdLoader
from permissions.roles import Permission as P
from permissions.rules import PUBLIC, requires
from schema.common import Connection, Money, Node
from schema.enums import InvoiceStatus
from schema.fields import field, global_id, instances_of, related
from schema.scalars import Month
from schema.spending import CategoryAmount
from schema.subscriber import Subscriber
from sources.keyset import Key

if TYPE_CHECKING:
    from schema.customer import Customer

INVOICE = requires(P.INVOICE_READ)
INVOICE_PAGE_MAX = 100
COMPANY_SHARE = "What the company pays: the total less the employee's share."
EMPLOYEE_SHARE = (
    "What the employees pay: usage over a CHARGE_EMPLOYEE limit, plus their cost-split share of the rest, "
    "computed on each line's month and category (half to even, never a cent lost); the sum of the charges' "
    "employee shares, as spendingReport shows them."
)
# The default is the server's default page size (CORPCARE_DEFAULT_PAGE_SIZE), as the cost model prices it.
LINES_PAGE_DEFAULT, LINES_PAGE_MAX = 50, 1000


@strawberry.type(description="What one line was charged on an invoice.")
class InvoiceLineTotal:
    subscriber: Subscriber | None = related(
        SubscriberByIdLoader, "subscriber_id", INVOICE, description="Null when the line is outside your scope."
    )
    total: Money = field(INVOICE)
    company_share: Money = field(INVOICE, description=COMPANY_SHARE)
    employee_share: Money = field(INVOICE, description=EMPLOYEE_SHARE)
    by_category: list[CategoryAmount] = related(
        InvoiceLineCategoryTotalsLoader,
        lambda root: InvoiceLineKey(root.invoice_id, root.subscriber_id),  # the InvoiceSubscriberTotal's
        INVOICE,
        description="What the line was charged per charge category on this invoice; the amounts add up to its "
        "total. Asked for a page of lines, one statement reads them all.",
    )


def _lines_key(
    root: InvoiceRecord,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> InvoiceLinesPageKey:
    page = PageArgs(first, after, last, before)
    span = span_of(INVOICE_LINES, page, default=LINES_PAGE_DEFAULT, maximum=LINES_PAGE_MAX)
    after_line, before_line = _line_of(span.after, root.id, "after"), _line_of(span.before, root.id, "before")
    return InvoiceLinesPageKey(root.id, replace(span, after=after_line, before=before_line))


def _line_of(key: Key | None, invoice_id: int, argument: str) -> Key | None:
    """The line a cursor of this invoice's line totals names (it names the invoice: another's is refused)."""
    if key is None:
        return None
    of_invoice, line = key
    if of_invoice != invoice_id:
        raise BadUserInput("The cursor is not valid for this invoice.", argument=argument)
    return (line,)


@strawberry.type
class Invoice(Node):
    id: strawberry.ID = global_id("Invoice", PUBLIC)
    number: str = field(INVOICE)
    period: Month = field(INVOICE)
    issued_on: date = field(INVOICE)
    due_on: date = field(INVOICE)
    status: InvoiceStatus = field(INVOICE)
    total: Money = field(INVOICE, description="companyShare + employeeShare, exactly.")
    company_share: Money = field(INVOICE, description=COMPANY_SHARE)
    employee_share: Money = field(INVOICE, description=EMPLOYEE_SHARE)
    billing_account: BillingAccount | None = related(BillingAccountByIdLoader, "billing_account_id", INVOICE)
    by_subscriber: Connection[InvoiceLineTotal] = related(
        InvoiceSubscriberTotalsLoader,
        _lines_key,
        INVOICE,
        description=f"What each line was charged, in line order, paged by the billing database: `first`/`after` "
        f"or `last`/`before`, at most {LINES_PAGE_MAX} a page ({LINES_PAGE_DEFAULT} by default); `totalCount` is "
        "every line on the invoice. Amounts are in the invoice's currency.",
    )
    by_category: list[CategoryAmount] = related(InvoiceCategoryTotalsLoader, "id", INVOICE)

    is_type_of = instances_of(InvoiceRecord)


def _invoices_key(
    root: BillingAccountRecord,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> InvoicePageKey:
    span = span_of(INVOICES, PageArgs(first, after, last, before), default=12, maximum=INVOICE_PAGE_MAX)
    return InvoicePageKey(root.id, span)


@strawberry.type(description="A billing account of the company; invoices are issued per account.")
class BillingAccount(Node):
    id: strawberry.ID = global_id("BillingAccount", PUBLIC)
    number: str = field(INVOICE)
    name: str = field(INVOICE)
    currency: str = field(INVOICE)
    payment_terms_days: int = field(INVOICE)
    customer: Annotated[Customer, strawberry.lazy("schema.customer")] = related(
        CustomerByIdLoader, "customer_id", INVOICE
    )
    invoices: Connection[Invoice] = related(
        InvoicesByAccountLoader,
        _invoices_key,
        INVOICE,
        description=f"Newest first: `first`/`after` or `last`/`before`, at most {INVOICE_PAGE_MAX} a page.",
    )

    is_type_of = instances_of(BillingAccountRecord)
