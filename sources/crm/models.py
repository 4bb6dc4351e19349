"""Reference schema of the CRM backend: companies, the org tree, lines and portal users.

The org tree uses a materialised path of ids (``/1/4/17/``): a subtree is a prefix match,
and a unit's ancestors can be read off its own path without a query. Lines carry a copy of
their unit's path so that row scope is a single-table predicate.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text, event, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sources.marks import Marked, install_marks

# Byte order for materialised paths, so that subtree ranges are exact on PostgreSQL whatever
# the database's collation (SQLite compares bytes already).
PathString = String(400, collation="C").with_variant(String(400), "sqlite")


class CrmBase(DeclarativeBase):
    pass


class Customer(CrmBase):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # ISO 3166 code: numbers its people type in national form are read by this country's plan.
    country: Mapped[str] = mapped_column(String(2))


class OrgUnit(CrmBase):
    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # company, division, department, team
    path: Mapped[str] = mapped_column(PathString)
    depth: Mapped[int] = mapped_column(Integer)
    cost_centre_code: Mapped[str | None] = mapped_column(String(32))
    # Minor currency units (cents) in the customer's currency; null = no budget set.
    monthly_budget_minor: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        Index("ix_org_units_parent", "parent_id"),
        Index("ix_org_units_customer_path", "customer_id", "path"),
    )


class Subscriber(CrmBase):
    """An employee's mobile line."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    org_path: Mapped[str] = mapped_column(PathString)
    msisdn: Mapped[str] = mapped_column(String(20), unique=True)
    iccid: Mapped[str] = mapped_column(String(22))
    imsi: Mapped[str] = mapped_column(String(15))
    employee_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    position: Mapped[str | None] = mapped_column(String(120))
    device: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16))  # active, suspended, terminated
    activated_on: Mapped[date] = mapped_column(Date)
    # The name in lower case without accents (sources/crm/search.py's ``fold``), kept with the
    # name wherever it is written: both backends search it alike (SQLite has no unaccent).
    employee_name_folded: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        Index("ix_subscribers_customer_path", "customer_id", "org_path"),
        Index("ix_subscribers_org_unit", "org_unit_id"),
        Index("ix_subscribers_customer_name", "customer_id", "employee_name", "id"),
        Index("ix_subscribers_customer_activated", "customer_id", "activated_on", "id"),
    )


class LineMembership(CrmBase):
    """Where a line sat, and from when: one row per stay of a line in a unit.

    Days are the grain of charges, so a stay is a range of days: ``valid_from`` included,
    ``valid_to`` excluded (null: still there). A move on day D ends the old stay and starts the
    new one on D, so D's charges count where the line went; ``recorded_at`` is when the move
    was made. A unit move gives each line below it a new stay with the unit's new path.
    """

    __tablename__ = "line_memberships"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    org_path: Mapped[str] = mapped_column(PathString)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_line_memberships_customer_line", "customer_id", "subscriber_id", "valid_from"),
        # At most one open stay per line: two moves of a line that raced would fail, not fork its history.
        Index(
            "ux_line_memberships_open",
            "subscriber_id",
            unique=True,
            sqlite_where=text("valid_to IS NULL"),
            postgresql_where=text("valid_to IS NULL"),
        ),
        # Written with the lines: an older database with lines but no history is refused (sources/db.py).
        {"info": {"seeded_with": "subscribers"}},
    )


class StayMark(CrmBase):
    """A customer's stays of lines changed ``version`` times: bumped by the database in the
    transaction of every write of its ``line_memberships`` — a line moved, a unit moved with its
    lines (``sources/marks.py``); read before the stays (``loaders/open_months.py``)."""

    __tablename__ = "stay_marks"

    customer_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)


STAYS_MARKED = Marked("line_memberships", "stay_marks", ("customer_id",))
event.listen(CrmBase.metadata, "after_create", lambda _, conn, **__: install_marks(conn, STAYS_MARKED))


class UnitBudget(CrmBase):
    """A unit's monthly budget from a month on: the budget of month M is the row with the latest
    ``valid_from`` not after M (``amount_minor`` null: no budget from then). Setting a budget adds
    (or, within the same month, replaces) the row of the current month, so closed months keep
    theirs; ``org_units.monthly_budget_minor`` is the budget in force now."""

    __tablename__ = "unit_budgets"

    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), primary_key=True)
    valid_from: Mapped[date] = mapped_column(Date, primary_key=True)  # first day of a month
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = ({"info": {"seeded_with": "org_units"}},)


class PortalUser(CrmBase):
    """Somebody who signs in to the portal, or a service account."""

    __tablename__ = "portal_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Null for the operator's own staff, who act across customers.
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    login: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(32))
    # Set for employees: the one line they act on.
    subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id"))
    active: Mapped[bool] = mapped_column(default=True)


class ScopeGrant(CrmBase):
    """A subtree of the org tree that a portal user may act on.

    A company-level role without grants covers the whole company.
    """

    __tablename__ = "scope_grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("portal_users.id"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))

    __table_args__ = (Index("ix_scope_grants_user", "user_id"),)
