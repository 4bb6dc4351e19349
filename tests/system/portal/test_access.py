"""Users and access (/access) in Chromium, as a company admin uses it: the users shown are the
API's for the same caller; inviting, changing a role, granting and revoking a subtree go through
clicks, typing and a confirmation, and the API holds each change afterwards; a key issued from the
page works as a bearer token, its secret is shown once and is nowhere in the page after a reload,
and once revoked from the page the key is refused; the audit log shows the changes just made and
its filters and pages answer what the API answers. A role that may not read users is offered
nothing. Screenshots (access-<size>.png) and axe-core's findings go to tests/artifacts/portal/."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Locator, Page, expect

from tests.system.portal.conftest import Portal, serving
from tests.system.portal.test_browser import SIZES, Watched, axe_violations, open_page
from tests.system.portal.test_line import forbidden_paths, signed_in_at
from tests.system.test_http import bearer

ADMIN = "acme.admin"
USERS_SHOWN = """cards => cards.map(card => ({
  id: card.dataset.user, login: card.dataset.login, role: card.dataset.role,
  name: card.querySelector('h3').textContent,
  units: [...card.querySelectorAll('.user-units li')].map(li => li.dataset.unit),
}))"""
AUDIT_SHOWN = "rows => rows.map(row => row.dataset.cursor)"


@pytest.fixture(scope="module")
async def access_portal(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Portal]:
    """A server of this module's own: its tests invite users, change roles and issue keys."""
    async with serving(tmp_path_factory.mktemp("access-portal")) as served:
        yield served


async def users_of(portal: Portal, login: str = ADMIN) -> list[dict[str, Any]]:
    return list((await portal.ask("Access", login))["portalUsers"])


