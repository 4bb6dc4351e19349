"""Portal users: invited, re-roled, granted and revoked — never beyond what the caller holds."""

from __future__ import annotations

from permissions.principal import principal_for
from tests.api.access.test_access import codes, forged, line_ids_under, unit_id

INVITE = """mutation($input: PortalUserInviteInput!) { portalUserInvite(input: $input) {
  user { id login role scopeUnits { name } line { id } } userErrors { field code } } }"""
ROLE = """mutation($input: PortalUserSetRoleInput!) { portalUserSetRole(input: $input) {
  user { role } userErrors { field code } } }"""
GRANT = """mutation($input: PortalUserScopeInput!) { portalUserGrantScope(input: $input) {
  user { scopeUnits { name } } userErrors { field code } } }"""
REVOKE = GRANT.replace("portalUserGrantScope", "portalUserRevokeScope")
USERS = "{ portalUsers { id login role } }"


async def user_id(world, login: str) -> str:
    users = (await world.data("acme.admin", USERS))["portalUsers"]
    return next(u["id"] for u in users if u["login"] == login)


async def scope_of(world, login: str) -> tuple[str, ...] | None:
    user = await world.sources.crm.portal_user_by_login(login)
    assert user is not None
    return principal_for(user).scope.org_paths


async def test_an_invited_unit_admin_sees_exactly_its_subtree(writable_world, customer_admin, unit_admin):
    world = writable_world
    technology = await unit_id(world, "Technology")
    request = {"input": {"login": "acme.tech.admin", "name": "Tess Tech", "role": "UNIT_ADMIN", "units": [technology]}}
    refused = await world.run(unit_admin, INVITE, request)
    assert set(codes(refused)) == {"FORBIDDEN"}

    invited = (await world.data(customer_admin, INVITE, request))["portalUserInvite"]
    assert invited["userErrors"] == [] and invited["user"]["scopeUnits"] == [{"name": "Technology"}]
    lines = await world.data("acme.tech.admin", "{ subscribers(first: 2000) { totalCount } }")
    assert lines["subscribers"]["totalCount"] == len(await line_ids_under(world, technology))
    taken = (await world.data(customer_admin, INVITE, request))["portalUserInvite"]["userErrors"]
    assert taken == [{"field": ["login"], "code": "BAD_USER_INPUT"}]


async def test_a_service_accounts_login_cannot_be_given_to_an_invited_person(writable_world, customer_admin):
    request = {"input": {"login": "svc:acme:billing-export", "name": "Sly", "role": "ANALYST"}}
    invited = (await writable_world.data(customer_admin, INVITE, request))["portalUserInvite"]
    assert invited == {"user": None, "userErrors": [{"field": ["login"], "code": "BAD_USER_INPUT"}]}
    assert await writable_world.sources.crm.portal_user_by_login("svc:acme:billing-export") is None


async def test_no_privilege_escalation_and_no_reach_into_another_company(writable_world, customer_admin, other_admin):
    world = writable_world
    support = {"input": {"login": "acme.fake.support", "name": "Fake", "role": "SUPPORT"}}
    escalated = (await world.data(customer_admin, INVITE, support))["portalUserInvite"]
    assert escalated == {"user": None, "userErrors": [{"field": ["role"], "code": "PRIVILEGE_ESCALATION"}]}
    denied = [e for e in await world.sources.audit.recent(customer_admin) if e.action == "portalUserInvite"]
    assert denied[0].outcome == "denied"

    finance = await user_id(world, "acme.finance")
    foreign = await world.data(other_admin, ROLE, {"input": {"user": finance, "role": "CUSTOMER_ADMIN"}})
    assert foreign["portalUserSetRole"]["userErrors"] == [{"field": ["user"], "code": "NOT_FOUND"}]
    employee = {"input": {"login": "acme.new.employee", "name": "New", "role": "EMPLOYEE"}}
    needs_line = (await world.data(customer_admin, INVITE, employee))["portalUserInvite"]["userErrors"]
    assert needs_line == [{"field": ["line"], "code": "BAD_USER_INPUT"}]
    other_line = forged("Subscriber", 10_000)
    employee["input"]["line"] = other_line
    missing = (await world.data(customer_admin, INVITE, employee))["portalUserInvite"]["userErrors"]
    assert [e["code"] for e in missing] == ["NOT_FOUND"]

    changed = await world.data(customer_admin, ROLE, {"input": {"user": finance, "role": "ANALYST"}})
    assert changed["portalUserSetRole"] == {"user": {"role": "ANALYST"}, "userErrors": []}


async def test_grants_and_revokes_change_the_scope_at_once(writable_world, customer_admin):
    world = writable_world
    sales_admin = await user_id(world, "acme.sales.admin")
    operations = await unit_id(world, "Operations")
    before = await scope_of(world, "acme.sales.admin")
    granted = await world.data(customer_admin, GRANT, {"input": {"user": sales_admin, "orgUnit": operations}})
    assert {u["name"] for u in granted["portalUserGrantScope"]["user"]["scopeUnits"]} == {"Sales", "Operations"}
    assert len(await scope_of(world, "acme.sales.admin") or ()) == len(before or ()) + 1
    twice = await world.data(customer_admin, GRANT, {"input": {"user": sales_admin, "orgUnit": operations}})
    assert twice["portalUserGrantScope"]["userErrors"] == [{"field": ["orgUnit"], "code": "BAD_USER_INPUT"}]
    revoked = await world.data(customer_admin, REVOKE, {"input": {"user": sales_admin, "orgUnit": operations}})
    assert revoked["portalUserRevokeScope"]["user"]["scopeUnits"] == [{"name": "Sales"}]
    assert await scope_of(world, "acme.sales.admin") == before


async def test_a_scoped_admin_cannot_make_a_whole_company_user_by_naming_or_leaving_no_subtree(
    writable_world, customer_admin
):
    world = writable_world
    sales, technology = await unit_id(world, "Sales"), await unit_id(world, "Technology")
    scoped = {"input": {"login": "acme.sales.owner", "name": "Sam Sales", "role": "CUSTOMER_ADMIN", "units": [sales]}}
    assert (await world.data(customer_admin, INVITE, scoped))["portalUserInvite"]["userErrors"] == []

    bare = {"input": {"login": "acme.wide.analyst", "name": "Wide", "role": "ANALYST"}}
    refused = (await world.data("acme.sales.owner", INVITE, bare))["portalUserInvite"]
    assert refused == {"user": None, "userErrors": [{"field": ["units"], "code": "PRIVILEGE_ESCALATION"}]}

    # Nor by taking away the last subtree of a user: portal users are out of a scoped admin's reach.
    narrow = {"input": {"login": "acme.sales.analyst", "name": "Nora", "role": "ANALYST", "units": [sales]}}
    assert (await world.data("acme.sales.owner", INVITE, narrow))["portalUserInvite"]["userErrors"] == []
    analyst = await user_id(world, "acme.sales.analyst")
    last = {"input": {"user": analyst, "orgUnit": sales}}
    kept = (await world.data("acme.sales.owner", REVOKE, last))["portalUserRevokeScope"]
    assert kept["userErrors"] == [{"field": ["user"], "code": "NOT_FOUND"}]
    assert await scope_of(world, "acme.sales.analyst") == await scope_of(world, "acme.sales.owner")
    # The company-wide admin may: the analyst then sees the whole company.
    widened = (await world.data(customer_admin, REVOKE, last))["portalUserRevokeScope"]
    assert widened["userErrors"] == [] and await scope_of(world, "acme.sales.analyst") is None
    assert technology  # a second unit exists, so "whole company" is wider than Sales
