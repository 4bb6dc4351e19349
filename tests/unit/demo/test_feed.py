"""The demo's live billing: what a round writes adds up, and exactly the thresholds crossed are
announced, each once. Checked against the databases themselves, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from fractions import Fraction
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update

from core.errors import BackendBusy
from core.values import add_months, month_start
from demo import feed as feed_module
from demo.feed import FeedBusy, UsageFeed
from sources.billing.live import (
    LIMIT_APPROACHING,
    LIMIT_REACHED,
    THRESHOLDS,
    SpendingAlert,
    alerts_channel,
    balances_channel,
    from_balances_event,
)
from sources.billing.models import Bundle, BundleBalance, DailyCharge, SpendingPolicy, UsageRecord
from sources.crm.models import OrgUnit, Subscriber
from tests.support import World, today
from tests.unit.infra.test_events import held
from tests.waiting import within


async def rows(world: World, engine: str, statement: Any) -> list[Any]:
    async with getattr(world.engines, engine).connect() as conn:
        return list((await conn.execute(statement)).all())


async def month_totals(world: World, period: date, *, usage_only: bool = False) -> dict[int, int]:
    """Each line's charges this month; ``usage_only``: what a limit counts (no recurring fees)."""
    statement = (
        select(DailyCharge.subscriber_id, func.sum(DailyCharge.amount_minor))
        .where(DailyCharge.period == period)
        .group_by(DailyCharge.subscriber_id)
    )
    if usage_only:
        statement = statement.where(DailyCharge.category != "subscription")
    return {line: int(total) for line, total in await rows(world, "billing", statement)}


async def used_by_kind(world: World, period: date) -> dict[tuple[int, str], int]:
    statement = (
        select(BundleBalance.subscriber_id, Bundle.kind, func.sum(BundleBalance.used))
        .join(Bundle, Bundle.id == BundleBalance.bundle_id)
        .where(BundleBalance.period == period)
        .group_by(BundleBalance.subscriber_id, Bundle.kind)
    )
    return {(line, kind): int(used) for line, kind, used in await rows(world, "billing", statement)}


async def test_a_round_writes_its_usage_charges_and_balances_and_they_add_up(writable_world):
    world = writable_world
    period = month_start(today())
    last_record = (await rows(world, "billing", select(func.max(UsageRecord.id))))[0][0]
    charges, used = await month_totals(world, period), await used_by_kind(world, period)

    events = world.sources.events
    line = (await rows(world, "crm", select(Subscriber.id).where(Subscriber.status == "active").limit(1)))[0][0]
    async with events.listen(balances_channel(line), size=1) as mailbox:
        done = await UsageFeed(world.engines, events, seed=3).round(400)
        announced = await held(mailbox)

    record = UsageRecord
    new = await rows(world, "billing", select(record.subscriber_id, record.kind, record.quantity, record.amount_minor,
                                              record.currency).where(record.id > last_record))  # fmt: skip
    # Usage of a line whose blocking limit was reached is refused, not written.
    assert len(new) == done.usage_records == 400 - done.refused
    assert {kind for _, kind, _, _, _ in new} == {"voice", "sms", "data", "roaming_data"}  # some of it on the road
    charged: dict[int, int] = Counter()
    per_currency: dict[str, int] = Counter()
    quantities: dict[tuple[int, str], int] = Counter()
    for subscriber, kind, quantity, amount, currency in new:
        charged[subscriber] += amount
        per_currency[currency] += amount
        quantities[subscriber, kind] += quantity
    assert done.charged == {currency: amount for currency, amount in per_currency.items() if amount}
    assert sum(done.charged.values()) > 0
    charges_after = await month_totals(world, period)
    assert {line: charges_after.get(line, 0) - charges.get(line, 0) for line in charges_after} == {
        line: charged.get(line, 0) for line in charges_after
    }
    # Usage of a kind is drawn from the line's bundles of that kind: used grows by the quantity.
    used_after = await used_by_kind(world, period)
    grown = {key: used_after[key] - used[key] for key in used_after if used_after[key] != used[key]}
    assert grown == {key: quantity for key, quantity in quantities.items() if key in used}
    assert grown, "some usage fell inside bundles"
    # The line's subscribers heard its balances as they now are (if usage arrived on it).
    if any(subscriber == line for subscriber, _ in quantities):
        balances = from_balances_event(announced[-1])
        assert {b.kind for b in balances} and all(b.subscriber_id == line for b in balances)
        for kind in {b.kind for b in balances}:
            assert sum(b.used for b in balances if b.kind == kind) == used_after[line, kind]
    else:
        assert announced == []


