"""The demo's live billing: usage arriving on the lines as it happens.

Each round draws events for random active lines, rates them against the lines' bundles and
the policies in force at their time, and writes them as billing would, in one transaction
(``demo.rating``; the policies act as ``demo.limits`` says: blocked usage is
refused, excess over a limit is the employee's). Then it announces what changed on the event
bus: each line's new balances, and a spending alert for every line whose month usage charges
crossed 80 % or 100 % of its limit, every unit that crossed its budget, and every line whose
limit action took effect for the first time this month (also in the audit trail).

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
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select, text

from core.billing_records import BundleBalanceRecord, BundleRecord, PolicyRecord
from core.crm_records import path_ids
from core.scope import RowScope
from core.values import Money, month_start
from demo.limits import Charging, first_time, month_so_far
from demo.rating import Event, FeedLine, rate, write
from demo.thresholds import Budget, line_alerts, unit_alerts
from demo.usage import KIND_CUTS, draft_event
from sources.backend import Backend
from sources.billing.balances import BalanceSource
from sources.billing.catalogue import CatalogueSource
from sources.billing.live import Publisher, SpendingAlert, alerts_channel, balances_channel, balances_event
from sources.billing.models import BillingAccount, BundleBalance, LineProduct
from sources.billing.policy_reads import PolicySource
from sources.billing.products import ProductSource
from sources.billing.spending import SpendingSource
from sources.crm.models import Subscriber
from sources.crm.source import CrmSource
from sources.db import Engines

log = logging.getLogger("corpcare.feed")

LINES_REFRESH_SECONDS = 60.0  # lines that moved or ended are picked up this late
TRAVELLING = 0.12  # the share of usage made by people on the road, as in the seeded months
# One feed per billing database: on PostgreSQL it holds this advisory lock while it runs.
LOCK = 0x636F7270_66656564 & 0x7FFFFFFFFFFFFFFF
LOCK_RETRY_SECONDS = 10.0


class FeedBusy(Exception):
    """Another feed runs on this billing database."""


@dataclass(slots=True)
class Round:
    """What one round (or a whole run) wrote and announced."""

    usage_records: int = 0
    lines: int = 0
    charged: dict[str, int] = field(default_factory=dict)  # currency -> minor units (never added across)
    alerts: list[SpendingAlert] = field(default_factory=list)
    refused: int = 0  # chargeable events of blocked lines, not written


@dataclass(slots=True)
class Totals:
    """What a run wrote and announced, counted."""

    usage_records: int = 0
    charged: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # currency -> minor units
    alerts: int = 0
    failed_rounds: int = 0

    def add(self, done: Round) -> None:
        self.usage_records += done.usage_records
        for currency, amount in done.charged.items():
            self.charged[currency] += amount
        self.alerts += len(done.alerts)

    def charged_text(self) -> str:
        """What was charged, one amount per currency (e.g. ``1,234.50 CHF, 98,765.43 EUR``)."""
        amounts = (Money.from_minor(minor, currency) for currency, minor in sorted(self.charged.items()))
        return ", ".join(f"{money.amount:,} {money.currency}" for money in amounts) or "nothing"


class UsageFeed:
    def __init__(
        self,
        engines: Engines,
        events: Publisher,
        *,
        seed: int | None = None,
        customer_ids: Sequence[int] | None = None,
        line_ids: Sequence[int] | None = None,
    ) -> None:
        """Usage arrives on the active lines of ``customer_ids`` (or every customer), or only on
        ``line_ids`` when given."""
        self._engines = engines
        billing = Backend("billing", engines.billing)
        self._catalogue = CatalogueSource(billing)
        self._products = ProductSource(billing)
        self._balances = BalanceSource(billing)
        self._policies = PolicySource(billing)
        self._spending = SpendingSource(billing)
        self._crm = CrmSource(Backend("crm", engines.crm))
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
        lines = await self._where_now({e.line for e in events})
        for event in events:
            event.line = lines[event.line.id]
        customers = sorted({line.customer_id for line in lines.values()})
        period = month_start(now.date())
        balances: dict[int, list[BundleBalanceRecord]] = defaultdict(list)
        for balance in await self._balances.bundle_balances(sorted(lines), period):
            balances[balance.subscriber_id].append(balance)
        opened = await self._new_month(sorted(set(lines) - set(balances)), period)
        balances.update(opened)
        paths = {line.id: line.org_path for line in lines.values()}
        currencies = {line.id: line.currency for line in lines.values()}
        history = await self._policy_history(paths, min(e.at for e in events), now)
        before = await self._spent(customers, period)
        async with self._engines.billing.begin() as conn:
            usage, running = await month_so_far(conn, currencies, period)
            charging = Charging(history, paths, currencies, dict(usage), running)
            taken = rate(events, balances, charging.admit)
            if rows := [{"subscriber_id": b.subscriber_id, "bundle_id": b.bundle_id, "period": period,
                         "allowance": b.allowance, "used": 0} for found in opened.values() for b in found]:  # fmt: skip
                await conn.execute(insert(BundleBalance), rows)
            charged = await write(conn, events, taken, period)
        limits = {line: charging.policy(line, now).monthly_limit_minor for line in lines}
        alerts = line_alerts(lines, usage, charged, limits, period, now)  # limits count usage only
        async with self._engines.state.begin() as conn:
            alerts += await first_time(conn, charging.acted(lines, period, now))
        charged_in = {(line, currencies[line]): amount for line, amount in charged.items()}
        alerts += unit_alerts(await self._budgets(customers), self._paths, before, charged_in, period, now)
        for line_id in lines:
            await self._events.publish(balances_channel(line_id), balances_event(line_id, period, balances[line_id]))
        for alert in alerts:
            await self._events.publish(alerts_channel(alert.customer_id), alert.encode())
        refused = sum(charging.refused.values())
        per_currency: dict[str, int] = defaultdict(int)
        for (_, currency), amount in charged_in.items():
            per_currency[currency] += amount
        return Round(len(events) - refused, len(lines), dict(per_currency), alerts, refused)

    async def run(
        self,
        per_second: float,
        seconds: float | None = None,
        report: Callable[[Round], None] | None = None,
        *,
        wait_turn: bool = False,
    ) -> Totals:
        """A round each second of ``per_second`` events (fractions carried over) for ``seconds``, or
        until cancelled; the totals. ``FeedBusy`` if another feed runs on this billing database,
        unless ``wait_turn``: then it waits until that one stops."""
        async with self._exclusive(wait_turn):
            return await self._rounds(per_second, seconds, report)

    async def _rounds(self, per_second: float, seconds: float | None, report: Callable[[Round], None] | None) -> Totals:
        total, owed = Totals(), 0.0
        started = time.monotonic()
        while seconds is None or time.monotonic() - started < seconds:
            tick = time.monotonic()
            owed += per_second
            try:
                this = await self.round(int(owed))
            except Exception as error:  # a backend away, a lock, a bad row: the next second tries again
                if not total.failed_rounds:
                    log.warning(
                        "Usage feed round failed (%s: %s); trying again each second", type(error).__name__, error
                    )
                total.failed_rounds += 1
                this = Round()
            else:
                if total.failed_rounds:
                    log.warning("Usage feed rounds succeed again after %d failed", total.failed_rounds)
                total.failed_rounds = 0
            owed -= int(owed)
            total.add(this)
            if report is not None:
                report(this)
            await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
        return total

    @asynccontextmanager
    async def _exclusive(self, wait_turn: bool) -> AsyncIterator[None]:
        """Hold the feed's lock on a PostgreSQL billing database (SQLite runs one writer at a time)."""
        if self._engines.billing.dialect.name != "postgresql":
            yield
            return
        async with self._engines.billing.connect() as conn:
            while not (await conn.execute(text("select pg_try_advisory_lock(:key)"), {"key": LOCK})).scalar():
                if not wait_turn:
                    raise FeedBusy("Another usage feed runs on this billing database.")
                await conn.rollback()
                await asyncio.sleep(LOCK_RETRY_SECONDS)
            await conn.commit()
            try:
                yield
            finally:
                await conn.execute(text("select pg_advisory_unlock(:key)"), {"key": LOCK})
                await conn.commit()

    def _event(self, line: FeedLine, now: datetime) -> Event:
        at = now - timedelta(seconds=self._rng.random())
        heavy = self._rng.lognormvariate(0.0, 0.8)
        return Event(line, at, *draft_event(self._rng, KIND_CUTS[self._rng.random() < TRAVELLING], heavy))

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

    async def _where_now(self, lines: set[FeedLine]) -> dict[int, FeedLine]:
        """The lines as they sit in the org tree now: an alert must reach the line's unit of the
        moment, whatever moved since the lines were listed."""
        found = await self._crm.subscribers_by_ids(sorted(line.id for line in lines), RowScope.everything())
        now = {record.id: record.org_path for record in found}
        for line_id, path in now.items():
            self._paths[line_id] = (self._paths[line_id][0], path)
        return {line.id: replace(line, org_path=now.get(line.id, line.org_path)) for line in lines}

    async def _new_month(self, line_ids: list[int], period: date) -> dict[int, list[BundleBalanceRecord]]:
        """Balances of a month the lines have none of yet (billing opens them as the month starts):
        their plan's bundles and their services', in the order usage fills them, nothing used."""
        if not line_ids:
            return {}
        plans = dict(await self._products.plans_by_subscriber_ids(line_ids))
        of_plan: dict[int, list[BundleRecord]] = defaultdict(list)
        for plan_id, bundle in await self._catalogue.bundles_by_plan_ids(sorted({plan.id for plan in plans.values()})):
            of_plan[plan_id].append(bundle)
        services = await self._products.services_by_subscriber_ids(line_ids)
        packs = {b.id: b for b in await self._catalogue.bundles_by_ids(sorted({s.service.bundle_id for s in services
                                                                            if s.service.bundle_id}))}  # fmt: skip
        bundles = {line: list(of_plan[plan.id]) for line, plan in plans.items()}
        for service in services:
            if service.service.bundle_id in packs:
                bundles[service.subscriber_id].append(packs[service.service.bundle_id])
        return {line: [BundleBalanceRecord(line, b.id, period, b.kind, b.allowance, 0)
                       for b in sorted(found, key=lambda b: (b.kind, b.id))]
                for line, found in bundles.items()}  # fmt: skip

    async def _policy_history(self, lines: dict[int, str], since: datetime, now: datetime) -> list[PolicyRecord]:
        """The lines' and their units' policies in force at any moment of the round: each event is
        rated under the policy in force at its time."""
        units = sorted({unit for path in lines.values() for unit in path_ids(path)})
        return await self._policies.policy_history(units, sorted(lines), since, now + timedelta(microseconds=1))

    async def _spent(self, customers: list[int], period: date) -> dict[tuple[int, str], int]:
        """Each line's charges so far this month per currency, for every line of the customers."""
        groups = {sid: str(sid) for sid, (customer, _) in self._paths.items() if customer in customers}
        rows = await self._spending.spending_by_group(customers, [period], groups)
        return {(int(group), currency): int(total) for group, _, currency, total, _, _ in rows}

    async def _budgets(self, customers: list[int]) -> list[Budget]:
        units = await self._crm.budgeted_units(customers, RowScope.everything())
        return [(u.id, u.customer_id, u.path, u.monthly_budget.minor, u.monthly_budget.currency)
                for u in units if u.monthly_budget is not None]  # fmt: skip


async def feed_forever(engines: Engines, events: Publisher, per_second: float) -> None:
    """The usage fed from inside a server process until it is cancelled (``server/asgi.py``, with
    CORPCARE_USAGE_FEED_PER_SECOND set); on PostgreSQL one process at a time feeds a billing
    database, the others wait their turn."""
    while True:
        try:
            await UsageFeed(engines, events).run(per_second, wait_turn=True)
        except Exception as error:  # the billing database away as the feed starts: try again
            log.warning("Usage feed stopped (%s: %s)", type(error).__name__, error)
            await asyncio.sleep(10)
