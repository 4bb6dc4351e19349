"""Apollo Client (normalised cache, ``relayStylePagination``, ``GraphQLWsLink``,
``PersistedQueryLink``) and urql (``subscriptionExchange`` over graphql-ws, ``persistedExchange``)
under Node, unchanged, against a real ``corpcare serve`` on each backend: paging forwards and
back, a mutation answered with ``userErrors``, a subscription and an automatic persisted query.
What each client saw is held against the server's own answers."""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
from typing import Any

import httpx

from core.ids import to_global_id
from tests.system.clients.conftest import run_node
from tests.system.clients.test_graphql_ws import feeding_server
from tests.system.test_http import bearer
from tests.system.test_live_usage import line_of
from tests.system.test_subscriptions import token

PAGE_SIZE = 10
RENAMED = "Field Operations North"
LINES = """{ subscribers(first: 1000) {
  edges { node { id employeeName orgUnit { id name } } } pageInfo { hasNextPage } } }"""
UNIT = "query($id: ID!) { node(id: $id) { ... on OrgUnit { name } } }"
PERSISTED = re.compile(r'^corpcare_persisted_queries_total\{result="(\w+)"\} ([0-9.]+)$', re.MULTILINE)


async def graphql(http: httpx.AsyncClient, query: str, **variables: Any) -> Any:
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    return response.json()["data"]


async def persisted_counts(http: httpx.AsyncClient) -> dict[str, float]:
    """The server's persisted-query lookups so far, by result (hit, miss, registered, refused)."""
    return {result: float(count) for result, count in PERSISTED.findall((await http.get("/metrics")).text)}


def lines_of(edges: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"id": edge["node"]["id"], "employeeName": edge["node"]["employeeName"]} for edge in edges]


def assert_a_persisted_round_trip(persisted: dict[str, Any], methods: list[str]) -> None:
    """The hash alone (not found), then the hash with the text (run and stored), then the hash
    alone again (found): three requests, each answered as the protocol says."""
    miss, stored, hit = persisted["requests"]
    assert [each["method"] for each in (miss, stored, hit)] == methods
    assert miss["query"] is None and miss["codes"] == ["PERSISTED_QUERY_NOT_FOUND"] and miss["data"] is None
    assert isinstance(stored["query"], str) and stored["codes"] == [] and stored["data"]
    assert hit["query"] is None and hit["codes"] == [] and hit["data"] == stored["data"]
    sent = {each["extensions"]["persistedQuery"]["sha256Hash"] for each in (miss, stored, hit)}
    assert sent == {hashlib.sha256(stored["query"].encode()).hexdigest()}
    assert all(each["status"] == 200 for each in (miss, stored, hit))


