"""A company billed in two currencies (the demo's Borealis: its grid division on an account in
CHF, the rest in EUR): figures over both are given per currency or refused, never added."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import text

from core.values import Money, add_months, month_start
from tests.api.access.test_access import codes
from tests.support import World, today

BOREALIS = 2
REPORT = """query($input: SpendingReportInput!) { spendingReport(input: $input) {
  totals { total { amount currency } companyShare { amount currency } employeeShare { amount currency } }
  rows(first: 10000) { totalCount nodes { orgUnit { name } month total { amount currency } } } } }"""
TREE = """query($m: Month) { customer { currency spending(month: $m) { total { amount currency } }
  orgRoot { children { name spending(month: $m) { total { amount currency } } } } } }"""
INVOICES = """query { customer { billingAccounts { currency invoices(first: 24) { nodes {
  period total { amount currency }
  bySubscriber(first: 200) { totalCount nodes { total { amount currency } } } } } } } }"""
FIGURES = "total { amount currency } companyShare { amount currency } employeeShare { amount currency } lineCount"
PER_CURRENCY = f"""query($m: Month) {{ customer {{ spendingByCurrency(month: $m) {{ {FIGURES} }}
  orgRoot {{ spendingByCurrency(month: $m) {{ {FIGURES} }}
    children {{ name spendingByCurrency(month: $m) {{ {FIGURES} }}
      children {{ spendingByCurrency(month: $m) {{ {FIGURES} }} }} }} }} }} }}"""
DASHBOARD = (Path(__file__).parents[3] / "bench" / "operations" / "dashboard.graphql").read_text()
BUDGETS = """query($m: Month!) { budgetReport(input: {from: $m, to: $m}) { rows(first: 10000) { nodes {
  orgUnit { name } budget { currency } actual { amount currency } overBudget } } } }"""


def period(offset: int) -> date:
    return add_months(month_start(today()), offset)


def month(offset: int) -> str:
    return period(offset).strftime("%Y-%m")


async def charged(world: World, first: date, last: date) -> dict[str, Decimal]:
    """Borealis's charges per currency, summed by the database itself."""
    async with world.engines.billing.connect() as conn:
        rows = await conn.execute(
            text(
                "select currency, sum(amount_minor) from daily_charges where customer_id = :c"
                " and period >= :f and period <= :l group by currency"
            ),
            {"c": BOREALIS, "f": first, "l": last},
        )
        return {currency: Money.from_minor(int(total), currency).amount for currency, total in rows}


