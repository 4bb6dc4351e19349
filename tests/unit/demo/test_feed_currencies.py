"""The usage feed over a company billed in two currencies (the demo's Borealis: its Grid division in
CHF, the rest in EUR): what a round charged is told per currency, and a unit's budget counts only
the charges in its own currency. Checked against the databases, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select, update

from core.values import month_start
from demo.feed import UsageFeed
from sources.billing.live import alerts_channel
from sources.billing.models import DailyCharge, UsageRecord
from sources.crm.models import OrgUnit
from tests.support import World, today
from tests.unit.demo.test_feed import rows
from tests.unit.infra.test_events import held

BOREALIS = 2


async def charged(world: World, period: date, currency: str) -> int:
    """Borealis's charges of the month in ``currency``, summed by the database."""
    statement = select(func.coalesce(func.sum(DailyCharge.amount_minor), 0)).where(
        DailyCharge.customer_id == BOREALIS, DailyCharge.period == period, DailyCharge.currency == currency
    )
    return int((await rows(world, "billing", statement))[0][0])


async def test_a_round_over_two_currencies_tells_what_it_charged_in_each(writable_world):
    world = writable_world
    last_record = (await rows(world, "billing", select(func.max(UsageRecord.id))))[0][0]
    done = await UsageFeed(world.engines, world.sources.events, seed=7, customer_ids=[BOREALIS]).round(300)
    new = await rows(world, "billing", select(UsageRecord.currency, UsageRecord.amount_minor)
                     .where(UsageRecord.id > last_record))  # fmt: skip
    written: Counter[str] = Counter()
    for currency, amount in new:
        written[currency] += amount
    assert set(done.charged) == {"CHF", "EUR"} and all(done.charged.values())
    assert done.charged == {currency: amount for currency, amount in written.items() if amount}


async def test_a_units_budget_counts_only_the_charges_in_its_own_currency(writable_world):
    world = writable_world
    period = month_start(today())
    units = dict(await rows(world, "crm", select(OrgUnit.name, OrgUnit.id).where(OrgUnit.customer_id == BOREALIS)))
    root = (await rows(world, "crm", select(OrgUnit.id).where(OrgUnit.customer_id == BOREALIS, OrgUnit.depth == 0)))[0][
        0
    ]
    # The company's budget (in EUR) one cent above its EUR charges so far: the next EUR charge takes
    # it past 100 %, whatever is charged in CHF. Grid's (also stated in EUR) is one cent: its lines
    # are charged in CHF only, which is never compared with it.
    budgets = {root: await charged(world, period, "EUR") + 1, units["Grid"]: 1}
    async with world.engines.crm.begin() as conn:
        for unit, budget in budgets.items():
            await conn.execute(update(OrgUnit).where(OrgUnit.id == unit).values(monthly_budget_minor=budget))
    feed = UsageFeed(world.engines, world.sources.events, seed=13, customer_ids=[BOREALIS])
    async with world.sources.events.listen(alerts_channel(BOREALIS), size=10_000) as mailbox:
        done = await feed.round(300)
        await held(mailbox)
    assert done.charged.get("CHF") and done.charged.get("EUR"), "the round charged in both currencies"
    by_unit = {alert.org_unit_id: alert for alert in done.alerts if alert.subject == "unit"}
    assert units["Grid"] not in by_unit
    company = by_unit[root]
    assert (company.threshold, company.currency, company.limit_minor) == (100, "EUR", budgets[root])
    assert company.spent_minor == await charged(world, period, "EUR")
