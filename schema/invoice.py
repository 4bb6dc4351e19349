"""Billing accounts and their invoices, with drill-down by line and by category."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from loaders import InvoicePageKey
from loaders.page import day, decode_keyset, page_size
from permissions.roles import Permission as P
from permissions.rules import PUBLIC, requires
from schema.common import Connection, Money, Node
from schema.enums import InvoiceStatus
from schema.fields import field, global_id, related
from schema.scalars import Month
from schema.spending import CategoryAmount
from schema.subscriber import Subscriber
from sources.billing.records import BillingAccountRecord, InvoiceRecord

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


@strawberry.type(description="What one line was charged on an invoice.")
class InvoiceLineTotal:
    subscriber: Subscriber | None = related(
        "subscriber", "subscriber_id", INVOICE, description="Null when the line is outside your scope."
    )
    total: Money = field(INVOICE)
    company_share: Money = field(INVOICE, description=COMPANY_SHARE)
    employee_share: Money = field(INVOICE, description=EMPLOYEE_SHARE)


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
    billing_account: BillingAccount | None = related("billing_account", "billing_account_id", INVOICE)
    by_subscriber: list[InvoiceLineTotal] = related("invoice_by_subscriber", "id", INVOICE)
    by_category: list[CategoryAmount] = related("invoice_by_category", "id", INVOICE)

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, InvoiceRecord)


def _invoices_key(root: BillingAccountRecord, first: int | None = None, after: str | None = None) -> InvoicePageKey:
    cursor = None if after is None else decode_keyset(after, day)
    return InvoicePageKey(account_id=root.id, after=cursor, limit=page_size(first, 12, INVOICE_PAGE_MAX))


@strawberry.type(description="A billing account of the company; invoices are issued per account.")
class BillingAccount(Node):
    id: strawberry.ID = global_id("BillingAccount", PUBLIC)
    number: str = field(INVOICE)
    name: str = field(INVOICE)
    currency: str = field(INVOICE)
    payment_terms_days: int = field(INVOICE)
    customer: Annotated[Customer, strawberry.lazy("schema.customer")] = related("customer", "customer_id", INVOICE)
    invoices: Connection[Invoice] = related(
        "invoices", _invoices_key, INVOICE, description=f"Newest first; `first` at most {INVOICE_PAGE_MAX}."
    )

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, BillingAccountRecord)
