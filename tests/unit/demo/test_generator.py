"""The demo generator against real SQLite files: determinism and the invariants the demo
and the README rely on."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from demo import DEMO_USERS, SeedSummary, seed
from sources.billing.models import BillingBase
from sources.billing.split import employee_part
from sources.crm.models import CrmBase
from sources.db import Engines, create_engine

AS_OF = date(2026, 3, 17)
SIZE = {"subscribers": 120, "months": 3, "as_of": AS_OF}


def sqlite_engines(directory: Path) -> Engines:
    directory.mkdir(parents=True, exist_ok=True)
    return Engines(
        *(create_engine(f"sqlite+aiosqlite:///{directory}/{name}.db") for name in ("crm", "billing", "state"))
    )


async def fingerprint(engines: Engines) -> dict[str, str]:
    """A hash of every table's rows in primary-key order."""
    digests = {}
    for engine, base in ((engines.crm, CrmBase), (engines.billing, BillingBase)):
        async with engine.connect() as conn:
            for table in base.metadata.sorted_tables:
                result = await conn.execute(select(table).order_by(*table.primary_key.columns))
                digests[table.name] = hashlib.sha256(repr(result.all()).encode()).hexdigest()
    return digests


async def fetch(engine: AsyncEngine, sql: str) -> list:
    async with engine.connect() as conn:
        return list((await conn.execute(text(sql))).all())


@pytest.fixture(scope="module")
async def demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[Engines, SeedSummary]]:
    engines = sqlite_engines(tmp_path_factory.mktemp("demo"))
    summary = await seed(engines, seed=7, **SIZE)
    yield engines, summary
    await engines.dispose()


async def test_reseeding_with_the_same_arguments_gives_identical_data(demo, tmp_path: Path) -> None:
    engines, summary = demo
    again = sqlite_engines(tmp_path)
    try:
        # Seeding over existing data also shows that the tables are dropped and recreated.
        await seed(again, seed=8, **SIZE)
        other = await fingerprint(again)
        second = await seed(again, seed=7, **SIZE)
        assert await fingerprint(again) == await fingerprint(engines)
        assert second.counts == summary.counts
    finally:
        await again.dispose()
    assert other != await fingerprint(engines)
    assert other["subscribers"] != (await fingerprint(engines))["subscribers"]


async def test_summary_counts_every_table(demo) -> None:
    engines, summary = demo
    assert summary.as_of == AS_OF and summary.seed == 7
    assert summary.counts["subscribers"] == 120
    assert summary.counts["portal_users"] == 8
    assert summary.counts["audit_log"] == 0
    assert min(summary.counts[name] for name in ("usage_records", "daily_charges", "invoices")) > 0
    (charges,) = await fetch(engines.billing, "select count(*) from daily_charges")
    assert charges[0] == summary.counts["daily_charges"]


async def test_org_trees_are_four_levels_deep_with_paths_of_ids(demo) -> None:
    engines, _ = demo
    units = await fetch(
        engines.crm,
        "select id, customer_id, parent_id, name, kind, path, depth, monthly_budget_minor from org_units order by id",
    )
    by_id = {unit.id: unit for unit in units}
    kinds = {0: "company", 1: "division", 2: "department", 3: "team"}
    for unit in units:
        assert kinds[unit.depth] == unit.kind
        parent_path = by_id[unit.parent_id].path if unit.parent_id else "/"
        assert unit.path == f"{parent_path}{unit.id}/"
        assert (unit.monthly_budget_minor is None) == (unit.depth == 0)
    for customer_id in (1, 2):
        assert {u.depth for u in units if u.customer_id == customer_id} == {0, 1, 2, 3}
        names = [u.name for u in units if u.customer_id == customer_id and u.kind == "team"]
        assert len(names) == len(set(names))
    divisions = [(u.customer_id, u.name) for u in units if u.kind == "division"]
    assert divisions == [
        (1, "Sales"), (1, "Operations"), (1, "Technology"), (1, "Finance & HR"),
        (2, "Generation"), (2, "Grid"), (2, "Corporate"),
    ]  # fmt: skip
    lines = await fetch(engines.crm, "select org_unit_id, org_path, customer_id from subscribers")
    assert all(by_id[line.org_unit_id].path == line.org_path for line in lines)
    assert all(by_id[line.org_unit_id].customer_id == line.customer_id for line in lines)


