"""The portal in Debian's Chromium, as a person uses it: sign in through the development page,
read the company dashboard on a phone (390x844) and a desktop (1440x900), and find on it what the
API answers the same caller. Screenshots and axe-core's findings go to tests/artifacts/portal/
(axe finds no serious or critical violation); a signed-out visit, and a visit after signing out,
land on the sign-in page."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, BrowserContext, Page, Route, expect

from tests.waiting import PATIENCE

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1440, "height": 900}}
SIGN_IN = re.compile(r"/auth/sign-in(\?|$)")
# Each unit's figures as the page shows them (<data> elements carry the machine-readable value).
UNITS_SHOWN = """items => items.map(item => {
  const unit = item.querySelector(':scope > .unit');
  return {id: item.dataset.unit, name: unit.querySelector('.unit-name').textContent,
          lines: unit.querySelector('.unit-lines').value,
          spent: [...unit.querySelectorAll('.unit-spent')].map(amount => amount.value)};
})"""
WATCH_CSP = ("document.addEventListener('securitypolicyviolation', e =>"
             " console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`))")  # fmt: skip


class Watched:
    """A page with what it requested and logged."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.requests: list[Any] = []
        self.console: list[str] = []
        page.on("request", lambda request: self.requests.append(request))
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))

    def forget(self) -> None:
        self.requests.clear()
        self.console.clear()


async def open_page(context: BrowserContext) -> Watched:
    page = await context.new_page()
    page.set_default_timeout(30_000)
    await page.add_init_script(WATCH_CSP)
    return Watched(page)


async def sign_in(watched: Watched, base: str, login: str) -> None:
    """Open the portal signed out, and sign in on the development page it sends the browser to."""
    page = watched.page
    await page.goto(f"{base}/")
    await expect(page).to_have_url(SIGN_IN)
    await page.locator(f'button[name="login"][value="{login}"]').click()
    await expect(page).to_have_url(f"{base}/")
    await settled(page)


async def settled(page: Page) -> None:
    """Until the page has sent all it sends and shown what it was answered: a test that forgets
    the requests so far must not then see one of this page's. Some ask after the first paint (the
    dashboard's charts), on a busy host later than any quiet spell of the network."""
    await expect(page.locator("main h1").first).to_be_visible()
    await expect(page.locator('main [role="status"]')).to_have_count(0)
    await page.wait_for_load_state("networkidle")


