"""A line's detail (/lines/<id>) and an employee's own line (/me) in Chromium, as people use them:
what the page shows is what the API answers the same caller (personal data only where the role
reads it), a plan change and a service change show their monthly cost before they are confirmed
and the API holds them afterwards, bundle gauges move while usage arrives without a reload, and
an employee sees their own line only. Screenshots and axe-core's findings go to
tests/artifacts/portal/ (no serious or critical violation on either screen at either size)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Page, expect

from core.ids import from_global_id, to_global_id
from tests.system.portal.conftest import Portal, serving
from tests.system.portal.test_browser import (
    SIGN_IN,
    SIZES,
    Watched,
    assert_first_paint,
    axe_violations,
    open_page,
    settled,
)

LINE_SHOWN = """line => ({
  plan: line.querySelector('.plan-current').dataset.plan,
  services: [...line.querySelectorAll('ul.services li')].map(li => li.dataset.service),
  bundles: [...line.querySelectorAll('.gauge')].map(g => [g.dataset.bundle, Number(g.dataset.used)]),
  total: line.querySelector('[data-share="total"] data')?.value ?? null,
  company: line.querySelector('[data-share="company"] data')?.value ?? null,
  employee: line.querySelector('[data-share="employee"] data')?.value ?? null,
  usage: line.querySelectorAll('table.usage tbody tr').length,
})"""
USED = "() => [...document.querySelectorAll('.gauge')].map(g => g.dataset.used).join(',')"


async def signed_in_at(watched: Watched, base: str, login: str, path: str) -> None:
    """Open ``path`` signed out and sign in on the development page it sends the browser to."""
    page = watched.page
    await page.goto(f"{base}{path}")
    await expect(page).to_have_url(SIGN_IN)
    await page.locator(f'button[name="login"][value="{login}"]').click()
    await expect(page).to_have_url(f"{base}{path}")
    await settled(page)


async def my_line(portal: Portal) -> dict[str, Any]:
    """acme.employee's line as /me asks for it: its unit is not the employee's to read."""
    answer = await portal.answer("MyLine", "acme.employee")
    assert forbidden_paths(answer) == {"viewer.scope.line.orgUnit"}
    return dict(answer["data"]["viewer"]["scope"]["line"])


async def own_line(portal: Portal) -> str:
    return str((await my_line(portal))["id"])


def line_of(answer: dict[str, Any]) -> dict[str, Any]:
    """The API's line as the page shows it (a part the role may not read is left out)."""
    line = answer["data"]["node"] if "node" in answer["data"] else answer["data"]["viewer"]["scope"]["line"]
    spending = line["spending"]
    return {
        "plan": line["tariffPlan"]["id"],
        "services": [s["service"]["id"] for s in line["services"]],
        "bundles": [[b["bundle"]["code"], b["used"]] for b in line["bundles"]],
        "total": spending["total"]["amount"],
        "company": spending["companyShare"]["amount"],
        "employee": spending["employeeShare"]["amount"],
        "usage": len(line["usage"]["nodes"]) if line["usage"] else 0,
    }


def forbidden_paths(answer: dict[str, Any]) -> set[str]:
    return {".".join(map(str, e["path"])) for e in answer.get("errors", ()) if e["extensions"]["code"] == "FORBIDDEN"}


async def check_axe(browser, portal, context, size, web_modules, artifacts, name, path) -> None:
    state = await context.storage_state()
    violations = await axe_violations(browser, portal.base, state, SIZES[size], web_modules, path, ".line-detail h2")
    (artifacts / f"{name}-axe.json").write_text(json.dumps(violations, indent=1))
    assert [v for v in violations if v["impact"] in {"serious", "critical"}] == []


@pytest.mark.parametrize(("login", "size"), [("acme.admin", "phone"), ("acme.admin", "desktop"),
                                             ("acme.finance", "phone"), ("acme.finance", "desktop")])  # fmt: skip
