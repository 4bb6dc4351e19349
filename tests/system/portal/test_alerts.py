"""The dashboard's live spending alerts: while usage flows, a unit crossing 80 % or 100 % of its
budget appears on the open page without a reload, saying what the API holds (the budget set,
spending past the threshold)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import AsyncIterator
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from tests.system.portal.conftest import Portal, serving
from tests.system.portal.test_browser import SIZES, Watched, open_page, sign_in, units_of
from tests.system.test_http import bearer
from tests.waiting import PATIENCE

SET_BUDGET = (
    "mutation SetBudget($unit: ID!, $budget: Decimal) {"
    " orgUnitSetBudget(input: {orgUnit: $unit, monthlyBudget: $budget}) { orgUnit { id monthlyBudget { amount } } } }\n"
)
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
async def fed_portal(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Portal]:
    """A portal server whose demo usage feed runs inside it, with one more operation registered
    (a budget set by the test: the portal's own screens are not what is tested here)."""
    here = tmp_path_factory.mktemp("alerts")
    async with serving(here, usage_feed_per_second="200") as served:
        (here / "budget.graphql").write_text(SET_BUDGET)
        command = [sys.executable, "-c", "from server.cli import main; main()", "register-operations", str(here)]
        done = subprocess.run(command, env=served.env, capture_output=True, text=True, timeout=PATIENCE, check=False)
        assert done.returncode == 0, done.stderr
        yield served


async def set_budget(portal: Portal, unit: str, budget: Decimal) -> None:
    body = {
        "variables": {"unit": unit, "budget": str(budget)},
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(SET_BUDGET.encode()).hexdigest()}},
    }
    async with httpx.AsyncClient(base_url=portal.base) as http:
        response = await http.post("/graphql", json=body, headers=bearer(portal.token("acme.admin")))
    assert response.status_code == 200 and "errors" not in response.json(), response.text


def spent_of(unit: dict[str, Any]) -> Decimal:
    return sum((Decimal(amount.split()[0]) for amount in unit["spent"]), Decimal(0))


async def test_a_unit_crossing_its_budget_appears_on_the_open_dashboard(browser, fed_portal, artifacts: Path):
    context = await browser.new_context(viewport=SIZES["desktop"])
    try:
        watched: Watched = await open_page(context)
        page = watched.page
        await sign_in(watched, fed_portal.base, "acme.admin")
        await expect(page.locator(".alerts-none")).to_be_visible()
        await page.evaluate("window.stillHere = true")
        # Every unit with lines a budget just out of reach of 80 % of what it has spent: as the
        # feed charges its lines, it crosses.
        units = [unit for unit in units_of(await fed_portal.ask("Dashboard", "acme.admin")) if unit["lines"] != "0"]
        budgets = {}
        for unit in units:
            budgets[unit["id"]] = ((spent_of(unit) + CENT) * 100 / 80).quantize(CENT, rounding=ROUND_CEILING)
            await set_budget(fed_portal, unit["id"], budgets[unit["id"]])

        shown = page.locator("li[data-alert]").first
        await expect(shown).to_be_visible(timeout=3 * PATIENCE * 1000)
        assert await page.evaluate("window.stillHere === true"), "the page reloaded"
        subject = await shown.get_attribute("data-subject")
        kind = await shown.get_attribute("data-alert")
        assert subject in budgets and kind in {"LIMIT_APPROACHING", "LIMIT_REACHED"}
        name = next(unit["name"] for unit in units if unit["id"] == subject)
        text = await shown.inner_text()
        assert name in text and "of its budget" in text
        # What it says is what the API holds: the budget set, spending past the threshold.
        now = {unit["id"]: unit for unit in units_of(await fed_portal.ask("Dashboard", "acme.admin"))}
        threshold = 80 if "80 %" in text else 100
        assert f"{threshold} %" in text
        assert spent_of(now[subject]) * 100 >= threshold * budgets[subject]
        await page.screenshot(path=artifacts / "dashboard-alert-desktop.png", full_page=True)
    finally:
        await context.close()
