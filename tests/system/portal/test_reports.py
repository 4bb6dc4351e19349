"""The Reports screen in Chromium, as a person uses it: each report's table holds what the API
answers the same caller for the same arguments (the period chosen on the page, the grouping
switched), on a phone (390x844) and a desktop (1440x900); a company billed in two currencies
gets its figures per currency; the CSV each report links to has the API's figures; a role
without the permission is not offered the screen (and an aggregate viewer no single line);
axe-core finds no serious or critical violation; the screen speaks Russian."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from core.values import add_months
from tests.system.portal.conftest import Portal
from tests.system.portal.test_browser import SIZES, Watched, assert_first_paint, axe_violations, open_page, sign_in
from tests.waiting import eventually

# Each row as the page shows it: its key, then every amount (<data>: "amount currency") in order.
ROWS_SHOWN = "rows => rows.map(row => [row.dataset.key, ...[...row.querySelectorAll('data')].map(d => d.value)])"
MIXED = frozenset({"MIXED_CURRENCIES"})


def money(value: dict[str, str] | None) -> list[str]:
    return [] if value is None else [f"{value['amount']} {value['currency']}"]


def spending_rows(answer: dict[str, Any], grouping: str) -> tuple[list[list[str]], list[list[str]]]:
    """The report's rows and its totals per currency, as the page keys and shows them."""
    report = answer["spendingReport"]

    def key(row: dict[str, Any]) -> str:
        if row["suppressed"]:
            return "suppressed"
        value = {"ORG_UNIT": (row["orgUnit"] or {}).get("id"), "MONTH": row["month"], "CATEGORY": row["category"],
                 "COST_CENTRE": row["costCentre"]}[grouping]  # fmt: skip
        return value or ""

    def figures(row: dict[str, Any]) -> list[str]:
        return [*money(row["total"]), *money(row["companyShare"]), *money(row["employeeShare"]), str(row["lines"])]

    rows = [[key(row), *figures(row)] for row in report["rows"]["nodes"]]
    return rows, [["total", *figures(total)] for total in report["totals"]]


def budget_rows(answer: dict[str, Any]) -> list[list[str]]:
    return [
        [
            f"{row['orgUnit']['id']} {row['month']}",
            *money(row["budget"]),
            *money(row["actual"]),
            *money(row["forecast"]),
        ]
        for row in answer["budgetReport"]["rows"]["nodes"]
    ]


def top_rows(answer: dict[str, Any]) -> list[list[str]]:
    return [
        [row["line"]["id"], *money(row["total"]), *money(row["companyShare"]), *money(row["employeeShare"])]
        for row in answer["topSpenders"]["lines"]
    ]


def anomaly_rows(answer: dict[str, Any]) -> dict[str, list[list[str]]]:
    found = answer["spendingAnomalies"]
    return {
        "over-limit": [[r["line"]["id"], *money(r["spent"]), *money(r["limit"])] for r in found["overLimit"]],
        "growth": [[r["line"]["id"], *money(r["current"]), *money(r["earlier"])] for r in found["growth"]],
        "roaming": [[r["line"]["id"], *money(r["current"]), *money(r["earlier"])] for r in found["roamingSpikes"]],
    }


def savings_rows(answer: dict[str, Any]) -> tuple[list[list[str]], list[list[str]]]:
    found = answer["savingsFinder"]
    rows = [[r["line"]["id"], *money(r["monthlySaving"])] for r in found["lines"]]
    return rows, [["total", *money(total)] for total in found["totalsByCurrency"]]


async def shows(page: Page, table: str, expected: list[list[str]], part: str = "tbody") -> None:
    """Wait until the ``table``'s rows (``part``) are ``expected``; on a timeout, show the difference."""
    seen: list[Any] = [None]

    async def same() -> bool:
        rows = page.locator(f'table[data-report="{table}"] {part} tr')
        seen[0] = await rows.evaluate_all(ROWS_SHOWN)
        return bool(seen[0] == expected)

    try:
        await eventually(same, f"the {table} table to show the API's rows")
    except AssertionError:
        assert seen[0] == expected
        raise


def shifted(month: str, months: int) -> str:
    return add_months(date.fromisoformat(f"{month}-01"), months).strftime("%Y-%m")


