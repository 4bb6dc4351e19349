"""Screen 5, Invoices (/invoices and /invoices/<id>), in Chromium as a finance person uses it: the
invoice history shown is what the API answers the same caller, page by page and account by
account; an invoice's drill-down by category, by line and by a line's categories is the API's; the CSV files downloaded
through the page's plain links (signed in by the portal's cookie) hold the API's figures; a role
without invoice:read is offered no Invoices and is told so plainly at the screen's URL. Phone and
desktop screenshots go to tests/artifacts/portal/, with axe-core's findings (no serious or
critical violation); the screen renders in Russian."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.system.portal.conftest import Portal
from tests.system.portal.test_browser import (
    SIZES,
    Watched,
    assert_first_paint,
    axe_violations,
    open_page,
    sign_in,
)
from tests.system.portal.test_line import signed_in_at

PAGE = 10  # web/src/invoices/Invoices.tsx PAGE_SIZE
LINES_PAGE = 25  # web/src/invoices/InvoiceScreen.tsx LINES_PAGE_SIZE
FINANCE = "acme.finance"
INVOICES_SHOWN = """rows => rows.map(row => ({id: row.dataset.invoice,
  number: row.querySelector('.invoice-number').textContent, status: row.querySelector('.invoice-status').dataset.status,
  total: row.querySelector('.invoice-total').dataset.amount}))"""
LINES_SHOWN = (
    "rows => rows.map(row => ({id: row.dataset.line, total: row.querySelector('.line-total').dataset.amount}))"
)
CATEGORIES_SHOWN = """rows => rows.map(row => ({category: row.dataset.category,
  amount: row.querySelector('[data-amount]').dataset.amount}))"""


def invoices_of(answer: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {"id": i["id"], "number": i["number"], "status": i["status"], "total": i["total"]["amount"]}
        for i in answer["node"]["invoices"]["nodes"]
    ]


def lines_of(invoice: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {"id": (n["subscriber"] or {}).get("id", ""), "total": n["total"]["amount"]}
        for n in invoice["bySubscriber"]["nodes"]
    ]


async def accounts_of(portal: Portal, login: str, **page: Any) -> list[dict[str, Any]]:
    """The accounts with a page of their invoices, as the history asks for them (its first page unless told)."""
    answer = await portal.ask("InvoiceHistory", login, page or {"first": PAGE})
    accounts = answer["customer"]["billingAccounts"]
    assert accounts, f"the demo has billing accounts for {login}"
    return list(accounts)


async def history(portal: Portal, login: str, account: str, **page: Any) -> dict[str, Any]:
    """One account's page of invoices."""
    found = [a for a in await accounts_of(portal, login, **page) if a["id"] == account]
    return {"node": found[0]}


async def shown(page: Page, selector: str, script: str, expected: list[dict[str, str]]) -> list[dict[str, str]]:
    """The rows shown once the page shows the expected ones (their first row and their count)."""
    rows = page.locator(selector)
    if expected:
        key = "data-invoice" if "invoices-table" in selector else "data-line"
        await expect(rows.first).to_have_attribute(key, expected[0]["id"])
    await expect(rows).to_have_count(len(expected))
    return list(await rows.evaluate_all(script))


async def downloaded(page: Page, link_name: str) -> list[dict[str, str]]:
    """The CSV file the page's link downloads (a plain GET signed in by the cookie), parsed."""
    async with page.expect_download() as info:
        await page.get_by_role("link", name=link_name).click()
    download = await info.value
    assert await download.failure() is None
    text = (await download.path()).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


async def open_invoices(watched: Watched, base: str, login: str) -> None:
    """Sign in and go to Invoices through the navigation, as a person does."""
    await sign_in(watched, base, login)
    watched.forget()  # the signed-out visit's refusals are not this screen's
    await watched.page.get_by_role("navigation", name="Main").get_by_role("link", name="Invoices").click()
    await expect(watched.page).to_have_url(f"{base}/invoices")


def assert_no_sideways_scroll_or_error(watched: Watched, width: int, scroll_width: int) -> None:
    assert scroll_width <= width, "no sideways scroll"
    assert [m for m in watched.console if m.startswith(("error", "pageerror"))] == []


