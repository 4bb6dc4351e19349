"""Services added or removed where employees act: the policy in force (content filter, roaming,
monthly limit) is checked, and services the catalogue says exclude each other are not stacked."""

from __future__ import annotations

from tests.api.lines.test_line_changes import CATALOGUE, REMOVE, SERVICES, db_id, line_services

POLICY = """mutation($input: SubscriberPolicySetInput!) { subscriberPolicySet(input: $input) {
  applied userErrors { code } } }"""
OWN_LINE = "{ viewer { scope { line { id } } } }"


async def own_line(world, employee) -> str:
    return (await world.data(employee, OWN_LINE))["viewer"]["scope"]["line"]["id"]


async def catalogue(world, login) -> dict[str, dict]:
    return {s["code"]: s for s in (await world.data(login, CATALOGUE))["services"]}


async def set_policy(world, admin, line: str, **policy) -> None:
    payload = await world.data(admin, POLICY, {"input": {"selection": {"ids": [line]}, "policy": policy}})
    assert payload["subscriberPolicySet"]["applied"] == 1, payload


def outcomes(payload: dict) -> list[tuple[str, str | None]]:
    return [(r["outcome"], r["code"]) for r in payload["results"]]


async def test_an_employee_cannot_take_off_the_content_filter_the_policy_asks_for(
    writable_world, customer_admin, employee
):
    world = writable_world
    line = await own_line(world, employee)
    services = await catalogue(world, employee)
    moderate = services["CF-MODERATE"]
    await world.data(customer_admin, SERVICES, {"input": {"selection": {"ids": [line]}, "services": [moderate["id"]]}})
    assert db_id(moderate["id"]) in await line_services(world, line)

    await set_policy(world, customer_admin, line, contentFilter="MODERATE")
    request = {"input": {"selection": {"ids": [line]}, "services": [moderate["id"]]}}
    refused = (await world.data(employee, REMOVE, request))["subscriberServicesRemove"]
    assert outcomes(refused) == [("FAILED", "POLICY_FORBIDS")]
    assert db_id(moderate["id"]) in await line_services(world, line)

    # Once the policy no longer asks for a filter, the same request takes it off.
    await set_policy(world, customer_admin, line, contentFilter="OFF")
    removed = (await world.data(employee, REMOVE, request))["subscriberServicesRemove"]
    assert outcomes(removed) == [("APPLIED", None)]
    assert db_id(moderate["id"]) not in await line_services(world, line)


async def test_a_content_filter_weaker_than_the_policy_is_refused_and_a_strict_one_is_not(
    writable_world, customer_admin, employee
):
    world = writable_world
    line = await own_line(world, employee)
    services = await catalogue(world, employee)
    await set_policy(world, customer_admin, line, contentFilter="STRICT")
    weak = {"input": {"selection": {"ids": [line]}, "services": [services["CF-MODERATE"]["id"]]}}
    refused = (await world.data(employee, SERVICES, weak))["subscriberServicesAdd"]
    assert outcomes(refused) == [("FAILED", "POLICY_FORBIDS")]
    strict = {"input": {"selection": {"ids": [line]}, "services": [services["CF-STRICT"]["id"]]}}
    added = (await world.data(employee, SERVICES, strict))["subscriberServicesAdd"]
    assert outcomes(added) == [("APPLIED", None)]
    assert db_id(services["CF-MODERATE"]["id"]) not in await line_services(world, line)


async def test_services_that_exclude_each_other_are_not_stacked(writable_world, customer_admin):
    world = writable_world
    services = await catalogue(world, customer_admin)
    exclusive = (await world.data(customer_admin, "{ services { code exclusionGroup filterLevel } }"))["services"]
    groups = {s["code"]: (s["exclusionGroup"], s["filterLevel"]) for s in exclusive}
    assert groups["ROAM-EU"] == groups["ROAM-WORLD"] == ("roaming_pass", None)
    assert (groups["CF-MODERATE"], groups["CF-STRICT"]) == (
        ("content_filter", "MODERATE"),
        ("content_filter", "STRICT"),
    )
    assert groups["VISUAL-VM"] == (None, None)

    # Sales allows roaming; a line there with the EU pass cannot add the World pass on top.
    lines = await world.data(
        customer_admin, "{ subscribers(first: 50, filter: {statuses: [ACTIVE]}) { nodes { id orgUnit { name } } } }"
    )
    candidates = [n["id"] for n in lines["subscribers"]["nodes"]]
    line = None
    for candidate in candidates:
        held = await line_services(world, candidate)
        if not held & {db_id(services["ROAM-EU"]["id"]), db_id(services["ROAM-WORLD"]["id"])}:
            probe = {"input": {"selection": {"ids": [candidate]}, "services": [services["ROAM-EU"]["id"]]}}
            added = (await world.data(customer_admin, SERVICES, probe))["subscriberServicesAdd"]
            if outcomes(added) == [("APPLIED", None)]:
                line = candidate
                break
    assert line is not None, "no active line whose policy allows roaming"
    before = await line_services(world, line)
    world_pass = {"input": {"selection": {"ids": [line]}, "services": [services["ROAM-WORLD"]["id"]]}}
    refused = (await world.data(customer_admin, SERVICES, world_pass))["subscriberServicesAdd"]
    assert outcomes(refused) == [("FAILED", "SERVICE_CONFLICT")]
    assert await line_services(world, line) == before

    both = {
        "input": {
            "selection": {"ids": [line]},
            "services": [services["CF-MODERATE"]["id"], services["CF-STRICT"]["id"]],
        }
    }
    asked = (await world.data(customer_admin, SERVICES, both))["subscriberServicesAdd"]
    assert [(e["field"], e["code"]) for e in asked["userErrors"]] == [(["services"], "BAD_USER_INPUT")]
    assert asked["results"] == [] and await line_services(world, line) == before


CHOICES = """query($line: ID!) { node(id: $line) { ... on Subscriber {
  services { service { id } } serviceChoices { add { id code } remove { id code } } } } }"""


async def test_service_choices_are_exactly_what_the_mutations_would_change(writable_world, customer_admin, employee):
    """A front end offers serviceChoices: each one the mutation makes, and no other."""
    world = writable_world
    line = await own_line(world, employee)
    services = await catalogue(world, employee)
    moderate = services["CF-MODERATE"]["id"]
    await world.data(customer_admin, SERVICES, {"input": {"selection": {"ids": [line]}, "services": [moderate]}})
    await set_policy(world, customer_admin, line, contentFilter="MODERATE", roamingAllowed=False)

    node = (await world.data(employee, CHOICES, {"line": line}))["node"]
    held = {s["service"]["id"] for s in node["services"]}
    offered = {kind: {s["id"] for s in node["serviceChoices"][kind]} for kind in ("add", "remove")}
    accepted: dict[str, set[str]] = {"add": set(), "remove": set()}
    for service in services.values():
        kind, mutation = ("remove", REMOVE) if service["id"] in held else ("add", SERVICES)
        request = {"input": {"selection": {"ids": [line]}, "services": [service["id"]], "dryRun": True}}
        payload = next(iter((await world.data(employee, mutation, request)).values()))
        if outcomes(payload) == [("WOULD_APPLY", None)]:
            accepted[kind].add(service["id"])
    assert offered == accepted
    # The refusals are among them: no roaming, the filter the policy asks for stays, and the strict filter
    # excludes the one held.
    assert moderate in held and moderate not in offered["remove"]
    assert offered["add"] and services["ROAM-EU"]["id"] not in offered["add"]
    assert services["CF-STRICT"]["id"] not in offered["add"]
