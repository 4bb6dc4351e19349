"""Closed months are final: their spending is summed once, kept in the shared cache under the
caller's scope, and read back to the cent; the open month is still summed live."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

import loaders.closed_months
from core.values import add_months, month_start
from demo.feed import UsageFeed
from engine.build import build_schema
from infra.cache import InProcessCache, RedisCache
from loaders.closed_months import dataset_of, is_closed, renew
from tests.api.access.test_access import unit_id
from tests.support import REDIS_PREFIX, REDIS_URL, World, reachable_redis, today

ORG_SPEND = (Path(__file__).parents[3] / "bench" / "operations" / "org_spend.graphql").read_text()
SPEND_BY_UNIT = (Path(__file__).parents[3] / "bench" / "operations" / "spend_by_unit_12m.graphql").read_text()
FIGURES = "period total { amount currency } companyShare { amount currency } employeeShare { amount } lineCount"
COMPANY = f"""query($m: Month) {{ customer {{ spendingByCurrency(month: $m) {{ {FIGURES} }}
  orgRoot {{ spendingByCurrency(month: $m) {{ {FIGURES} }}
    children {{ name spendingByCurrency(month: $m) {{ {FIGURES} }} }} }} }} }}"""
UNIT = f"""query($unit: ID!, $m: Month) {{ node(id: $unit) {{ ... on OrgUnit {{
  spendingByCurrency(month: $m) {{ {FIGURES} }} }} }} }}"""
REPORT = """query($input: SpendingReportInput!) { spendingReport(input: $input) {
  totals { total { amount currency } companyShare { amount } employeeShare { amount } lines }
  rows(first: 10000) { nodes { orgUnit { id } month category total { amount currency } companyShare { amount }
    employeeShare { amount } lines } } } }"""


def month(offset: int) -> date:
    return add_months(month_start(today()), offset)


def wire(day: date) -> str:
    return day.strftime("%Y-%m")


def twelve_months() -> dict[str, str]:
    return {f"m{i}": wire(month(i - 12)) for i in range(1, 13)}


def closed_range() -> dict[str, Any]:
    """Eleven months ending two months back: closed whatever today is."""
    return {"from": wire(month(-12)), "to": wire(month(-2)), "groupBy": ["ORG_UNIT", "MONTH", "CATEGORY"]}


@pytest.fixture
def summed_live(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Runs an operation with no month closed: every figure summed from the charges, none kept."""

    async def run(world: World, login: str, query: str, variables: dict[str, Any]) -> Any:
        with monkeypatch.context() as patched:
            patched.setattr(loaders.closed_months, "is_closed", lambda *_: False)
            return await world.with_empty_cache().data(login, query, variables)

    return run


def charge_reads(world: World) -> list[str]:
    return [s for s in world.counter.statements if "daily_charges" in s]


async def test_kept_closed_months_read_as_summed_live_to_the_cent(world, customer_admin, summed_live):
    warm = world.with_empty_cache()
    cold = await warm.data(customer_admin, ORG_SPEND, twelve_months())
    kept = [key for key in warm.sources.cache._entries if ":org:" in key]
    closed = len([m for m in twelve_months().values() if is_closed(date.fromisoformat(f"{m}-01"), today())])
    assert len([key for key in kept if "@" not in key]) == closed
    assert len([key for key in kept if "@" in key]) == 12 - closed, "a month still open, under its version"
    again = await warm.data(customer_admin, ORG_SPEND, twelve_months())
    assert not charge_reads(warm), "nothing was charged since: the open month is read back too"
    assert again == cold == await summed_live(world, customer_admin, ORG_SPEND, twelve_months())
    assert again["customer"]["orgRoot"]["m1"]["total"]["amount"] != "0.00"


