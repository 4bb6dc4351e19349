"""Policies act as usage is rated (the demo feed): under charge_employee the excess over the
limit lands on the employee to the cent, under block chargeable usage past the limit is refused,
notify only alerts; limits count usage, never fees; each action shows in spending, in the alerts
(once per line and month) and in the audit trail. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update

from core.ids import to_global_id
from core.values import aware, month_start
from demo.feed import UsageFeed
from sources.billing.live import EXCESS_CHARGED, LIMIT_REACHED, USAGE_BLOCKED, SpendingAlert, alerts_channel
from sources.billing.models import BundleBalance, DailyCharge, SpendingPolicy, UsageRecord
from sources.billing.split import employee_part
from sources.crm.models import Subscriber
from sources.state.models import AuditRecord, AuditTarget
from tests.support import World
from tests.unit.demo.test_feed import month_totals, rows
from tests.unit.infra.test_events import held


async def active_lines(world: World, customer: int, count: int) -> list[int]:
    statement = select(Subscriber.id).where(Subscriber.customer_id == customer, Subscriber.status == "active")
    return [line for (line,) in await rows(world, "crm", statement.order_by(Subscriber.id).limit(count))]


async def in_force_since(world: World, line: int) -> datetime:
    statement = select(SpendingPolicy.valid_from).where(
        SpendingPolicy.subscriber_id == line, SpendingPolicy.valid_to.is_(None)
    )
    return aware((await rows(world, "billing", statement))[0][0])


async def split_by_category(world: World, line: int, since: datetime) -> dict[str, tuple[int, int, int]]:
    """(amount, employee share, over the limit) per category of the line's charges rated since ``since``."""
    statement = (
        select(DailyCharge.category, func.sum(DailyCharge.amount_minor), func.sum(DailyCharge.employee_share_minor),
               func.sum(DailyCharge.over_limit_minor))
        .where(DailyCharge.subscriber_id == line, DailyCharge.policy_since == since)
        .group_by(DailyCharge.category)
    )  # fmt: skip
    return {category: (int(a), int(e), int(o)) for category, a, e, o in await rows(world, "billing", statement)}


async def actions_audited(world: World, lines: list[int]) -> Counter[tuple[str, int]]:
    statement = (
        select(AuditRecord.action, AuditTarget.target_id)
        .join(AuditTarget, AuditTarget.audit_id == AuditRecord.id)
        .where(AuditTarget.kind == "Subscriber", AuditTarget.target_id.in_(lines))
    )
    return Counter((action, line) for action, line in await rows(world, "state", statement))


