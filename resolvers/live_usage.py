"""Usage as it arrives: a line's bundle balances, and spending alerts, followed over the event bus.

The subscriber's view is settled when the subscription starts (the line, the customer, the
unit), then every event is held against the caller's scope and permissions in hand. A
subscription ends when its caller is no longer who subscribed: signed out, disabled, or given
another role or scope (checked every few seconds), or when the followed line leaves its view.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from core.billing_records import BundleBalanceRecord
from core.blocks import disclosure_blocks, unit_paths
from loaders.subscriber import BundleBalancesBySubscriberIdLoader, SubscriberByIdLoader
from permissions.principal import require
from permissions.roles import Permission
from permissions.rules import ALERT_RULES
from request.context import RECHECK_SECONDS, Context, Info
from resolvers.node import load_node
from resolvers.report_base import report_customer, visible_lines
from resolvers.report_disclosure import floor_of, whole_blocks
from resolvers.shared_events import EVENTS
from sources.billing.live import SpendingAlert, alerts_channel, balances_channel, from_balances_event

# Alerts are few and each one matters: a follower may fall this far behind before the oldest
# are dropped (balances keep only the newest: each one replaces the last).
ALERTS_MAILBOX = 100


async def bundle_updates(info: Info, subscriber_id: str) -> AsyncIterator[list[BundleBalanceRecord]]:
    """The line's balances in the current billing month now, then again each time usage arrives."""
    context = info.context
    principal = context.principal
    require(principal, Permission.PRODUCT_READ, "Bundle balances need the product:read permission.")
    line = await load_node(context, subscriber_id, expect="Subscriber")
    async with context.sources.events.listen(balances_channel(line.id), size=1) as mailbox:
        yield await context.loader(BundleBalancesBySubscriberIdLoader).load(line.id)
        looked = time.monotonic()
        while True:
            balances = EVENTS.decoded(await mailbox.get(), from_balances_event)
            if not await context.next_event(principal):
                return
            if time.monotonic() - looked >= RECHECK_SECONDS:  # the line may have moved out of view
                looked = time.monotonic()
                if await context.loader(SubscriberByIdLoader).load(line.id) is None:
                    return
            yield balances


@dataclass(frozen=True, slots=True)
class GroupAlert:
    """A unit's alert as a caller who sees only groups of lines hears it: without the exact charges."""

    alert: SpendingAlert
    spent = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.alert, name)


async def spending_alerts(
    info: Info, org_unit_id: str | None, customer_id: str | None
) -> AsyncIterator[SpendingAlert | GroupAlert]:
    """Each line in view (or in ``org_unit_id``'s subtree) whose month charges cross 80 % or 100 %
    of its limit, and each unit whose lines' charges cross 80 % or 100 % of its budget. Nothing is
    heard until something crosses."""
    context = info.context
    principal = context.principal
    require(principal, Permission.SPENDING_READ, "Spending alerts need the spending:read permission.")
    customer = await report_customer(context, customer_id)
    within = (await load_node(context, org_unit_id, expect="OrgUnit")).path if org_unit_id else ""
    view = principal.scope.narrowed_to(within)
    hears = frozenset(subject for subject, rule in ALERT_RULES.items() if principal.obeys(rule))
    floor = floor_of(context)
    shown, looked = (await units_shown(context, customer, floor) if floor else None), time.monotonic()
    async with context.sources.events.listen(alerts_channel(customer), size=ALERTS_MAILBOX) as mailbox:
        while True:
            alert = EVENTS.decoded(await mailbox.get(), SpendingAlert.decode)
            if alert.subject not in hears:
                continue
            if view.admits(alert.customer_id, alert.org_path, alert.line_id):
                if not await context.next_event(principal):
                    return
                if floor and time.monotonic() - looked >= RECHECK_SECONDS:  # the org tree may have changed
                    shown, looked = await units_shown(context, customer, floor), time.monotonic()
                if shown is not None:
                    # Seen in groups only: units whose figure is made of whole blocks, without the exact
                    # charges (those differ from the block sums the caller's reports show).
                    if alert.org_path not in shown:
                        continue
                    yield GroupAlert(alert)
                    continue
                yield alert


async def units_shown(context: Context, customer: int, floor: int) -> set[str]:
    """The units whose figures a caller under a group floor may see: at least ``floor`` of its
    lines, all in blocks inside the unit (``permissions/disclosure.py``)."""
    lines = await visible_lines(context, customer)
    blocks = disclosure_blocks(lines, floor)
    sizes = Counter(unit for path in lines.values() for unit in unit_paths(path))
    return {unit for unit, size in sizes.items() if size >= floor and whole_blocks(lines, blocks, unit)}
