"""bundleUpdates and spendingAlerts, run in-process on the real event bus and databases: each
caller hears only what its scope and permissions allow, and balances follow the usage written."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from core.ids import to_global_id
from core.values import month_start
from demo.feed import UsageFeed
from engine.build import build_schema
from request import context as context_module
from sources.billing.live import SpendingAlert, alerts_channel
from sources.crm.models import OrgUnit, Subscriber
from tests.api.access.test_access import codes
from tests.support import World, today
from tests.waiting import eventually, within

BALANCES = """subscription($line: ID!) { bundleUpdates(subscriber: $line) {
  kind allowance used remaining bundle { code } } }"""
ALERTS = """subscription($unit: ID, $customer: ID) { spendingAlerts(orgUnit: $unit, customer: $customer) {
  subject threshold month spent { amount currency } limit { amount } line { id } orgUnit { id } } }"""


@asynccontextmanager
async def following(world: World, login: str, query: str, **variables: Any) -> AsyncIterator[Any]:
    context = world.context(await world.principal(login))
    stream = await build_schema().subscribe(query, variable_values=variables, context_value=context)
    try:
        yield stream
    finally:
        await stream.aclose()
        # The resolver's generator, left at a yield, is closed when collected (over a WebSocket,
        # the subscription's task is cancelled instead): collect it, so it stops listening now.
        gc.collect()
        await asyncio.sleep(0.01)


async def next_of(stream: Any) -> Any:
    return await within(anext(stream))


async def line_of(world: World, login: str) -> int:
    return next(iter((await world.principal(login)).scope.subscriber_ids or ()))


async def test_an_employee_follows_the_balances_of_their_own_line_as_usage_arrives(writable_world, employee):
    world = writable_world
    line = await line_of(world, employee)
    async with following(world, employee, BALANCES, line=to_global_id("Subscriber", line)) as stream:
        now = (await next_of(stream)).data["bundleUpdates"]
        balances = await world.sources.balances.bundle_balances([line], month_start(today()))
        assert [(b["kind"].lower(), b["used"]) for b in now] == [(b.kind, b.used) for b in balances] != []
        await UsageFeed(world.engines, world.sources.events, seed=2, line_ids=[line]).round(20)
        after = (await next_of(stream)).data["bundleUpdates"]
    written = await world.sources.balances.bundle_balances([line], month_start(today()))
    assert [(b["kind"].lower(), b["used"], b["remaining"]) for b in after] == [
        (b.kind, b.used, b.remaining) for b in written
    ]
    assert sum(b["used"] for b in after) > sum(b["used"] for b in now)
    assert all(b["bundle"]["code"] for b in after)


async def test_a_line_outside_the_callers_view_is_not_found(world, employee, unit_admin, other_admin, aggregate_viewer):
    outside = await world.scalar("crm", "select min(id) from subscribers where customer_id <> "
                                 "(select customer_id from subscribers where id = :line)",
                                 line=await line_of(world, employee))  # fmt: skip
    for login, line in ((employee, outside), (unit_admin, outside), (other_admin, await line_of(world, employee))):
        async with following(world, login, BALANCES, line=to_global_id("Subscriber", line)) as stream:
            assert codes(await next_of(stream)) == ["NOT_FOUND"], login
    # Without line:read no line is in view, as for node().
    async with following(world, aggregate_viewer, BALANCES, line=to_global_id("Subscriber", line)) as stream:
        assert codes(await next_of(stream)) == ["NOT_FOUND"]


async def first_row(world: World, statement: Any) -> Any:
    async with world.engines.crm.connect() as conn:
        return (await conn.execute(statement)).first()


async def alert_about(world: World, subject: str, where: Any, threshold: int = 80) -> SpendingAlert:
    """An alert as the feed publishes it, about the first line or unit ``where`` selects."""
    line = unit = None
    if subject == "line":
        columns = (Subscriber.id, Subscriber.customer_id, Subscriber.org_path)
        line, customer, path = await first_row(world, select(*columns).where(where).order_by(Subscriber.id))
    else:
        columns = (OrgUnit.id, OrgUnit.customer_id, OrgUnit.path)
        unit, customer, path = await first_row(world, select(*columns).where(where).order_by(OrgUnit.id))
    return SpendingAlert(subject, customer, path, line, unit, threshold, month_start(today()),  # type: ignore[arg-type]
                         8000, 10000, "EUR", datetime.now(UTC))  # fmt: skip


def about(alert: dict[str, Any]) -> tuple[str, str]:
    subject = alert["subject"].lower()
    return subject, (alert["line"] if subject == "line" else alert["orgUnit"])["id"]


def named(alert: SpendingAlert) -> tuple[str, str]:
    if alert.subject == "line":
        return "line", to_global_id("Subscriber", alert.line_id)
    return "unit", to_global_id("OrgUnit", alert.org_unit_id)


async def heard(world: World, login: str, alerts: list[SpendingAlert], last: SpendingAlert, **variables: Any) -> Any:
    """What ``login`` hears of ``alerts``, published on their customers' channels, then ``last``
    (threshold 100), which the caller may hear of: what arrives before it is all that got through.
    An answer with errors is returned as it is."""
    events = world.sources.events
    listening = events.listeners(alerts_channel(last.customer_id))
    async with following(world, login, ALERTS, **variables) as stream:
        first = asyncio.ensure_future(anext(stream))
        channel = alerts_channel(last.customer_id)
        await eventually(lambda: events.listeners(channel) > listening or first.done(), "the caller to listen")
        if first.done():
            return first.result()
        for alert in [*alerts, last]:
            await events.publish(alerts_channel(alert.customer_id), alert.encode())
        received = [await within(first)]
        while received[-1].errors is None and received[-1].data["spendingAlerts"]["threshold"] != 100:
            received.append(await next_of(stream))
    assert all(result.errors is None for result in received), [result.errors for result in received]
    return [about(result.data["spendingAlerts"]) for result in received]


async def test_each_caller_hears_the_alerts_of_its_own_view_only(
    world, customer_admin, unit_admin, employee, aggregate_viewer, other_admin, support
):
    own = await line_of(world, employee)
    prefix = (await world.principal(unit_admin)).scope.org_paths[0]  # type: ignore[index]
    acme = await world.scalar("crm", "select customer_id from subscribers where id = :line", line=own)
    in_acme = Subscriber.customer_id == acme
    inside_line = await alert_about(world, "line", Subscriber.org_path.startswith(prefix) & (Subscriber.id != own))
    outside_line = await alert_about(world, "line", in_acme & ~Subscriber.org_path.startswith(prefix)
                                     & (Subscriber.id != own))  # fmt: skip
    inside_unit = await alert_about(world, "unit", OrgUnit.path.startswith(prefix))
    outside_unit = await alert_about(world, "unit", (OrgUnit.customer_id == acme) & ~OrgUnit.path.startswith(prefix))
    own_line = await alert_about(world, "line", Subscriber.id == own)
    everything = [inside_line, outside_line, inside_unit, outside_unit, own_line]
    own_is_inside = own_line.org_path.startswith(prefix)

    def last(alert: SpendingAlert) -> SpendingAlert:
        return SpendingAlert(**{**{n: getattr(alert, n) for n in alert.__slots__}, "threshold": 100})  # type: ignore[attr-defined]

    assert await heard(world, customer_admin, everything, last(own_line)) == [named(a) for a in everything] + [
        named(own_line)
    ]
    expected = [inside_line, inside_unit] + ([own_line] if own_is_inside else [])
    assert await heard(world, unit_admin, everything, last(inside_unit)) == [named(a) for a in expected] + [
        named(inside_unit)
    ]
    assert await heard(world, employee, everything, last(own_line)) == [named(own_line)] * 2
    # An aggregate viewer sees groups, never a line: unit alerts only.
    assert await heard(world, aggregate_viewer, everything, last(inside_unit)) == [named(inside_unit)] * 2
    # Another company's admin hears nothing of Acme's.
    theirs = await alert_about(world, "unit", OrgUnit.customer_id != acme, threshold=100)
    assert await heard(world, other_admin, everything, theirs) == [named(theirs)]
    # Operator staff name the customer; within a unit, only that subtree.
    assert codes(await heard(world, support, everything, last(own_line))) == ["BAD_USER_INPUT"]
    acme_id = to_global_id("Customer", acme)
    audited = "select count(*) from audit_log where login = 'operator.support' and action = 'graphql.read'"
    before = await world.scalar("state", audited)
    assert len(await heard(world, support, everything, last(own_line), customer=acme_id)) == 6
    assert await world.scalar("state", audited) == before + 1  # every read of operator staff is audited
    unit_id = to_global_id("OrgUnit", inside_unit.org_unit_id)
    within = await heard(world, customer_admin, everything, last(inside_unit), unit=unit_id)
    assert within == [named(a) for a in everything if a.org_path.startswith(inside_unit.org_path)] + [
        named(inside_unit)
    ]


SHAPED = """subscription { spendingAlerts { threshold line { id orgUnit { name ancestors { name } } } } }"""


async def test_an_event_is_answered_once_for_callers_who_see_alike_and_apart_for_the_others(
    world, customer_admin, unit_admin
):
    """Two portals of the same admin share one answer to each event; the unit admin, whose
    scope stops at its subtree, gets an answer of its own, without the units above it."""
    prefix = (await world.principal(unit_admin)).scope.org_paths[0]  # type: ignore[index]
    alert = await alert_about(world, "line", Subscriber.org_path.startswith(prefix), threshold=100)
    channel = alerts_channel(alert.customer_id)
    listening = world.sources.events.listeners(channel)
    async with (
        following(world, customer_admin, SHAPED) as first,
        following(world, customer_admin, SHAPED) as second,
        following(world, unit_admin, SHAPED) as scoped,
    ):
        pending = [asyncio.ensure_future(anext(stream)) for stream in (first, second, scoped)]
        await eventually(lambda: world.sources.events.listeners(channel) == listening + 3, "all three to listen")
        await world.sources.events.publish(channel, alert.encode())
        mine, again, theirs = [await within(answer) for answer in pending]

    assert mine.errors is None and mine.data is again.data  # executed once, for both
    above = [unit["name"] for unit in mine.data["spendingAlerts"]["line"]["orgUnit"]["ancestors"]]
    in_view = [unit["name"] for unit in theirs.data["spendingAlerts"]["line"]["orgUnit"]["ancestors"]]
    assert theirs.errors is None and theirs.data is not mine.data
    assert len(in_view) < len(above) and in_view == above[len(above) - len(in_view) :]


async def test_a_subscription_ends_when_its_caller_is_no_longer_who_subscribed(writable_world, employee, monkeypatch):
    """Signed out, disabled, or given another scope: the next event ends the subscription rather
    than being shown with the access the caller had when it subscribed."""
    monkeypatch.setattr(context_module, "RECHECK_SECONDS", 0)  # ask at every event
    world = writable_world
    line = await line_of(world, employee)
    principal = await world.principal(employee)
    now_named = [principal, replace(principal, scope=replace(principal.scope, subscriber_ids=frozenset()))]

    async def reauthorize() -> Any:
        return now_named.pop(0)

    context = world.context(principal)
    context.sign_in(principal, reauthorize)
    feed = UsageFeed(world.engines, world.sources.events, seed=8, line_ids=[line])
    stream = await build_schema().subscribe(BALANCES, variable_values={"line": to_global_id("Subscriber", line)},
                                            context_value=context)  # fmt: skip
    try:
        assert (await next_of(stream)).errors is None  # the balances now
        await feed.round(3)
        assert (await next_of(stream)).errors is None  # still the same caller
        await feed.round(3)
        with pytest.raises(StopAsyncIteration):
            await next_of(stream)  # another scope now: the subscription ended
    finally:
        await stream.aclose()
    assert now_named == []
