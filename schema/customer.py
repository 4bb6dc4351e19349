"""The company: a customer of the operator."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import strawberry

from core.crm_records import CustomerRecord
from loaders.invoice import BillingAccountsByCustomerIdLoader
from loaders.org import OrgRootByCustomerIdLoader, SubscriberCountByCustomerIdLoader
from loaders.spending import SpendingByOrgUnitMonthLoader, SpendingPerCurrencyByOrgUnitMonthLoader
from permissions.roles import Permission as P
from permissions.rules import PUBLIC, requires
from request.context import Info
from resolvers.entities import entity
from schema.common import Node
from schema.fields import field, global_id, instances_of, related
from schema.invoice import BillingAccount
from schema.org_unit import OrgUnit
from schema.scalars import Month
from schema.spending import PER_CURRENCY, UnitSpending


def _spending_key(root: CustomerRecord, month: Month | None = None) -> tuple[Any, ...]:
    # "/" is above every path: the whole company, as far as the caller may see it.
    return (root.id, "/", month, root.currency, "as_billed")


@strawberry.type(description="A company that buys lines from the operator.")
class Customer(Node):
    id: strawberry.ID = global_id("Customer", PUBLIC)
    code: str = field(PUBLIC)
    name: str = field(PUBLIC)
    currency: str = field(PUBLIC)
    org_root: OrgUnit | None = related(
        OrgRootByCustomerIdLoader,
        "id",
        requires(P.ORG_READ),
        description="Null unless your scope is the whole company.",
    )
    billing_accounts: list[BillingAccount] | None = related(
        BillingAccountsByCustomerIdLoader,
        "id",
        requires(P.INVOICE_READ),
        description="Empty unless your scope is the whole company.",
    )
    subscriber_count: int = related(
        SubscriberCountByCustomerIdLoader,
        "id",
        requires(P.LINE_READ),
        description="Lines of the company that you may see.",
    )
    spending: UnitSpending | None = related(
        SpendingByOrgUnitMonthLoader,
        _spending_key,
        requires(P.SPENDING_READ),
        description="Charges of the lines you may see; the current month by default. Null with MIXED_CURRENCIES "
        "when they were charged in more than one currency: ask spendingByCurrency.",
    )
    spending_by_currency: list[UnitSpending] | None = related(
        SpendingPerCurrencyByOrgUnitMonthLoader, _spending_key, requires(P.SPENDING_READ), description=PER_CURRENCY
    )

    is_type_of = instances_of(CustomerRecord)

    @classmethod
    def resolve_reference(cls, info: Info, global_id: object) -> Awaitable[CustomerRecord | None]:
        """Federation: the company with this global id, or None as for a missing one (``resolvers/entities.py``)."""
        return entity(info.context, "Customer", global_id)
