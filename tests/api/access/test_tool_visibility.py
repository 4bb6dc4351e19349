"""What tools see by introspection: each gated field's permission and the roles holding it, the
fields a read may answer null, and ``@oneOf`` on exactly-one inputs (with validation to match)."""

from __future__ import annotations

import re
from typing import Any

from graphql import get_introspection_query

from engine.build import build_schema
from permissions.authorize import rule_table
from permissions.roles import ROLE_PERMISSIONS, Permission, Role
from tests.api.access.test_access import line_ids_under, unit_id
from tests.support import LOGINS

SENTENCE = re.compile(r"Requires the `([a-z:]+)` permission, held by: ([a-z_, ]+)\.$")
SUSPEND = """mutation($input: SubscriberSuspendInput!) { subscriberSuspend(input: $input) {
  results { lineId } userErrors { code } } }"""


async def introspected() -> dict[str, dict[str, Any]]:
    result = await build_schema().execute(get_introspection_query(one_of=True))
    assert result.errors is None
    return {t["name"]: t for t in result.data["__schema"]["types"]}


async def test_every_gated_field_says_which_permission_it_needs_and_which_roles_hold_it():
    rules = rule_table(build_schema()._schema)  # the @requires directives, as the SDL prints them
    types = await introspected()
    described = 0
    for type_ in types.values():
        for field in type_.get("fields") or ():
            match = SENTENCE.search(field["description"] or "")
            needed = rules.get((type_["name"], field["name"]))
            assert (match is None) == (needed is None), (type_["name"], field["name"])
            if match is None:
                continue
            permission = Permission(match.group(1))
            assert permission == needed
            holders = {role.value for role in Role if permission in ROLE_PERMISSIONS[role]}
            assert set(match.group(2).split(", ")) == holders, (type_["name"], field["name"])
            described += 1
    assert described > 100
    msisdn = next(f for f in types["Subscriber"]["fields"] if f["name"] == "msisdn")
    assert msisdn["description"].endswith(
        "Requires the `personal:read` permission, held by: customer_admin, unit_admin, employee, support."
    )


async def test_fields_a_query_may_refuse_are_nullable():
    """Every field some role lacks, on a type a query reaches, may be null (FORBIDDEN)."""
    types = await introspected()
    reached, waiting = set(), ["Query"]
    while waiting:
        name = waiting.pop()
        if name in reached or name not in types:
            continue
        reached.add(name)
        type_ = types[name]
        waiting += [t["name"] for t in type_.get("possibleTypes") or ()]
        for field in type_.get("fields") or ():
            named = field["type"]
            while named["ofType"] is not None:
                named = named["ofType"]
            waiting.append(named["name"])
    checked = 0
    for name in reached:
        for field in types[name].get("fields") or ():
            match = SENTENCE.search(field["description"] or "")
            if match and any(Permission(match.group(1)) not in ROLE_PERMISSIONS[role] for role in Role):
                assert field["type"]["kind"] != "NON_NULL", (name, field["name"])
                checked += 1
    assert checked > 50


async def test_exactly_one_inputs_are_one_of():
    assert (await introspected())["LineSelection"]["isOneOf"] is True


async def test_two_members_or_none_of_a_one_of_input_are_refused_before_anything_runs(world):
    admin = LOGINS["customer_admin"]
    line = (await line_ids_under(world, await unit_id(world, "Sales")))[0]
    sales = await unit_id(world, "Sales")
    for selection in ({}, {"ids": [line], "orgUnit": sales}, {"orgUnit": None}):
        sent = await world.run(admin, SUSPEND, {"input": {"selection": selection, "reason": "LEAVE", "dryRun": True}})
        assert sent.data is None and [e.extensions["code"] for e in sent.errors] == ["BAD_USER_INPUT"], selection
        assert world.counter.count == 0  # refused before any SQL
    for literal in ("{}", f'{{ids: ["{line}"], orgUnit: "{sales}"}}', "{orgUnit: null}"):
        arguments = f"selection: {literal}, reason: LEAVE, dryRun: true"
        document = f"mutation {{ subscriberSuspend(input: {{{arguments}}}) {{ dryRun }} }}"
        written = await world.run(admin, document)  # refused by validation, at the literal
        assert written.data is None and written.errors[0].locations
        assert [e.extensions["code"] for e in written.errors] == ["BAD_USER_INPUT"], literal
        assert world.counter.count == 0
    one = await world.data(admin, SUSPEND, {"input": {"selection": {"ids": [line]}, "reason": "LEAVE", "dryRun": True}})
    assert [r["lineId"] for r in one["subscriberSuspend"]["results"]] == [line]
