"""The demo's live billing: usage arriving on the lines as it happens.

Each round draws events for random active lines, rates them against the lines' bundles and
writes them as billing would, in one transaction (``sources.demo.rating``). Then it announces
what changed on the event bus: each line's new balances, and a spending alert for every line
whose month charges crossed 80 % or 100 % of its limit and every unit that crossed its budget.

It is the demo's real time and a load source for benchmarks; a production billing system would
publish the same events from its own rating. Run one feed per billing database: the figures an
alert compares are read just before the round's write.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.exc import SQLAlchemyError

from sources.backend import Backend
from sources.billing.live import SpendingAlert, alerts_channel, balances_channel, balances_event, crossed
from sources.billing.models import BillingAccount, BundleBalance, LineProduct
from sources.billing.policies import line_policies
from sources.billing.records import BundleBalanceRecord, BundleRecord, PolicyRecord
from sources.billing.source import BillingSource
from sources.crm.models import OrgUnit, Subscriber
from sources.crm.records import path_ids
from sources.db import Engines
from sources.demo.rating import Event, FeedLine, rate, write
from sources.demo.usage import KIND_CUTS, draft_event
from sources.events import InProcessEvents
from sources.values import month_start

log = logging.getLogger("corpcare.feed")

LINES_REFRESH_SECONDS = 60.0  # lines that moved or ended are picked up this late

Budget = tuple[int, int, str, int]  # unit id, customer id, org path, monthly budget (minor units)


@dataclass(slots=True)
class Round:
    """What one round (or a whole run) wrote and announced."""

    usage_records: int = 0
    lines: int = 0
    charged_minor: int = 0
    alerts: list[SpendingAlert] = field(default_factory=list)

    def add(self, other: Round) -> None:
        self.usage_records += other.usage_records
        self.lines += other.lines
        self.charged_minor += other.charged_minor
        self.alerts += other.alerts


class UsageFeed:
    def __init__(
        self,
        engines: Engines,
        events: InProcessEvents,
        *,
        seed: int | None = None,
        customer_ids: Sequence[int] | None = None,
        line_ids: Sequence[int] | None = None,
    ) -> None:
        """Usage arrives on the active lines of ``customer_ids`` (or every customer), or only on
        ``line_ids`` when given."""
        self._engines = engines
        self._billing = BillingSource(Backend("billing", engines.billing))
        self._events = events
        self._rng = random.Random(seed)
        self._customer_ids = customer_ids
        self._line_ids = None if line_ids is None else set(line_ids)
        self._paths: dict[int, tuple[int, str]] = {}  # every line: customer, org path
        self._active: list[FeedLine] = []
        self._loaded_at = float("-inf")

    async def round(self, count: int, now: datetime | None = None) -> Round:
        """``count`` usage events on random active lines, written and announced."""
        now = now or datetime.now(UTC)
        active = await self.lines()
        if not active or count <= 0:
            return Round()
        events = [self._event(self._rng.choice(active), now) for _ in range(count)]
        lines = {e.line.id: e.line for e in events}
        customers = sorted({line.customer_id for line in lines.values()})
        period = month_start(now.date())
        balances: dict[int, list[BundleBalanceRecord]] = defaultdict(list)
        for balance in await self._billing.bundle_balances(sorted(lines), period):
            balances[balance.subscriber_id].append(balance)
        opened = await self._new_month(sorted(set(lines) - set(balances)), period)
        balances.update(opened)
        policies = await self._policies({line.id: line.org_path for line in lines.values()})
        before = await self._spent(customers, period)
        taken = rate(events, balances)
        async with self._engines.billing.begin() as conn:
            if opened:
                await conn.execute(insert(BundleBalance), [
                    {"subscriber_id": b.subscriber_id, "bundle_id": b.bundle_id, "period": period,
                     "allowance": b.allowance, "used": 0} for rows in opened.values() for b in rows
                ])  # fmt: skip
            shares = {line: p.company_share_percent if p.company_share_percent is not None else 100
                      for line, p in policies.items()}  # fmt: skip
            charged = await write(conn, events, taken, shares, period)
        limits = {line: policy.monthly_limit_minor for line, policy in policies.items()}
        alerts = self._line_alerts(lines, before, charged, limits, period, now)
        alerts += self._unit_alerts(await self._budgets(customers), before, charged, period, now)
        for line_id in lines:
            await self._events.publish(balances_channel(line_id), balances_event(line_id, period, balances[line_id]))
        for alert in alerts:
            await self._events.publish(alerts_channel(alert.customer_id), alert.encode())
        return Round(len(events), len(lines), sum(charged.values()), alerts)

    async def run(
        self, per_second: float, seconds: float | None = None, report: Callable[[Round], None] | None = None
    ) -> Round:
        """A round each second of ``per_second`` events (fractions carried over) for ``seconds``, or
        until cancelled; the totals."""
        total, owed = Round(), 0.0
        started = time.monotonic()
        while seconds is None or time.monotonic() - started < seconds:
            tick = time.monotonic()
            owed += per_second
            try:
                this = await self.round(int(owed))
            except (SQLAlchemyError, OSError) as error:  # a backend away: try again next second
                log.warning("Usage feed round failed (%s: %s)", type(error).__name__, error)
                this = Round()
            owed -= int(owed)
            total.add(this)
            if report is not None:
                report(this)
            await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
        return total

    def _event(self, line: FeedLine, now: datetime) -> Event:
        at = now - timedelta(seconds=self._rng.random())
        heavy = self._rng.lognormvariate(0.0, 0.8)
        return Event(line, at, *draft_event(self._rng, KIND_CUTS[False], heavy))

    async def lines(self) -> list[FeedLine]:
        """The active lines usage arrives on (and every line's place, for the units' sums)."""
        if time.monotonic() - self._loaded_at < LINES_REFRESH_SECONDS:
            return self._active
        lines = select(Subscriber.id, Subscriber.customer_id, Subscriber.org_path, Subscriber.status)
        if self._customer_ids is not None:
            lines = lines.where(Subscriber.customer_id.in_(self._customer_ids))
        accounts = (
            select(LineProduct.subscriber_id, LineProduct.billing_account_id, BillingAccount.currency)
            .join(BillingAccount, BillingAccount.id == LineProduct.billing_account_id)
            .order_by(LineProduct.subscriber_id)
        )
        async with self._engines.crm.connect() as conn:
            rows = (await conn.execute(lines)).all()
        async with self._engines.billing.connect() as conn:
            products = (await conn.execute(accounts)).all()
        self._paths = {sid: (customer, path) for sid, customer, path, _ in rows}
        active = {sid for sid, _, _, status in rows if status == "active"}
        if self._line_ids is not None:
            active &= self._line_ids
        self._active = [FeedLine(sid, self._paths[sid][0], account, currency, self._paths[sid][1])
                        for sid, account, currency in products if sid in active]  # fmt: skip
        self._loaded_at = time.monotonic()
        return self._active

    async def _new_month(self, line_ids: list[int], period: date) -> dict[int, list[BundleBalanceRecord]]:
        """Balances of a month the lines have none of yet (billing opens them as the month starts):
        their plan's bundles and their services', in the order usage fills them, nothing used."""
        if not line_ids:
            return {}
        plans = dict(await self._billing.plans_by_subscriber_ids(line_ids))
        of_plan: dict[int, list[BundleRecord]] = defaultdict(list)
        for plan_id, bundle in await self._billing.bundles_by_plan_ids(sorted({plan.id for plan in plans.values()})):
            of_plan[plan_id].append(bundle)
        services = await self._billing.services_by_subscriber_ids(line_ids)
        packs = {b.id: b for b in await self._billing.bundles_by_ids(sorted({s.service.bundle_id for s in services
                                                                            if s.service.bundle_id}))}  # fmt: skip
        bundles = {line: list(of_plan[plan.id]) for line, plan in plans.items()}
        for service in services:
            if service.service.bundle_id in packs:
                bundles[service.subscriber_id].append(packs[service.service.bundle_id])
        return {line: [BundleBalanceRecord(line, b.id, period, b.kind, b.allowance, 0)
                       for b in sorted(found, key=lambda b: (b.kind, b.id))]
                for line, found in bundles.items()}  # fmt: skip

    async def _policies(self, lines: dict[int, str]) -> dict[int, PolicyRecord]:
        units = sorted({unit for path in lines.values() for unit in path_ids(path)})
        return line_policies(await self._billing.policies(units, sorted(lines)), lines)

    async def _spent(self, customers: list[int], period: date) -> dict[int, int]:
        """Each line's charges so far this month, for every line of the customers."""
        groups = {sid: str(sid) for sid, (customer, _) in self._paths.items() if customer in customers}
        rows = await self._billing.spending_by_group(customers, [period], groups)
        return {int(group): int(total) for group, _, _, total, _, _ in rows}

    async def _budgets(self, customers: list[int]) -> list[Budget]:
        statement = select(OrgUnit.id, OrgUnit.customer_id, OrgUnit.path, OrgUnit.monthly_budget_minor).where(
            OrgUnit.customer_id.in_(customers), OrgUnit.monthly_budget_minor.is_not(None)
        )
        async with self._engines.crm.connect() as conn:
            return [tuple(row) for row in await conn.execute(statement)]  # type: ignore[misc]

    @staticmethod
    def _line_alerts(
        lines: dict[int, FeedLine],
        before: dict[int, int],
        charged: dict[int, int],
        limits: dict[int, int | None],
        period: date,
        now: datetime,
    ) -> list[SpendingAlert]:
        alerts = []
        for line_id, amount in sorted(charged.items()):
            line, limit, was = lines[line_id], limits[line_id], before.get(line_id, 0)
            for threshold in crossed(was, was + amount, limit or 0):
                alerts.append(SpendingAlert("line", line.customer_id, line.org_path, line.id, None, threshold,
                                            period, was + amount, limit or 0, line.currency, now))  # fmt: skip
        return alerts

    def _unit_alerts(
        self, budgets: list[Budget], before: dict[int, int], charged: dict[int, int], period: date, now: datetime
    ) -> list[SpendingAlert]:
        """Units whose lines' month charges, summed over the subtree, crossed a budget threshold."""
        was: dict[str, int] = defaultdict(int)  # per org path (of the customers touched)
        added: dict[str, int] = defaultdict(int)
        for line_id, amount in before.items():
            was[self._paths[line_id][1]] += amount
        for line_id, amount in charged.items():
            added[self._paths[line_id][1]] += amount
        currencies = {line.customer_id: line.currency for line in self._active}
        alerts = []
        for unit_id, customer_id, path, budget in budgets:
            if not any(p.startswith(path) for p in added):
                continue
            spent = sum(amount for p, amount in was.items() if p.startswith(path))
            spent_now = spent + sum(amount for p, amount in added.items() if p.startswith(path))
            for threshold in crossed(spent, spent_now, budget):
                alerts.append(SpendingAlert("unit", customer_id, path, None, unit_id, threshold, period, spent_now,
                                            budget, currencies[customer_id], now))  # fmt: skip
        return alerts
