"""graphql-transport-ws through its reference client, ``graphql-ws`` under Node (the client that
Apollo Client, urql, Relay and GraphiQL use), against a real ``corpcare serve`` on each backend:
every subscription, sign-in by ``connection_init``, errors, ``complete``, and the socket closed
for a missing, expired or running-out token (4403 Forbidden, as at a refused sign-in)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from core.ids import to_global_id
from core.values import month_start
from server.auth import issue_token
from server.settings import Settings
from tests.api.bulk.test_bulk_operations import acme_lines
from tests.support import World, today
from tests.system.clients.conftest import run_node
from tests.system.test_bulk_restart import SECRET, serving
from tests.system.test_live_usage import ALERTS, BALANCES, line_of
from tests.system.test_subscriptions import PROGRESS, start_bulk, token, urls_of
from tests.unit.demo.test_feed import month_totals, set_line_limits

SCRIPT = "graphql-ws/subscribe.mjs"
BAD = "subscription($line: ID!) { bundleUpdates(subscriber: $line) { kind noSuchField } }"


def signed_in_as(credential: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential}"} if credential else {}


def codes_of(result: dict[str, Any]) -> list[str]:
    """The error codes an operation ended with: an ``error`` message's, or those of its ``next``."""
    error = result["error"] or {}
    errors = error.get("graphql") or [e for value in result["values"] for e in value.get("errors") or ()]
    return [e["extensions"]["code"] for e in errors]


async def feeding_server(
    world: World, tmp_path: Any, *, development: bool = False, origins: list[str] | None = None
) -> tuple[Any, str, str]:
    """A server whose demo feed writes usage all the time (a few events a second for each line):
    its process, base URL and WebSocket URL. In development it serves GraphiQL; pages of
    ``origins`` may call it."""
    settings = {**urls_of(world), "usage_feed_per_second": "100", "cors_origins": json.dumps(origins or [])}
    if development:
        settings["env"] = "development"
    process, base = await serving(settings, tmp_path)
    return process, base, base.replace("http://", "ws://") + "/graphql"


async def test_graphql_ws_follows_a_bulk_operation_until_the_server_completes_it(bulk_world, servers, tmp_path, node):
    world = bulk_world
    process, base = await serving(urls_of(world), tmp_path)
    servers.append(process)
    url = base.replace("http://", "ws://") + "/graphql"
    # More lines than a change makes at once: a bulk operation, worked through in the background.
    operation = await start_bulk(world, base, await acme_lines(world, 220, offset=5000), "MULTISIM")
    line = to_global_id("Subscriber", (await acme_lines(world, 1))[0])

    seen, outsider = await asyncio.gather(*(
        run_node(node, SCRIPT, {"url": url, "connectionParams": signed_in_as(token(login)), "operations": [
            {"query": PROGRESS, "variables": {"id": operation}},
            {"query": BAD, "variables": {"line": line}},
        ]})
        for login in ("acme.admin", "borealis.admin")
    ))  # fmt: skip

    assert seen["acknowledged"] and seen["closed"] == [] and seen["binaryFrames"] == 0
    progress, bad = seen["results"]
    assert progress["completed"] and progress["error"] is None
    steps = [value["data"]["bulkOperationProgress"] for value in progress["values"]]
    assert steps[-1]["status"] == "COMPLETED" and steps[-1]["done"] == steps[-1]["total"] == 220
    assert [step["done"] for step in steps] == sorted(step["done"] for step in steps)
    # A document that does not validate is an `error` message, and nothing else.
    assert bad["error"] is not None and bad["values"] == [] and not bad["completed"]
    assert codes_of(bad) == ["GRAPHQL_VALIDATION_FAILED"]
    # Another company's operation is not found; the socket serves on.
    assert outsider["acknowledged"] and outsider["closed"] == []
    assert codes_of(outsider["results"][0]) == ["NOT_FOUND"]
    for each in (seen, outsider):
        assert [value["data"] for value in each["after"]["values"]] == [{"__typename": "Query"}]


