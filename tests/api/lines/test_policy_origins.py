"""Where each attribute of the policy in force comes from: the unit (or line) itself, the nearest
unit above that sets it, or the default."""

from __future__ import annotations

from typing import Any

from tests.api.access.test_access import unit_id
from tests.api.lines.test_line_changes import active_line

UNIT = """mutation($input: OrgUnitSetPolicyInput!) { orgUnitSetPolicy(input: $input) { userErrors { code } } }"""
LINE = """mutation($input: SubscriberPolicySetInput!) { subscriberPolicySet(input: $input) { applied } }"""
ORIGINS = """query($id: ID!) { node(id: $id) {
  ... on OrgUnit { children { id } effectivePolicy { ...Origins } }
  ... on Subscriber { orgUnit { id } effectivePolicy { ...Origins } } } }
fragment Origins on EffectivePolicy { roamingAllowed origins { attribute setBy orgUnit { id } } }"""
ROOT = """{ customer { orgRoot { id effectivePolicy { overrides origins { attribute setBy orgUnit { id } } } } } }"""
ATTRIBUTES = ["MONTHLY_LIMIT", "LIMIT_ACTION", "COMPANY_SHARE_PERCENT", "CONTENT_FILTER", "ROAMING_ALLOWED"]


def origins(node: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    found = node["effectivePolicy"]["origins"]
    assert [o["attribute"] for o in found] == ATTRIBUTES
    return {o["attribute"]: (o["setBy"], o["orgUnit"] and o["orgUnit"]["id"]) for o in found}


async def test_each_attribute_names_the_unit_it_comes_from(writable_world, customer_admin, analyst):
    world = writable_world
    operations = await unit_id(world, "Operations")
    below = (await world.data(customer_admin, ORIGINS, {"id": operations}))["node"]["children"][0]["id"]
    await world.data(customer_admin, UNIT, {"input": {"orgUnit": operations, "policy": {"roamingAllowed": False}}})
    await world.data(customer_admin, UNIT, {"input": {"orgUnit": below, "policy": {"contentFilter": "STRICT"}}})

    for caller in (customer_admin, analyst):
        shown = origins((await world.data(caller, ORIGINS, {"id": below}))["node"])
        assert shown["ROAMING_ALLOWED"] == ("INHERITED", operations)
        assert shown["CONTENT_FILTER"] == ("OWN", below)
    own = origins((await world.data(customer_admin, ORIGINS, {"id": operations}))["node"])
    assert own["ROAMING_ALLOWED"] == ("OWN", operations)

    # The company's own attributes are its own; what nobody sets is the default, from no unit.
    root = (await world.data(customer_admin, ROOT))["customer"]["orgRoot"]
    for set_by, unit in origins(root).values():
        assert (set_by, unit) in {("OWN", root["id"]), ("DEFAULT", None)}
    assert root["effectivePolicy"]["overrides"] == any(s == "OWN" for s, _ in origins(root).values())

    # Cleared on the unit, the attribute comes from above again.
    await world.data(customer_admin, UNIT, {"input": {"orgUnit": below, "policy": {"contentFilter": None}}})
    after = origins((await world.data(customer_admin, ORIGINS, {"id": below}))["node"])
    assert after["CONTENT_FILTER"][0] != "OWN" and after["CONTENT_FILTER"][1] != below


async def test_a_lines_own_setting_names_no_unit(writable_world, customer_admin):
    world = writable_world
    line = await active_line(world, "Operations")
    operations = await unit_id(world, "Operations")
    await world.data(customer_admin, UNIT, {"input": {"orgUnit": operations, "policy": {"roamingAllowed": False}}})
    node = (await world.data(customer_admin, ORIGINS, {"id": line}))["node"]
    assert origins(node)["ROAMING_ALLOWED"][0] == "INHERITED"  # from Operations or a unit below it
    request = {"input": {"selection": {"ids": [line]}, "policy": {"roamingAllowed": True}}}
    assert (await world.data(customer_admin, LINE, request))["subscriberPolicySet"]["applied"] == 1
    node = (await world.data(customer_admin, ORIGINS, {"id": line}))["node"]
    assert node["effectivePolicy"]["roamingAllowed"] is True
    assert origins(node)["ROAMING_ALLOWED"] == ("OWN", None)