@pytest.mark.parametrize("size", ["phone", "desktop"])
async def test_the_history_shows_what_the_api_answers_pages_and_downloads(
    browser, portal, web_modules, artifacts, size
):
    accounts = await accounts_of(portal, FINANCE)
    first = await history(portal, FINANCE, accounts[0]["id"])
    listed = first["node"]["invoices"]
    context = await browser.new_context(viewport=SIZES[size])
    try:
        watched = await open_page(context)
        page = watched.page
        await open_invoices(watched, portal.base, FINANCE)
        rows = "table.invoices-table tbody tr"
        assert await shown(page, rows, INVOICES_SHOWN, invoices_of(first)) == invoices_of(first)
        # First paint at the screen's URL: the shell's query and the history's, together.
        watched.forget()
        await page.reload()
        assert await shown(page, rows, INVOICES_SHOWN, invoices_of(first)) == invoices_of(first)
        await assert_first_paint(watched, portal.base)
        await expect(page.locator("[data-total]")).to_have_attribute("data-total", str(listed["totalCount"]))
        await page.screenshot(path=artifacts / f"invoices-{size}.png", full_page=True)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert_no_sideways_scroll_or_error(watched, SIZES[size]["width"], width)

        if listed["pageInfo"]["hasNextPage"]:
            second = await history(
                portal, FINANCE, accounts[0]["id"], first=PAGE, after=listed["pageInfo"]["endCursor"]
            )
            await page.get_by_role("button", name="Next page").click()
            assert await shown(page, rows, INVOICES_SHOWN, invoices_of(second)) == invoices_of(second)
            await page.get_by_role("button", name="Previous page").click()
            assert await shown(page, rows, INVOICES_SHOWN, invoices_of(first)) == invoices_of(first)
        if len(accounts) > 1:
            other = await history(portal, FINANCE, accounts[1]["id"])
            await page.get_by_label("Billing account", exact=True).select_option(accounts[1]["id"])
            assert await shown(page, rows, INVOICES_SHOWN, invoices_of(other)) == invoices_of(other)
            await page.get_by_label("Billing account", exact=True).select_option(accounts[0]["id"])
            assert await shown(page, rows, INVOICES_SHOWN, invoices_of(first)) == invoices_of(first)

        # The CSV: every invoice of the account, with the API's figures.
        whole = (await history(portal, FINANCE, accounts[0]["id"], first=100))["node"]["invoices"]["nodes"]
        assert len(whole) == listed["totalCount"]
        file = await downloaded(page, "Download CSV")
        assert [(r["Invoice id"], r["Invoice number"], r["Period"], r["Issued on"], r["Due on"], r["Status"],
                 r["Currency"], r["Total"]) for r in file] == [
            (i["id"], i["number"], i["period"], i["issuedOn"], i["dueOn"], i["status"], i["total"]["currency"],
             i["total"]["amount"]) for i in whole
        ]  # fmt: skip
        state = await context.storage_state()
    finally:
        await context.close()
    violations = await axe_violations(
        browser, portal.base, state, SIZES[size], web_modules, "/invoices", "table.invoices-table tbody tr"
    )
    (artifacts / f"invoices-{size}-axe.json").write_text(json.dumps(violations, indent=1))
    assert [v for v in violations if v["impact"] in {"serious", "critical"}] == []


