"""Service accounts and API keys: made and revoked by the company's admins, never beyond what they
hold, never seen by another company, and the secret shown once."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import text

from tests.api.access.test_access import codes, forged, unit_id
from tests.support import World

CREATE_ACCOUNT = """mutation($input: ServiceAccountCreateInput!) { serviceAccountCreate(input: $input) {
  serviceAccount { id login role serviceAccount scopeUnits { name } } userErrors { field code } } }"""
CREATE_KEY = """mutation($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) {
  secret apiKey { id name prefix active createdBy lastUsedAt revokedAt serviceAccount { login } }
  userErrors { field code } } }"""
REVOKE_KEY = """mutation($input: ApiKeyRevokeInput!) { apiKeyRevoke(input: $input) {
  apiKey { id active revokedAt } userErrors { field code } } }"""
KEYS = """{ portalUsers { login serviceAccount apiKeys { id name prefix active createdAt expiresAt revokedAt
  lastUsedAt createdBy } } }"""
NODE = "query($id: ID!) { node(id: $id) { id ... on ApiKey { name prefix } } }"


async def sales_analyst_account(world: World, admin: str) -> dict:
    sales = await unit_id(world, "Sales")
    request = {"input": {"name": "Sales reporting", "role": "ANALYST", "units": [sales]}}
    created = (await world.data(admin, CREATE_ACCOUNT, request))["serviceAccountCreate"]
    assert created["userErrors"] == []
    return created["serviceAccount"]


async def new_key(world: World, admin: str, account: str, name: str = "nightly export") -> dict:
    answer = (await world.data(admin, CREATE_KEY, {"input": {"serviceAccount": account, "name": name}}))["apiKeyCreate"]
    assert answer["userErrors"] == []
    return answer


async def state_rows(world: World, table: str) -> list[str]:
    async with world.engines.state.connect() as conn:
        return [json.dumps(list(row), default=str) for row in (await conn.execute(text(f"select * from {table}")))]


async def test_only_user_admins_create_service_accounts_and_keys(
    writable_world, customer_admin, unit_admin, analyst, support
):
    world = writable_world
    request = {"input": {"name": "Sales reporting", "role": "ANALYST"}}
    for caller in (unit_admin, analyst, support):
        refused = await world.run(caller, CREATE_ACCOUNT, request)
        assert set(codes(refused)) == {"FORBIDDEN"} and refused.data is None, caller

    account = await sales_analyst_account(world, customer_admin)
    assert account["login"] == "svc:acme:sales-reporting"
    assert account["role"] == "ANALYST" and account["serviceAccount"] is True
    assert account["scopeUnits"] == [{"name": "Sales"}]
    key_request = {"input": {"serviceAccount": account["id"], "name": "nightly export"}}
    for caller in (unit_admin, analyst, support):
        assert set(codes(await world.run(caller, CREATE_KEY, key_request))) == {"FORBIDDEN"}, caller
    listed = await world.run(unit_admin, KEYS)
    assert set(codes(listed)) == {"FORBIDDEN"}

    answer = await new_key(world, customer_admin, account["id"])
    assert answer["secret"].startswith(answer["apiKey"]["prefix"] + "_")
    assert answer["apiKey"]["active"] is True and answer["apiKey"]["createdBy"] == customer_admin
    assert answer["apiKey"]["serviceAccount"] == {"login": "svc:acme:sales-reporting"}


async def test_the_secret_is_shown_once_and_stored_only_as_a_hash(writable_world, customer_admin, support):
    world = writable_world
    account = await sales_analyst_account(world, customer_admin)
    answer = await new_key(world, customer_admin, account["id"])
    secret = answer["secret"]

    listed = await world.data(customer_admin, KEYS)
    assert secret not in json.dumps(listed)
    users = {user["login"]: user for user in listed["portalUsers"]}
    assert users[customer_admin]["serviceAccount"] is False and users[customer_admin]["apiKeys"] == []
    [key] = users["svc:acme:sales-reporting"]["apiKeys"]
    assert key["id"] == answer["apiKey"]["id"] and key["lastUsedAt"] is None and key["revokedAt"] is None
    seen_by_support = await world.data(support, NODE, {"id": key["id"]})
    assert seen_by_support["node"] == {"id": key["id"], "name": "nightly export", "prefix": key["prefix"]}

    audited = [e for e in await world.sources.audit.recent(customer_admin) if e.action == "apiKeyCreate"]
    assert [e.outcome for e in audited] == ["allowed"] and secret not in json.dumps(audited[0].detail)
    for table in ("api_keys", "audit_log", "idempotency_keys"):
        assert not any(secret in row or secret.split("_", 2)[2] in row for row in await state_rows(world, table))
    stored = await world.scalar("state", "select secret_hash from api_keys where key_id = :k", k=key["prefix"][4:])
    assert stored == hashlib.sha256(secret.encode()).hexdigest()


async def test_no_service_account_or_key_beyond_what_the_creator_holds(writable_world, customer_admin):
    world = writable_world
    escalated = await world.data(customer_admin, CREATE_ACCOUNT, {"input": {"name": "Fake", "role": "SUPPORT"}})
    assert escalated["serviceAccountCreate"]["userErrors"] == [{"field": ["role"], "code": "PRIVILEGE_ESCALATION"}]
    employee = await world.data(customer_admin, CREATE_ACCOUNT, {"input": {"name": "Bot", "role": "EMPLOYEE"}})
    assert employee["serviceAccountCreate"]["userErrors"] == [{"field": ["role"], "code": "BAD_USER_INPUT"}]
    foreign_unit = {"input": {"name": "Bot", "role": "ANALYST", "units": [forged("OrgUnit", 10_000)]}}
    foreign = await world.data(customer_admin, CREATE_ACCOUNT, foreign_unit)
    assert foreign["serviceAccountCreate"]["userErrors"] == [{"field": ["units"], "code": "NOT_FOUND"}]
    denied = [e for e in await world.sources.audit.recent(customer_admin) if e.action == "serviceAccountCreate"]
    assert [e.outcome for e in denied] == ["denied"] * 3

    # A customer admin scoped to Sales cannot make a whole-company account by naming no subtree.
    sales = await unit_id(world, "Sales")
    invite = """mutation($input: PortalUserInviteInput!) { portalUserInvite(input: $input) { userErrors { code } } }"""
    scoped = {"input": {"login": "acme.sales.owner", "name": "Sam Sales", "role": "CUSTOMER_ADMIN", "units": [sales]}}
    assert (await world.data(customer_admin, invite, scoped))["portalUserInvite"]["userErrors"] == []
    unscoped = await world.data("acme.sales.owner", CREATE_ACCOUNT, {"input": {"name": "Bot", "role": "ANALYST"}})
    assert unscoped["serviceAccountCreate"]["userErrors"] == [{"field": ["units"], "code": "PRIVILEGE_ESCALATION"}]

    people = (await world.data(customer_admin, "{ portalUsers { id login } }"))["portalUsers"]
    finance = next(u["id"] for u in people if u["login"] == "acme.finance")
    for_a_person = await world.data(customer_admin, CREATE_KEY, {"input": {"serviceAccount": finance, "name": "k"}})
    assert for_a_person["apiKeyCreate"] == {
        "secret": None, "apiKey": None, "userErrors": [{"field": ["serviceAccount"], "code": "BAD_USER_INPUT"}]
    }  # fmt: skip
    account = await sales_analyst_account(world, customer_admin)
    past = {"input": {"serviceAccount": account["id"], "name": "k", "expiresAt": "2020-01-01T00:00:00+00:00"}}
    expired = await world.data(customer_admin, CREATE_KEY, past)
    assert expired["apiKeyCreate"]["userErrors"] == [{"field": ["expiresAt"], "code": "BAD_USER_INPUT"}]
    taken = await world.data(customer_admin, CREATE_ACCOUNT, {"input": {"name": "Sales Reporting!", "role": "ANALYST"}})
    assert taken["serviceAccountCreate"]["userErrors"] == [{"field": ["name"], "code": "BAD_USER_INPUT"}]


async def test_another_company_neither_sees_nor_revokes_a_key(writable_world, customer_admin, other_admin):
    world = writable_world
    account = await sales_analyst_account(world, customer_admin)
    key = (await new_key(world, customer_admin, account["id"]))["apiKey"]

    opened = await world.run(other_admin, NODE, {"id": key["id"]})
    assert opened.data == {"node": None} and codes(opened) == ["NOT_FOUND"]
    missing = await world.run(other_admin, NODE, {"id": forged("ApiKey", 999_999)})
    assert missing.data == opened.data and codes(missing) == codes(opened)
    revoked = await world.data(other_admin, REVOKE_KEY, {"input": {"apiKey": key["id"]}})
    assert revoked["apiKeyRevoke"] == {"apiKey": None, "userErrors": [{"field": ["apiKey"], "code": "NOT_FOUND"}]}
    minted = await world.data(other_admin, CREATE_KEY, {"input": {"serviceAccount": account["id"], "name": "mine"}})
    assert minted["apiKeyCreate"]["userErrors"] == [{"field": ["serviceAccount"], "code": "NOT_FOUND"}]
    listed = await world.data(other_admin, KEYS)
    assert all(not user["apiKeys"] for user in listed["portalUsers"])

    done = await world.data(customer_admin, REVOKE_KEY, {"input": {"apiKey": key["id"]}})
    assert done["apiKeyRevoke"]["userErrors"] == [] and done["apiKeyRevoke"]["apiKey"]["active"] is False
    assert done["apiKeyRevoke"]["apiKey"]["revokedAt"] is not None
    again = await world.data(customer_admin, REVOKE_KEY, {"input": {"apiKey": key["id"]}})
    assert again["apiKeyRevoke"]["userErrors"] == [{"field": ["apiKey"], "code": "BAD_USER_INPUT"}]
    audited = [(e.action, e.outcome) for e in await world.sources.audit.recent(customer_admin)]
    assert audited[:2] == [("apiKeyRevoke", "denied"), ("apiKeyRevoke", "allowed")]
