"""Usage in real time, end to end: ``corpcare simulate-usage`` in its own process writes usage
and publishes through Redis, and a portal on a real server process hears its line's balances
and the spending alert over a real WebSocket; on the embedded default, the feed runs inside the
server and its subscribers hear it without Redis."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import update
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from core.ids import to_global_id
from core.values import month_start
from server.auth import issue_token
from server.settings import Settings
from sources.billing.live import alerts_channel, balances_channel
from sources.billing.models import BundleBalance
from tests.support import REDIS_PREFIX, REDIS_URL, World, reachable_redis, today
from tests.system.frames import received
from tests.system.test_bulk_restart import SECRET, servers, serving  # noqa: F401 (fixture)
from tests.system.test_subscriptions import signed_in, urls_of
from tests.unit.demo.test_feed import month_totals, set_line_limits
from tests.waiting import PATIENCE, eventually

BALANCES = "subscription($line: ID!) { bundleUpdates(subscriber: $line) { kind used remaining } }"
ALERTS = "subscription { spendingAlerts { subject threshold spent { amount } limit { amount } line { id } } }"


async def subscribe(socket: ClientConnection, id: str, query: str, **variables: Any) -> None:
    await socket.send(json.dumps({"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}}))


async def next_messages(
    socket: ClientConnection, wanted: dict[str, int], seconds: float, got: dict[str, list[Any]] | None = None
) -> dict[str, list[Any]]:
    """The 'next' payloads of each subscription id (added to ``got``), until there are
    ``wanted[id]`` of each; an empty ``wanted``: all that come within ``seconds``."""
    got = got if got is not None else {}
    try:
        async with asyncio.timeout(seconds):
            while not wanted or any(len(got.get(id, ())) < count for id, count in wanted.items()):
                message = await received(socket)
                assert message["type"] == "next", message
                assert "errors" not in message["payload"], message
                got.setdefault(message["id"], []).append(message["payload"]["data"])
    except TimeoutError:
        if wanted:
            raise
    return got


async def listened_to_through_redis(*channels: str) -> None:
    """Until the server's Redis subscriptions to these channels are in place (a subscription
    answers its first message before it may have subscribed to the others)."""
    redis = await reachable_redis()
    try:
        names = [f"{REDIS_PREFIX}events:{channel}" for channel in channels]

        async def subscribed() -> bool:
            return all(count > 0 for _, count in await redis.pubsub_numsub(*names))

        await eventually(subscribed, f"the server to subscribe to {channels}")
    finally:
        await redis.aclose()


async def line_of(world: World, login: str) -> int:
    return next(iter((await world.principal(login)).scope.subscriber_ids or ()))


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_usage_fed_by_another_process_reaches_a_portal_through_redis(writable_world, servers, tmp_path):  # noqa: F811
    world = writable_world
    line = await line_of(world, "acme.employee")
    customer = await world.scalar("crm", "select customer_id from subscribers where id = :line", line=line)
    # Its bundles used up and its limit just out of reach of 80 %: the first charge crosses it.
    async with world.engines.billing.begin() as conn:
        await conn.execute(update(BundleBalance).where(BundleBalance.subscriber_id == line)
                           .values(used=BundleBalance.allowance))  # fmt: skip
    spent = (await month_totals(world, month_start(today()), usage_only=True)).get(line, 0)  # a limit counts usage
    await set_line_limits(world, customer, {line: spent * 100 // 80 + 1})
    shared = {**urls_of(world), "redis_url": REDIS_URL}
    server, base = await serving(shared, tmp_path)
    servers.append(server)

    socket = await signed_in(base, "acme.employee")
    assert (await received(socket))["type"] == "connection_ack"
    await subscribe(socket, "balances", BALANCES, line=to_global_id("Subscriber", line))
    await subscribe(socket, "alerts", ALERTS)
    now = (await next_messages(socket, {"balances": 1}, PATIENCE))["balances"][0]["bundleUpdates"]
    await listened_to_through_redis(balances_channel(line), alerts_channel(customer))

    env = {**os.environ, **{f"CORPCARE_{name.upper()}": value for name, value in shared.items()}}
    command = [sys.executable, "-c", "from server.cli import main; main()", "simulate-usage",
               "--line", str(line), "--per-second", "3", "--seconds", "2", "--seed", "4"]  # fmt: skip
    feed = await asyncio.create_subprocess_exec(*command, env=env, stderr=subprocess.PIPE)
    heard = await next_messages(socket, {"balances": 1, "alerts": 1}, PATIENCE)
    _, errors = await feed.communicate()
    assert feed.returncode == 0, errors.decode()
    # Updates until the one of the feed's last write: it must come, however late.
    written = await world.sources.balances.bundle_balances([line], month_start(today()))
    last = [(b.kind.upper(), b.used) for b in written]
    while [(b["kind"], b["used"]) for b in heard["balances"][-1]["bundleUpdates"]] != last:
        await next_messages(socket, {"balances": len(heard["balances"]) + 1}, PATIENCE, heard)
    await socket.close()

    after = heard["balances"][-1]["bundleUpdates"]
    assert [(b["kind"], b["used"]) for b in after] == last
    assert sum(b["used"] for b in after) > sum(b["used"] for b in now) and all(b["remaining"] == 0 for b in after)
    alert = heard["alerts"][0]["spendingAlerts"]
    assert (alert["subject"], alert["threshold"], alert["line"]) == (
        "LINE",
        80,
        {"id": to_global_id("Subscriber", line)},
    )
    assert float(alert["spent"]["amount"]) * 100 >= 80 * float(alert["limit"]["amount"])
    assert f"line {line} reached 80 %" in errors.decode()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_on_the_embedded_default_the_feed_runs_inside_the_server_and_its_portals_hear_it(
    writable_world,
    servers,  # noqa: F811
    tmp_path,
):
    """And a socket whose token runs out is closed, its subscriptions with it."""
    world = writable_world
    line = to_global_id("Subscriber", await line_of(world, "acme.employee"))
    server, base = await serving({**urls_of(world), "usage_feed_per_second": "100"}, tmp_path)
    servers.append(server)
    socket = await signed_in(base, "acme.employee")
    # Long enough to be signed in with on a busy machine, short enough to run out in the test.
    short = issue_token(Settings(_env_file=None, jwt_secret=SECRET), "acme.employee", ttl_seconds=10)  # type: ignore[call-arg]
    expiring = await connect(base.replace("http://", "ws://") + "/graphql", subprotocols=["graphql-transport-ws"])
    await expiring.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {short}"}}))
    for each in (socket, expiring):
        assert (await received(each))["type"] == "connection_ack"
        await subscribe(each, "balances", BALANCES, line=line)
    # About one event in a hundred lands on this line: a few a second.
    updates = (await next_messages(socket, {"balances": 3}, PATIENCE))["balances"]
    await socket.close()
    used = [sum(b["used"] for b in update["bundleUpdates"]) for update in updates]
    assert used == sorted(used) and used[0] < used[-1]
    with pytest.raises(ConnectionClosed) as closed:
        await next_messages(expiring, {"balances": 10_000}, PATIENCE)  # updates, until the token runs out
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