async def test_graphql_ws_hears_usage_as_balances_and_spending_alerts_and_completes_what_it_leaves(
    writable_world, servers, tmp_path, node
):
    world = writable_world
    line = await line_of(world, "acme.employee")
    customer = await world.scalar("crm", "select customer_id from subscribers where id = :line", line=line)
    # Every line's limit just out of reach of 80 %: the feed's next charge on any line crosses it.
    lines = await acme_lines(world, 1000)
    spent = await month_totals(world, month_start(today()), usage_only=True)
    await set_line_limits(world, customer, {each: spent.get(each, 0) * 100 // 80 + 1 for each in lines})
    process, _, url = await feeding_server(world, tmp_path)
    servers.append(process)

    seen = await run_node(node, SCRIPT, {
        "url": url,
        "connectionParams": signed_in_as(token("acme.admin")),
        "operations": [
            {"query": BALANCES, "variables": {"line": to_global_id("Subscriber", line)}, "take": 2},
            {"query": ALERTS, "take": 1},
        ],
    })  # fmt: skip

    assert seen["acknowledged"] and seen["closed"] == [] and seen["binaryFrames"] == 0
    balances, alerts = seen["results"]
    # The line's balances now and at its next usage; then the client completes the subscription.
    assert balances["unsubscribed"] and balances["error"] is None and len(balances["values"]) == 2
    kinds = [[b["kind"] for b in value["data"]["bundleUpdates"]] for value in balances["values"]]
    assert kinds[0] and kinds[0] == kinds[1]
    used = [sum(b["used"] for b in value["data"]["bundleUpdates"]) for value in balances["values"]]
    # The second is sent when usage arrives on the line; usage no bundle counts leaves `used` as it was.
    assert used[0] <= used[1]
    assert alerts["unsubscribed"] and alerts["error"] is None
    [alert] = [value["data"]["spendingAlerts"] for value in alerts["values"]]
    assert alert["subject"] == "LINE" and alert["threshold"] in {80, 100}
    assert float(alert["spent"]["amount"]) * 100 >= alert["threshold"] * float(alert["limit"]["amount"])
    # Having completed both, the client's socket still serves.
    assert [value["data"] for value in seen["after"]["values"]] == [{"__typename": "Query"}]


async def test_graphql_ws_is_refused_without_a_valid_token_and_closed_when_it_runs_out(
    writable_world, servers, tmp_path, node
):
    world = writable_world
    line = to_global_id("Subscriber", await line_of(world, "acme.employee"))
    process, _, url = await feeding_server(world, tmp_path)
    servers.append(process)
    settings = Settings(_env_file=None, jwt_secret=SECRET)  # type: ignore[call-arg]
    expired = issue_token(settings, "acme.employee", ttl_seconds=-60)
    # Long enough to be signed in with on a busy machine, short enough to run out in the test.
    running_out = issue_token(settings, "acme.employee", ttl_seconds=10)
    follow = {"query": BALANCES, "variables": {"line": line}}

    anonymous, stale, ran_out = await asyncio.gather(*(
        run_node(node, SCRIPT, {"url": url, "connectionParams": signed_in_as(credential), "operations": [follow]})
        for credential in (None, expired, running_out)
    ))  # fmt: skip

    for refused in (anonymous, stale):
        assert not refused["acknowledged"] and refused["closed"] == [{"code": 4403, "reason": "Forbidden"}]
        [result] = refused["results"]
        assert result["values"] == [] and result["error"] == {"close": {"code": 4403, "reason": "Forbidden"}}
    # Updates while the token is good; then the server closes the socket, as at a refused sign-in.
    assert ran_out["acknowledged"] and ran_out["binaryFrames"] == 0
    [result] = ran_out["results"]
    assert len(result["values"]) >= 1 and all("errors" not in value for value in result["values"])
    assert result["error"] == {"close": {"code": 4403, "reason": "Signed out"}}
    assert ran_out["closed"] == [{"code": 4403, "reason": "Signed out"}]


UNITS = "{ customer { orgRoot { children { id name } } } }"
RENAME = """mutation($input: OrgUnitUpdateInput!) { orgUnitUpdate(input: $input) {
  orgUnit { name } userErrors { code } } }"""


async def test_graphql_ws_sees_a_change_made_over_its_socket_in_the_next_query_on_it(
    writable_world, servers, tmp_path, node
):
    """A client that sends every operation over one socket (graphql-ws alone, or Apollo's split
    link) reads, changes and reads again: the second read shows the change, not rows the socket
    read before it."""
    world = writable_world
    process, base = await serving(urls_of(world), tmp_path)
    servers.append(process)
    first = (await world.data("acme.admin", UNITS))["customer"]["orgRoot"]["children"][0]
    unit, name = first["id"], first["name"]
    renamed = f"{name} (renamed)"

    seen = await run_node(node, SCRIPT, {
        "url": base.replace("http://", "ws://") + "/graphql",
        "connectionParams": signed_in_as(token("acme.admin")),
        "inOrder": True,
        "operations": [
            {"query": UNITS},
            {"query": RENAME, "variables": {"input": {"orgUnit": unit, "name": renamed}}},
            {"query": UNITS},
        ],
    })  # fmt: skip

    before, change, after = seen["results"]
    assert [r["error"] for r in seen["results"]] == [None, None, None] and seen["closed"] == []
    names = [{u["id"]: u["name"] for u in read["values"][0]["data"]["customer"]["orgRoot"]["children"]}
             for read in (before, after)]  # fmt: skip
    assert names[0][unit] == name
    assert change["values"][0]["data"]["orgUnitUpdate"] == {"orgUnit": {"name": renamed}, "userErrors": []}
    assert names[1] == {**names[0], unit: renamed}