async def test_a_company_billed_in_two_currencies_keeps_each_to_the_cent(world, other_admin, summed_live):
    warm = world.with_empty_cache()
    for offset in (-2, -3, 0):
        variables = {"m": wire(month(offset))}
        first = await warm.data(other_admin, COMPANY, variables)
        assert await warm.data(other_admin, COMPANY, variables) == first
        assert first == await summed_live(world, other_admin, COMPANY, variables)
    currencies = {figure["total"]["currency"] for figure in first["customer"]["spendingByCurrency"]}
    assert len(currencies) == 2


async def test_a_kept_spending_report_reads_as_summed_live(world, customer_admin, summed_live):
    warm = world.with_empty_cache()
    variables = {"input": closed_range()}
    first = await warm.data(customer_admin, REPORT, variables)
    warm.counter.reset()
    assert await warm.data(customer_admin, REPORT, variables) == first
    assert not charge_reads(warm), "a report over closed months is read from the cache"
    assert first == await summed_live(world, customer_admin, REPORT, variables)
    by_unit = {"from": wire(month(-12)), "to": wire(month(-2))}
    assert await warm.data(customer_admin, SPEND_BY_UNIT, by_unit) == await warm.data(
        customer_admin, SPEND_BY_UNIT, by_unit
    )
    assert await warm.data(customer_admin, SPEND_BY_UNIT, by_unit) == await summed_live(
        world, customer_admin, SPEND_BY_UNIT, by_unit
    )


@pytest.mark.parametrize("first_caller", ["unit_admin", "customer_admin"])
async def test_a_scope_never_reads_the_sums_kept_for_another(
    world, customer_admin, unit_admin, other_admin, first_caller, summed_live
):
    sales = await unit_id(world, "Sales")
    unit = {"unit": sales, "m": wire(month(-2))}
    report = {"input": closed_range()}
    asked = {
        customer_admin: [(COMPANY, {"m": wire(month(-2))}), (UNIT, unit), (REPORT, report)],
        unit_admin: [(UNIT, unit), (REPORT, report)],
        other_admin: [(COMPANY, {"m": wire(month(-2))}), (REPORT, report)],
    }
    live = {login: [await summed_live(world, login, *question) for question in asked[login]] for login in asked}
    assert live[unit_admin][1] != live[customer_admin][2], "the unit admin's report counts its lines only"
    shared = world.with_empty_cache()
    order = [unit_admin, customer_admin] if first_caller == "unit_admin" else [customer_admin, unit_admin]
    for login in [*order, other_admin, *order]:
        assert [await shared.data(login, *question) for question in asked[login]] == live[login], login


class GatheringCache(InProcessCache):
    """A slow cache: its reads of kept sums answer only once ``callers`` have asked (or after
    ``WAIT_SECONDS``), so every caller finds the month cold at the same time."""

    WAIT_SECONDS = 20.0

    def __init__(self, callers: int) -> None:
        super().__init__()
        self.callers = callers
        self.arrived = 0
        self.all_arrived = asyncio.Event()

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        if any(key.startswith("closed:") and ":generation:" not in key for key in keys):
            self.arrived += 1
            if self.arrived >= self.callers:
                self.all_arrived.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.all_arrived.wait(), self.WAIT_SECONDS)
        return await super().get_many(keys)


async def test_twenty_cold_callers_of_a_closed_month_sum_it_once(world, customer_admin):
    principal = await world.principal(customer_admin)
    for query, variables in ((COMPANY, {"m": wire(month(-3))}), (REPORT, {"input": closed_range()})):
        alone = world.with_empty_cache()
        await alone.data(customer_admin, query, variables)
        assert len(charge_reads(alone)) == 1
        cache = GatheringCache(callers=20)
        crowd = replace(world, sources=replace(world.sources, cache=cache))
        crowd.counter.reset()
        schema = build_schema()
        results = await asyncio.gather(
            *(schema.execute(query, variable_values=variables, context_value=crowd.context(principal))
              for _ in range(20))
        )  # fmt: skip
        assert cache.all_arrived.is_set(), "the twenty asked at once"
        assert all(result.errors is None for result in results)
        assert len({str(result.data) for result in results}) == 1
        assert len(charge_reads(crowd)) == 1, "one sum of the month for twenty callers"