@pytest.mark.parametrize(("login", "size"), [(FINANCE, "phone"), (FINANCE, "desktop"), ("acme.admin", "desktop")])
async def test_an_invoice_drills_down_by_category_and_line_as_the_api_answers(
    browser, portal, web_modules, artifacts, login, size
):
    accounts = await accounts_of(portal, login)
    newest = (await history(portal, login, accounts[0]["id"]))["node"]["invoices"]["nodes"][0]
    personal = login == "acme.admin"
    # Finance reads no personal data: numbers and names come back null, with FORBIDDEN.
    asked, refused = {"id": newest["id"]}, frozenset() if personal else frozenset({"FORBIDDEN"})
    invoice = (await portal.ask("InvoiceDetail", login, {**asked, "first": LINES_PAGE}, expected=refused))["node"]
    lines = invoice["bySubscriber"]
    assert invoice["byCategory"] and lines["nodes"]
    context = await browser.new_context(viewport=SIZES[size])
    try:
        watched = await open_page(context)
        page = watched.page
        await open_invoices(watched, portal.base, login)
        await page.locator("table.invoices-table tbody tr .invoice-number a").first.click()
        await expect(page).to_have_url(f"{portal.base}/invoices/{newest['id']}")
        # Until the invoice asked for on the way here is answered: its request is not the reload's.
        await expect(page.locator("table.invoice-lines tbody tr").first).to_be_visible()
        await page.wait_for_load_state("networkidle")
        watched.forget()
        await page.reload()
        await expect(page.locator(".invoice-summary .invoice-total")).to_have_attribute(
            "data-amount", invoice["total"]["amount"]
        )
        categories = [{"category": c["category"], "amount": c["amount"]["amount"]} for c in invoice["byCategory"]]
        await expect(page.locator("table.invoice-categories tbody tr")).to_have_count(len(categories))
        assert await page.locator("table.invoice-categories tbody tr").evaluate_all(CATEGORIES_SHOWN) == categories
        line_rows = "table.invoice-lines tbody tr"
        assert await shown(page, line_rows, LINES_SHOWN, lines_of(invoice)) == lines_of(invoice)
        await assert_first_paint(watched, portal.base)
        await expect(page.locator(".invoice-lines-head [data-total]")).to_have_attribute(
            "data-total", str(lines["totalCount"])
        )
        # A line opens to its charges per category, as the API answers them.
        first_line = page.locator(line_rows).first
        await first_line.locator(".line-categories summary").click()
        charged = first_line.locator(".line-categories li")
        expected = [[c["category"], c["amount"]["amount"]] for c in lines["nodes"][0]["byCategory"]]
        await expect(charged).to_have_count(len(expected))
        assert await charged.evaluate_all("items => items.map(i => [i.dataset.category, i.dataset.amount])") == expected
        names = page.locator(f"{line_rows} .line-name")
        if personal:
            first = lines["nodes"][0]["subscriber"]
            await expect(names.first).to_have_text(first["employeeName"] or first["msisdn"])
        else:
            await expect(page.locator("table.invoice-lines .line-msisdn")).to_have_count(0)
        await page.screenshot(path=artifacts / f"invoice-{size}{'-admin' if personal else ''}.png", full_page=True)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert_no_sideways_scroll_or_error(watched, SIZES[size]["width"], width)

        if lines["pageInfo"]["hasNextPage"]:
            after = lines["pageInfo"]["endCursor"]
            second = (
                await portal.ask(
                    "InvoiceDetail", login, {**asked, "first": LINES_PAGE, "after": after}, expected=refused
                )
            )["node"]
            await page.get_by_role("button", name="Next page").click()
            assert await shown(page, line_rows, LINES_SHOWN, lines_of(second)) == lines_of(second)
            if not personal:  # a line without a name keeps its number across pages
                await expect(names.first).to_have_text(f"Line {LINES_PAGE + 1}")
            await page.get_by_role("button", name="Previous page").click()
            assert await shown(page, line_rows, LINES_SHOWN, lines_of(invoice)) == lines_of(invoice)

        # The lines' CSV: every line on the invoice, with the API's figures.
        whole = (await portal.ask("InvoiceDetail", login, {**asked, "first": 1000}, expected=refused))["node"]
        file = await downloaded(page, "Download lines as CSV")
        assert len(file) == lines["totalCount"] == len(whole["bySubscriber"]["nodes"])
        assert [(r["Line id"], r["Total"], r["Company share"], r["Employee share"]) for r in file] == [
            ((n["subscriber"] or {}).get("id", ""), n["total"]["amount"], n["companyShare"]["amount"],
             n["employeeShare"]["amount"]) for n in whole["bySubscriber"]["nodes"]
        ]  # fmt: skip
        assert ("Phone number" in file[0]) is personal
        state = await context.storage_state()
    finally:
        await context.close()
    violations = await axe_violations(
        browser,
        portal.base,
        state,
        SIZES[size],
        web_modules,
        f"/invoices/{newest['id']}",
        "table.invoice-lines tbody tr",
    )
    (artifacts / f"invoice-{login}-{size}-axe.json").write_text(json.dumps(violations, indent=1))
    assert [v for v in violations if v["impact"] in {"serious", "critical"}] == []