async def period_of(page: Page) -> tuple[str, str]:
    return await page.get_by_label("From").input_value(), await page.get_by_label("To").input_value()


async def open_reports(watched: Watched, base: str, login: str) -> None:
    """Sign in and go to Reports through the navigation, as a person does."""
    await sign_in(watched, base, login)
    watched.forget()  # the signed-out visit's 401s
    await watched.page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    await expect(watched.page).to_have_url(f"{base}/reports")
    # Until the report has come: a test that forgets the requests so far must not see it later.
    await expect(watched.page.get_by_role("tabpanel").get_by_text("As of")).to_be_visible()


async def show_tab(page: Page, name: str) -> None:
    await page.get_by_role("tablist", name="Reports").get_by_role("tab", name=name).click()
    await expect(page.get_by_role("tabpanel").get_by_text("As of")).to_be_visible()


def spending_input(first: str, last: str, grouping: str, depth: int = 1) -> dict[str, Any]:
    return {"input": {"from": first, "to": last, "groupBy": [grouping], "unitDepth": depth}}


async def every_report(portal: Portal, login: str, first: str, last: str) -> dict[str, Any]:
    """Each report's answer for the page's default arguments."""
    shell = await portal.ask("Shell", login)
    personal = "personal:read" in shell["viewer"]["permissions"]
    return {
        "spending": await portal.ask("ReportsSpending", login, spending_input(first, last, "ORG_UNIT")),
        "budget": await portal.ask("ReportsBudget", login, {"input": {"from": first, "to": last}}, expected=MIXED),
        "top": await portal.ask(
            "ReportsTopSpenders", login, {"from": first, "to": last, "first": 10, "personal": personal}
        ),
        "anomalies": await portal.ask("ReportsAnomalies", login, {"month": last, "personal": personal}),
        "savings": await portal.ask("ReportsSavings", login, {"months": 3, "personal": personal}),
    }


# Borealis bills its Grid division in CHF and the rest in EUR: its figures come per currency.
@pytest.mark.parametrize(("login", "size"), [("acme.admin", "phone"), ("acme.admin", "desktop"),
                                             ("borealis.admin", "desktop")])  # fmt: skip
async def test_each_report_shows_what_the_api_answers_the_same_caller(
    browser, portal, web_modules, artifacts, login, size
):
    context = await browser.new_context(viewport=SIZES[size])
    try:
        watched = await open_page(context)
        page = watched.page
        await open_reports(watched, portal.base, login)
        # First paint: the shell's operation and the spending report's, sent together; no other
        # (the chart draws what the table holds).
        watched.forget()
        await page.reload()
        first, last = await period_of(page)
        answers = await every_report(portal, login, first, last)
        rows, totals = spending_rows(answers["spending"], "ORG_UNIT")
        assert rows, f"the demo has spending in {login}'s view"
        await shows(page, "spending", rows)
        await shows(page, "spending", totals, "tfoot")
        currencies = {total[1].split()[1] for total in totals}
        await expect(page.locator(".report-chart")).to_have_count(len(currencies))
        if login.startswith("borealis"):
            assert currencies == {"CHF", "EUR"}, "a total per currency, never one across them"
        await assert_first_paint(watched, portal.base)
        assert await page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"], "no sideways scroll"
        screenshot = f"reports-{SIZES[size]['width']}x{SIZES[size]['height']}"
        if login != "acme.admin":
            screenshot = f"reports-{login}-{SIZES[size]['width']}x{SIZES[size]['height']}"
        await page.screenshot(path=artifacts / f"{screenshot}.png", full_page=True)

        await show_tab(page, "Budget vs actual")
        await shows(page, "budget", budget_rows(answers["budget"]))
        await show_tab(page, "Top spenders")
        await shows(page, "top", top_rows(answers["top"]))
        await show_tab(page, "Anomalies")
        for table, expected in anomaly_rows(answers["anomalies"]).items():
            await shows(page, table, expected)
        await show_tab(page, "Savings finder")
        saving, saving_totals = savings_rows(answers["savings"])
        await shows(page, "savings", saving)
        await shows(page, "savings", saving_totals, "tfoot")
        assert await page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"], "no sideways scroll"
        assert watched.console == []
        state = await context.storage_state()
    finally:
        await context.close()
    violations = await axe_violations(
        browser, portal.base, state, SIZES[size], web_modules, "/reports", 'table[data-report="spending"] tbody tr'
    )
    (artifacts / f"{screenshot}-axe.json").write_text(json.dumps(violations, indent=1))
    assert [v for v in violations if v["impact"] in {"serious", "critical"}] == []


