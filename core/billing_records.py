"""What the billing source returns: plain, slotted records with Money already built."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from core.values import Money


@dataclass(slots=True)
class BillingAccountRecord:
    id: int
    customer_id: int
    number: str
    name: str
    currency: str
    payment_terms_days: int


@dataclass(slots=True)
class BundleRecord:
    id: int
    code: str
    name: str
    kind: str
    allowance: int


@dataclass(frozen=True, slots=True)
class TariffPlanRecord:
    id: int
    code: str
    name: str
    monthly_fee: Money


@dataclass(slots=True)
class ScheduledPlanRecord:
    subscriber_id: int
    effective_from: date
    plan: TariffPlanRecord


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    id: int
    code: str
    name: str
    kind: str
    monthly_fee: Money
    bundle_id: int | None
    exclusion_group: str | None = None
    filter_level: str | None = None  # a content filter's level: moderate, strict


@dataclass(slots=True)
class LineServiceRecord:
    """A service active on a line, at the fee the line pays for it."""

    subscriber_id: int
    service: ServiceRecord
    activated_on: date
    monthly_fee: Money


@dataclass(slots=True)
class BundleBalanceRecord:
    subscriber_id: int
    bundle_id: int
    period: date
    kind: str
    allowance: int
    used: int

    @property
    def remaining(self) -> int:
        return max(self.allowance - self.used, 0)


@dataclass(slots=True)
class CategoryAmount:
    category: str
    amount: Money


@dataclass(slots=True)
class SpendingRecord:
    """Charges of a line, a unit or a company for one billing month."""

    period: date
    total: Money
    company_share: Money
    employee_share: Money
    by_category: list[CategoryAmount] = field(default_factory=list)
    line_count: int = 0
    # A line's month: the line and where it sits (its policy periods are looked up from them).
    subscriber_id: int | None = None
    org_path: str | None = None


@dataclass(slots=True)
class PolicyPeriodRecord:
    """A line's charges of one month rated under one policy, from ``since`` until ``until``."""

    subscriber_id: int
    period: date
    since: datetime
    until: datetime
    policy: PolicyRecord
    total: Money
    company_share: Money
    employee_share: Money
    over_limit: Money


@dataclass(slots=True)
class UsageRecordRow:
    id: int
    subscriber_id: int
    started_at: datetime
    period: date
    kind: str
    quantity: int
    destination: str
    amount: Money


@dataclass(slots=True)
class InvoiceRecord:
    id: int
    billing_account_id: int
    customer_id: int
    number: str
    period: date
    issued_on: date
    due_on: date
    status: str
    total: Money
    company_share: Money
    employee_share: Money  # company + employee = total, by the split rule (sources/billing/split.py)


@dataclass(slots=True)
class InvoiceSubscriberTotal:
    invoice_id: int
    subscriber_id: int
    total: Money
    company_share: Money
    employee_share: Money


@dataclass(slots=True)
class PolicyRecord:
    """One level of spending policy; None attributes are inherited from above."""

    org_unit_id: int | None
    subscriber_id: int | None
    monthly_limit_minor: int | None
    limit_action: str | None
    company_share_percent: int | None
    content_filter: str | None
    roaming_allowed: bool | None
    # In force from valid_from until valid_to (None: still in force). A merged policy (in_force)
    # is in force since the latest valid_from of its levels.
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    # The currency monthly_limit_minor is stated in (None: stated before currencies were kept,
    # read in the currency of the lines it limits). A limit governs only lines billed in it.
    limit_currency: str | None = None