@pytest.mark.parametrize(("login", "landing"), [("acme.sales.admin", "/"), ("acme.employee", "/me")])
async def test_a_role_without_invoice_read_is_offered_no_invoices_and_is_refused_plainly(
    browser, portal, login, landing
):
    shell = await portal.ask("Shell", login)
    assert "invoice:read" not in shell["viewer"]["permissions"]
    invoice = (await history(portal, FINANCE, (await accounts_of(portal, FINANCE))[0]["id"]))["node"]["invoices"]
    some_invoice = invoice["nodes"][0]["id"]
    context = await browser.new_context(viewport=SIZES["phone"])
    try:
        watched = await open_page(context)
        page = watched.page
        await signed_in_at(watched, portal.base, login, "/invoices")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Invoices")
        await expect(page.get_by_role("alert")).to_have_text("Your role does not show invoices.")
        await expect(page.locator("table.invoices-table")).to_have_count(0)
        navigation = page.get_by_role("navigation", name="Main")
        await expect(navigation.get_by_role("link").first).to_be_visible()
        await expect(navigation.get_by_role("link", name="Invoices")).to_have_count(0)
        await page.goto(f"{portal.base}/invoices/{some_invoice}")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Invoice")
        await expect(page.get_by_role("alert")).to_have_text("Your role does not show invoices.")
        # Nothing of an invoice is shown (the API refused the page's query too), and nothing broke.
        await expect(page.locator(".invoice-summary, table.invoice-lines")).to_have_count(0)
        assert [m for m in watched.console if m.startswith("pageerror")] == []
        await page.get_by_role("link", name="Back to the dashboard").click()
        await expect(page).to_have_url(f"{portal.base}{landing}")
    finally:
        await context.close()


async def test_another_companys_invoice_is_not_found_on_the_page(browser, portal):
    theirs = (await history(portal, FINANCE, (await accounts_of(portal, FINANCE))[0]["id"]))["node"]["invoices"]
    context = await browser.new_context(viewport=SIZES["desktop"])
    try:
        watched = await open_page(context)
        page = watched.page
        await signed_in_at(watched, portal.base, "borealis.admin", f"/invoices/{theirs['nodes'][0]['id']}")
        await expect(page.get_by_role("alert")).to_have_text("There is no such invoice, or it is not in your view.")
        await page.get_by_role("link", name="All invoices").click()
        await expect(page.locator("table.invoices-table tbody tr").first).to_be_visible()
    finally:
        await context.close()


async def test_the_invoice_screens_render_in_russian(browser, portal, artifacts):
    accounts = await accounts_of(portal, FINANCE)
    newest = (await history(portal, FINANCE, accounts[0]["id"]))["node"]["invoices"]["nodes"][0]
    context = await browser.new_context(viewport=SIZES["phone"])
    try:
        watched = await open_page(context)
        page = watched.page
        await open_invoices(watched, portal.base, FINANCE)
        await page.get_by_label("Language").select_option("ru")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Счета")
        await expect(page.get_by_role("navigation", name="Основное").get_by_role("link", name="Счета")).to_be_visible()
        status = {"OPEN": "Открыт", "PAID": "Оплачен", "OVERDUE": "Просрочен"}[newest["status"]]
        first = page.locator("table.invoices-table tbody tr").first
        await expect(first.locator(".invoice-status")).to_have_text(status)
        # Money as Russian writes it (Intl's ru-RU: a comma before the cents, the currency last).
        russian = await page.evaluate(
            "m => new Intl.NumberFormat('ru-RU', {style: 'currency', currency: m.currency}).format(m.amount)",
            newest["total"],
        )
        assert "," in russian
        await expect(first.locator(".invoice-total")).to_have_text(russian)
        await expect(page.get_by_role("link", name="Скачать CSV")).to_be_visible()
        await first.locator(".invoice-number a").click()
        await expect(page.get_by_role("heading", name="По категориям")).to_be_visible()
        await expect(page.get_by_role("heading", name="По номерам")).to_be_visible()
        await page.screenshot(path=artifacts / "invoice-phone-ru.png", full_page=True)
        assert [m for m in watched.console if m.startswith(("error", "pageerror"))] == []
    finally:
        await context.close()