def by_currency(figures: list[dict[str, Any]]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for figure in figures:
        sums[figure["currency"]] += Decimal(figure["amount"])
    return dict(sums)


async def test_a_report_over_two_currencies_totals_each_and_adds_none(world, other_admin):
    asked = {"from": month(-3), "to": month(-1), "groupBy": ["ORG_UNIT", "MONTH"], "unitDepth": 1}
    report = (await world.data(other_admin, REPORT, {"input": asked}))["spendingReport"]
    expected = await charged(world, period(-3), period(-1))
    assert set(expected) == {"EUR", "CHF"}, "the demo bills Borealis in two currencies"
    totals = {t["total"]["currency"]: Decimal(t["total"]["amount"]) for t in report["totals"]}
    assert totals == expected
    for t in report["totals"]:
        shares = Decimal(t["companyShare"]["amount"]) + Decimal(t["employeeShare"]["amount"])
        assert t["companyShare"]["currency"] == t["employeeShare"]["currency"] == t["total"]["currency"]
        assert shares == Decimal(t["total"]["amount"])
    rows = report["rows"]["nodes"]
    assert len(rows) == report["rows"]["totalCount"]
    assert by_currency([row["total"] for row in rows]) == totals
    assert {row["total"]["currency"] for row in rows if row["orgUnit"]["name"] == "Grid"} == {"CHF"}
    assert {row["total"]["currency"] for row in rows if row["orgUnit"]["name"] != "Grid"} == {"EUR"}


async def test_one_figure_over_two_currencies_is_refused_and_each_single_currency_unit_answers(world, other_admin):
    result = await world.run(other_admin, TREE, {"m": month(-1)})
    refused = [error for error in result.errors or [] if error.path == ["customer", "spending"]]
    assert codes(result) == ["MIXED_CURRENCIES"] and len(refused) == 1
    assert refused[0].extensions["currencies"] == ["CHF", "EUR"]
    assert result.data["customer"]["spending"] is None
    units = {unit["name"]: unit["spending"]["total"] for unit in result.data["customer"]["orgRoot"]["children"]}
    assert units["Grid"]["currency"] == "CHF"
    assert {units[name]["currency"] for name in units if name != "Grid"} == {"EUR"}
    expected = await charged(world, period(-1), period(-1))
    assert by_currency(list(units.values())) == expected


async def test_a_single_currency_company_still_has_its_one_figure(world, customer_admin):
    result = await world.run(customer_admin, TREE, {"m": month(-1)})
    assert result.errors is None
    assert result.data["customer"]["spending"]["total"]["currency"] == "EUR"


async def test_invoices_are_in_their_accounts_currency_and_reconcile_with_the_report_per_currency(world, other_admin):
    accounts = (await world.data(other_admin, INVOICES))["customer"]["billingAccounts"]
    assert sorted(account["currency"] for account in accounts) == ["CHF", "EUR"]
    closed = month(-1)
    invoiced: dict[str, Decimal] = defaultdict(Decimal)
    for account in accounts:
        for invoice in account["invoices"]["nodes"]:
            assert invoice["total"]["currency"] == account["currency"]
            lines = invoice["bySubscriber"]
            assert len(lines["nodes"]) == lines["totalCount"]
            assert {line["total"]["currency"] for line in lines["nodes"]} <= {account["currency"]}
            assert sum(Decimal(line["total"]["amount"]) for line in lines["nodes"]) == Decimal(
                invoice["total"]["amount"]
            )
            if invoice["period"] == closed:
                invoiced[invoice["total"]["currency"]] += Decimal(invoice["total"]["amount"])
    report = (await world.data(other_admin, REPORT, {"input": {"from": closed, "to": closed}}))["spendingReport"]
    assert by_currency([t["total"] for t in report["totals"]]) == invoiced


async def test_a_budget_in_one_currency_is_not_compared_with_charges_in_another(world, other_admin):
    result = await world.run(other_admin, BUDGETS, {"m": month(-1)})
    listed = result.data["budgetReport"]["rows"]["nodes"]
    rows = {row["orgUnit"]["name"]: row for row in listed if row["orgUnit"]}
    grid = rows["Grid"]
    assert grid["budget"]["currency"] == "EUR" and grid["actual"] is None and grid["overBudget"] is None
    at = listed.index(grid)
    mixed = [e for e in result.errors if e.path[:4] == ["budgetReport", "rows", "nodes", at]]
    assert {e.extensions["code"] for e in mixed} == {"MIXED_CURRENCIES"}
    assert all(e.extensions["currencies"] == ["CHF", "EUR"] for e in mixed)
    generation = rows["Generation"]
    assert generation["actual"]["currency"] == "EUR" and generation["overBudget"] is not None


def per_currency(figures: list[dict[str, Any]]) -> dict[str, Decimal]:
    """One entry per currency, each adding up (company + employee = total, some line charged)."""
    currencies = [figure["total"]["currency"] for figure in figures]
    assert currencies == sorted(set(currencies)), "one entry per currency, in currency order"
    for figure in figures:
        assert figure["companyShare"]["currency"] == figure["employeeShare"]["currency"] == figure["total"]["currency"]
        shares = Decimal(figure["companyShare"]["amount"]) + Decimal(figure["employeeShare"]["amount"])
        assert shares == Decimal(figure["total"]["amount"]) and figure["lineCount"] > 0
    return by_currency([figure["total"] for figure in figures])


async def test_a_two_currency_company_and_its_units_give_their_spending_per_currency(world, other_admin):
    customer = (await world.data(other_admin, PER_CURRENCY, {"m": month(-1)}))["customer"]
    expected = await charged(world, period(-1), period(-1))
    assert set(expected) == {"EUR", "CHF"}
    assert per_currency(customer["spendingByCurrency"]) == expected
    assert per_currency(customer["orgRoot"]["spendingByCurrency"]) == expected
    divisions = customer["orgRoot"]["children"]
    units: dict[str, Decimal] = defaultdict(Decimal)
    for division in divisions:
        for currency, amount in per_currency(division["spendingByCurrency"]).items():
            units[currency] += amount
        below = by_currency([f["total"] for unit in division["children"] for f in unit["spendingByCurrency"]])
        assert below == per_currency(division["spendingByCurrency"]), division["name"]
    assert units == expected
    grid = next(division for division in divisions if division["name"] == "Grid")
    assert [figure["total"]["currency"] for figure in grid["spendingByCurrency"]] == ["CHF"]


async def test_a_single_currency_company_has_one_entry_equal_to_its_one_figure(world, customer_admin):
    figures = f"(month: $m) {{ {FIGURES} }}"
    query = f"query($m: Month) {{ customer {{ spending{figures} spendingByCurrency{figures} }} }}"
    customer = (await world.data(customer_admin, query, {"m": month(-1)}))["customer"]
    assert customer["spendingByCurrency"] == [customer["spending"]]


async def test_a_month_without_charges_has_no_entry(world, other_admin):
    empty = month(-60)  # before the demo's first month
    customer = (await world.data(other_admin, PER_CURRENCY, {"m": empty}))["customer"]
    assert customer["spendingByCurrency"] == [] and customer["orgRoot"]["spendingByCurrency"] == []


async def test_spending_per_currency_reads_the_same_statements_as_the_one_figure(world, large_world, other_admin):
    """Both fields at every level of the tree cost what one of them costs, whatever the data."""
    one_figure = PER_CURRENCY.replace("spendingByCurrency", "spending")
    both = PER_CURRENCY.replace(
        "spendingByCurrency(month: $m)", "spending(month: $m) { lineCount } spendingByCurrency(month: $m)"
    )

    async def statements(seeded: World, query: str) -> int:
        cold = seeded.with_empty_cache()
        await cold.run(other_admin, query, {"m": month(-1)})
        return cold.counter.count

    alone = await statements(world, one_figure)
    assert await statements(world, PER_CURRENCY) == await statements(large_world, PER_CURRENCY) == alone
    assert await statements(world, both) == alone


async def test_the_shipped_dashboard_answers_a_two_currency_company_without_error(world, other_admin):
    root = await world.data(other_admin, "{ customer { orgRoot { children { id name } } } }")
    grid = next(unit for unit in root["customer"]["orgRoot"]["children"] if unit["name"] == "Grid")
    result = await world.run(other_admin, DASHBOARD, {"unit": grid["id"], "month": month(-1)})
    assert result.errors is None, [error.formatted for error in result.errors]
    top = result.data["customer"]["orgRoot"]["spendingByCurrency"]
    assert by_currency([figure["total"] for figure in top]) == await charged(world, period(-1), period(-1))