async def test_apollo_client_and_urql_page_both_ways_change_subscribe_and_persist_queries_unchanged(
    writable_world, servers, tmp_path, node
):
    world = writable_world
    line = to_global_id("Subscriber", await line_of(world, "acme.employee"))
    process, base, ws_url = await feeding_server(world, tmp_path)  # usage arrives all the time
    servers.append(process)
    admin = token("acme.admin")
    async with httpx.AsyncClient(base_url=base, headers=bearer(admin), timeout=30) as http:
        # The whole list in one go, as the server orders it.
        listed = (await graphql(http, LINES))["subscribers"]
        assert not listed["pageInfo"]["hasNextPage"]
        full = lines_of(listed["edges"])
        units = [edge["node"]["orgUnit"] for edge in listed["edges"]]
        assert len(full) > 3 * PAGE_SIZE
        # Apollo renames the unit of the first line; urql tries to blank out another one.
        renamed, kept = units[0], next(unit for unit in units if unit["id"] != units[0]["id"])
        before = await persisted_counts(http)
        plan = {"url": f"{base}/graphql", "wsUrl": ws_url, "token": admin, "pageSize": PAGE_SIZE, "line": line,
                "take": 2}  # fmt: skip
        apollo, urql = await asyncio.gather(
            run_node(node, "apollo/run.mjs", {**plan, "rename": RENAMED}),
            run_node(node, "urql/run.mjs", {**plan, "unit": kept["id"]}),
        )
        after = await persisted_counts(http)
        names = [(await graphql(http, UNIT, id=unit["id"]))["node"]["name"] for unit in (renamed, kept)]

    pages = math.ceil(len(full) / PAGE_SIZE)
    # Apollo: relayStylePagination merges the pages fetchMore brought into one list, in order.
    for way in ("forward", "backward"):
        paged = apollo["paging"][way]
        assert paged["lines"] == full and paged["pages"] == pages, way
        assert not paged["pageInfo"]["hasNextPage"] and not paged["pageInfo"]["hasPreviousPage"], way
    # A refusal is data (userErrors), and leaves the cached unit as it was.
    changes = apollo["mutations"]
    assert changes["unit"] == {"__typename": "OrgUnit", **renamed}
    refused = changes["refused"]
    assert refused["error"] is None and refused["requests"] == 1
    [error] = refused["data"]["orgUnitUpdate"]["userErrors"]
    assert (error["field"], error["code"]) == (["name"], "BAD_USER_INPUT") and error["message"]
    assert refused["cached"] == {"__typename": "OrgUnit", **renamed}
    # A change: the unit, normalised by __typename and id, shows its new name on every cached
    # line that belongs to it, without refetching the list (the mutation was the only request).
    done = changes["renamed"]
    assert done["error"] is None and done["requests"] == 1
    assert done["data"]["orgUnitUpdate"] == {
        "__typename": "OrgUnitPayload", "orgUnit": {"__typename": "OrgUnit", "id": renamed["id"], "name": RENAMED},
        "userErrors": [],
    }  # fmt: skip
    assert done["cached"] == {"__typename": "OrgUnit", "id": renamed["id"], "name": RENAMED}
    in_unit = [each["unit"]["name"] for each in done["lines"] if each["unit"]["id"] == renamed["id"]]
    assert in_unit == [RENAMED] * sum(unit["id"] == renamed["id"] for unit in units)
    assert [each["id"] for each in done["lines"]] == [each["id"] for each in full]

    # urql: the pages, appended going forwards and prepended going back, make the whole list.
    for way in ("forward", "backward"):
        assert urql["paging"][way] == {"pages": pages, "lines": full}, way
    assert urql["mutation"]["error"] is None
    payload = urql["mutation"]["data"]["orgUnitUpdate"]
    assert payload["orgUnit"]["name"] == kept["name"]
    assert [(each["field"], each["code"]) for each in payload["userErrors"]] == [(["name"], "BAD_USER_INPUT")]
    # The server holds what the clients were told.
    assert names == [RENAMED, kept["name"]]

    # Both subscriptions heard the line's balances now and again when usage arrived.
    for seen in (apollo["subscription"], urql["subscription"]):
        assert seen["error"] is None and len(seen["values"]) == 2
        kinds = [[each["kind"] for each in value["bundleUpdates"]] for value in seen["values"]]
        assert kinds[0] and kinds[0] == kinds[1]

    # Automatic persisted queries: Apollo's link posts (or, told to, sends the hash alone by GET
    # and the text by POST); urql's exchange uses GET.
    assert_a_persisted_round_trip(apollo["persisted"]["post"], ["POST"] * 3)
    assert_a_persisted_round_trip(apollo["persisted"]["get"], ["GET", "POST", "GET"])
    assert_a_persisted_round_trip(urql["persisted"], ["GET"] * 3)
    for persisted in (apollo["persisted"]["post"], apollo["persisted"]["get"], urql["persisted"]):
        assert persisted["data"] == [persisted["requests"][1]["data"]] * 2
    # The server saw it the same way: per round trip one miss, one text stored, one hit by hash.
    counted = {result: after.get(result, 0) - before.get(result, 0) for result in ("miss", "registered", "hit")}
    assert counted == {"miss": 3, "registered": 3, "hit": 3}
