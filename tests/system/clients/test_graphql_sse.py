"""GraphQL over Server-Sent Events through its reference client, ``graphql-sse`` under Node, against
a real ``corpcare serve`` on each backend, in both of the protocol's modes (a stream per operation,
and one reserved stream for all): every subscription, sign-in by the Authorization header, a field
the role lacks answered FORBIDDEN in each event, ``complete`` from either side, and a stream ended
with UNAUTHENTICATED for a token that runs out, or refused (401) for none or an expired one. One
server and one Node process run every scenario at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from core.ids import to_global_id
from core.values import month_start
from server.auth import issue_token
from server.settings import Settings
from tests.api.bulk.test_bulk_operations import acme_lines
from tests.conftest import _world
from tests.support import World, today
from tests.system.clients.conftest import run_node
from tests.system.clients.test_graphql_ws import feeding_server
from tests.system.test_bulk_restart import SECRET
from tests.system.test_live_usage import BALANCES, line_of
from tests.system.test_subscriptions import PROGRESS, start_bulk, token
from tests.unit.demo.test_feed import month_totals, set_line_limits
from tests.waiting import PATIENCE

SCRIPT = "graphql-sse/subscribe.mjs"
# Finance reads lines but not the people behind them: the number is FORBIDDEN in each alert.
ALERTS = "subscription { spendingAlerts { subject threshold line { id msisdn } } }"
MODES = {"distinct": False, "single": True}


@pytest.fixture
async def lines_world(backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    """A fresh demo with more lines in one company than a change makes at once (a bulk operation)."""
    async for seeded in _world(backend, 300, tmp_path_factory, label="sse"):
        yield seeded


def codes_of(value: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in value.get("errors") or ()]


async def test_graphql_sse_serves_every_subscription_in_both_modes_with_sign_in_and_field_rules(
    lines_world, servers, tmp_path, node
):
    world = lines_world
    line = await line_of(world, "acme.employee")
    customer = await world.scalar("crm", "select customer_id from subscribers where id = :line", line=line)
    # Every line's limit just out of reach of 80 %: the feed's next charge on any line crosses it.
    lines = await acme_lines(world, 1000)
    spent = await month_totals(world, month_start(today()), usage_only=True)
    await set_line_limits(world, customer, {each: spent.get(each, 0) * 100 // 80 + 1 for each in lines})
    process, base, _ = await feeding_server(world, tmp_path)
    servers.append(process)
    # More lines than a change makes at once: a bulk operation, worked through in the background.
    operation = await start_bulk(world, base, lines[:220], "MULTISIM")
    settings = Settings(_env_file=None, jwt_secret=SECRET)  # type: ignore[call-arg]
    expired = issue_token(settings, "acme.employee", ttl_seconds=-60)
    # Long enough to be signed in with on a busy machine, short enough to run out in the test.
    running_out = issue_token(settings, "acme.employee", ttl_seconds=10)
    balances = {"query": BALANCES, "variables": {"line": to_global_id("Subscriber", line)}}
    every = [
        {"query": PROGRESS, "variables": {"id": operation}},
        {**balances, "take": 2},
        {"query": ALERTS, "take": 1},
    ]
    scenarios = {}
    for mode, single in MODES.items():
        scenarios |= {
            f"admin {mode}": {"token": token("acme.admin"), "operations": every},
            f"finance {mode}": {"token": token("acme.finance"), "operations": [{"query": ALERTS, "take": 1}]},
            f"anonymous {mode}": {"token": None, "operations": [balances]},
            f"expired {mode}": {"token": expired, "operations": [balances]},
            f"running out {mode}": {"token": running_out, "operations": [balances]},
        }
        for each in scenarios.values():
            each.setdefault("singleConnection", single)

    plan = {"url": f"{base}/graphql/stream", "scenarios": list(scenarios.values())}
    seen = dict(zip(scenarios, (await run_node(node, SCRIPT, plan, 4 * PATIENCE))["scenarios"], strict=True))

    for mode in MODES:
        progress, updates, alerts = seen[f"admin {mode}"]["results"]
        # The bulk operation until the server completes it.
        assert progress["completed"] and progress["error"] is None, progress
        steps = [value["data"]["bulkOperationProgress"] for value in progress["values"]]
        assert steps[-1]["status"] == "COMPLETED" and steps[-1]["done"] == steps[-1]["total"] == 220
        assert [step["done"] for step in steps] == sorted(step["done"] for step in steps)
        # The line's balances now and at its next usage; then the client ends the subscription.
        assert updates["unsubscribed"] and updates["error"] is None and len(updates["values"]) == 2
        assert all(codes_of(value) == [] and value["data"]["bundleUpdates"] for value in updates["values"])
        # The admin reads the number; finance gets the alert with the number FORBIDDEN at its path.
        assert alerts["unsubscribed"] and alerts["error"] is None
        [alert] = alerts["values"]
        assert codes_of(alert) == [] and alert["data"]["spendingAlerts"]["line"]["msisdn"]
        [finance] = seen[f"finance {mode}"]["results"]
        assert finance["unsubscribed"] and finance["error"] is None
        [alert] = finance["values"]
        assert alert["data"]["spendingAlerts"]["subject"] == "LINE"
        assert alert["data"]["spendingAlerts"]["line"]["msisdn"] is None
        [forbidden] = alert["errors"]
        assert forbidden["extensions"]["code"] == "FORBIDDEN"
        assert forbidden["path"] == ["spendingAlerts", "line", "msisdn"]
        # Without a token, or with an expired one: 401 with a coded error, never a stream.
        for refused in (f"anonymous {mode}", f"expired {mode}"):
            [result] = seen[refused]["results"]
            assert result["values"] == [] and not result["completed"]
            assert result["error"]["status"] == 401, result
            if mode == "distinct":  # in single connection mode the client aborts the reservation's body unread
                assert result["error"]["codes"] == ["UNAUTHENTICATED"], result
        # Updates while the token is good; then UNAUTHENTICATED, and the server completes the stream.
        [result] = seen[f"running out {mode}"]["results"]
        *good, last = result["values"]
        assert good and all(codes_of(value) == [] for value in good)
        assert codes_of(last) == ["UNAUTHENTICATED"] and "data" not in last
        assert result["completed"] and result["error"] is None