async def test_a_lines_detail_shows_what_the_api_answers_the_same_caller(
    browser,
    portal,
    web_modules,
    artifacts,
    login,
    size,
):
    line = await own_line(portal)
    answer = await portal.answer("LineDetail", login, id=line)
    node = answer["data"]["node"]
    admin = (await portal.answer("LineDetail", "acme.admin", id=line))["data"]["node"]
    context = await browser.new_context(viewport=SIZES[size])
    try:
        watched = await open_page(context)
        page = watched.page
        await signed_in_at(watched, portal.base, login, f"/lines/{line}")
        shown = page.locator(f'.line-detail[data-line="{line}"]')
        await expect(shown.locator(".plan-current")).to_be_visible()  # all it asks for has come
        watched.forget()
        await page.reload()
        await expect(shown.locator(".plan-current")).to_be_visible()
        assert await shown.evaluate(LINE_SHOWN) == line_of(answer)
        await assert_first_paint(watched, portal.base)
        personal = page.locator('[data-fact="name"] dd, [data-fact="msisdn"] dd, [data-fact="email"] dd')
        if login == "acme.admin":
            assert forbidden_paths(answer) == set()
            await expect(page.get_by_role("heading", level=1)).to_have_text(node["employeeName"])
            await expect(personal).to_have_text([node["employeeName"], node["msisdn"], node["email"] or "—"])
            await expect(page.get_by_role("button", name="Show the cost")).to_have_count(2)  # plan, services
        else:
            # Finance reads no personal data: the API hides it and so does the page, all of it.
            assert {"node.msisdn", "node.employeeName", "node.email"} <= forbidden_paths(answer)
            assert node["msisdn"] is None and node["employeeName"] is None
            await expect(personal).to_have_text(["not shown to your role"] * 3)
            for secret in (admin["msisdn"], admin["employeeName"], admin["email"]):
                if secret:
                    assert secret not in await page.locator("body").inner_text()
            # Nothing finance may not change is offered.
            await expect(page.locator(".change-form")).to_have_count(0)
            await expect(page.get_by_role("button", name="Remove")).to_have_count(0)
        roaming = "Allowed" if node["effectivePolicy"]["roamingAllowed"] else "Not allowed"
        await expect(page.locator('[data-fact="roaming"] dd')).to_have_text(roaming)
        assert await page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"], "no sideways scroll"
        name = f"line-{login}-{SIZES[size]['width']}x{SIZES[size]['height']}"
        await page.screenshot(path=artifacts / f"{name}.png", full_page=True)
        await check_axe(browser, portal, context, size, web_modules, artifacts, name, f"/lines/{line}")
    finally:
        await context.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
async def test_an_employee_sees_their_own_line_on_me(browser, portal, web_modules, artifacts, size):
    answer = await portal.answer("MyLine", "acme.employee")
    assert forbidden_paths(answer) == {"viewer.scope.line.orgUnit"}
    line = answer["data"]["viewer"]["scope"]["line"]
    context = await browser.new_context(viewport=SIZES[size])
    try:
        watched = await open_page(context)
        page = watched.page
        await signed_in_at(watched, portal.base, "acme.employee", "/me")
        watched.forget()
        await page.reload()
        shown = page.locator(f'.line-detail[data-line="{line["id"]}"]')
        await expect(shown.locator(".plan-current")).to_be_visible()
        assert await shown.evaluate(LINE_SHOWN) == line_of(answer)
        await assert_first_paint(watched, portal.base)
        await expect(page.get_by_role("heading", level=1)).to_have_text("My line")
        await expect(page.locator('[data-share="employee"] dt')).to_have_text("You pay")
        await expect(page.locator('[data-fact="msisdn"] dd')).to_have_text(line["msisdn"])
        # An employee changes services (within the policy), never the plan.
        await expect(page.get_by_label("New plan")).to_have_count(0)
        await expect(page.get_by_label("Add a service")).to_have_count(1)
        assert await page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"], "no sideways scroll"
        name = f"me-acme.employee-{SIZES[size]['width']}x{SIZES[size]['height']}"
        await page.screenshot(path=artifacts / f"{name}.png", full_page=True)
        await check_axe(browser, portal, context, size, web_modules, artifacts, name, "/me")
    finally:
        await context.close()


async def test_an_employee_cannot_reach_another_lines_detail(browser, portal):
    mine = from_global_id(await own_line(portal))[1]
    other = to_global_id("Subscriber", 1 if mine != 1 else 2)
    assert (await portal.answer("LineDetail", "acme.admin", id=other))["data"]["node"] is not None
    refused = await portal.answer("LineDetail", "acme.employee", id=other)
    assert refused["data"]["node"] is None
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["NOT_FOUND"]
    context = await browser.new_context(viewport=SIZES["phone"])
    try:
        watched = await open_page(context)
        page = watched.page
        await signed_in_at(watched, portal.base, "acme.employee", f"/lines/{other}")
        await expect(page.get_by_role("alert")).to_have_text("There is no such line, or it is not yours to see.")
        await expect(page.locator(".line-detail[data-line]")).to_have_count(0)
    finally:
        await context.close()


async def proposed(page: Page, section: str) -> str:
    """Ask for the cost of what the section's form proposes; the cost impact the page shows."""
    panel = page.locator(f'section[aria-labelledby="{section}-title"]')
    await panel.get_by_role("button", name="Show the cost").click()
    cost = panel.locator(".proposal .cost-impact data")
    await expect(cost).to_be_visible()
    await expect(panel.locator(".proposal")).to_contain_text("This change can be made.")
    return str(await cost.get_attribute("value"))