async def set_line_limits(world: World, customer: int, limits: dict[int, int]) -> None:
    """Each line's own monthly limit (its own policy, made where it has none, in force since the
    month began): written in place, as if it had always been so."""
    since = datetime.combine(month_start(today()), datetime.min.time(), UTC)
    owned = {line for (line,) in await rows(world, "billing", select(SpendingPolicy.subscriber_id)
                                            .where(SpendingPolicy.subscriber_id.is_not(None)))}  # fmt: skip
    async with world.engines.billing.begin() as conn:
        for line, limit in limits.items():
            if line in owned:
                await conn.execute(update(SpendingPolicy).where(SpendingPolicy.subscriber_id == line)
                                   .values(monthly_limit_minor=limit))  # fmt: skip
            else:
                await conn.execute(insert(SpendingPolicy).values(customer_id=customer, subscriber_id=line,
                                   monthly_limit_minor=limit, updated_at=func.now(), valid_from=since))  # fmt: skip


async def set_thresholds_just_below_80_percent(world: World, customer: int, period: date) -> tuple[dict, dict]:
    """Every line's own limit and every unit's budget set just above 125 % of what it has spent
    (below 80 % of it): the next charge of any size may cross a threshold. A line's limit counts
    its usage charges, a unit's budget all its lines' charges."""
    spent = await month_totals(world, period)
    used = await month_totals(world, period, usage_only=True)
    lines = dict(await rows(world, "crm", select(Subscriber.id, Subscriber.org_path)
                            .where(Subscriber.customer_id == customer)))  # fmt: skip
    units = dict(await rows(world, "crm", select(OrgUnit.id, OrgUnit.path).where(OrgUnit.customer_id == customer)))
    limits = {line: used.get(line, 0) * 100 // 80 + 1 for line in lines}
    budgets = {unit: sum(spent.get(line, 0) for line, p in lines.items() if p.startswith(path)) * 100 // 80 + 1
               for unit, path in units.items()}  # fmt: skip
    await set_line_limits(world, customer, limits)
    async with world.engines.crm.begin() as conn:
        for unit, budget in budgets.items():
            await conn.execute(update(OrgUnit).where(OrgUnit.id == unit).values(monthly_budget_minor=budget))
    return {line: (lines[line], limit) for line, limit in limits.items()}, {
        u: (units[u], b) for u, b in budgets.items()
    }


def expected(before: dict[int, int], after: dict[int, int], subjects: dict[int, tuple[str, int]], members: Any) -> set:
    """(id, threshold) for each subject whose spending went past threshold % of its limit."""
    found = set()
    for subject, (_, limit) in subjects.items():
        was, now = members(subject, before), members(subject, after)
        found |= {(subject, t) for t in THRESHOLDS if Fraction(was, limit) < Fraction(t, 100) <= Fraction(now, limit)}
    return found


async def test_every_line_and_unit_that_crosses_80_or_100_percent_is_announced_once(writable_world):
    world = writable_world
    period = month_start(today())
    customer = (await rows(world, "crm", select(func.min(Subscriber.customer_id))))[0][0]
    lines, units = await set_thresholds_just_below_80_percent(world, customer, period)
    feed = UsageFeed(world.engines, world.sources.events, seed=11, customer_ids=[customer])

    def line_spend(line: int, totals: dict[int, int]) -> int:
        return totals.get(line, 0)

    def unit_spend(unit: int, totals: dict[int, int]) -> int:
        return sum(totals.get(line, 0) for line, (path, _) in lines.items() if path.startswith(units[unit][0]))

    announced: list[SpendingAlert] = []
    by_round: list[tuple[set, set]] = []
    async with world.sources.events.listen(alerts_channel(customer), size=10_000) as mailbox:
        for _ in range(3):
            before, used_before = await month_totals(world, period), await month_totals(world, period, usage_only=True)
            done = await feed.round(60)
            after, used_after = await month_totals(world, period), await month_totals(world, period, usage_only=True)
            everything = [SpendingAlert.decode(message) for message in await held(mailbox)]
            assert sorted(everything, key=repr) == sorted(done.alerts, key=repr)
            # Limit actions taking effect are announced too (tests below); here the thresholds.
            heard = [a for a in everything if a.kind in (LIMIT_APPROACHING, LIMIT_REACHED)]
            assert all(a.threshold == 100 and a.spent_minor >= a.limit_minor for a in everything if a not in heard)
            announced += heard
            by_round.append(
                (expected(used_before, used_after, lines, line_spend), expected(before, after, units, unit_spend))
            )
            assert {(a.line_id, a.threshold) for a in heard if a.subject == "line"} == by_round[-1][0]
            assert {(a.org_unit_id, a.threshold) for a in heard if a.subject == "unit"} == by_round[-1][1]

    assert all(lines_ and units_ for lines_, units_ in by_round[:1]), "the first round crosses thresholds"
    subjects = Counter((a.subject, a.line_id or a.org_unit_id, a.threshold) for a in announced)
    assert max(subjects.values()) == 1, "each threshold once"
    for alert in announced:
        assert alert.customer_id == customer and alert.period == period
        assert alert.spent_minor * 100 >= alert.threshold * alert.limit_minor
        path, limit = lines[alert.line_id] if alert.subject == "line" else units[alert.org_unit_id]  # type: ignore[index]
        assert (alert.org_path, alert.limit_minor) == (path, limit)


async def test_a_feed_for_named_lines_puts_usage_on_those_lines_only(writable_world):
    world = writable_world
    chosen = [line for (line,) in await rows(world, "crm", select(Subscriber.id)
                                             .where(Subscriber.status == "active").limit(3))]  # fmt: skip
    last_record = (await rows(world, "billing", select(func.max(UsageRecord.id))))[0][0]
    await UsageFeed(world.engines, world.sources.events, seed=5, line_ids=chosen).round(50)
    touched = defaultdict(int)
    for (line,) in await rows(world, "billing", select(UsageRecord.subscriber_id).where(UsageRecord.id > last_record)):
        touched[line] += 1
    assert set(touched) <= set(chosen) and sum(touched.values()) == 50


async def test_in_a_month_without_balances_yet_the_feed_opens_them_from_the_lines_products(writable_world):
    world = writable_world
    period = month_start(today())
    later = add_months(period, 1)
    line = (await rows(world, "crm", select(Subscriber.id).where(Subscriber.status == "active").limit(1)))[0][0]
    last_record = (await rows(world, "billing", select(func.max(UsageRecord.id))))[0][0]
    now = datetime(later.year, later.month, 1, 9, 30, tzinfo=UTC)
    await UsageFeed(world.engines, world.sources.events, seed=9, line_ids=[line]).round(40, now=now)

    this_month = await world.sources.balances.bundle_balances([line], period)
    opened = await world.sources.balances.bundle_balances([line], later)
    assert [(b.bundle_id, b.allowance) for b in opened] == [(b.bundle_id, b.allowance) for b in this_month] != []
    quantities: dict[str, int] = Counter()
    for kind, quantity in await rows(world, "billing", select(UsageRecord.kind, UsageRecord.quantity)
                                     .where(UsageRecord.id > last_record)):  # fmt: skip
        quantities[kind] += quantity
    used: dict[str, int] = Counter()
    for balance in opened:
        used[balance.kind] += balance.used
    assert used == {kind: quantity for kind, quantity in quantities.items() if kind in used}


async def test_an_alert_names_the_unit_the_line_sits_in_now_though_it_moved_since_the_feed_listed_it(writable_world):
    world = writable_world
    period = month_start(today())
    line, customer = (await rows(world, "crm", select(Subscriber.id, Subscriber.customer_id)
                                 .where(Subscriber.status == "active").limit(1)))[0]  # fmt: skip
    feed = UsageFeed(world.engines, world.sources.events, seed=3, line_ids=[line])
    await feed.lines()  # listed where it was
    elsewhere = (await rows(world, "crm", select(OrgUnit.id, OrgUnit.path).where(OrgUnit.customer_id == customer)
                            .order_by(OrgUnit.path.desc()).limit(1)))[0]  # fmt: skip
    async with world.engines.crm.begin() as conn:
        await conn.execute(update(Subscriber).where(Subscriber.id == line)
                           .values(org_unit_id=elsewhere[0], org_path=elsewhere[1]))  # fmt: skip
    # Its bundles used up and its limit just out of reach of 80 %: the first charge crosses it.
    async with world.engines.billing.begin() as conn:
        await conn.execute(update(BundleBalance).where(BundleBalance.subscriber_id == line)
                           .values(used=BundleBalance.allowance))  # fmt: skip
    used = await month_totals(world, period, usage_only=True)
    await set_line_limits(world, customer, {line: used.get(line, 0) * 100 // 80 + 1})
    done = await feed.round(5)
    [alert, *_] = [a for a in done.alerts if a.subject == "line"]
    assert (alert.line_id, alert.org_path) == (line, elsewhere[1])


class FeedClock:
    """The feed's clock, in the test's hands: each round of a feed takes exactly one second of
    it, however long the round takes on a busy machine."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def ticking(self, feed: UsageFeed) -> None:
        real_round = feed.round

        async def round_of_a_second(count: int, now: datetime | None = None) -> Any:
            try:
                return await real_round(count, now)
            finally:
                self.now += 1.0

        feed.round = round_of_a_second  # type: ignore[method-assign]


async def test_a_failed_round_is_logged_once_and_the_next_seconds_go_on(writable_world, caplog, monkeypatch):
    world = writable_world
    clock = FeedClock()
    monkeypatch.setattr(feed_module, "time", clock)
    feed = UsageFeed(world.engines, world.sources.events, seed=4)
    clock.ticking(feed)
    real_round, calls = feed.round, []

    async def flaky(count: int, now: datetime | None = None) -> Any:
        calls.append(count)
        if len(calls) <= 2:  # a backend away for two seconds
            try:
                raise BackendBusy("Every connection to billing is in use.")
            finally:
                clock.now += 1.0
        return await real_round(count, now)

    feed.round = flaky  # type: ignore[method-assign]
    with caplog.at_level(logging.WARNING, logger="corpcare.feed"):
        totals = await feed.run(per_second=20, seconds=3.5)
    assert len(calls) == 4 and totals.usage_records == 40 and totals.failed_rounds == 0
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 2 and "BackendBusy" in warnings[0] and "after 2 failed" in warnings[1]


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_one_feed_at_a_time_writes_to_a_postgresql_billing_database(writable_world, monkeypatch):
    world = writable_world
    monkeypatch.setattr(feed_module, "LOCK_RETRY_SECONDS", 0.1)
    clock = FeedClock()
    monkeypatch.setattr(feed_module, "time", clock)
    first_feed = UsageFeed(world.engines, world.sources.events, seed=5)
    clock.ticking(first_feed)
    # The first feed holds its first round open (and the lock with it) until the others have tried.
    in_round, tried = asyncio.Event(), asyncio.Event()
    counted_round = first_feed.round

    async def held_open(count: int, now: datetime | None = None) -> Any:
        done = await counted_round(count, now)
        if not in_round.is_set():
            in_round.set()
            await tried.wait()
        return done

    first_feed.round = held_open  # type: ignore[method-assign]
    first = asyncio.create_task(first_feed.run(5, seconds=2))
    await within(in_round.wait())
    with pytest.raises(FeedBusy):
        await UsageFeed(world.engines, world.sources.events, seed=6).run(5, seconds=1)
    second = UsageFeed(world.engines, world.sources.events, seed=6)
    clock.ticking(second)
    waiting = asyncio.create_task(second.run(5, seconds=1, wait_turn=True))
    await asyncio.sleep(0.3)  # a few of its tries for the lock, which the first still holds
    assert not waiting.done()
    tried.set()
    assert (await within(first)).usage_records == 10
    assert (await within(waiting)).usage_records == 5  # its turn came when the first stopped