def people_of(users: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The API's people (not service accounts) as the page shows them."""
    return [
        {"id": u["id"], "login": u["login"], "role": u["role"], "name": u["name"] or u["login"],
         "units": [unit["id"] for unit in u["scopeUnits"]]}
        for u in users
        if not u["serviceAccount"]
    ]  # fmt: skip


def user_named(users: list[dict[str, Any]], login: str) -> dict[str, Any]:
    return next(u for u in users if u["login"] == login)


async def open_access(page: Page, portal: Portal, login: str = ADMIN) -> None:
    await signed_in_at(Watched(page), portal.base, login, "/access")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Users and access")


async def confirm(page: Page, button: str, *, saying: str | None = None) -> None:
    """Confirm the change the dialog proposes; its outcome is told as done."""
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_be_visible()
    if saying is not None:
        await expect(dialog).to_contain_text(saying)
    await dialog.get_by_role("button", name=button, exact=True).click()
    await expect(dialog).to_be_hidden()
    await expect(page.locator('.access-feedback [data-outcome="ok"]')).to_be_visible()


def section(page: Page, title: str) -> Locator:
    return page.locator(f'section[aria-labelledby="access-{title}-title"]')


@pytest.mark.parametrize("size", ["phone", "desktop"])
async def test_the_users_shown_are_what_the_api_answers_the_same_caller(
    browser, access_portal, web_modules, artifacts, size
):
    portal = access_portal
    users = await users_of(portal)
    context = await browser.new_context(viewport=SIZES[size])
    try:
        page = (await open_page(context)).page
        await open_access(page, portal)
        cards = page.locator(".user-card")
        await expect(cards).to_have_count(len(people_of(users)))
        assert await cards.evaluate_all(USERS_SHOWN) == people_of(users)
        accounts = [u["id"] for u in users if u["serviceAccount"]]
        shown = await page.locator(".account-card").evaluate_all("cards => cards.map(c => c.dataset.account)")
        assert shown == accounts
        await expect(page.locator(".audit-log, .audit p").first).to_be_visible()
        assert await page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"], "no sideways scroll"
        await page.screenshot(path=artifacts / f"access-{size}.png", full_page=True)
        state = await context.storage_state()
    finally:
        await context.close()
    violations = await axe_violations(browser, portal.base, state, SIZES[size], web_modules, "/access", ".user-card")
    (artifacts / f"access-{size}-axe.json").write_text(json.dumps(violations, indent=1))
    assert [v for v in violations if v["impact"] in {"serious", "critical"}] == []


async def test_invite_set_role_grant_and_revoke_a_subtree_from_the_page(browser, access_portal, artifacts):
    portal, login = access_portal, "acme.jane.doe"
    tree = (await portal.ask("Access", ADMIN))["customer"]["orgRoot"]
    unit = tree["descendants"][0]
    context = await browser.new_context(viewport=SIZES["phone"])
    try:
        page = (await open_page(context)).page
        await open_access(page, portal)
        invite = section(page, "invite")

        # A login outside the company's namespace: the API's coded refusal, told as it is.
        await invite.get_by_label("Login").fill("jane.doe")
        await invite.get_by_label("Name", exact=True).fill("Jane Doe")
        await invite.get_by_role("button", name="Invite").click()
        await page.get_by_role("dialog").get_by_role("button", name="Invite the user").click()
        refused = page.locator('.access-feedback [data-outcome="refused"]')
        await expect(refused).to_have_attribute("data-code", "BAD_USER_INPUT")
        await expect(refused).to_contain_text("Your company's logins start with its code")
        assert "jane.doe" not in {u["login"] for u in await users_of(portal)}

        await invite.get_by_label("Login").fill(login)
        await invite.get_by_label("E-mail").fill("jane.doe@acme-logistics.example")
        await invite.get_by_label("Role").select_option("ANALYST")
        await invite.get_by_role("button", name="Invite").click()
        await confirm(page, "Invite the user", saying="Jane Doe (acme.jane.doe) will sign in as Analyst")
        invited = user_named(await users_of(portal), login)
        assert (invited["name"], invited["role"], invited["scopeUnits"]) == ("Jane Doe", "ANALYST", [])
        card = page.locator(f'.user-card[data-login="{login}"]')
        await expect(card).to_have_attribute("data-role", "ANALYST")

        await card.get_by_label("New role").select_option("UNIT_ADMIN")
        await card.get_by_role("button", name="Change role").click()
        await expect(page.get_by_role("dialog")).to_be_visible()
        await page.screenshot(path=artifacts / "access-confirm-phone.png")
        await confirm(page, "Change the role", saying="is Analyst now and becomes Unit admin")
        assert user_named(await users_of(portal), login)["role"] == "UNIT_ADMIN"
        await expect(card).to_have_attribute("data-role", "UNIT_ADMIN")

        await card.get_by_label("Grant a subtree").select_option(unit["id"])
        await card.get_by_role("button", name="Grant", exact=True).click()
        await confirm(page, "Grant the subtree", saying=unit["name"])
        assert [u["id"] for u in user_named(await users_of(portal), login)["scopeUnits"]] == [unit["id"]]
        await expect(card.locator(".user-units li")).to_have_count(1)
        await expect(card.locator(f'.user-units li[data-unit="{unit["id"]}"]')).to_be_visible()

        await card.get_by_role("button", name=f"Revoke {unit['name']} from {login}").click()
        await confirm(page, "Revoke the subtree", saying="will no longer act on")
        assert user_named(await users_of(portal), login)["scopeUnits"] == []
        await expect(card.locator(".user-units li")).to_have_count(0)

        # The audit log shows the four changes, newest first, as the API has them.
        newest = (await portal.ask("AuditLog", ADMIN, first=20))["auditLog"]["edges"]
        assert [e["node"]["action"] for e in newest[:5]] == [
            "portalUserRevokeScope", "portalUserGrantScope", "portalUserSetRole", "portalUserInvite", "portalUserInvite"
        ]  # fmt: skip
        rows = page.locator("table.audit-log tbody tr")
        await expect(rows.first).to_have_attribute("data-action", "portalUserRevokeScope")
        assert await rows.evaluate_all(AUDIT_SHOWN) == [e["cursor"] for e in newest]
        await expect(rows.nth(3)).to_contain_text("User invited")
        await expect(rows.nth(4)).to_have_attribute("data-outcome", "denied")  # the refused invitation
    finally:
        await context.close()


async def test_a_key_issued_from_the_page_works_once_shown_and_is_refused_once_revoked(
    browser, access_portal, artifacts
):
    portal = access_portal
    context = await browser.new_context(viewport=SIZES["desktop"])
    try:
        page = (await open_page(context)).page
        await open_access(page, portal)
        accounts = section(page, "accounts")
        await accounts.get_by_label("What it is for").fill("Nightly export")
        await accounts.get_by_label("Its role").select_option("ANALYST")
        await accounts.get_by_role("button", name="Create the account").click()
        await confirm(page, "Create the account", saying="“Nightly export” will act as Analyst")
        account = next(u for u in await users_of(portal) if u["serviceAccount"] and u["name"] == "Nightly export")
        assert (account["role"], account["apiKeys"]) == ("ANALYST", [])

        card = page.locator(f'.account-card[data-account="{account["id"]}"]')
        await card.get_by_label("Key name").fill("warehouse")
        await card.get_by_role("button", name="Issue a key").click()
        await confirm(page, "Issue the key", saying="Its secret is shown once")
        secret_shown = page.locator("[data-secret]")
        await expect(secret_shown).to_be_visible()
        await expect(page.locator(".secret-once")).to_contain_text("It is shown this once")
        await expect(page.get_by_role("button", name="Copy the secret")).to_be_visible()
        await page.screenshot(path=artifacts / "access-secret-desktop.png", full_page=True)
        secret = str(await secret_shown.text_content())
        assert secret.startswith("cck_")
        key = user_named(await users_of(portal), account["login"])["apiKeys"][0]
        assert key["active"] and secret.startswith(key["prefix"]) and secret != key["prefix"]

        async with httpx.AsyncClient(base_url=portal.base) as http:
            body = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": portal.operations()["Shell"]}}}
            used = await http.post("/graphql", json=body, headers=bearer(secret))
            assert used.status_code == 200, used.text
            assert used.json()["data"]["viewer"]["login"] == account["login"]

            await page.get_by_role("button", name="I have stored it").click()
            await expect(secret_shown).to_have_count(0)
            await page.reload()
            shown_key = card.locator(f'li[data-key="{key["id"]}"]')
            await expect(shown_key.locator(".key-prefix")).to_have_text(f"{key['prefix']}…")
            assert secret not in await page.content(), "the secret is never shown again"
            await expect(page.locator("[data-secret]")).to_have_count(0)

            await shown_key.get_by_role("button", name=f"Revoke the key warehouse ({key['prefix']})").click()
            await confirm(page, "Revoke the key", saying="This cannot be undone")
            await expect(shown_key).to_have_attribute("data-active", "false")
            await expect(shown_key.get_by_role("button")).to_have_count(0)
            assert user_named(await users_of(portal), account["login"])["apiKeys"][0]["active"] is False
            refused = await http.post("/graphql", json=body, headers=bearer(secret))
            assert refused.status_code == 401, refused.text
    finally:
        await context.close()


async def test_the_audit_log_filters_and_pages_as_the_api_does(browser, access_portal):
    portal = access_portal
    invited = await portal.ask("PortalUserInvite", ADMIN, input={
        "login": "acme.audit.probe", "name": "Audit Probe", "role": "ANALYST", "units": []})  # fmt: skip
    probe = invited["portalUserInvite"]["user"]["id"]
    refused = await portal.ask("PortalUserInvite", ADMIN, input={
        "login": "audit.probe", "name": "Audit Probe", "role": "ANALYST", "units": []})  # fmt: skip
    assert [e["code"] for e in refused["portalUserInvite"]["userErrors"]] == ["BAD_USER_INPUT"]
    for turn in range(21):  # more than a page of the log
        role = "FINANCE" if turn % 2 == 0 else "ANALYST"
        changed = await portal.ask("PortalUserSetRole", ADMIN, input={"user": probe, "role": role})
        assert changed["portalUserSetRole"]["userErrors"] == []
    first = (await portal.ask("AuditLog", ADMIN, first=20))["auditLog"]
    assert first["pageInfo"]["hasNextPage"]
    older = (await portal.ask("AuditLog", ADMIN, first=20, after=first["pageInfo"]["endCursor"]))["auditLog"]
    wanted = {"actor": ADMIN, "action": "portalUserInvite"}
    filtered = (await portal.ask("AuditLog", ADMIN, first=20, filter=wanted))["auditLog"]
    denied = (await portal.ask("AuditLog", ADMIN, first=20, filter={"actor": ADMIN, "outcome": "denied"}))["auditLog"]
    assert denied["edges"] and {e["node"]["outcome"] for e in denied["edges"]} == {"denied"}
    assert 0 < filtered["totalCount"] < first["totalCount"]
    context = await browser.new_context(viewport=SIZES["desktop"])
    try:
        page = (await open_page(context)).page
        await open_access(page, portal)
        audit = section(page, "audit")
        rows = audit.locator("table.audit-log tbody tr")
        await expect(rows).to_have_count(len(first["edges"]))
        assert await rows.evaluate_all(AUDIT_SHOWN) == [e["cursor"] for e in first["edges"]]
        await expect(rows.first).to_contain_text("Role changed")
        await expect(audit.get_by_role("button", name="Newer")).to_be_disabled()

        await audit.get_by_role("button", name="Older").click()
        await expect(rows.first).to_have_attribute("data-cursor", older["edges"][0]["cursor"])
        assert await rows.evaluate_all(AUDIT_SHOWN) == [e["cursor"] for e in older["edges"]]
        await audit.get_by_role("button", name="Newer").click()
        await expect(rows.first).to_have_attribute("data-cursor", first["edges"][0]["cursor"])
        assert await rows.evaluate_all(AUDIT_SHOWN) == [e["cursor"] for e in first["edges"]]

        await audit.get_by_label("Who").select_option(ADMIN)
        await audit.get_by_label("Action").select_option("portalUserInvite")
        await expect(rows).to_have_count(len(filtered["edges"]))
        assert await rows.evaluate_all(AUDIT_SHOWN) == [e["cursor"] for e in filtered["edges"]]
        await expect(audit.locator("[data-total]")).to_have_attribute("data-total", str(filtered["totalCount"]))
        await expect(rows.filter(has_text="acme.audit.probe")).to_have_count(1)

        # Refused attempts only: the outcome filter (AuditFilter.outcome).
        await audit.get_by_label("Action").select_option("")
        await audit.get_by_label("Outcome", exact=True).select_option("denied")
        await expect(rows).to_have_count(len(denied["edges"]))
        assert await rows.evaluate_all(AUDIT_SHOWN) == [e["cursor"] for e in denied["edges"]]
        await expect(rows.filter(has_text="audit.probe")).to_have_count(1)
        await audit.get_by_label("Action").select_option("portalUserInvite")
        await audit.get_by_label("Outcome", exact=True).select_option("")

        # A day with no record: the API and the page find nothing.
        none = (await portal.ask("AuditLog", ADMIN, first=20, filter={
            **wanted, "since": "2001-01-01T00:00:00Z", "until": "2001-01-02T00:00:00Z"}))["auditLog"]  # fmt: skip
        assert none["edges"] == []
        await audit.get_by_label("From").fill("2001-01-01")
        await audit.get_by_label("To").fill("2001-01-01")
        await expect(rows).to_have_count(0)
        await expect(audit).to_contain_text("No record matches.")
    finally:
        await context.close()


@pytest.mark.parametrize("login", ["acme.finance", "acme.analyst", "acme.sales.admin"])
async def test_a_role_that_may_not_read_users_is_offered_nothing(browser, access_portal, login):
    portal = access_portal
    answer = await portal.answer("Access", login)
    assert answer["data"]["portalUsers"] is None
    assert "portalUsers" in forbidden_paths(answer)
    context = await browser.new_context(viewport=SIZES["phone"])
    try:
        page = (await open_page(context)).page
        await signed_in_at(Watched(page), portal.base, login, "/access")
        await expect(page.get_by_role("alert")).to_have_text("Your role does not manage portal users.")
        navigation = page.get_by_role("navigation", name="Main")
        await expect(navigation.get_by_role("link", name="Users and access")).to_have_count(0)
        await expect(navigation.get_by_role("link").first).to_be_visible()
        await expect(page.locator("main form, main button, .user-card, .audit-log")).to_have_count(0)
    finally:
        await context.close()


async def test_operator_support_reads_users_and_changes_nothing(browser, access_portal):
    portal = access_portal
    acme = (await portal.ask("Customers", "operator.support", {"search": "acme"}))["customers"][0]["id"]
    users = list((await portal.ask("Access", "operator.support", {"customer": acme}))["portalUsers"])
    # Naming no company: every company's users (and the org tree of none: BAD_USER_INPUT).
    unnamed = await portal.ask("Access", "operator.support", expected=frozenset({"BAD_USER_INPUT"}))
    everyone = list(unnamed["portalUsers"])
    assert 0 < len(users) < len(everyone) and all(u in everyone for u in users), "one company's users"
    context = await browser.new_context(viewport=SIZES["desktop"])
    try:
        page = (await open_page(context)).page
        await signed_in_at(Watched(page), portal.base, "operator.support", "/access")
        # Operator staff act for one company at a time: they choose it first.
        await expect(page.get_by_role("heading", level=1)).to_have_text("Choose a company")
        await page.locator(f'.companies button[data-customer="{acme}"]').click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Users and access")
        cards = page.locator(".user-card")
        await expect(cards).to_have_count(len(people_of(users)))
        assert await cards.evaluate_all(USERS_SHOWN) == people_of(users)
        await expect(page.get_by_text("Read only: your role does not change users.")).to_be_visible()
        await expect(page.locator(".inline-form, .stacked-form, .user-units button, .api-keys button")).to_have_count(0)
        await expect(page.get_by_role("button", name="Invite")).to_have_count(0)
    finally:
        await context.close()


async def test_users_and_access_speaks_russian(browser, access_portal, artifacts):
    context = await browser.new_context(viewport=SIZES["phone"])
    try:
        page = (await open_page(context)).page
        await open_access(page, access_portal)
        await page.get_by_label("Language").select_option("ru")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Пользователи и доступ")
        await expect(page.get_by_role("navigation", name="Основное").get_by_role("link").last).to_have_text(
            "Пользователи и доступ"
        )
        await expect(page.get_by_role("heading", level=2, name="Журнал аудита")).to_be_visible()
        await expect(page.get_by_role("heading", level=2, name="Пригласить пользователя")).to_be_visible()
        card = page.locator('.user-card[data-login="acme.finance"]')
        await expect(card.get_by_role("button", name="Сменить роль")).to_be_visible()
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= SIZES["phone"]["width"], "no sideways scroll"
        await page.screenshot(path=artifacts / "access-ru-phone.png", full_page=True)
    finally:
        await context.close()
