"""Seeds the CRM, billing and state databases with deterministic demo data.

The same arguments always give the same rows: one ``random.Random(seed)`` drives every
choice, ids are counted here, and every date and timestamp is derived from ``as_of``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Table
from sqlalchemy.orm import DeclarativeBase

from demo.catalogue import catalogue_rows
from demo.charges import Calendar, ChargeBook
from demo.crm import build_crm
from demo.history import budget_rows, membership_rows
from demo.policies import build_policies, effective_policies
from demo.products import account_rows, build_products, line_currencies, product_rows
from demo.writer import BulkWriter, bulk_writer
from sources.billing.models import BillingBase
from sources.crm.models import CrmBase
from sources.db import Engines
from sources.state import migrate
from sources.state.models import StateBase

Progress = Callable[[str, int, int], None]

# Lines whose usage and charges are built (and written) together: bounds memory at any size.
LINES_PER_CHUNK = 500


@dataclass(frozen=True, slots=True)
class SeedSummary:
    counts: dict[str, int]  # rows per table, every table of the three databases
    elapsed_seconds: float
    as_of: date
    seed: int


async def seed(
    engines: Engines,
    *,
    subscribers: int,
    customers: int = 2,
    months: int = 12,
    seed: int = 42,
    as_of: date | None = None,
    progress: Progress | None = None,
) -> SeedSummary:
    """Drop and recreate every table of the three databases and fill them with demo data."""
    if customers < 2:
        raise ValueError("the demo users need both ACME and BOREALIS: customers must be >= 2")
    if subscribers < 10 * customers:
        raise ValueError(f"every customer gets at least 10 lines: subscribers >= {10 * customers}")
    if months < 1:
        raise ValueError("months must be >= 1")
    started = time.perf_counter()
    as_of = as_of or date.today()
    report = progress or _silent
    rng = random.Random(seed)
    cal = Calendar.ending(as_of, months)

    crm = build_crm(rng, subscribers, customers, as_of, report)
    # The demo employee's line never moved: its own figures read the same in every structure.
    keep = {user[6] for user in crm.rows["portal_users"] if user[6] is not None}
    crm.rows["line_memberships"] = membership_rows(seed, crm.lines, crm.units, cal, keep)
    crm.rows["unit_budgets"] = budget_rows(crm.units, cal)
    accounts, account_ids = account_rows(crm.companies)
    currencies = line_currencies(crm.lines, crm.companies)
    policy_rows = build_policies(rng, crm.companies, crm.units, crm.lines, as_of, cal.periods[0], currencies)
    policies = effective_policies(policy_rows, crm.lines, currencies)
    products = build_products(rng, crm.lines, crm.companies, account_ids, policies, cal.periods[0], cal.current)
    billing_rows = {
        "billing_accounts": accounts,
        **catalogue_rows(),
        **product_rows(products),
        "spending_policies": policy_rows,
    }

    counts: dict[str, int] = {}
    async with bulk_writer(engines.crm, CrmBase.metadata) as writer:
        await _write_all(writer, CrmBase, crm.rows, report)
    counts |= writer.counts

    async with bulk_writer(engines.billing, BillingBase.metadata) as writer:
        await _write_all(writer, BillingBase, billing_rows, report)
        book = ChargeBook(cal, {row[0]: row[1] for row in accounts}, {row[0]: row[4] for row in accounts})
        usage_table = _table(BillingBase, "usage_records")
        charge_table = _table(BillingBase, "daily_charges")
        for usage, charges, done in book.chunks(rng, products, LINES_PER_CHUNK):
            await writer.write(usage_table, usage)
            await writer.write(charge_table, charges)
            report("charges", done, len(products))
        invoices, invoice_lines = book.invoice_rows()
        report("invoices", len(invoices), len(invoices))
        closing = {
            "invoices": invoices,
            "invoice_lines": invoice_lines,
            "bundle_balances": book.balances,
        }
        await _write_all(writer, BillingBase, closing, report)
    counts |= writer.counts

    await migrate.reset(engines.state)  # corpcare's own state starts empty

    for base in (CrmBase, BillingBase, StateBase):
        for name in base.metadata.tables:
            counts.setdefault(name, 0)
    return SeedSummary(counts, time.perf_counter() - started, as_of, seed)


async def _write_all(
    writer: BulkWriter, base: type[DeclarativeBase], rows: dict[str, list[tuple]], report: Progress
) -> None:
    """Write tables in the given order (parents first), reporting rows as they land."""
    total = sum(len(table_rows) for table_rows in rows.values())
    done = 0

    def tick(size: int) -> None:
        nonlocal done
        done += size
        report("writing", done, total)

    writer.on_batch = tick
    try:
        for name, table_rows in rows.items():
            await writer.write(_table(base, name), table_rows)
    finally:
        writer.on_batch = None


def _table(base: type[DeclarativeBase], name: str) -> Table:
    return base.metadata.tables[name]


def _silent(stage: str, done: int, total: int) -> None:
    pass
