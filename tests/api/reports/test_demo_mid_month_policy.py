"""The demo's policy changed mid-month: from the 15th of last month Operations pays 75 % of its
lines' usage. Their month shows two policy periods, each split exactly under its own policy."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core.ids import to_global_id
from core.values import Money, add_months, aware, month_start
from sources.billing.models import DailyCharge, SpendingPolicy
from sources.billing.split import RECURRING, employee_part
from sources.crm.models import OrgUnit, Subscriber
from tests.support import World, today

LAST = add_months(month_start(today()), -1)
CHANGED = datetime(LAST.year, LAST.month, 15, tzinfo=UTC)
BEFORE, AFTER = 100, 75  # the company's share of Operations' usage: ACME's own, then the new one
SPENDING = """query($id: ID!, $m: Month!) { node(id: $id) { ... on Subscriber { spending(month: $m) {
  total { amount } companyShare { amount } employeeShare { amount }
  policyPeriods { since until companySharePercent total { amount } companyShare { amount }
    employeeShare { amount } overLimit { amount } } } } } }"""

# (line, category, policy period starts at the change) -> (amount, employee share, over the limit)
Sums = dict[tuple[int, str, bool], tuple[int, int, int]]


async def operations_charges(world: World) -> Sums:
    """Last month's charges of ACME's Operations lines that have no policy of their own."""
    async with world.engines.crm.connect() as conn:
        unit = await conn.execute(select(OrgUnit.path).where(OrgUnit.customer_id == 1, OrgUnit.name == "Operations"))
        path = unit.scalar_one()
        lines = set((await conn.execute(select(Subscriber.id).where(Subscriber.org_path.startswith(path)))).scalars())
    async with world.engines.billing.connect() as conn:
        own = set((await conn.execute(select(SpendingPolicy.subscriber_id).distinct())).scalars())
        statement = (
            select(DailyCharge.subscriber_id, DailyCharge.category, DailyCharge.policy_since,
                   func.sum(DailyCharge.amount_minor), func.sum(DailyCharge.employee_share_minor),
                   func.sum(DailyCharge.over_limit_minor))
            .where(DailyCharge.period == LAST, DailyCharge.subscriber_id.in_(sorted(lines - own)))
            .group_by(DailyCharge.subscriber_id, DailyCharge.category, DailyCharge.policy_since)
        )  # fmt: skip
        found = (await conn.execute(statement)).all()
    sums: Sums = {}
    for line, category, since, amount, employee, over in found:
        assert since is not None and aware(since) <= CHANGED
        sums[line, category, aware(since) == CHANGED] = (int(amount), int(employee), int(over or 0))
    return sums


def usage_on_both_sides(sums: Sums) -> list[int]:
    usage: dict[int, set[bool]] = defaultdict(set)
    for (line, category, after), (amount, _, _) in sums.items():
        if category != RECURRING and amount > 0:
            usage[line].add(after)
    return sorted(line for line, sides in usage.items() if sides == {False, True})


async def test_operations_lines_are_split_exactly_under_each_policy_of_last_month(world):
    sums = await operations_charges(world)
    assert usage_on_both_sides(sums), "some Operations line has usage before and after the change"
    for (line, category, after), (amount, employee, over) in sums.items():
        percent = AFTER if after else BEFORE
        expected = 0 if category == RECURRING else employee_part(amount, percent)
        assert (employee, over) == (expected, 0), (line, category, after)


async def test_the_demo_shows_two_policy_periods_for_last_month_that_add_up_to_it(world, customer_admin):
    sums = await operations_charges(world)
    line = usage_on_both_sides(sums)[0]
    spending = await line_spending(world, customer_admin, line)
    first, second = spending["policyPeriods"]
    assert aware(datetime.fromisoformat(first["since"])) == datetime(LAST.year, LAST.month, 1, tzinfo=UTC)
    assert first["until"] == second["since"] and aware(datetime.fromisoformat(second["since"])) == CHANGED
    next_month = add_months(LAST, 1)
    assert aware(datetime.fromisoformat(second["until"])) == datetime(next_month.year, next_month.month, 1, tzinfo=UTC)
    assert (first["companySharePercent"], second["companySharePercent"]) == (BEFORE, AFTER)
    for period, after in ((first, False), (second, True)):
        charges = [value for (at, _, side), value in sums.items() if at == line and side == after]
        total, employee = (sum(value[i] for value in charges) for i in (0, 1))
        assert amount(period["total"]) == minor(total) and amount(period["employeeShare"]) == minor(employee)
        assert amount(period["companyShare"]) + amount(period["employeeShare"]) == amount(period["total"])
        assert amount(period["overLimit"]) == 0
    assert amount(second["employeeShare"]) > 0 == amount(first["employeeShare"])
    for measure in ("total", "companyShare", "employeeShare"):
        assert amount(first[measure]) + amount(second[measure]) == amount(spending[measure]), measure


async def line_spending(world: World, login: str, line: int) -> Any:
    variables = {"id": to_global_id("Subscriber", line), "m": LAST.strftime("%Y-%m")}
    return (await world.data(login, SPENDING, variables))["node"]["spending"]


def amount(money: dict[str, str]) -> Decimal:
    return Decimal(money["amount"])


def minor(value: int) -> Decimal:
    return Money.from_minor(value, "EUR").amount
