"""Reference schema of the billing backend.

Money is stored as integers of minor currency units (``*_minor``) next to an ISO currency
code: sums are exact on every database, SQLite included. Sources turn them into Decimal.
Rows refer to CRM objects (customer, line, org unit) by id only.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, event, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sources.marks import Marked, install_marks


class BillingBase(DeclarativeBase):
    pass


class BillingAccount(BillingBase):
    __tablename__ = "billing_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(Integer, index=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    payment_terms_days: Mapped[int] = mapped_column(Integer)


class Bundle(BillingBase):
    """An allowance: minutes, messages or data, included in a plan or added by a service."""

    __tablename__ = "bundles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))  # voice, sms, data, roaming_data
    allowance: Mapped[int] = mapped_column(BigInteger)  # seconds, messages or kilobytes


class TariffPlan(BillingBase):
    __tablename__ = "tariff_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    monthly_fee_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))


class PlanBundle(BillingBase):
    __tablename__ = "plan_bundles"

    plan_id: Mapped[int] = mapped_column(ForeignKey("tariff_plans.id"), primary_key=True)
    bundle_id: Mapped[int] = mapped_column(ForeignKey("bundles.id"), primary_key=True)


class Service(BillingBase):
    """An option a line can add to its plan."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))  # option, data_pack, roaming, content_filter
    monthly_fee_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    bundle_id: Mapped[int | None] = mapped_column(ForeignKey("bundles.id"))
    # A line holds at most one service of a group (two content filters or two roaming passes
    # contradict each other).
    exclusion_group: Mapped[str | None] = mapped_column(String(32))
    filter_level: Mapped[str | None] = mapped_column(String(16))  # content filters: moderate, strict


class LineProduct(BillingBase):
    """A line's place in billing: its account and its tariff plan."""

    __tablename__ = "line_products"

    subscriber_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    customer_id: Mapped[int] = mapped_column(Integer)
    billing_account_id: Mapped[int] = mapped_column(ForeignKey("billing_accounts.id"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("tariff_plans.id"))
    plan_since: Mapped[date] = mapped_column(Date)

    __table_args__ = (Index("ix_line_products_customer_plan", "customer_id", "plan_id"),)


class LineService(BillingBase):
    __tablename__ = "line_services"

    subscriber_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(Integer)
    activated_on: Mapped[date] = mapped_column(Date)
    monthly_fee_minor: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_line_services_customer_service", "customer_id", "service_id"),)


class UsageRecord(BillingBase):
    """One rated event: a call, a message batch or a data session."""

    __tablename__ = "usage_records"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    period: Mapped[date] = mapped_column(Date)  # first day of the billing month
    kind: Mapped[str] = mapped_column(String(16))  # voice, sms, data, roaming_data
    quantity: Mapped[int] = mapped_column(BigInteger)  # seconds, messages or kilobytes
    destination: Mapped[str] = mapped_column(String(60))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))

    __table_args__ = (Index("ix_usage_subscriber_started", "subscriber_id", "started_at", "id"),)


class DailyCharge(BillingBase):
    """A line's rated charges for one day and category, split between company and employee."""

    __tablename__ = "daily_charges"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[int] = mapped_column(Integer)
    billing_account_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    period: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    employee_share_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # Of the employee's share, what the line's usage went over its limit under charge_employee.
    over_limit_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # Since when the policy that split these charges was in force (None: the defaults): charges
    # rated under different policies never share a row, so a month shows its split per policy.
    policy_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_charges_subscriber_period", "subscriber_id", "period"),
        # Covers the per-line sums behind every roll-up, as billed too (a charge's day puts it in
        # the place its line had then): no table reads, and a line's month in grouping order.
        # Replaced ``ix_charges_customer_period``, which lacked the day (``sources/billing/upgrade.py``).
        Index(
            "ix_charges_customer_period_line_day",
            "customer_id",
            "period",
            "subscriber_id",
            "currency",
            "day",
            "amount_minor",
            "employee_share_minor",
        ),
    )


class ChargeMark(BillingBase):
    """A customer's month of charges changed ``version`` times: bumped by the database in the
    transaction of every write of its daily charges (``sources/marks.py``), read before summing
    them (``loaders/open_months.py``)."""

    __tablename__ = "charge_marks"

    customer_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    period: Mapped[date] = mapped_column(Date, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


CHARGES_MARKED = Marked("daily_charges", "charge_marks", ("customer_id", "period"))
event.listen(BillingBase.metadata, "after_create", lambda _, conn, **__: install_marks(conn, CHARGES_MARKED))


class BundleBalance(BillingBase):
    __tablename__ = "bundle_balances"

    subscriber_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    bundle_id: Mapped[int] = mapped_column(ForeignKey("bundles.id"), primary_key=True)
    period: Mapped[date] = mapped_column(Date, primary_key=True)
    allowance: Mapped[int] = mapped_column(BigInteger)
    used: Mapped[int] = mapped_column(BigInteger)


class Invoice(BillingBase):
    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    billing_account_id: Mapped[int] = mapped_column(ForeignKey("billing_accounts.id"))
    customer_id: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    period: Mapped[date] = mapped_column(Date)
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # open, paid, overdue
    total_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # The split of the total (company + employee = total), summed from the charges' own split.
    company_share_minor: Mapped[int] = mapped_column(BigInteger)
    employee_share_minor: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_invoices_account_period", "billing_account_id", "period"),)


class InvoiceLine(BillingBase):
    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    subscriber_id: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    company_share_minor: Mapped[int] = mapped_column(BigInteger)
    employee_share_minor: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_invoice_lines_invoice", "invoice_id"),)


_IN_FORCE = text("valid_to IS NULL")


class SpendingPolicy(BillingBase):
    """Policy set on an org unit or on one line; unset attributes are inherited.

    Effective-dated: a row is in force from ``valid_from`` until ``valid_to`` (open: in force
    now). A change closes the row in force and opens a new one, so at most one row per unit or
    line is open, and any past moment has the policy it had then."""

    __tablename__ = "spending_policies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(Integer)
    org_unit_id: Mapped[int | None] = mapped_column(Integer, index=True)
    subscriber_id: Mapped[int | None] = mapped_column(Integer, index=True)
    monthly_limit_minor: Mapped[int | None] = mapped_column(BigInteger)
    limit_action: Mapped[str | None] = mapped_column(String(16))  # notify, block, charge_employee
    company_share_percent: Mapped[int | None] = mapped_column(Integer)
    content_filter: Mapped[str | None] = mapped_column(String(16))  # off, moderate, strict
    roaming_allowed: Mapped[bool | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What monthly_limit_minor is stated in: it governs only lines billed in that currency.
    limit_currency: Mapped[str | None] = mapped_column(String(3))

    __table_args__ = (
        Index("ux_policy_unit_in_force", "org_unit_id", unique=True,
              postgresql_where=_IN_FORCE, sqlite_where=_IN_FORCE),
        Index("ux_policy_line_in_force", "subscriber_id", unique=True,
              postgresql_where=_IN_FORCE, sqlite_where=_IN_FORCE),
    )  # fmt: skip


class ScheduledPlanChange(BillingBase):
    """A line's tariff plan change that takes effect at the start of a later billing month."""

    __tablename__ = "scheduled_plan_changes"

    subscriber_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    plan_id: Mapped[int] = mapped_column(ForeignKey("tariff_plans.id"))
    effective_from: Mapped[date] = mapped_column(Date)
