"""The Lines screen in Chromium, as a person uses it: the list at 390x844 and 1440x900 against
the API's answer for the same caller (a unit admin sees only Sales), a number typed with spaces,
paging forward and back; a bulk change from the dry run to its per-line results with the
progress bar moving, and the databases holding what the page reported; a role that may not
change lines is offered no change. axe-core finds no serious or critical violation."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import expect

from core.ids import from_global_id, to_global_id
from tests.system.portal.conftest import Portal, serving
from tests.system.portal.test_browser import (
    SIZES,
    Watched,
    assert_first_paint,
    axe_violations,
    first_answer_held,
    open_page,
    settled,
    sign_in,
)

PAGE = 20
FIRST_PAGE = {"first": PAGE, "filter": {}}
# Each row as the page shows it: the line's id, name (or number) and number.
ROWS_SHOWN = """rows => rows.map(row => ({id: row.dataset.line,
  name: row.querySelector('.line-name').textContent, msisdn: row.querySelector('.line-msisdn').textContent}))"""
RESULTS_SHOWN = """rows => rows.map(row => ({lineId: row.dataset.line, outcome: row.dataset.outcome,
  cost: row.querySelector('.line-cost')?.value ?? null}))"""
# Every value the progress bar takes, recorded as it changes.
WATCH_PROGRESS = """() => { window.progressSeen = [];
  new MutationObserver(() => { const bar = document.querySelector('progress.bulk-progress');
    if (bar) window.progressSeen.push([bar.value, bar.max]); })
  .observe(document.body, {subtree: true, childList: true, attributes: true}); }"""


def rows_of(answer: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {"id": line["id"], "name": line["employeeName"] or line["msisdn"], "msisdn": line["msisdn"] or "—"}
        for line in answer["subscribers"]["nodes"]
    ]


def results_of(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"lineId": r["lineId"], "outcome": r["outcome"],
         "cost": r["monthlyCostImpact"]["amount"] if r["monthlyCostImpact"] else None}
        for r in results
    ]  # fmt: skip


async def open_lines(watched: Watched, base: str, login: str) -> None:
    """Sign in and go to Lines through the navigation, as a person does."""
    await sign_in(watched, base, login)
    await watched.page.get_by_role("navigation", name="Main").get_by_role("link", name="Lines").click()
    await expect(watched.page).to_have_url(f"{base}/lines")
    await settled(watched.page)


async def shown_rows(page: Any, expected: list[dict[str, str]]) -> list[dict[str, str]]:
    """The rows shown once the page shows the expected page (its first line and its length)."""
    rows = page.locator("table.lines-table tbody tr")
    if expected:
        await expect(rows.first).to_have_attribute("data-line", expected[0]["id"])
    await expect(rows).to_have_count(len(expected))
    return await rows.evaluate_all(ROWS_SHOWN)


def units_in_view(answer: dict[str, Any]) -> dict[str, str]:
    own = answer["customer"]["orgRoot"]
    roots = [own] if own else answer["viewer"]["scope"]["units"]
    return {unit["id"]: unit["name"] for root in roots for unit in [root, *root["descendants"]]}


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("login", ["acme.admin", "acme.sales.admin"])
async def test_the_list_shows_what_the_api_answers_and_pages_both_ways(
    browser, portal, web_modules, artifacts, login, size
):
    first = await portal.ask("Lines", login, FIRST_PAGE)
    lines = first["subscribers"]
    assert lines["pageInfo"]["hasNextPage"], f"the demo has more than a page of lines in {login}'s view"
    second = await portal.ask("Lines", login, {**FIRST_PAGE, "after": lines["pageInfo"]["endCursor"]})
    units = units_in_view(first)
    if login == "acme.sales.admin":
        assert "Sales" in units.values() and "Operations" not in units.values()
        assert {line["orgUnit"]["id"] for line in lines["nodes"] + second["subscribers"]["nodes"]} <= set(units)

    context = await browser.new_context(viewport=SIZES[size])
    try:
        watched = await open_page(context)
        page = watched.page
        await open_lines(watched, portal.base, login)
        watched.forget()
        await first_answer_held(page)
        await page.reload()
        assert await shown_rows(page, rows_of(first)) == rows_of(first)
        await expect(page.locator("[data-total]")).to_have_attribute("data-total", str(lines["totalCount"]))
        unit_options = page.get_by_label("Unit", exact=True).locator("option")
        assert (await unit_options.all_text_contents())[1:] == list(units.values())
        name = f"lines-{login}-{SIZES[size]['width']}x{SIZES[size]['height']}"
        await page.screenshot(path=artifacts / f"{name}.png", full_page=True)
        await assert_first_paint(watched, portal.base)
        assert await page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"], "no sideways scroll"

        # Each line links to its own detail.
        first_link = page.locator("table.lines-table tbody tr .line-name a").first
        await expect(first_link).to_have_attribute("href", f"/lines/{lines['nodes'][0]['id']}")

        await page.get_by_role("button", name="Next page").click()
        assert await shown_rows(page, rows_of(second)) == rows_of(second)
        await page.get_by_role("button", name="Previous page").click()
        assert await shown_rows(page, rows_of(first)) == rows_of(first)
        state = await context.storage_state()
    finally:
        await context.close()
    violations = await axe_violations(
        browser, portal.base, state, SIZES[size], web_modules, "/lines", "table.lines-table tbody tr"
    )
    (artifacts / f"{name}-axe.json").write_text(json.dumps(violations, indent=1))
    assert [v for v in violations if v["impact"] in {"serious", "critical"}] == []


async def test_a_number_typed_with_spaces_finds_its_line(browser, portal):
    first = await portal.ask("Lines", "acme.admin", FIRST_PAGE)
    line = first["subscribers"]["nodes"][3]
    msisdn = line["msisdn"]  # +49 170 6366837, as E.164
    typed = f"{msisdn[:3]} {msisdn[3:6]} {msisdn[6:9]} {msisdn[9:]}"
    national = f"0{msisdn[3:6]} {msisdn[6:]}"
    context = await browser.new_context(viewport=SIZES["phone"])
    try:
        watched = await open_page(context)
        page = watched.page
        await open_lines(watched, portal.base, "acme.admin")
        for search in (typed, national):
            answer = await portal.ask("Lines", "acme.admin", {"first": PAGE, "filter": {"search": search}})
            assert line["id"] in [found["id"] for found in answer["subscribers"]["nodes"]]
            await page.get_by_label("Name or number").fill(search)
            await page.get_by_role("button", name="Search").click()
            assert await shown_rows(page, rows_of(answer)) == rows_of(answer)
    finally:
        await context.close()


def billing_services(portal: Any, service: str) -> set[str]:
    """The lines that hold ``service`` in the billing database, as global ids."""
    with sqlite3.connect(portal.data / "billing.db") as db:
        rows = db.execute(
            "select subscriber_id from line_services where service_id = ?", (from_global_id(service)[1],)
        ).fetchall()
    return {to_global_id("Subscriber", row[0]) for row in rows}


@pytest.mark.parametrize("size", ["phone", "desktop"])
async def test_a_bulk_change_from_dry_run_to_results(browser, portal, artifacts, size):
    login = "acme.admin"
    first = await portal.ask("Lines", login, FIRST_PAGE)
    units = units_in_view(first)
    unit_name = "SME Sales" if size == "phone" else "Enterprise Sales"
    unit = next(id for id, name in units.items() if name == unit_name)
    service = next(s for s in first["services"] if s["name"] == "Conference calling")
    dry_input = {"selection": {"orgUnit": unit}, "services": [service["id"]], "dryRun": True, "background": False}
    dry = (await portal.ask("LinesServicesAdd", login, {"input": dry_input}))["subscriberServicesAdd"]
    assert dry["wouldApply"] > 0, f"the demo has lines in {unit_name} without conference calling"
    before = billing_services(portal, service["id"])

    context = await browser.new_context(viewport=SIZES[size])
    try:
        watched = await open_page(context)
        page = watched.page
        await open_lines(watched, portal.base, login)
        watched.forget()  # the signed-out visit's 401s
        await page.get_by_label("Unit", exact=True).select_option(label=unit_name)
        bulk = page.get_by_role("region", name="Change lines")
        await bulk.get_by_role("radio", name=f"Every line in {unit_name} and its units").check()
        await bulk.get_by_label("Change", exact=True).select_option("add")
        await bulk.get_by_label("Service", exact=True).select_option(service["id"])
        await bulk.get_by_role("button", name="Check first (dry run)").click()

        # The dry run: each line's outcome and cost, and the total, as the API's dry run answers.
        await expect(bulk.get_by_text("Dry run: nothing has changed yet.")).to_be_visible()
        shown = bulk.locator("table.bulk-results tbody tr")
        await expect(shown).to_have_count(len(dry["results"]))
        assert await shown.evaluate_all(RESULTS_SHOWN) == results_of(dry["results"])
        impact = bulk.locator(".cost-impact")
        await expect(impact).to_have_attribute("value", dry["monthlyCostImpact"]["amount"])
        await expect(bulk.locator(".count-changed")).to_have_text(str(dry["wouldApply"]))
        assert billing_services(portal, service["id"]) == before, "a dry run changes nothing"
        await page.screenshot(path=artifacts / f"lines-bulk-dry-run-{size}.png", full_page=True)

        # Apply, confirmed; the progress bar moves to the end; each line's result.
        await bulk.get_by_role("button", name="Apply…").click()
        dialog = page.get_by_role("dialog", name="Apply this change?")
        await expect(dialog).to_contain_text(f"{dry['wouldApply']} lines will change")
        await page.evaluate(WATCH_PROGRESS)
        await dialog.get_by_role("button", name="Apply now").click()
        await expect(bulk.get_by_text("The change is done.")).to_be_visible()
        seen = await page.evaluate("window.progressSeen")
        assert seen and seen[-1] == [len(dry["results"]), len(dry["results"])], seen
        assert [done for done, _ in seen] == sorted(done for done, _ in seen), "the bar only moves forward"
        await expect(shown).to_have_count(len(dry["results"]))
        applied = await shown.evaluate_all(RESULTS_SHOWN)
        expected = [{**r, "outcome": "APPLIED" if r["outcome"] == "WOULD_APPLY" else r["outcome"]}
                    for r in results_of(dry["results"])]  # fmt: skip
        assert sorted(applied, key=str) == sorted(expected, key=str)
        await expect(bulk.locator(".count-changed")).to_have_text(str(dry["wouldApply"]))
        await page.screenshot(path=artifacts / f"lines-bulk-results-{size}.png", full_page=True)
        assert watched.console == []
    finally:
        await context.close()

    # The databases hold exactly what the page reported: the applied lines, and no other, gained it.
    changed = {r["lineId"] for r in applied if r["outcome"] == "APPLIED"}
    assert billing_services(portal, service["id"]) == before | changed
    assert not changed & before
    again = (await portal.ask("LinesServicesAdd", login, {"input": dry_input}))["subscriberServicesAdd"]
    assert again["wouldApply"] == 0


@pytest.mark.parametrize("login", ["acme.analyst", "acme.finance"])
async def test_a_role_that_may_not_change_lines_is_offered_no_change(browser, portal, login):
    shell = await portal.ask("Shell", login)
    assert "line:write" not in shell["viewer"]["permissions"]
    context = await browser.new_context(viewport=SIZES["desktop"])
    try:
        watched = await open_page(context)
        page = watched.page
        await open_lines(watched, portal.base, login)
        await expect(page.locator("table.lines-table tbody tr").first).to_be_visible()
        await expect(page.get_by_role("checkbox")).to_have_count(0)
        await expect(page.get_by_role("region", name="Change lines")).to_have_count(0)
        await expect(page.get_by_role("button", name="Check first (dry run)")).to_have_count(0)
    finally:
        await context.close()


async def test_the_screen_speaks_russian(browser, portal):
    context = await browser.new_context(viewport=SIZES["phone"])
    try:
        watched = await open_page(context)
        page = watched.page
        await open_lines(watched, portal.base, "acme.admin")
        await page.get_by_label("Language").select_option("ru")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Номера")
        await expect(page.get_by_role("region", name="Изменить номера")).to_be_visible()
        await expect(page.get_by_role("button", name="Следующая страница")).to_be_enabled()
        await expect(page.get_by_label("Имя или номер", exact=True)).to_be_visible()
    finally:
        await context.close()


async def test_lines_ticked_on_the_page_are_dry_run_as_the_api_answers(browser, portal):
    login = "acme.sales.admin"
    first = await portal.ask("Lines", login, FIRST_PAGE)
    lines = first["subscribers"]["nodes"]
    service = next(s for s in first["services"] if s["name"] == "Visual voicemail")
    ticked = [lines[1]["id"], lines[4]["id"]]
    dry_input = {"selection": {"ids": ticked}, "services": [service["id"]], "dryRun": True, "background": False}
    dry = (await portal.ask("LinesServicesAdd", login, {"input": dry_input}))["subscriberServicesAdd"]
    context = await browser.new_context(viewport=SIZES["desktop"])
    try:
        watched = await open_page(context)
        page = watched.page
        await open_lines(watched, portal.base, login)
        table = page.locator("table.lines-table")
        await table.get_by_role("checkbox", name="Select every line on this page").check()
        bulk = page.get_by_role("region", name="Change lines")
        await expect(bulk.get_by_role("radio", name=f"The {len(lines)} selected")).to_be_visible()
        await table.get_by_role("checkbox", name="Select every line on this page").uncheck()
        for line in (lines[1], lines[4]):
            await table.locator(f'tr[data-line="{line["id"]}"]').get_by_role("checkbox").check()
        await bulk.get_by_role("radio", name="The 2 selected").check()
        await bulk.get_by_label("Service", exact=True).select_option(service["id"])
        await bulk.get_by_role("button", name="Check first (dry run)").click()
        shown = bulk.locator("table.bulk-results tbody tr")
        await expect(shown).to_have_count(2)
        assert await shown.evaluate_all(RESULTS_SHOWN) == results_of(dry["results"])
        cost = dry["monthlyCostImpact"]
        await expect(bulk.locator(".count-changed")).to_have_text(str(dry["wouldApply"]))
        if cost:
            await expect(bulk.locator(".cost-impact")).to_have_attribute("value", cost["amount"])
        await bulk.get_by_role("button", name="Back").click()
        await expect(bulk.get_by_role("button", name="Check first (dry run)")).to_be_visible()
    finally:
        await context.close()


@pytest.fixture(scope="module")
async def idle_portal(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Portal]:
    """A server that works on no bulk operation: a change applied stays queued until cancelled."""
    async with serving(tmp_path_factory.mktemp("idle-portal"), bulk_worker="false") as served:
        yield served


async def test_a_running_change_can_be_cancelled_from_the_page(browser, idle_portal):
    portal, login = idle_portal, "acme.admin"
    first = await portal.ask("Lines", login, FIRST_PAGE)
    service = next(s for s in first["services"] if s["name"] == "eSIM for smartwatch")
    before = billing_services(portal, service["id"])
    context = await browser.new_context(viewport=SIZES["phone"])
    try:
        watched = await open_page(context)
        page = watched.page
        await open_lines(watched, portal.base, login)
        await page.get_by_label("Unit", exact=True).select_option(label="SME Sales")
        bulk = page.get_by_role("region", name="Change lines")
        await bulk.get_by_role("radio", name="Every line in SME Sales and its units").check()
        await bulk.get_by_label("Service", exact=True).select_option(service["id"])
        await bulk.get_by_role("button", name="Check first (dry run)").click()
        await bulk.get_by_role("button", name="Apply…").click()
        await page.get_by_role("dialog").get_by_role("button", name="Apply now").click()

        # Queued, nothing done: the bar at 0 and the live count say so; Cancel asks the server to stop.
        await expect(bulk.get_by_role("status")).to_have_text(re.compile(r"^0 of \d+ lines done$"))
        await expect(bulk.get_by_role("progressbar")).to_have_attribute("value", "0")
        operation = await bulk.locator("[data-operation]").get_attribute("data-operation")
        await bulk.get_by_role("button", name="Cancel the change").click()
        await expect(bulk.get_by_role("button", name="Cancelling…")).to_be_disabled()
    finally:
        await context.close()
    node = (await portal.ask("LinesBulkResults", login, {"id": operation}))["node"]
    assert (node["cancelRequested"], node["done"], node["dryRun"]) == (True, 0, False)
    assert billing_services(portal, service["id"]) == before, "nothing was written"