async def test_every_invoice_totals_its_lines_and_its_accounts_daily_charges(demo) -> None:
    engines, _ = demo
    invoices = await fetch(
        engines.billing,
        "select i.id, i.total_minor, i.status, i.period, i.company_share_minor, i.employee_share_minor, "
        "i.currency, a.currency as billed_in, "
        "(select sum(amount_minor) from invoice_lines l where l.invoice_id = i.id) as lines, "
        "(select sum(employee_share_minor) from invoice_lines l where l.invoice_id = i.id) as lines_employee, "
        "(select sum(company_share_minor) from invoice_lines l where l.invoice_id = i.id) as lines_company, "
        "(select sum(amount_minor) from daily_charges c where c.billing_account_id = "
        "i.billing_account_id and c.period = i.period) as charged, "
        "(select sum(employee_share_minor) from daily_charges c where c.billing_account_id = "
        "i.billing_account_id and c.period = i.period) as charged_employee, "
        "(select count(distinct currency) from daily_charges c where c.billing_account_id = "
        "i.billing_account_id and c.period = i.period and c.currency <> i.currency) as foreign_charges "
        "from invoices i join billing_accounts a on a.id = i.billing_account_id",
    )
    # Two closed months for ACME's two accounts (EUR) and Borealis's two (EUR, and CHF for its grid).
    assert len(invoices) == 2 * 4
    assert sorted(invoice.currency for invoice in invoices) == ["CHF"] * 2 + ["EUR"] * 6
    for invoice in invoices:
        assert invoice.total_minor == invoice.lines == invoice.charged > 0
        assert invoice.employee_share_minor == invoice.lines_employee == invoice.charged_employee
        assert invoice.company_share_minor == invoice.lines_company
        assert invoice.company_share_minor + invoice.employee_share_minor == invoice.total_minor
        assert invoice.currency == invoice.billed_in and invoice.foreign_charges == 0
        assert invoice.status == ("open" if invoice.period == "2026-02-01" else "paid")


async def test_itemised_months_charge_exactly_the_rated_usage(demo) -> None:
    engines, _ = demo
    usage = await fetch(
        engines.billing,
        "select subscriber_id, date(started_at), case kind when 'roaming_data' then 'roaming' "
        "else kind end, sum(amount_minor) from usage_records group by 1, 2, 3 "
        "having sum(amount_minor) > 0",
    )
    charges = await fetch(
        engines.billing,
        "select subscriber_id, day, category, sum(amount_minor) from daily_charges "
        "where period >= '2026-02-01' and category in ('voice', 'sms', 'data', 'roaming') "
        "group by 1, 2, 3",
    )
    assert len(usage) > 50
    assert sorted(map(tuple, usage)) == sorted(map(tuple, charges))
    periods = await fetch(engines.billing, "select distinct period from usage_records order by 1")
    assert [p[0] for p in periods] == ["2026-02-01", "2026-03-01"]
    (latest,) = await fetch(engines.billing, "select max(day) from daily_charges")
    assert latest[0] <= AS_OF.isoformat()


async def test_bundle_balances_account_for_all_current_usage(demo) -> None:
    engines, _ = demo
    used = await fetch(
        engines.billing,
        "select b.subscriber_id, k.kind, sum(b.used) from bundle_balances b "
        "join bundles k on k.id = b.bundle_id group by 1, 2 having sum(b.used) > 0",
    )
    usage = await fetch(
        engines.billing,
        "select u.subscriber_id, u.kind, sum(u.quantity) from usage_records u "
        "where u.period = '2026-03-01' and exists (select 1 from bundle_balances b "
        "join bundles k on k.id = b.bundle_id where b.subscriber_id = u.subscriber_id "
        "and k.kind = u.kind) group by 1, 2",
    )
    assert sorted(map(tuple, used)) == sorted(map(tuple, usage))


