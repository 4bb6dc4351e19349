"""The Org structure screen (/org) in Chromium, as people use it: the tree is the API's answer to
the same caller; a company admin creates, renames, moves, budgets, sets the policy of and deletes
a unit through clicks and typing, each confirmed first, and the API holds exactly what the page
reported; a move into the unit's own subtree and the deletion of a unit with lines are refused
with the API's coded message and change nothing; each policy setting says whether the unit sets
it or which unit above it does, as the API's origins say; a read-only role is offered no change.
Screenshots and axe-core's findings go to tests/artifacts/portal/."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Locator, Page, expect

from tests.system.portal.conftest import Portal, serving
from tests.system.portal.test_browser import SIZES, Watched, assert_first_paint, axe_violations, open_page
from tests.system.portal.test_line import signed_in_at

TREE_SHOWN = """items => items.map(item => ({
  id: item.dataset.unit,
  name: item.querySelector(':scope > .org-node .unit-name').textContent,
  lines: item.querySelector(':scope > .org-node .unit-lines').value,
  parent: item.parentElement.closest('li[data-unit]')?.dataset.unit ?? null,
}))"""
POLICY_SHOWN = """rows => rows.map(row => [row.dataset.attribute, row.dataset.setBy, row.dataset.from || null])"""


@pytest.fixture(scope="module")
async def org_portal(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Portal]:
    """A server of this module's own: its tests change the org tree, which others read."""
    async with serving(tmp_path_factory.mktemp("org-portal")) as served:
        yield served