async def test_charge_employee_block_and_notify_act_on_usage_and_show_in_spending_alerts_and_audit(writable_world):
    world = writable_world
    customer = 1
    excess, blocked, notify = await active_lines(world, customer, 3)
    lines = [excess, blocked, notify]
    period = month_start(datetime.now(UTC).date())
    async with world.engines.billing.begin() as conn:  # every event beyond the bundles: charged
        await conn.execute(update(BundleBalance).where(BundleBalance.subscriber_id.in_(lines))
                           .values(used=BundleBalance.allowance))  # fmt: skip
    used = await month_totals(world, period, usage_only=True)
    charged_before = await month_totals(world, period)
    limits = {line: used.get(line, 0) + 1 for line in lines}  # one cent of usage away
    # Fees are charged but never count: with them, each line would be over its limit already.
    assert all(charged_before[line] > limits[line] for line in lines)
    writer = world.sources.policy_writer
    await writer.set_policy(customer, {"monthly_limit_minor": limits[excess], "limit_action": "charge_employee",
                                       "company_share_percent": 50}, line_id=excess)  # fmt: skip
    await writer.set_policy(customer, {"monthly_limit_minor": limits[blocked], "limit_action": "block"},
                            line_id=blocked)  # fmt: skip
    await writer.set_policy(customer, {"monthly_limit_minor": limits[notify], "limit_action": "notify",
                                       "company_share_percent": 70}, line_id=notify)  # fmt: skip
    since = {line: await in_force_since(world, line) for line in lines}
    last_record = (await rows(world, "billing", select(func.max(UsageRecord.id))))[0][0]

    feed = UsageFeed(world.engines, world.sources.events, seed=21, line_ids=lines)
    refused, heard = 0, []
    async with world.sources.events.listen(alerts_channel(customer), size=1000) as mailbox:
        for second in range(3):
            done = await feed.round(60, now=datetime.now(UTC) + timedelta(seconds=2 + second))
            refused += done.refused
            heard += [SpendingAlert.decode(message) for message in await held(mailbox)]
    after = await month_totals(world, period, usage_only=True)

    # charge_employee: everything over the limit is the employee's, the rest split 50/50 exactly.
    by_category = await split_by_category(world, excess, since[excess])
    over = sum(o for _, _, o in by_category.values())
    assert over == after[excess] - limits[excess] > 0
    for category, (amount, employee, over_c) in by_category.items():
        assert employee == over_c + employee_part(amount - over_c, 50), category
    # block: no chargeable usage once the month's usage reached the limit; the rest refused.
    new = (UsageRecord.subscriber_id == blocked) & (UsageRecord.id > last_record)
    records = await rows(world, "billing", select(UsageRecord.amount_minor).where(new).order_by(UsageRecord.started_at))
    running = used.get(blocked, 0)
    for (amount,) in records:
        assert not (amount and running >= limits[blocked]), "usage rated past a blocking limit"
        running += amount
    assert running == after[blocked] >= limits[blocked] and refused > 0
    assert sum(1 for (amount,) in records if amount) >= 1, "usage below the limit is rated, whatever the fees"
    # notify: only the cost split; nothing over the limit is the employee's.
    for category, (amount, employee, over_c) in (await split_by_category(world, notify, since[notify])).items():
        assert (employee, over_c) == (employee_part(amount, 70), 0), category
    assert after[notify] > limits[notify]

    kinds = Counter((a.kind, a.line_id) for a in heard if a.kind in (EXCESS_CHARGED, USAGE_BLOCKED))
    assert kinds == {(EXCESS_CHARGED, excess): 1, (USAGE_BLOCKED, blocked): 1}, "once per line and month"
    assert {a.line_id for a in heard if a.kind == LIMIT_REACHED and a.subject == "line"} == set(lines)
    audited = await actions_audited(world, lines)
    assert audited == {("spending.excess_charged", excess): 1, ("spending.usage_blocked", blocked): 1}


async def test_a_policy_changed_mid_month_splits_the_month_per_policy_period(writable_world, customer_admin):
    world = writable_world
    customer = 1
    line = (await active_lines(world, customer, 10))[-1]
    async with world.engines.billing.begin() as conn:
        await conn.execute(update(BundleBalance).where(BundleBalance.subscriber_id == line)
                           .values(used=BundleBalance.allowance))  # fmt: skip
    feed = UsageFeed(world.engines, world.sources.events, seed=8, line_ids=[line])
    await feed.round(10, now=datetime.now(UTC))
    await world.sources.policy_writer.set_policy(customer, {"company_share_percent": 40}, line_id=line)
    changed = await in_force_since(world, line)
    await feed.round(10, now=datetime.now(UTC) + timedelta(seconds=2))

    spending = await line_spending(world, customer_admin, line)
    periods = spending["policyPeriods"]
    assert len(periods) == 2
    first, second = periods
    assert first["until"] == second["since"] and aware(datetime.fromisoformat(second["since"])) == changed
    assert first["since"].startswith(spending["period"]) and second["companySharePercent"] == 40
    for measure in ("total", "companyShare", "employeeShare"):
        assert sum(Decimal(p[measure]["amount"]) for p in periods) == Decimal(spending[measure]["amount"])
    by_category = await split_by_category(world, line, changed)
    assert Decimal(second["total"]["amount"]) * 100 == sum(a for a, _, _ in by_category.values()) > 0
    for category, (amount, employee, _) in by_category.items():
        assert employee == employee_part(amount, 40), category


SPENDING = """query($id: ID!) { node(id: $id) { ... on Subscriber { spending { period
  total { amount } companyShare { amount } employeeShare { amount }
  policyPeriods { since until limitAction companySharePercent monthlyLimit { amount }
    total { amount } companyShare { amount } employeeShare { amount } overLimit { amount } } } } } }"""


async def line_spending(world: World, login: str, line: int) -> Any:
    return (await world.data(login, SPENDING, {"id": to_global_id("Subscriber", line)}))["node"]["spending"]
