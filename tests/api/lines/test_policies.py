"""Spending policies set on units and lines: inheritance, overrides, clearing, validation."""

from __future__ import annotations

from tests.api.access.test_access import unit_id
from tests.api.lines.test_line_changes import SERVICES, active_line

UNIT = """mutation($input: OrgUnitSetPolicyInput!) { orgUnitSetPolicy(input: $input) {
  orgUnit { effectivePolicy { roamingAllowed companySharePercent overrides } } userErrors { field code } } }"""
LINES = """mutation($input: SubscriberPolicySetInput!) { subscriberPolicySet(input: $input) {
  applied skipped results { outcome before after } userErrors { field code } } }"""
EFFECTIVE = """query($id: ID!) { node(id: $id) { ... on Subscriber {
  effectivePolicy { roamingAllowed companySharePercent monthlyLimit { amount } overrides } } } }"""


async def test_a_unit_policy_is_inherited_until_cleared(writable_world, customer_admin, unit_admin):
    world = writable_world
    operations = await unit_id(world, "Operations")
    line = await active_line(world, "Operations")
    assert (await world.data(customer_admin, EFFECTIVE, {"id": line}))["node"]["effectivePolicy"][
        "roamingAllowed"
    ] is False
    outside = await world.data(unit_admin, UNIT, {"input": {"orgUnit": operations, "policy": {"roamingAllowed": True}}})
    assert outside["orgUnitSetPolicy"]["userErrors"] == [{"field": ["orgUnit"], "code": "NOT_FOUND"}]

    cleared = await world.data(
        customer_admin, UNIT, {"input": {"orgUnit": operations, "policy": {"roamingAllowed": None}}}
    )
    assert cleared["orgUnitSetPolicy"]["orgUnit"]["effectivePolicy"]["roamingAllowed"] is True  # from the company
    assert (await world.data(customer_admin, EFFECTIVE, {"id": line}))["node"]["effectivePolicy"][
        "roamingAllowed"
    ] is True
    catalogue = (await world.data(customer_admin, "{ services { id kind } }"))["services"]
    roaming = next(s["id"] for s in catalogue if s["kind"] == "ROAMING")
    added = await world.data(customer_admin, SERVICES, {"input": {"selection": {"ids": [line]}, "services": [roaming]}})
    assert added["subscriberServicesAdd"]["applied"] == 1  # the policy now allows it

    for policy, field in (({"companySharePercent": 150}, ["policy", "companySharePercent"]), ({}, ["policy"]),
                          ({"monthlyLimit": "-5"}, ["policy", "monthlyLimit"])):  # fmt: skip
        bad = await world.data(customer_admin, UNIT, {"input": {"orgUnit": operations, "policy": policy}})
        assert bad["orgUnitSetPolicy"]["userErrors"] == [{"field": field, "code": "BAD_USER_INPUT"}], policy


async def test_a_line_overrides_its_unit_and_clearing_restores_the_inherited_value(writable_world, customer_admin):
    world = writable_world
    line = await active_line(world, "Sales")
    sibling = (await world.data(customer_admin, EFFECTIVE, {"id": line}))["node"]["effectivePolicy"]
    assert sibling["companySharePercent"] == 80 and sibling["overrides"] is False
    request = {"input": {"selection": {"ids": [line]}, "policy": {"companySharePercent": 50, "monthlyLimit": "42.50"}}}
    changed = (await world.data(customer_admin, LINES, request))["subscriberPolicySet"]
    assert changed["applied"] == 1 and changed["results"][0]["before"] == "inherited"
    assert changed["results"][0]["after"] == "monthly_limit=42.50, company_share_percent=50"
    effective = (await world.data(customer_admin, EFFECTIVE, {"id": line}))["node"]["effectivePolicy"]
    assert effective == {
        "roamingAllowed": True,
        "companySharePercent": 50,
        "monthlyLimit": {"amount": "42.50"},
        "overrides": True,
    }
    again = (await world.data(customer_admin, LINES, request))["subscriberPolicySet"]
    assert again["skipped"] == 1
    clear = {"input": {"selection": {"ids": [line]}, "policy": {"companySharePercent": None, "monthlyLimit": None}}}
    await world.data(customer_admin, LINES, clear)
    restored = (await world.data(customer_admin, EFFECTIVE, {"id": line}))["node"]["effectivePolicy"]
    assert restored["companySharePercent"] == 80 and restored["monthlyLimit"] == {"amount": "150.00"}