async def test_switching_grouping_and_period_shows_the_apis_answer_for_them(browser, portal):
    login = "acme.sales.admin"
    context = await browser.new_context(viewport=SIZES["desktop"])
    try:
        watched = await open_page(context)
        page = watched.page
        await open_reports(watched, portal.base, login)
        first, last = await period_of(page)
        for grouping, label in (("MONTH", "Month"), ("CATEGORY", "Category"), ("COST_CENTRE", "Cost centre")):
            await page.get_by_label("Group by").select_option(label=label)
            answer = await portal.ask("ReportsSpending", login, spending_input(first, last, grouping))
            rows, totals = spending_rows(answer, grouping)
            assert rows, grouping
            await shows(page, "spending", rows)
            await shows(page, "spending", totals, "tfoot")
        await page.get_by_label("Group by").select_option(label="Unit")
        await page.get_by_label("Units").select_option(label="Departments")
        answer = await portal.ask("ReportsSpending", login, spending_input(first, last, "ORG_UNIT", 2))
        await shows(page, "spending", spending_rows(answer, "ORG_UNIT")[0])

        # Another period: three closed months.
        earlier, before_last = shifted(last, -3), shifted(last, -1)
        await page.get_by_label("To").fill(before_last)
        await page.get_by_label("From").fill(earlier)
        assert await period_of(page) == (earlier, before_last)
        answer = await portal.ask("ReportsSpending", login, spending_input(earlier, before_last, "ORG_UNIT", 2))
        await shows(page, "spending", spending_rows(answer, "ORG_UNIT")[0])
        await shows(page, "spending", spending_rows(answer, "ORG_UNIT")[1], "tfoot")
        budget = await portal.ask("ReportsBudget", login, {"input": {"from": earlier, "to": before_last}})
        await show_tab(page, "Budget vs actual")
        await shows(page, "budget", budget_rows(budget))
    finally:
        await context.close()