def units_of(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """The org tree's units as the API answered them, in tree order: the company's, or the
    subtrees a unit admin was granted. A figure the API leaves null, the page leaves empty."""
    own = dashboard["customer"]["orgRoot"]
    roots = [own] if own else dashboard["viewer"]["scope"]["units"]
    return [
        {"id": unit["id"], "name": unit["name"],
         "lines": "" if unit["subscriberCount"] is None else str(unit["subscriberCount"]),
         "spent": [f"{entry['total']['amount']} {entry['total']['currency']}"
                   for entry in unit["spendingByCurrency"] or ()]}
        for root in roots
        for unit in [root, *root["descendants"]]
    ]  # fmt: skip


async def test_a_signed_out_visit_lands_on_the_sign_in_page(browser, portal):
    context = await browser.new_context()
    try:
        page = (await open_page(context)).page
        await page.goto(f"{portal.base}/")
        await expect(page).to_have_url(f"{portal.base}/auth/sign-in?next=%2F")
        await expect(page.locator('button[name="login"][value="acme.admin"]')).to_be_visible()
    finally:
        await context.close()


# Borealis bills its Grid division in CHF and the rest in EUR: its company figure is two amounts.
@pytest.mark.parametrize(("login", "size"), [("acme.admin", "phone"), ("acme.admin", "desktop"),
                                             ("acme.sales.admin", "phone"), ("acme.finance", "desktop"),
                                             ("borealis.admin", "desktop")])  # fmt: skip
async def test_the_dashboard_shows_what_the_api_answers_the_same_caller(
    browser, portal, web_modules, artifacts, login, size
):
    dashboard = await portal.ask("Dashboard", login, expected=frozenset({"MIXED_CURRENCIES"}))
    shell = await portal.ask("Shell", login)
    context = await browser.new_context(viewport=SIZES[size])
    try:
        watched = await open_page(context)
        page = watched.page
        await sign_in(watched, portal.base, login)
        # First paint, signed in: what the page asks for and shows.
        watched.forget()
        await page.reload()
        units = page.locator(".org-tree li[data-unit]")
        await expect(units).to_have_count(len(units_of(dashboard)))
        assert await units.evaluate_all(UNITS_SHOWN) == units_of(dashboard)

        # The charts' figures (each chart's table): what the two spending reports answered.
        spending = await portal.ask("DashboardSpending", login)
        reports = [spending[name]["rows"]["nodes"] for name in ("byMonth", "byCategory")]
        assert len({row["month"] for row in reports[0]}) == 12, "the last twelve months, each charged"
        charts = page.locator("table.chart-figures")
        await expect(charts).to_have_count(sum(1 for rows in reports if rows))
        shown = await charts.evaluate_all(
            "tables => tables.map(t => [...t.querySelectorAll('data')].map(d => d.value))"
        )
        assert shown == [[f"{r['total']['amount']} {r['total']['currency']}" for r in rows] for rows in reports if rows]

        over = [row["orgUnit"]["id"] for row in dashboard["budgetReport"]["rows"]["nodes"] if row["overBudget"]]
        if login.startswith("borealis"):
            assert any(len(unit["spent"]) == 2 for unit in units_of(dashboard)), "a figure in CHF and EUR"
        else:
            assert over, f"the demo has units over budget in {login}'s view"
        shown_over = page.locator("table.over-budget tbody tr")
        await expect(shown_over).to_have_count(len(over))
        assert await shown_over.evaluate_all("rows => rows.map(row => row.dataset.unit)") == over

        banner = page.get_by_role("banner")
        await expect(banner).to_contain_text(shell["viewer"]["customer"]["name"])
        await expect(banner).to_contain_text(shell["viewer"]["name"])
        navigation = page.get_by_role("navigation", name="Main")
        invoices = ["Invoices"] if "invoice:read" in shell["viewer"]["permissions"] else []
        users = ["Users and access"] if "user:read" in shell["viewer"]["permissions"] else []
        await expect(navigation.get_by_role("link")).to_have_text(
            ["Dashboard", "Lines", "Org structure", *invoices, "Reports", *users]
        )
        await expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
        name = f"dashboard-{login}-{SIZES[size]['width']}x{SIZES[size]['height']}"
        await page.screenshot(path=artifacts / f"{name}.png", full_page=True)

        await assert_first_paint(watched, portal.base, after=(portal.operations()["DashboardSpending"],))
        assert await page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"], "no sideways scroll"

        state = await context.storage_state()
    finally:
        await context.close()
    violations = await axe_violations(browser, portal.base, state, SIZES[size], web_modules)
    (artifacts / f"{name}-axe.json").write_text(json.dumps(violations, indent=1))
    assert [v for v in violations if v["impact"] in {"serious", "critical"}] == []


async def first_answer_held(page: Page) -> None:
    """From now on, the page's first GraphQL answer is held back until its second request has been
    sent (for PATIENCE at most). ``assert_first_paint``'s check that the first paint's operations go
    out together then reads the same on any host: a screen whose operation waits for the other's
    answer sends it only after the bound, and one that does not can never look like it did."""
    sent = asyncio.Event()
    seen = 0

    async def hold(route: Route) -> None:
        nonlocal seen
        seen += 1
        if seen == 1:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(sent.wait(), PATIENCE)
        else:
            sent.set()  # every later request goes straight on
        await route.continue_()

    await page.route("**/graphql", hold)


async def assert_first_paint(watched: Watched, base: str, after: tuple[str, ...] = ()) -> None:
    """At most two GraphQL operations for the first paint, both persisted (hash only), sent
    together; then only the ``after`` ones (hashes: the dashboard's charts), each sent once the
    first paint's operations were answered; nothing from another origin; no script error and no
    CSP violation. Once every request has finished: a request's timing is known only then."""
    await watched.page.wait_for_load_state("networkidle")
    origin = urlsplit(base)[:2]
    assert [r.url for r in watched.requests if urlsplit(r.url)[:2] != origin] == []
    every = [r for r in watched.requests if urlsplit(r.url).path == "/graphql"]
    graphql, later = every[:2], every[2:]
    assert len(graphql) == 2
    assert [hash_of(request) for request in later] == list(after)
    answered = max(r.timing["startTime"] + r.timing["responseEnd"] for r in graphql)
    assert all(request.timing["startTime"] >= answered for request in later), "sent after the first paint"
    for request in every:
        body = json.loads(request.post_data or "{}")
        assert "query" not in body and body["extensions"]["persistedQuery"]["version"] == 1
        assert request.headers["x-corpcare-preflight"] == "1"
    started = [r.timing["startTime"] for r in graphql]
    ended = [r.timing["startTime"] + r.timing["responseEnd"] for r in graphql]
    assert max(started) < min(ended), "the second operation waited for the first (a waterfall)"
    assert watched.console == []


def hash_of(request: Any) -> str:
    return str(json.loads(request.post_data or "{}")["extensions"]["persistedQuery"]["sha256Hash"])


async def axe_violations(
    browser: Browser,
    base: str,
    state: Any,
    viewport: dict[str, int],
    modules: Path,
    path: str = "/",
    ready: str = ".org-tree li[data-unit]",
) -> list[dict[str, Any]]:
    """axe-core's violations on a signed-in screen (the dashboard unless told), once ``ready``
    shows, each with its impact and where (axe is injected in a context that bypasses the CSP,
    which lets the portal's page load nothing else)."""
    context = await browser.new_context(viewport=viewport, bypass_csp=True, storage_state=state)
    try:
        page = await context.new_page()
        await page.goto(f"{base}{path}")
        await expect(page.locator(ready).first).to_be_visible()
        await page.add_script_tag(path=modules / "axe-core" / "axe.min.js")
        results = await page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    finally:
        await context.close()
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in results["violations"]
    ]