async def test_employee_share_follows_the_sales_divisions_company_share(demo) -> None:
    engines, _ = demo
    sales_lines = await fetch(
        engines.crm,
        "select s.id from subscribers s join org_units d on s.org_path like d.path || '%' "
        "where d.customer_id = 1 and d.name = 'Sales'",
    )
    overridden = await fetch(
        engines.billing,
        "select subscriber_id from spending_policies where subscriber_id is not null",
    )
    ids = {row[0] for row in sales_lines} - {row[0] for row in overridden}
    charges = await fetch(
        engines.billing,
        "select subscriber_id, period, category, sum(amount_minor), sum(employee_share_minor), "
        "sum(over_limit_minor) from daily_charges group by 1, 2, 3",
    )
    checked = [c for c in charges if c[0] in ids]
    assert checked
    for _line, _period, category, amount, employee, over in checked:
        # The split is exact on each line's month and category (sources/billing/split.py); fees
        # are the company's, and Sales only notifies: nothing over the limit is the employee's.
        expected = 0 if category == "subscription" else employee_part(amount, 80)
        assert (employee, over) == (expected, 0)


async def test_the_demo_users_exist_with_their_roles_and_grants(demo) -> None:
    engines, _ = demo
    users = await fetch(
        engines.crm,
        "select id, login, role, customer_id, subscriber_id, name from portal_users order by id",
    )
    assert [(u.login, u.role) for u in users] == [(login, role) for login, role, _ in DEMO_USERS]
    assert [u.customer_id for u in users] == [1, 1, 1, 1, 1, None, 2, 1]
    grants = await fetch(
        engines.crm,
        "select g.user_id, u.customer_id, u.name, u.kind from scope_grants g join org_units u on u.id = g.org_unit_id",
    )
    assert [tuple(g) for g in grants] == [(2, 1, "Sales", "division"), (8, 1, "Sales", "division")]
    employee = users[4]
    (line,) = await fetch(
        engines.crm,
        "select s.employee_name, s.status, s.customer_id, d.name from subscribers s "
        "join org_units d on d.depth = 1 and s.org_path like d.path || '%' "
        f"where s.id = {employee.subscriber_id}",
    )
    assert tuple(line) == (employee.name, "active", 1, "Operations")


async def test_each_customer_has_suspended_lines_and_unique_numbers(demo) -> None:
    engines, _ = demo
    suspended = await fetch(
        engines.crm,
        "select customer_id, count(*) from subscribers where status = 'suspended' group by 1",
    )
    assert {row[0]: row[1] >= 2 for row in suspended} == {1: True, 2: True}
    per_customer = dict(await fetch(engines.crm, "select customer_id, count(*) from subscribers group by 1"))
    assert per_customer == {1: 90, 2: 30}
    (unique,) = await fetch(
        engines.crm,
        "select count(distinct msisdn), count(distinct email), count(*) from subscribers",
    )
    assert unique[0] == unique[1] == unique[2] == 120


async def test_progress_is_reported_per_stage_not_per_row(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    engines = sqlite_engines(tmp_path)
    try:
        await seed(engines, progress=lambda *call: calls.append(call), seed=1, **SIZE)
    finally:
        await engines.dispose()
    stages = {stage for stage, _, _ in calls}
    assert {"lines", "charges", "invoices", "writing"} <= stages
    assert len(calls) < 100
    assert all(0 <= done <= total for _, done, total in calls)


async def test_too_few_lines_for_the_customers_is_refused(tmp_path: Path) -> None:
    engines = sqlite_engines(tmp_path)
    try:
        with pytest.raises(ValueError, match="at least 10 lines"):
            await seed(engines, subscribers=25, customers=3, as_of=AS_OF)
    finally:
        await engines.dispose()
