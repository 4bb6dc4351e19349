"""Spending alerts heard by a caller who sees only groups of lines (no line:read): a unit's alert
only where the unit's figure is one it may see in its reports, and never the exact charges."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from sources.billing.live import alerts_channel
from sources.crm.models import OrgUnit, Subscriber
from tests.api.subscriptions.test_live_usage import ALERTS, alert_about, following, heard, named
from tests.waiting import eventually, within


async def unit_sizes(world, grant: str) -> dict[int, int]:
    """Unit id -> lines in its subtree, for the units under ``grant``, counted straight from the CRM."""
    lines = select(func.count()).where(Subscriber.org_path.startswith(OrgUnit.path)).scalar_subquery()
    async with world.engines.crm.connect() as conn:
        rows = await conn.execute(select(OrgUnit.id, lines).where(OrgUnit.path.startswith(grant)))
        return dict(rows.all())


async def test_the_aggregate_viewer_hears_no_alert_of_a_unit_smaller_than_five_lines(world, aggregate_viewer):
    grant = (await world.principal(aggregate_viewer)).scope.org_paths[0]  # type: ignore[index]
    sizes = await unit_sizes(world, grant)
    small = [unit for unit, size in sizes.items() if 0 < size < 5]
    assert small, "the demo has teams of fewer than five lines under the grant"
    root = await alert_about(world, "unit", OrgUnit.path == grant, threshold=100)
    assert sizes[root.org_unit_id] >= 5
    alerts = [await alert_about(world, "unit", OrgUnit.id == unit) for unit in small]
    # Everything published before the root's last alert that got through is all that got through.
    assert await heard(world, aggregate_viewer, alerts, root) == [named(root)]


async def test_the_aggregate_viewer_hears_a_large_units_alert_without_its_exact_charges(
    world, aggregate_viewer, unit_admin
):
    grant = (await world.principal(aggregate_viewer)).scope.org_paths[0]  # type: ignore[index]
    alert = await alert_about(world, "unit", OrgUnit.path == grant, threshold=100)
    channel = alerts_channel(alert.customer_id)
    for login, spent in ((aggregate_viewer, None), (unit_admin, {"amount": "80.00", "currency": "EUR"})):
        listening = world.sources.events.listeners(channel)
        async with following(world, login, ALERTS) as stream:
            first = asyncio.ensure_future(anext(stream))
            await eventually(
                lambda seen=listening: world.sources.events.listeners(channel) > seen, "the caller to listen"
            )
            await world.sources.events.publish(channel, alert.encode())
            answer = await within(first)
        assert answer.errors is None, answer.errors
        got = answer.data["spendingAlerts"]
        assert (got["subject"], got["threshold"], got["spent"], got["limit"]) == (
            "UNIT",
            100,
            spent,
            {"amount": "100.00"},
        ), login