async def test_the_language_switches_to_russian_and_stays(browser, portal):
    context = await browser.new_context(viewport=SIZES["phone"])
    try:
        watched = await open_page(context)
        page = watched.page
        await sign_in(watched, portal.base, "acme.admin")
        await page.get_by_label("Language").select_option("ru")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Обзор")
        await expect(page.locator("html")).to_have_attribute("lang", "ru")
        await page.reload()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Обзор")
        await expect(page.get_by_role("navigation", name="Основное").get_by_role("link")).to_have_text(
            ["Обзор", "Номера", "Оргструктура", "Счета", "Отчёты", "Пользователи и доступ"]
        )
    finally:
        await context.close()


async def test_after_signing_out_the_portal_sends_the_browser_to_sign_in(browser, portal):
    context = await browser.new_context(viewport=SIZES["desktop"])
    try:
        watched = await open_page(context)
        page = watched.page
        await sign_in(watched, portal.base, "acme.admin")
        await page.get_by_role("button", name="Sign out").click()
        await expect(page).to_have_url(f"{portal.base}/auth/sign-in")
        await page.goto(f"{portal.base}/")
        await expect(page).to_have_url(f"{portal.base}/auth/sign-in?next=%2F")
    finally:
        await context.close()


async def test_an_employee_lands_on_their_own_line_and_is_offered_no_other_screen(browser, portal):
    shell = await portal.ask("Shell", "acme.employee")
    assert "org:read" not in shell["viewer"]["permissions"]
    context = await browser.new_context(viewport=SIZES["phone"])
    try:
        watched = await open_page(context)
        page = watched.page
        await page.goto(f"{portal.base}/")
        await expect(page).to_have_url(SIGN_IN)
        await page.locator('button[name="login"][value="acme.employee"]').click()
        await expect(page).to_have_url(f"{portal.base}/me")
        await expect(page.get_by_role("banner")).to_contain_text(shell["viewer"]["name"])
        await expect(page.get_by_role("heading", level=1)).to_have_text("My line")
        await expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_text(["My line"])
        await expect(page.locator(".org-tree, table.over-budget")).to_have_count(0)
        # Opening "/" again: the server sends the employee on before any of the dashboard is asked for.
        await page.wait_for_load_state("networkidle")
        watched.forget()
        response = await page.goto(f"{portal.base}/")
        await page.wait_for_load_state("networkidle")
        assert response is not None and response.url == f"{portal.base}/me"
        redirected = response.request.redirected_from
        assert redirected is not None and redirected.url == f"{portal.base}/"
        await expect(page.get_by_role("heading", level=1)).to_have_text("My line")
        operations = portal.operations()
        await assert_first_paint(watched, portal.base)
        sent = {hash_of(r) for r in watched.requests if urlsplit(r.url).path == "/graphql"}
        assert sent == {operations["Shell"], operations["MyLine"]}
        assert not [r.url for r in watched.requests if "/Dashboard-" in r.url]
    finally:
        await context.close()