def parsed(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


async def download(page: Page, link_name: str) -> list[dict[str, str]]:
    async with page.expect_download() as started:
        await page.get_by_role("link", name=link_name).click()
    done = await started.value
    assert await done.failure() is None
    return parsed(Path(await done.path()))


async def test_each_csv_downloaded_from_the_page_has_the_apis_figures(browser, portal):
    login = "acme.finance"  # no personal data: the file has no phone number nor employee either
    context = await browser.new_context(viewport=SIZES["desktop"], accept_downloads=True)
    try:
        watched = await open_page(context)
        page = watched.page
        await open_reports(watched, portal.base, login)
        first, last = await period_of(page)
        answers = await every_report(portal, login, first, last)
        await page.get_by_label("Group by").select_option(label="Category")
        by_category = await portal.ask("ReportsSpending", login, spending_input(first, last, "CATEGORY"))
        await shows(page, "spending", spending_rows(by_category, "CATEGORY")[0])
        rows = await download(page, "Download Spending: Category as CSV")  # categories in lower case there
        assert [(r["Charge category"], r["Currency"], r["Total"], r["Company share"], r["Employee share"])
                for r in rows] == [
            (n["category"].lower(), n["total"]["currency"], n["total"]["amount"], n["companyShare"]["amount"],
             n["employeeShare"]["amount"])
            for n in by_category["spendingReport"]["rows"]["nodes"]
        ]  # fmt: skip
        assert "Phone number" not in rows[0]

        await show_tab(page, "Budget vs actual")
        rows = await download(page, "Download Budget vs actual as CSV")
        assert [(r["Org unit id"], r["Month"], r["Budget"], r["Actual"], r["Forecast"]) for r in rows] == [
            (n["orgUnit"]["id"], n["month"], n["budget"]["amount"], n["actual"]["amount"],
             n["forecast"]["amount"] if n["forecast"] else "")
            for n in answers["budget"]["budgetReport"]["rows"]["nodes"]
        ]  # fmt: skip

        await show_tab(page, "Top spenders")
        rows = await download(page, "Download Top spenders as CSV")
        assert [(r["Line id"], r["Total"], r["Company share"], r["Employee share"]) for r in rows] == [
            (n["line"]["id"], n["total"]["amount"], n["companyShare"]["amount"], n["employeeShare"]["amount"])
            for n in answers["top"]["topSpenders"]["lines"]
        ]

        await show_tab(page, "Anomalies")
        rows = await download(page, "Download Anomalies as CSV")
        found = answers["anomalies"]["spendingAnomalies"]
        assert [(r["Anomaly"], r["Line id"], r["Spent"]) for r in rows] == [
            *(("OVER_LIMIT", n["line"]["id"], n["spent"]["amount"]) for n in found["overLimit"]),
            *(("GROWTH", n["line"]["id"], n["current"]["amount"]) for n in found["growth"]),
            *(("ROAMING_SPIKE", n["line"]["id"], n["current"]["amount"]) for n in found["roamingSpikes"]),
        ]

        await show_tab(page, "Savings finder")
        rows = await download(page, "Download Savings finder as CSV")
        assert [(r["Line id"], r["Currency"], r["Monthly saving"]) for r in rows] == [
            (n["line"]["id"], n["monthlySaving"]["currency"], n["monthlySaving"]["amount"])
            for n in answers["savings"]["savingsFinder"]["lines"]
        ]
        assert watched.console == []
    finally:
        await context.close()


async def test_a_role_without_the_permission_is_not_offered_the_screen(browser, portal):
    shell = await portal.ask("Shell", "acme.employee")
    assert "org:read" not in shell["viewer"]["permissions"]
    context = await browser.new_context(viewport=SIZES["phone"])
    try:
        page = (await open_page(context)).page
        await page.goto(f"{portal.base}/")
        await page.locator('button[name="login"][value="acme.employee"]').click()
        await expect(page).to_have_url(f"{portal.base}/me")
        await expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_text(["My line"])
        await page.goto(f"{portal.base}/reports")
        await expect(page.get_by_text("Your role does not show reports.")).to_be_visible()
        await expect(page.locator("table.report-table, [role=tablist]")).to_have_count(0)
    finally:
        await context.close()


async def test_an_aggregate_viewer_is_offered_no_report_of_single_lines(browser, portal):
    login = "acme.sales.assistant"
    shell = await portal.ask("Shell", login)
    assert "line:read" not in shell["viewer"]["permissions"]
    context = await browser.new_context(viewport=SIZES["desktop"])
    try:
        watched = await open_page(context)
        page = watched.page
        await open_reports(watched, portal.base, login)
        tabs = page.get_by_role("tablist", name="Reports").get_by_role("tab")
        await expect(tabs).to_have_text(["Spending", "Budget vs actual"])
        first, last = await period_of(page)
        answer = await portal.ask("ReportsSpending", login, spending_input(first, last, "ORG_UNIT"))
        await shows(page, "spending", spending_rows(answer, "ORG_UNIT")[0])
        assert watched.console == []
    finally:
        await context.close()


async def test_the_screen_speaks_russian(browser, portal, artifacts):
    context = await browser.new_context(viewport=SIZES["phone"])
    try:
        watched = await open_page(context)
        page = watched.page
        await open_reports(watched, portal.base, "acme.admin")
        await page.get_by_label("Language").select_option("ru")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Отчёты")
        tabs = page.get_by_role("tablist", name="Отчёты").get_by_role("tab")
        await expect(tabs).to_have_text(
            ["Расходы", "Бюджет и факт", "Крупнейшие расходы", "Аномалии", "Поиск экономии"]
        )
        table = page.locator('table[data-report="spending"]')
        await expect(table.locator("caption")).to_have_text("Расходы: По подразделениям")
        # Money as Russian writes it: a comma before the cents, the sign after the figure.
        await expect(table.locator("tfoot td.amount").first).to_have_text(re.compile(r"^[\d\s]+,\d{2}\s€$"))
        await expect(page.get_by_role("link", name="Скачать «Расходы: По подразделениям» в CSV")).to_be_visible()
        await page.screenshot(path=artifacts / "reports-ru-390x844.png", full_page=True)
    finally:
        await context.close()