async def confirmed(page: Page, section: str) -> None:
    panel = page.locator(f'section[aria-labelledby="{section}-title"]')
    await panel.get_by_role("button", name="Confirm").click()
    await expect(panel.locator('.change-result[data-outcome="APPLIED"]')).to_be_visible()


async def test_a_plan_change_next_month_shows_its_cost_first_and_the_api_holds_it(browser, portal):
    line = await own_line(portal)
    context = await browser.new_context(viewport=SIZES["desktop"])
    try:
        page = (await open_page(context)).page
        await signed_in_at(Watched(page), portal.base, "acme.admin", f"/lines/{line}")
        plans = page.get_by_label("New plan")
        plan = await plans.input_value()
        await expect(page.get_by_label("From next month")).to_be_checked()
        input_ = {"selection": {"ids": [line]}, "plan": plan, "effective": "NEXT_PERIOD", "dryRun": True}
        dry = (await portal.ask("PlanChange", "acme.admin", input=input_))["subscriberPlanChange"]
        assert await proposed(page, "plan") == dry["monthlyCostImpact"]["amount"]
        before = (await portal.answer("LineDetail", "acme.admin", id=line))["data"]["node"]
        assert before["scheduledPlanChange"] is None or before["scheduledPlanChange"]["plan"]["id"] != plan
        await confirmed(page, "plan")
        after = (await portal.answer("LineDetail", "acme.admin", id=line))["data"]["node"]
        assert after["scheduledPlanChange"]["plan"]["id"] == plan
        assert after["tariffPlan"]["id"] == before["tariffPlan"]["id"], "next month's plan, not now"
        await expect(page.locator(".plan-pending")).to_have_attribute("data-plan", plan)
    finally:
        await context.close()


async def test_a_plan_change_now_shows_its_cost_first_and_the_line_is_on_it_at_once(browser, portal):
    # Another line than the employee's (whose plan the test above changes from next month).
    own = await own_line(portal)
    lines = (await portal.ask("Lines", "acme.admin", {"first": 20, "filter": {}}))["subscribers"]["nodes"]
    line = next(node["id"] for node in lines if node["id"] != own)
    context = await browser.new_context(viewport=SIZES["phone"])
    try:
        page = (await open_page(context)).page
        await signed_in_at(Watched(page), portal.base, "acme.admin", f"/lines/{line}")
        before = (await portal.answer("LineDetail", "acme.admin", id=line))["data"]["node"]
        plans = page.get_by_label("New plan")
        plan = await plans.input_value()
        assert plan != before["tariffPlan"]["id"], "the form offers another plan than the line's"
        await page.get_by_label("Now").check()
        input_ = {"selection": {"ids": [line]}, "plan": plan, "effective": "NOW", "dryRun": True}
        dry = (await portal.ask("PlanChange", "acme.admin", input=input_))["subscriberPlanChange"]
        assert await proposed(page, "plan") == dry["monthlyCostImpact"]["amount"]
        unchanged = (await portal.answer("LineDetail", "acme.admin", id=line))["data"]["node"]
        assert unchanged["tariffPlan"]["id"] == before["tariffPlan"]["id"], "a dry run changes nothing"
        await confirmed(page, "plan")
        after = (await portal.answer("LineDetail", "acme.admin", id=line))["data"]["node"]
        assert after["tariffPlan"]["id"] == plan and after["scheduledPlanChange"] is None
        # The page shows the line on its new plan, as the API holds it, without a reload.
        await expect(page.locator(".plan-current")).to_have_attribute("data-plan", plan)
    finally:
        await context.close()


