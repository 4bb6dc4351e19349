"""The audit trail through the schema: who may read it, and its filters."""

from __future__ import annotations

from typing import Any

from tests.api.access.test_access import codes
from tests.api.lines.test_line_changes import SUSPEND, active_line

AUDIT = """query($filter: AuditFilter, $first: Int, $after: String) {
  auditLog(first: $first, after: $after, filter: $filter) {
    pageInfo { hasNextPage endCursor }
    nodes { at login role action outcome customer { code } detail } } }"""


async def test_the_audit_log_is_read_by_customer_admins_and_support_only(writable_world, customer_admin, unit_admin):
    world = writable_world
    line = await active_line(world, "Sales")
    other = await active_line(world, "Technology")
    for target in (line, other):
        await world.data(unit_admin, SUSPEND, {"input": {"selection": {"ids": [target]}, "reason": "LEAVE"}})
    denied = await world.run(unit_admin, AUDIT, {})
    assert set(codes(denied)) == {"FORBIDDEN"} and denied.data == {"auditLog": None}
    assert [error.path for error in denied.errors] == [["auditLog"]]

    by_target = (await world.data(customer_admin, AUDIT, {"filter": {"target": line}}))["auditLog"]["nodes"]
    assert [(n["login"], n["action"], n["outcome"], n["customer"]) for n in by_target] == [
        ("acme.sales.admin", "subscriberSuspend", "allowed", {"code": "ACME"})
    ]
    assert by_target[0]["detail"]["results"][0]["before"] == "active"
    # Technology is outside the unit admin's subtree: the attempt is recorded as a failed item.
    by_actor = (await world.data(customer_admin, AUDIT, {"filter": {"actor": "acme.sales.admin"}}))["auditLog"]["nodes"]
    assert [n["detail"]["results"][0]["code"] for n in by_actor] == ["NOT_FOUND", None]
    first = (await world.data(customer_admin, AUDIT, {"first": 1}))["auditLog"]
    rest = (await world.data(customer_admin, AUDIT, {"first": 50, "after": first["pageInfo"]["endCursor"]}))["auditLog"]
    stamps = [n["at"] for n in first["nodes"] + rest["nodes"]]
    assert stamps == sorted(stamps, reverse=True) and len(stamps) >= 2

    borealis = (await world.data("borealis.admin", AUDIT, {}))["auditLog"]["nodes"]
    assert all(n["customer"] is None or n["customer"]["code"] == "BOREALIS" for n in borealis)
    assert not any(n["login"].startswith("acme.") for n in borealis)
    everyone = (await world.data("operator.support", AUDIT, {"filter": {"actor": "acme.sales.admin"}}))["auditLog"]
    assert len(everyone["nodes"]) == 2


INVITE = """mutation($input: PortalUserInviteInput!) {
  portalUserInvite(input: $input) { user { login } userErrors { code } } }"""


async def test_the_audit_log_narrows_to_refused_attempts_by_their_outcome(writable_world, customer_admin):
    world = writable_world
    jane = {"name": "Jane", "role": "ANALYST"}
    refused = await world.data(customer_admin, INVITE, {"input": {**jane, "login": "jane.doe"}})
    assert refused["portalUserInvite"]["userErrors"] == [{"code": "BAD_USER_INPUT"}]
    invited = await world.data(customer_admin, INVITE, {"input": {**jane, "login": "acme.jane"}})
    assert invited["portalUserInvite"]["userErrors"] == []

    def logins(answer: dict[str, Any]) -> list[tuple[str, str]]:
        return [(n["outcome"], n["detail"]["input"]["login"]) for n in answer["auditLog"]["nodes"]]

    invites = {"action": "portalUserInvite"}
    both = await world.data(customer_admin, AUDIT, {"filter": invites})
    assert logins(both) == [("allowed", "acme.jane"), ("denied", "jane.doe")]
    denied = await world.data(customer_admin, AUDIT, {"filter": {**invites, "outcome": "denied"}})
    assert logins(denied) == [("denied", "jane.doe")]
    allowed = await world.data(customer_admin, AUDIT, {"filter": {**invites, "outcome": "allowed"}})
    assert logins(allowed) == [("allowed", "acme.jane")]
    every_denied = (await world.data(customer_admin, AUDIT, {"filter": {"outcome": "denied"}}))["auditLog"]["nodes"]
    assert every_denied and {n["outcome"] for n in every_denied} == {"denied"}

    unknown = await world.run(customer_admin, AUDIT, {"filter": {"outcome": "maybe"}})
    assert codes(unknown) == ["BAD_USER_INPUT"] and unknown.data == {"auditLog": None}
