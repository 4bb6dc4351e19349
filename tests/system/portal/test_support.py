"""Operator support in the portal: staff who may read every company choose one (found by part of
its name or code), and the dashboard, the lines, the org structure and the invoices are that
company's, as the API answers the same caller naming it; the choice lasts the browser tab and can
be changed; nothing is offered that support, read-only, would be refused."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.system.portal.test_browser import SIGN_IN, SIZES, UNITS_SHOWN, axe_violations, open_page, units_of
from tests.system.portal.test_invoices import INVOICES_SHOWN
from tests.system.portal.test_invoices import PAGE as INVOICE_PAGE
from tests.system.portal.test_lines import ROWS_SHOWN, rows_of
from tests.system.portal.test_org import TREE_SHOWN, tree_of

SUPPORT = "operator.support"


@pytest.mark.parametrize("size", ["phone", "desktop"])
async def test_support_chooses_a_company_and_sees_its_dashboard_and_lines(
    browser, portal, web_modules, artifacts, size
):
    everyone = (await portal.ask("Customers", SUPPORT, {"search": ""}))["customers"]
    found = (await portal.ask("Customers", SUPPORT, {"search": "bore"}))["customers"]
    assert [c["name"] for c in found] == ["Borealis Energy"]
    borealis = found[0]["id"]
    dashboard = await portal.ask("Dashboard", SUPPORT, {"customer": borealis}, expected=frozenset({"MIXED_CURRENCIES"}))
    context = await browser.new_context(viewport=SIZES[size])
    try:
        page = (await open_page(context)).page
        await page.goto(f"{portal.base}/")
        await expect(page).to_have_url(SIGN_IN)
        await page.locator(f'button[name="login"][value="{SUPPORT}"]').click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Choose a company")
        choices = page.locator(".companies button")
        await expect(choices).to_have_count(len(everyone))
        assert await choices.evaluate_all("bs => bs.map(b => b.dataset.customer)") == [c["id"] for c in everyone]

        await page.get_by_label("Company name or code").fill("bore")
        await page.get_by_role("button", name="Find").click()
        await expect(choices).to_have_count(1)
        await choices.first.click()
        units = page.locator(".org-tree li[data-unit]")
        await expect(units).to_have_count(len(units_of(dashboard)))
        assert await units.evaluate_all(UNITS_SHOWN) == units_of(dashboard)
        await expect(page.get_by_role("banner")).to_contain_text("Borealis Energy")
        if size == "desktop":
            await page.screenshot(path=artifacts / "dashboard-support-1440x900.png", full_page=True)

        # The lines are that company's; support changes nothing, so nothing is offered.
        await page.reload()  # the choice lasts the tab
        await page.get_by_role("navigation", name="Main").get_by_role("link", name="Lines").click()
        variables = {"first": 20, "filter": {"customer": borealis}, "customer": borealis}
        lines = await portal.ask("Lines", SUPPORT, variables)
        rows = page.locator("table.lines-table tbody tr")
        await expect(rows).to_have_count(len(lines["subscribers"]["nodes"]))
        assert await rows.evaluate_all(ROWS_SHOWN) == rows_of(lines)
        await expect(page.get_by_role("checkbox")).to_have_count(0)
        await expect(page.get_by_role("region", name="Change lines")).to_have_count(0)
        state = await context.storage_state()

        await page.get_by_role("button", name="Change company").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Choose a company")
        await expect(page.get_by_role("banner")).not_to_contain_text("Borealis Energy")
    finally:
        await context.close()
    violations = await axe_violations(browser, portal.base, state, SIZES[size], web_modules, "/", ".companies button")
    assert [v for v in violations if v["impact"] in {"serious", "critical"}] == []


async def test_support_reads_the_chosen_companys_org_structure_and_invoices(browser, portal):
    borealis = (await portal.ask("Customers", SUPPORT, {"search": "borealis"}))["customers"][0]["id"]
    tree = tree_of(await portal.ask("OrgStructure", SUPPORT, {"customer": borealis}))
    history = await portal.ask("InvoiceHistory", SUPPORT, {"first": INVOICE_PAGE, "customer": borealis})
    first_account = history["customer"]["billingAccounts"][0]["invoices"]["nodes"]
    invoices = [{"id": i["id"], "number": i["number"], "status": i["status"], "total": i["total"]["amount"]}
                for i in first_account]  # fmt: skip
    assert tree and invoices
    context = await browser.new_context(viewport=SIZES["desktop"])
    try:
        page = (await open_page(context)).page
        await page.goto(f"{portal.base}/org")
        await page.locator(f'button[name="login"][value="{SUPPORT}"]').click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Choose a company")
        await page.locator(f'.companies button[data-customer="{borealis}"]').click()
        units = page.locator(".org-units li[data-unit]")
        await expect(units).to_have_count(len(tree))
        assert await units.evaluate_all(TREE_SHOWN) == tree
        await expect(page.get_by_role("button", name=re.compile("Rename|Delete|Add"))).to_have_count(0)

        await page.get_by_role("navigation", name="Main").get_by_role("link", name="Invoices").click()
        rows = page.locator(".invoices-table tbody tr")
        await expect(rows).to_have_count(len(invoices))
        assert await rows.evaluate_all(INVOICES_SHOWN) == invoices
        csv = page.locator("a.download").first
        assert f"customer={borealis}" in (await csv.get_attribute("href") or "")
    finally:
        await context.close()