async def test_a_service_added_and_removed_shows_its_cost_first_and_the_api_holds_it(browser, portal):
    line = await my_line(portal)
    choices = line["serviceChoices"]
    # What the page offers is what the API would change: a Remove button on exactly those it would take off.
    removable = {s["id"] for s in choices["remove"]}
    service = next(s["id"] for s in choices["add"] if s["kind"] != "CONTENT_FILTER")  # one it lets go again
    context = await browser.new_context(viewport=SIZES["phone"])
    try:
        page = (await open_page(context)).page
        await signed_in_at(Watched(page), portal.base, "acme.employee", "/me")
        for held in line["services"]:
            button = page.locator(f'ul.services li[data-service="{held["service"]["id"]}"] button')
            await expect(button).to_have_count(1 if held["service"]["id"] in removable else 0)
        offered = page.get_by_label("Add a service").locator("option")
        assert await offered.evaluate_all("options => options.map(o => o.value)") == [s["id"] for s in choices["add"]]

        await page.get_by_label("Add a service").select_option(service)
        input_ = {"selection": {"ids": [line["id"]]}, "services": [service], "dryRun": True}
        dry = (await portal.ask("ServicesAdd", "acme.employee", input=input_))["subscriberServicesAdd"]
        assert await proposed(page, "services") == dry["monthlyCostImpact"]["amount"]
        await confirmed(page, "services")
        held = (await my_line(portal))["services"]
        assert service in [s["service"]["id"] for s in held]
        added = page.locator(f'ul.services li[data-service="{service}"]')
        await expect(added).to_be_visible()

        await added.get_by_role("button").click()
        dry = (await portal.ask("ServicesRemove", "acme.employee", input=input_))["subscriberServicesRemove"]
        assert dry["wouldApply"] == 1, (dry["results"], dry["userErrors"])
        panel = page.locator('section[aria-labelledby="services-title"]')
        cost = panel.locator(".proposal .cost-impact data")
        await expect(cost).to_have_attribute("value", dry["monthlyCostImpact"]["amount"])
        await confirmed(page, "services")
        held = (await my_line(portal))["services"]
        assert service not in [s["service"]["id"] for s in held]
        await expect(added).to_have_count(0)
    finally:
        await context.close()


@pytest.fixture(scope="module")
async def fed_portal(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Portal]:
    """A portal server whose demo usage feed runs inside it: about one event a second per line."""
    async with serving(tmp_path_factory.mktemp("fed"), usage_feed_per_second="100") as served:
        yield served


async def test_bundle_gauges_move_while_usage_arrives_without_a_reload(browser, fed_portal):
    context = await browser.new_context(viewport=SIZES["phone"])
    try:
        page = (await open_page(context)).page
        await signed_in_at(Watched(page), fed_portal.base, "acme.employee", "/me")
        await expect(page.locator(".gauge").first).to_be_visible()
        await page.evaluate("window.stillHere = true")
        first = await page.evaluate(USED)
        await page.wait_for_function(f"() => ({USED})() !== {json.dumps(first)}", timeout=60_000)
        assert await page.evaluate("window.stillHere === true"), "the page did not reload"
        # Each gauge is a meter a screen reader names and reads as text.
        await expect(page.get_by_role("meter")).to_have_count(await page.locator(".gauge").count())
        await expect(page.get_by_role("meter").first).to_have_attribute("aria-valuetext", re.compile(r" of .* used$"))
    finally:
        await context.close()


async def test_usage_pages_back_and_forth_as_the_api_pages_it(browser, portal):
    line = await own_line(portal)
    first = (await portal.answer("LineDetail", "acme.admin", id=line))["data"]["node"]["usage"]
    assert first["pageInfo"]["hasNextPage"], "the demo line has more than a page of usage"
    after = first["pageInfo"]["endCursor"]
    older = (await portal.ask("LineUsage", "acme.admin", id=line, first=10, after=after))["node"]["usage"]
    amounts = "rows => rows.map(row => row.querySelector('data').value)"
    context = await browser.new_context(viewport=SIZES["desktop"])
    try:
        page = (await open_page(context)).page
        await signed_in_at(Watched(page), portal.base, "acme.admin", f"/lines/{line}")
        rows = page.locator("table.usage tbody tr")
        await expect(rows).to_have_count(len(first["nodes"]))
        await expect(page.get_by_role("button", name="Newer")).to_be_disabled()
        newest = str(await rows.first.text_content())
        await page.get_by_role("button", name="Older").click()
        await expect(rows.first).not_to_have_text(newest)
        await expect(rows).to_have_count(len(older["nodes"]))
        assert await rows.evaluate_all(amounts) == [r["amount"]["amount"] for r in older["nodes"]]
        await page.get_by_role("button", name="Newer").click()
        await expect(rows.first).to_have_text(newest)
        await expect(rows).to_have_count(len(first["nodes"]))
        assert await rows.evaluate_all(amounts) == [r["amount"]["amount"] for r in first["nodes"]]
    finally:
        await context.close()


async def test_my_line_speaks_russian(browser, portal):
    context = await browser.new_context(viewport=SIZES["phone"])
    try:
        page = (await open_page(context)).page
        await signed_in_at(Watched(page), portal.base, "acme.employee", "/me")
        await page.get_by_label("Language").select_option("ru")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Мой номер")
        await expect(page.get_by_role("heading", level=2, name="Пакеты в этом месяце")).to_be_visible()
        await expect(page.locator('[data-share="employee"] dt')).to_have_text("Платите вы")
    finally:
        await context.close()
