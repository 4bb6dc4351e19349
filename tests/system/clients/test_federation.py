"""corpcare in a supergraph: a real ``corpcare serve`` with ``CORPCARE_FEDERATION`` on, a second
subgraph written with ``@apollo/subgraph`` (tickets, and each line's device model), both composed by
``@apollo/composition`` and queried through ``@apollo/gateway`` under Node, which forwards each
caller's Authorization header (``clients/federation/gateway.mjs``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.ids import to_global_id
from tests.api.access.test_access import line_ids_under, unit_id
from tests.system.clients.conftest import CLIENTS, node_with_packages, run_node
from tests.system.test_bulk_restart import serving
from tests.system.test_subscriptions import token, urls_of

FEDERATION = CLIENTS / "federation"
TICKETS = "{ tickets { id title line { id employeeName orgUnit { name } deviceModel } } }"
NODE = "query($id: ID!) { node(id: $id) { ... on Subscriber { employeeName orgUnit { name } } } }"
LINES = """query($unit: ID!) { subscribers(first: 200, filter: {orgUnit: $unit}) {
  nodes { id employeeName deviceModel tickets { id } } } }"""


@pytest.fixture(scope="session")
def federation_node() -> str:
    """Node with the packages of ``clients/federation/package-lock.json``."""
    return node_with_packages(FEDERATION)


def line_of(ticket: dict[str, Any]) -> dict[str, Any]:
    return ticket["line"]


async def test_a_gateway_queries_corpcare_and_a_second_subgraph_on_the_same_entities_in_the_callers_scope(
    world, servers, tmp_path: Path, federation_node: str
):
    sales, operations = await unit_id(world, "Sales"), await unit_id(world, "Operations")
    mine = (await line_ids_under(world, sales))[0]
    colleague = (await line_ids_under(world, operations))[0]  # Acme's, outside the Sales admin's subtree
    theirs = (await world.data("borealis.admin", "{ subscribers(first: 1) { nodes { id } } }"))["subscribers"]
    other_company = theirs["nodes"][0]["id"]
    missing = to_global_id("Subscriber", 999_999)
    # corpcare's own answers for the two Acme lines, as its admin sees them.
    known = {line: (await world.data("acme.admin", NODE, {"id": line}))["node"] for line in (mine, colleague)}
    process, base = await serving({**urls_of(world), "federation": "true", "bulk_worker": "false"}, tmp_path)
    servers.append(process)
    admin, unit_admin = token("acme.admin"), token("acme.sales.admin")
    plan = {
        "corpcare": f"{base}/graphql",
        "token": admin,
        "tickets": [
            {"id": "T1", "title": "Cracked screen", "line": mine},
            {"id": "T2", "title": "No signal", "line": colleague},
            {"id": "T3", "title": "Roaming bill", "line": other_company},
            {"id": "T4", "title": "Lost phone", "line": missing},
        ],
        "devices": {mine: "Pixel 9", colleague: "iPhone 16", other_company: "Galaxy S25", missing: "Nokia 3310"},
        "queries": [
            {"token": admin, "query": TICKETS},
            {"token": unit_admin, "query": TICKETS},
            {"token": admin, "query": LINES, "variables": {"unit": sales}},
            {"token": None, "query": TICKETS},
        ],
    }
    ran = await run_node(federation_node, "federation/gateway.mjs", plan)
    assert ran["composed"], ran["errors"]
    as_admin, as_unit_admin, lines, anonymous = ran["results"]

    # A field of each subgraph on the same line: corpcare's name and unit, the tickets subgraph's device.
    assert as_admin["status"] == 200 and "errors" not in as_admin["body"], as_admin
    tickets = {ticket["id"]: line_of(ticket) for ticket in as_admin["body"]["data"]["tickets"]}
    assert tickets["T1"] == {"id": mine, **known[mine], "deviceModel": "Pixel 9"}
    assert tickets["T2"] == {"id": colleague, **known[colleague], "deviceModel": "iPhone 16"}
    # Another company's line answers exactly as a line that does not exist: corpcare's fields null, no error.
    nothing = {"employeeName": None, "orgUnit": None}
    assert {k: tickets["T3"][k] for k in nothing} == {k: tickets["T4"][k] for k in nothing} == nothing
    assert tickets["T3"]["deviceModel"] == "Galaxy S25"  # the other subgraph's own field still answers

    # The Sales admin: a colleague's line outside the subtree is null like the missing one, the own one is served.
    assert "errors" not in as_unit_admin["body"], as_unit_admin
    scoped = {ticket["id"]: line_of(ticket) for ticket in as_unit_admin["body"]["data"]["tickets"]}
    assert scoped["T1"] == tickets["T1"]
    assert {k: scoped["T2"][k] for k in nothing} == {k: scoped["T4"][k] for k in nothing} == nothing

    # From corpcare's side: its lines, extended by the tickets subgraph through its own _entities.
    assert "errors" not in lines["body"], lines
    listed = {line["id"]: line for line in lines["body"]["data"]["subscribers"]["nodes"]}
    assert listed[mine]["deviceModel"] == "Pixel 9" and listed[mine]["tickets"] == [{"id": "T1"}]
    assert all(line["deviceModel"] is None for key, line in listed.items() if key != mine)

    # Without a token corpcare refuses (401, UNAUTHENTICATED), as it refuses every unauthenticated caller:
    # the gateway passes the refusal on, and none of corpcare's data comes through.
    [refusal] = anonymous["body"]["errors"]
    assert refusal["extensions"]["code"] == "UNAUTHENTICATED"
    assert refusal["extensions"]["response"]["status"] == 401
    assert all(line_of(ticket) | nothing == line_of(ticket) for ticket in anonymous["body"]["data"]["tickets"])