async def test_the_open_month_still_moves_when_usage_is_charged(writable_world, customer_admin):
    world = writable_world.with_empty_cache()
    questions = [{"m": wire(month(0))}, {"m": wire(month(-2))}]
    before = [await world.data(customer_admin, COMPANY, variables) for variables in questions]
    feed = UsageFeed(world.engines, world.sources.events, seed=5, customer_ids=[1])
    for _ in range(3):
        await feed.round(20)
    after = [await world.data(customer_admin, COMPANY, variables) for variables in questions]
    assert after[1] == before[1], "a closed month does not move"
    now = after[0]["customer"]["spendingByCurrency"][0]["total"]
    charged = await world.scalar(
        "billing", "select sum(amount_minor) from daily_charges where customer_id = 1 and period = :p", p=month(0)
    )
    assert Decimal(now["amount"]) == Decimal(int(charged)) / 100
    assert now != before[0]["customer"]["spendingByCurrency"][0]["total"]


async def test_a_new_generation_sums_closed_months_again(writable_world, customer_admin, summed_live):
    world = writable_world.with_empty_cache()
    closed = {"m": wire(month(-2))}
    kept = await world.data(customer_admin, COMPANY, closed)
    report = await world.data(customer_admin, REPORT, {"input": closed_range()})
    async with world.engines.billing.begin() as conn:  # re-rated: one charge of the month changes
        await conn.execute(
            text("update daily_charges set amount_minor = amount_minor + 1234 where id = "
                 "(select min(id) from daily_charges where customer_id = 1 and period = :p)"), {"p": month(-2)}
        )  # fmt: skip
    assert await world.data(customer_admin, COMPANY, closed) == kept, "kept until the generation is renewed"
    await renew(world.sources.cache, dataset_of(world.engines.billing))
    again = await world.data(customer_admin, COMPANY, closed)
    assert again == await summed_live(world, customer_admin, COMPANY, closed) != kept
    moved = [Decimal(found["customer"]["spendingByCurrency"][0]["total"]["amount"]) for found in (kept, again)]
    assert moved[1] - moved[0] == Decimal("12.34")
    assert await world.data(customer_admin, REPORT, {"input": closed_range()}) != report


async def test_another_data_set_on_the_same_cache_never_reads_these_sums(world, large_world, customer_admin):
    cache = InProcessCache()
    small, large = (replace(w, sources=replace(w.sources, cache=cache)) for w in (world, large_world))
    variables = {"m": wire(month(-2))}
    alone = [await w.with_empty_cache().data(customer_admin, COMPANY, variables) for w in (world, large_world)]
    assert alone[0] != alone[1]
    for _ in range(2):
        assert [await w.data(customer_admin, COMPANY, variables) for w in (small, large)] == alone


async def test_sums_kept_in_redis_read_as_summed_live_to_the_cent(world, customer_admin, summed_live):
    await (await reachable_redis()).aclose()
    cache = RedisCache(REDIS_URL, prefix=f"{REDIS_PREFIX}closed-{uuid.uuid4().hex}:")
    shared = replace(world, sources=replace(world.sources, cache=cache))
    try:
        first = await shared.data(customer_admin, ORG_SPEND, twelve_months())
        again = await shared.data(customer_admin, ORG_SPEND, twelve_months())
        assert again == first == await summed_live(world, customer_admin, ORG_SPEND, twelve_months())
        report = await shared.data(customer_admin, REPORT, {"input": closed_range()})
        assert await shared.data(customer_admin, REPORT, {"input": closed_range()}) == report
        assert not charge_reads(shared), "a report over closed months is read from Redis"
        assert report == await summed_live(world, customer_admin, REPORT, {"input": closed_range()})
    finally:
        await cache.close()
