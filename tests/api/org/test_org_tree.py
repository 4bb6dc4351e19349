"""The org tree changed by its admins: create, update, move, delete; lines moved between units."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from tests.api.access.test_access import codes, line_ids_under, unit_id

TREE = """query($u: ID!) { node(id: $u) { ... on OrgUnit { id name kind depth subscriberCount
  children { id name kind subscriberCount children { id name } } } } }"""
CREATE = """mutation($input: OrgUnitCreateInput!) { orgUnitCreate(input: $input) {
  orgUnit { id name kind depth parent { id } } userErrors { field code } } }"""
UPDATE = """mutation($input: OrgUnitUpdateInput!) { orgUnitUpdate(input: $input) {
  orgUnit { name costCentreCode } userErrors { field code } } }"""
MOVE = """mutation($input: OrgUnitMoveInput!) { orgUnitMove(input: $input) {
  orgUnit { parent { name } ancestors { name } subscriberCount } userErrors { field code } } }"""
DELETE = """mutation($input: OrgUnitDeleteInput!) { orgUnitDelete(input: $input) {
  orgUnit { id } userErrors { field code } } }"""
LINE_MOVE = """mutation($input: SubscriberMoveInput!) { subscriberMove(input: $input) {
  applied results { outcome code before after } userErrors { field code } } }"""


async def tree(world, unit: str) -> dict:
    return (await world.data("acme.admin", TREE, {"u": unit}))["node"]


async def test_units_are_created_updated_and_deleted_by_customer_admins(writable_world, customer_admin, unit_admin):
    world = writable_world
    sales = await tree(world, await unit_id(world, "Sales"))
    department = sales["children"][0]
    refused = await world.run(unit_admin, CREATE, {"input": {"parent": department["id"], "name": "New team"}})
    assert set(codes(refused)) == {"FORBIDDEN"}

    created = await world.data(customer_admin, CREATE, {"input": {"parent": department["id"], "name": " Field sales "}})
    unit = created["orgUnitCreate"]["orgUnit"]
    assert (unit["name"], unit["kind"], unit["depth"], unit["parent"]) == (
        "Field sales",
        "TEAM",
        3,
        {"id": department["id"]},
    )
    assert unit["id"] in {child["id"] for child in (await tree(world, department["id"]))["children"]}
    bad_inputs = [
        ({"parent": unit["id"], "name": "x"}, ["parent"]),
        ({"parent": department["id"], "name": "x", "kind": "DIVISION"}, ["kind"]),
        ({"parent": department["id"], "name": "  "}, ["name"]),
    ]
    for bad, field in bad_inputs:
        errors = (await world.data(customer_admin, CREATE, {"input": bad}))["orgUnitCreate"]["userErrors"]
        assert errors == [{"field": field, "code": "BAD_USER_INPUT"}], bad

    renamed = await world.data(
        customer_admin, UPDATE, {"input": {"orgUnit": unit["id"], "name": "Field", "costCentreCode": "CC-9"}}
    )
    assert renamed["orgUnitUpdate"]["orgUnit"] == {"name": "Field", "costCentreCode": "CC-9"}
    cleared = await world.data(customer_admin, UPDATE, {"input": {"orgUnit": unit["id"], "costCentreCode": None}})
    assert cleared["orgUnitUpdate"]["orgUnit"] == {"name": "Field", "costCentreCode": None}

    not_empty = (await world.data(customer_admin, DELETE, {"input": {"orgUnit": department["id"]}}))["orgUnitDelete"]
    assert not_empty["userErrors"] == [{"field": ["orgUnit"], "code": "BAD_USER_INPUT"}]
    deleted = (await world.data(customer_admin, DELETE, {"input": {"orgUnit": unit["id"]}}))["orgUnitDelete"]
    assert deleted == {"orgUnit": None, "userErrors": []}
    gone = await world.run(customer_admin, TREE, {"u": unit["id"]})
    assert codes(gone) == ["NOT_FOUND"]


async def test_a_moved_unit_takes_its_subtree_and_lines_along(writable_world, customer_admin):
    world = writable_world
    sales_id, operations_id = await unit_id(world, "Sales"), await unit_id(world, "Operations")
    sales, operations = await tree(world, sales_id), await tree(world, operations_id)
    department = max(sales["children"], key=lambda d: d["subscriberCount"])
    assert department["subscriberCount"] > 0

    root = (await world.data(customer_admin, "{ customer { orgRoot { id } } }"))["customer"]["orgRoot"]["id"]
    bad_moves = [
        {"orgUnit": department["id"], "newParent": department["children"][0]["id"]},  # its own descendant
        {"orgUnit": sales_id, "newParent": operations_id},  # a division under a division
        {"orgUnit": root, "newParent": operations_id},  # the company itself
    ]
    for bad in bad_moves:
        errors = (await world.data(customer_admin, MOVE, {"input": bad}))["orgUnitMove"]["userErrors"]
        assert [e["code"] for e in errors] == ["BAD_USER_INPUT"], bad

    moved = await world.data(customer_admin, MOVE, {"input": {"orgUnit": department["id"], "newParent": operations_id}})
    unit = moved["orgUnitMove"]["orgUnit"]
    assert unit["parent"] == {"name": "Operations"} and [a["name"] for a in unit["ancestors"]] == [
        "Acme Logistics",
        "Operations",
    ]
    assert unit["subscriberCount"] == department["subscriberCount"]
    assert (await tree(world, sales_id))["subscriberCount"] == sales["subscriberCount"] - department["subscriberCount"]
    assert (await tree(world, operations_id))["subscriberCount"] == operations["subscriberCount"] + department[
        "subscriberCount"
    ]
    # The lines went along: the Sales admin no longer sees them.
    sales_lines = await world.data("acme.sales.admin", "{ subscribers(first: 2000) { totalCount } }")
    assert sales_lines["subscribers"]["totalCount"] == sales["subscriberCount"] - department["subscriberCount"]


async def test_lines_move_between_units_inside_the_scope_only(writable_world, unit_admin):
    world = writable_world
    sales = await tree(world, await unit_id(world, "Sales"))
    source, target = sales["children"][0], sales["children"][1]
    line = (await line_ids_under(world, source["id"]))[0]
    moved = await world.data(unit_admin, LINE_MOVE, {"input": {"selection": {"ids": [line]}, "orgUnit": target["id"]}})
    assert moved["subscriberMove"]["applied"] == 1
    home = (await world.data(unit_admin, "query($l: ID!) { node(id: $l) { ... on Subscriber { orgUnit { name } } } }",
                             {"l": line}))["node"]["orgUnit"]["name"]  # fmt: skip
    assert home == target["name"]
    result = moved["subscriberMove"]["results"][0]
    assert result["after"] == target["name"] and result["before"] in {source["name"]} | {
        team["name"] for team in source["children"]
    }
    assert line in await line_ids_under(world, target["id"])
    outside = await unit_id(world, "Operations")
    refused = await world.data(unit_admin, LINE_MOVE, {"input": {"selection": {"ids": [line]}, "orgUnit": outside}})
    assert refused["subscriberMove"]["userErrors"] == [{"field": ["orgUnit"], "code": "NOT_FOUND"}]


BUDGET = """mutation($input: OrgUnitSetBudgetInput!) { orgUnitSetBudget(input: $input) {
  orgUnit { monthlyBudget { amount } } userErrors { field code } } }"""
DELETE_SAYING = """mutation($input: OrgUnitDeleteInput!) { orgUnitDelete(input: $input) {
  orgUnit { id } userErrors { field code message } } }"""


async def test_an_empty_unit_with_a_budget_is_deleted_with_its_budgets(writable_world, customer_admin):
    world = writable_world
    department = (await tree(world, await unit_id(world, "Sales")))["children"][0]
    created = await world.data(customer_admin, CREATE, {"input": {"parent": department["id"], "name": "Budgeted"}})
    unit = created["orgUnitCreate"]["orgUnit"]["id"]
    for amount in ("500.00", None):  # a budget, then none: both months' rows stay in the history
        budget = await world.data(customer_admin, BUDGET, {"input": {"orgUnit": unit, "monthlyBudget": amount}})
        assert budget["orgUnitSetBudget"]["userErrors"] == []
    await world.data(customer_admin, BUDGET, {"input": {"orgUnit": unit, "monthlyBudget": "750.00"}})

    not_empty = await world.data(customer_admin, DELETE_SAYING, {"input": {"orgUnit": department["id"]}})
    assert not_empty["orgUnitDelete"]["userErrors"] == [{"field": ["orgUnit"], "code": "BAD_USER_INPUT",
        "message": "Only an empty unit can be deleted: move its units and lines first."}]  # fmt: skip
    deleted = await world.data(customer_admin, DELETE_SAYING, {"input": {"orgUnit": unit}})
    assert deleted["orgUnitDelete"] == {"orgUnit": None, "userErrors": []}
    assert codes(await world.run(customer_admin, TREE, {"u": unit})) == ["NOT_FOUND"]


async def test_a_unit_lines_sat_in_once_is_not_deleted_and_says_why(writable_world, customer_admin):
    world = writable_world
    sales = await tree(world, await unit_id(world, "Sales"))
    teams = [team for department in sales["children"] for team in department["children"]]
    held = [team for team in teams if await line_ids_under(world, team["id"])]
    source = held[0]
    target = next(team for team in teams if team["id"] != source["id"])
    lines = await line_ids_under(world, source["id"])
    request = {"input": {"selection": {"ids": lines}, "orgUnit": target["id"]}}
    moved = await world.data(customer_admin, LINE_MOVE, request)
    assert moved["subscriberMove"]["applied"] == len(lines)
    assert (await tree(world, source["id"]))["subscriberCount"] == 0

    refused = await world.data(customer_admin, DELETE_SAYING, {"input": {"orgUnit": source["id"]}})
    why = "Lines were in this unit in earlier months, which stay grouped by it: it cannot be deleted."
    assert refused["orgUnitDelete"]["userErrors"] == [{"field": ["orgUnit"], "code": "BAD_USER_INPUT", "message": why}]
    assert (await tree(world, source["id"]))["id"] == source["id"]


class _Interleaved:
    """The org writer's backend, running ``between`` once inside its next transaction: after the
    delete's checks, before it deletes (at its first statement deleting a unit's budgets)."""

    def __init__(self, backend: Any, between: Callable[[], Awaitable[None]]) -> None:
        self.backend, self.between = backend, between

    def __getattr__(self, name: str) -> Any:
        return getattr(self.backend, name)

    @asynccontextmanager
    async def begin(self, **options: Any) -> AsyncIterator[Any]:
        async with self.backend.begin(**options) as conn:
            outer = self

            class Conn:
                def __getattr__(self, name: str) -> Any:
                    return getattr(conn, name)

                async def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
                    if str(statement).startswith("DELETE FROM unit_budgets") and outer.between is not None:
                        between, outer.between = outer.between, None
                        await between()
                    return await conn.execute(statement, *args, **kwargs)

            yield Conn()


async def _deleted_with(world, unit: str, between: Callable[[], Awaitable[None]]) -> Any:
    writer = world.sources.org_writer
    original = writer.backend

    async def inside() -> None:
        writer.backend = original  # the other change runs as usual
        await between()

    writer.backend = _Interleaved(original, inside)
    try:
        return await world.run("acme.admin", DELETE_SAYING, {"input": {"orgUnit": unit}})
    finally:
        writer.backend = original


async def _new_unit(world, name: str) -> str:
    department = (await tree(world, await unit_id(world, "Sales")))["children"][0]
    created = await world.data("acme.admin", CREATE, {"input": {"parent": department["id"], "name": name}})
    return str(created["orgUnitCreate"]["orgUnit"]["id"])


async def test_a_line_moved_in_while_a_unit_is_deleted_keeps_the_unit_and_the_delete_is_refused(writable_world):
    world = writable_world
    unit = await _new_unit(world, "Being deleted")
    line = (await line_ids_under(world, await unit_id(world, "Sales")))[0]
    moved = []

    async def move_in() -> None:
        given = {"input": {"selection": {"ids": [line]}, "orgUnit": unit}}
        moved.append(await world.run("acme.admin", LINE_MOVE, given))

    refused = await _deleted_with(world, unit, move_in)
    assert moved[0].errors is None
    [error] = refused.data["orgUnitDelete"]["userErrors"]
    assert refused.errors is None and error["code"] == "BAD_USER_INPUT" and "Only an empty unit" in error["message"]
    after = await world.data("acme.admin", "query($u: ID!) { node(id: $u) { ... on OrgUnit { subscriberCount } } }",
                             {"u": unit})  # fmt: skip
    assert after["node"]["subscriberCount"] == 1


async def test_of_two_deletes_of_one_unit_one_deletes_and_the_other_finds_it_gone(writable_world):
    world = writable_world
    unit = await _new_unit(world, "Deleted twice")
    inner = []

    async def delete_too() -> None:
        inner.append(await world.run("acme.admin", DELETE_SAYING, {"input": {"orgUnit": unit}}))

    outer = await _deleted_with(world, unit, delete_too)
    assert inner[0].errors is None and inner[0].data["orgUnitDelete"]["userErrors"] == []
    [error] = outer.data["orgUnitDelete"]["userErrors"]
    assert outer.errors is None and error["code"] == "NOT_FOUND", outer