def units_of(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """Every unit of the API's answer to OrgStructure, in tree order."""
    own = answer["customer"]["orgRoot"]
    roots = [own] if own else answer["viewer"]["scope"]["units"]
    return [unit for root in roots for unit in [root, *root["descendants"]]]


def tree_of(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The tree as the page shows it: a unit whose parent is not shown is a root."""
    units = units_of(answer)
    shown = {unit["id"] for unit in units}
    return [
        {"id": u["id"], "name": u["name"], "lines": "" if u["subscriberCount"] is None else str(u["subscriberCount"]),
         "parent": u["parent"]["id"] if u["parent"] and u["parent"]["id"] in shown else None}
        for u in units
    ]  # fmt: skip


async def structure(portal: Portal, login: str = "acme.admin") -> dict[str, dict[str, Any]]:
    return {unit["id"]: unit for unit in units_of(await portal.ask("OrgStructure", login))}


async def open_org(watched: Watched, base: str, login: str) -> Page:
    await signed_in_at(watched, base, login, "/org")
    await expect(watched.page.locator(".org-units li[data-unit]").first).to_be_visible()
    return watched.page


async def select(page: Page, unit: str) -> Locator:
    await page.locator(f'li[data-unit="{unit}"] > .org-node').click()
    detail = page.locator(f'.org-detail[data-unit="{unit}"]')
    await expect(detail).to_be_visible()
    return detail


async def confirm(page: Page, section: str, outcome: str = "APPLIED") -> Locator:
    """Confirm the change the section proposes; its feedback once the answer came."""
    panel = page.locator(f'section[aria-labelledby="{section}-title"]')
    await panel.get_by_role("group", name="Confirm the change").get_by_role("button", name="Confirm").click()
    result = panel.locator(f'.change-result[data-outcome="{outcome}"]')
    await expect(result).to_be_visible()
    return result


@pytest.mark.parametrize(("login", "size"), [("acme.admin", "phone"), ("acme.admin", "desktop"),
                                             ("acme.finance", "desktop"), ("acme.analyst", "phone"),
                                             ("acme.sales.admin", "desktop")])  # fmt: skip
async def test_the_tree_shows_what_the_api_answers_the_same_caller(
    browser, portal, web_modules, artifacts, login, size
):
    answer = await portal.ask("OrgStructure", login)
    permissions = set((await portal.ask("Shell", login))["viewer"]["permissions"])
    context = await browser.new_context(viewport=SIZES[size])
    try:
        watched = await open_page(context)
        page = await open_org(watched, portal.base, login)
        await page.wait_for_load_state("networkidle")  # nothing of the first visit is still under way
        watched.forget()
        await page.reload()
        items = page.locator(".org-units li[data-unit]")
        await expect(items.first).to_be_visible()
        assert await items.evaluate_all(TREE_SHOWN) == tree_of(answer)
        await assert_first_paint(watched, portal.base)
        await expect(page.get_by_role("heading", level=1)).to_have_text("Org structure")
        await expect(page.get_by_role("link", name="Org structure")).to_have_attribute("aria-current", "page")

        # Only what the role may change is offered (a read-only role: nothing at all).
        await expect(page.locator(".org-structure")).to_have_count(1 if "org:write" in permissions else 0)
        await expect(page.locator(".org-budget")).to_have_count(1 if "budget:write" in permissions else 0)
        await expect(page.locator(".policy-form")).to_have_count(1 if "policy:write" in permissions else 0)
        if login == "acme.analyst":
            assert not permissions & {"org:write", "budget:write", "policy:write"}
            await expect(page.locator("main form, main input, main select")).to_have_count(0)
            await expect(page.locator("main button:not(.org-node)")).to_have_count(0)
            await expect(page.get_by_text("Your role may look at the organisation but not change it.")).to_be_visible()

        assert await page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"], "no sideways scroll"
        name = f"org-{size}" if login == "acme.admin" else f"org-{login}-{size}"
        await page.screenshot(path=artifacts / f"{name}.png", full_page=True)
        state = await context.storage_state()
    finally:
        await context.close()
    violations = await axe_violations(browser, portal.base, state, SIZES[size], web_modules, "/org", ".org-policy")
    (artifacts / f"{name}-axe.json").write_text(json.dumps(violations, indent=1))
    assert [v for v in violations if v["impact"] in {"serious", "critical"}] == []


async def test_a_unit_is_created_renamed_moved_budgeted_given_a_policy_and_deleted_through_the_page(
    browser, org_portal
):
    portal = org_portal
    units = await structure(portal)
    root = next(u for u in units.values() if u["parent"] is None)
    divisions = [u for u in units.values() if u["parent"] and u["parent"]["id"] == root["id"]]
    first, second = divisions[0], divisions[1]
    context = await browser.new_context(viewport=SIZES["desktop"])
    try:
        page = await open_org(await open_page(context), portal.base, "acme.admin")

        # Create a department under the first division.
        await select(page, first["id"])
        await page.get_by_label("Name of the new unit").fill("Field trials")
        await page.get_by_role("button", name="Add a unit below").click()
        await expect(page.get_by_role("group", name="Confirm the change")).to_contain_text(
            f"Add “Field trials” under “{first['name']}”?"
        )
        result = await confirm(page, "org-structure")
        await expect(result).to_have_text("“Field trials” was added.")
        created = [u for u in (await structure(portal)).values() if u["id"] not in units]
        assert [(u["name"], u["parent"]["id"], u["kind"]) for u in created] == [
            ("Field trials", first["id"], "DEPARTMENT")
        ]
        unit = created[0]["id"]
        detail = page.locator(f'.org-detail[data-unit="{unit}"]')
        await expect(detail.get_by_role("heading", level=2, name="Field trials")).to_be_visible()
        await expect(page.locator(f'li[data-unit="{first["id"]}"] li[data-unit="{unit}"]')).to_be_visible()

        # Rename it and give it a cost-centre code.
        await page.get_by_label("Name", exact=True).fill("Field trials North")
        await page.get_by_label("Cost centre code").fill("CC-4711")
        await page.get_by_role("button", name="Save name and code").click()
        result = await confirm(page, "org-structure")
        await expect(result).to_have_text("Saved: “Field trials North · CC-4711”.")
        now = (await structure(portal))[unit]
        assert (now["name"], now["costCentreCode"]) == ("Field trials North", "CC-4711")
        await expect(page.locator(f'li[data-unit="{unit}"] .unit-name')).to_have_text("Field trials North")

        # Move it under the second division.
        await page.get_by_label("New parent unit").select_option(second["id"])
        await page.get_by_role("button", name="Move", exact=True).click()
        result = await confirm(page, "org-structure")
        await expect(result).to_have_text(f"“Field trials North” is now under “{second['name']}”.")
        assert (await structure(portal))[unit]["parent"]["id"] == second["id"]
        await expect(page.locator(f'li[data-unit="{second["id"]}"] li[data-unit="{unit}"]')).to_be_visible()

        # Set its monthly budget.
        await page.get_by_label("Monthly budget (EUR)").fill("1234.50")
        await page.get_by_role("button", name="Set budget").click()
        result = await confirm(page, "org-budget")
        await expect(result).to_have_text("The monthly budget is now €1,234.50.")
        budget = (await structure(portal))[unit]["monthlyBudget"]
        assert (budget["amount"], budget["currency"]) == ("1234.50", "EUR")
        await expect(page.locator(".budget-current data")).to_have_attribute("value", "1234.50")

        # Set its policy: no roaming and a strict content filter, here; the rest inherited.
        form = page.locator(".policy-form")
        for setting, value in (("Roaming", "false"), ("Content filter", "STRICT")):
            group = form.get_by_role("group", name=setting)
            await group.get_by_label("Set on this unit").check()
            await group.get_by_label(f"{setting}: value").select_option(value)
        await form.get_by_role("button", name="Save policy").click()
        await expect(page.get_by_role("group", name="Confirm the change")).to_contain_text(
            "Content filter: Strict; Roaming: Not allowed"
        )
        result = await confirm(page, "org-policy")
        await expect(result).to_have_text("The policy was saved.")
        policy = (await structure(portal))[unit]["effectivePolicy"]
        assert (policy["roamingAllowed"], policy["contentFilter"]) == (False, "STRICT")
        origins = {o["attribute"]: (o["setBy"], o["orgUnit"] and o["orgUnit"]["id"]) for o in policy["origins"]}
        assert origins["ROAMING_ALLOWED"] == origins["CONTENT_FILTER"] == ("OWN", unit)
        assert all(set_by != "OWN" for attribute, (set_by, _) in origins.items()
                   if attribute not in {"ROAMING_ALLOWED", "CONTENT_FILTER"})  # fmt: skip
        shown = page.locator(".policy-facts > div")
        await expect(page.locator('.policy-facts [data-attribute="ROAMING_ALLOWED"]')).to_have_attribute(
            "data-set-by", "OWN"
        )
        assert await shown.evaluate_all(POLICY_SHOWN) == [[a, s, u] for a, (s, u) in origins.items()]

        # Delete it.
        await page.get_by_role("button", name="Delete this unit").click()
        await expect(page.get_by_role("group", name="Confirm the change")).to_contain_text(
            "Delete “Field trials North”? This cannot be undone."
        )
        result = await confirm(page, "org-structure")
        await expect(result).to_have_text("“Field trials North” was deleted.")
        assert unit not in await structure(portal)
        await expect(page.locator(f'li[data-unit="{unit}"]')).to_have_count(0)
        await expect(page.locator(f'.org-detail[data-unit="{second["id"]}"]')).to_be_visible()
    finally:
        await context.close()


async def test_a_change_is_sent_only_once_confirmed(browser, org_portal):
    portal = org_portal
    before = await structure(portal)
    division = next(u for u in before.values() if u["kind"] == "DIVISION")
    context = await browser.new_context(viewport=SIZES["phone"])
    try:
        page = await open_org(await open_page(context), portal.base, "acme.admin")
        await select(page, division["id"])
        await page.get_by_label("Name", exact=True).fill("Not this name")
        await page.get_by_role("button", name="Save name and code").click()
        await page.get_by_role("group", name="Confirm the change").get_by_role("button", name="Cancel").click()
        await expect(page.get_by_role("group", name="Confirm the change")).to_have_count(0)
        assert await structure(portal) == before
    finally:
        await context.close()


async def test_a_move_into_its_own_subtree_and_deleting_a_unit_with_lines_are_refused_and_change_nothing(
    browser, org_portal
):
    portal = org_portal
    before = await structure(portal)
    division = next(u for u in before.values() if u["kind"] == "DIVISION" and u["subscriberCount"])
    below = next(u for u in before.values() if u["parent"] and u["parent"]["id"] == division["id"])
    context = await browser.new_context(viewport=SIZES["phone"])
    try:
        page = await open_org(await open_page(context), portal.base, "acme.admin")
        await select(page, division["id"])
        await page.get_by_label("New parent unit").select_option(below["id"])
        await page.get_by_role("button", name="Move", exact=True).click()
        refusal = await confirm(page, "org-structure", "REFUSED")
        await expect(refusal).to_contain_text("Not changed:")
        await expect(refusal.locator('li[data-code="BAD_USER_INPUT"]')).to_have_text(
            "A unit cannot move under itself or its own descendants. (BAD_USER_INPUT)"
        )
        await expect(refusal).to_have_attribute("role", "alert")
        assert await structure(portal) == before

        await page.get_by_role("button", name="Delete this unit").click()
        refusal = await confirm(page, "org-structure", "REFUSED")
        await expect(refusal.locator('li[data-code="BAD_USER_INPUT"]')).to_have_text(
            "Only an empty unit can be deleted: move its units and lines first. (BAD_USER_INPUT)"
        )
        assert await structure(portal) == before
        await expect(page.locator(f'li[data-unit="{division["id"]}"]')).to_be_visible()
    finally:
        await context.close()


async def test_each_policy_setting_shows_where_it_comes_from_as_the_api_says(browser, org_portal):
    portal = org_portal
    units = await structure(portal)
    team = next(u for u in units.values() if u["kind"] == "TEAM")
    division = next(u for u in units.values() if u["kind"] == "DIVISION" and
                    any(d["id"] == team["parent"]["id"] for d in units.values()
                        if d["parent"] and d["parent"]["id"] == u["id"]))  # fmt: skip
    changed = await portal.ask(
        "OrgUnitSetPolicy", "acme.admin",
        input={"orgUnit": division["id"], "policy": {"limitAction": "BLOCK"}},
    )  # fmt: skip
    assert changed["orgUnitSetPolicy"]["userErrors"] == []
    policy = (await structure(portal))[team["id"]]["effectivePolicy"]
    origins = [[o["attribute"], o["setBy"], o["orgUnit"] and o["orgUnit"]["id"]] for o in policy["origins"]]
    # Set on the division (or nearer, by the demo's own policies): never the default any more.
    assert next(o for o in origins if o[0] == "LIMIT_ACTION")[1] in {"INHERITED", "OWN"}
    names = {u["id"]: u["name"] for u in units.values()}
    context = await browser.new_context(viewport=SIZES["desktop"])
    try:
        page = await open_org(await open_page(context), portal.base, "acme.analyst")
        await select(page, team["id"])
        rows = page.locator(".policy-facts > div")
        assert await rows.evaluate_all(POLICY_SHOWN) == origins
        for attribute, set_by, unit in origins:
            origin = page.locator(f'.policy-facts [data-attribute="{attribute}"] .policy-origin')
            expected = {"OWN": "Set on this unit", "DEFAULT": "Default: no unit sets it"}.get(set_by)
            await expect(origin).to_have_text(expected or f"Inherited from {names[unit]}")
        actions = {"NOTIFY": "Notify", "BLOCK": "Block usage", "CHARGE_EMPLOYEE": "Charge the employee"}
        action = page.locator('.policy-facts [data-attribute="LIMIT_ACTION"] .policy-value')
        await expect(action).to_have_text(actions[policy["limitAction"]])
    finally:
        await context.close()


async def test_org_structure_speaks_russian(browser, portal, artifacts):
    context = await browser.new_context(viewport=SIZES["phone"])
    try:
        page = await open_org(await open_page(context), portal.base, "acme.admin")
        await page.get_by_label("Language").select_option("ru")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Оргструктура")
        await expect(page.get_by_role("heading", level=2, name="Политика расходов")).to_be_visible()
        await expect(page.get_by_role("button", name="Удалить подразделение")).to_have_count(0)  # the company
        await expect(page.get_by_role("button", name="Добавить подразделение")).to_be_visible()
        await expect(page.locator(".policy-origin").first).to_have_text(
            re.compile("^(Задано здесь|По умолчанию: никто не задаёт|Унаследовано от «.+»)$")
        )
        await page.screenshot(path=artifacts / "org-ru-phone.png", full_page=True)
    finally:
        await context.close()
