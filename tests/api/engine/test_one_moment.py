"""One answer is one moment: with usage arriving flat out, every answer's report rows add up to
its own totals, and its units to its company, to the cent — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import literal, select, text

from core.ids import to_global_id
from core.values import month_start
from demo.feed import UsageFeed
from engine.build import build_schema
from sources.billing.reports import BillingReports
from tests.api.access.test_access import unit_id
from tests.support import World, today
from tests.waiting import eventually, within

ANSWERS = 600  # per caller; each holds two reports and the unit tree's spending: thousands of figures
CLIENTS = 4

ANSWER = """query($m: Month!, $groupBy: [SpendingDimension!]!, $depth: Int!) {
  customer { spending(month: $m) { total { amount } employeeShare { amount } }
    orgRoot { spending(month: $m) { total { amount } } children { id spending(month: $m) { total { amount } } } } }
  asked: spendingReport(input: {from: $m, to: $m, groupBy: $groupBy, unitDepth: $depth}) { asOf
    totals { total { amount currency } employeeShare { amount } }
    rows(first: 10000) { totalCount nodes { total { amount currency } employeeShare { amount } } } }
  units: spendingReport(input: {from: $m, to: $m, groupBy: [ORG_UNIT, MONTH, CATEGORY], unitDepth: 1}) {
    totals { total { amount } }
    rows(first: 10000) { totalCount nodes { orgUnit { id } total { amount } } } } }"""

# For a caller who sees groups of lines only (the small-group path): no unit tree, no lines.
GROUPS_ANSWER = """query($m: Month!, $groupBy: [SpendingDimension!]!, $depth: Int!) {
  asked: spendingReport(input: {from: $m, to: $m, groupBy: $groupBy, unitDepth: $depth}) {
    totals { total { amount currency } employeeShare { amount } }
    rows(first: 10000) { totalCount nodes { total { amount currency } employeeShare { amount } } } } }"""

GROUPINGS = [
    (["ORG_UNIT", "MONTH", "CATEGORY"], 2),
    (["ORG_UNIT", "MONTH", "CATEGORY"], 3),
    (["LINE"], 1),
    (["COST_CENTRE", "CATEGORY"], 1),
    (["CATEGORY"], 1),
    (["ORG_UNIT"], 1),
    (["TARIFF_PLAN", "MONTH"], 1),
]
GROUP_GROUPINGS = [(["ORG_UNIT", "MONTH", "CATEGORY"], 1), (["CATEGORY"], 1), (["MONTH"], 1), (["ORG_UNIT"], 2)]


def amount(money: dict[str, str] | None) -> Decimal:
    return Decimal(money["amount"]) if money else Decimal(0)


def disagreements(data: dict[str, Any]) -> list[str]:
    """What in one answer does not add up; empty when it is one moment."""
    found = []
    for name in ("asked", "units"):
        report = data.get(name)
        if report is None:
            continue
        if len(report["rows"]["nodes"]) != report["rows"]["totalCount"]:
            found.append(f"{name}: more rows than one page")
        report["rows"] = report["rows"]["nodes"]
        (totals,) = report["totals"]
        if sum((amount(row["total"]) for row in report["rows"]), Decimal(0)) != amount(totals["total"]):
            found.append(f"{name}: rows do not add up to the total")
        if "employeeShare" in totals and sum(
            (amount(row["employeeShare"]) for row in report["rows"]), Decimal(0)
        ) != amount(totals["employeeShare"]):
            found.append(f"{name}: employee shares do not add up")
    if "customer" in data:
        customer = data["customer"]
        company = amount(data["asked"]["totals"][0]["total"])
        if not amount(customer["spending"]["total"]) == amount(customer["orgRoot"]["spending"]["total"]) == company:
            found.append("the company's spending differs from the report's total")
        if amount(customer["spending"]["employeeShare"]) != amount(data["asked"]["totals"][0]["employeeShare"]):
            found.append("the company's employee share differs from the report's")
        units = {row["orgUnit"]["id"]: Decimal(0) for row in data["units"]["rows"]}
        for row in data["units"]["rows"]:
            units[row["orgUnit"]["id"]] += amount(row["total"])
        for child in customer["orgRoot"]["children"]:
            if amount(child["spending"] and child["spending"]["total"]) != units.get(child["id"], Decimal(0)):
                found.append(f"unit {child['id']}: its spending differs from its report rows")
    return found


async def answers(world: World, login: str, query: str, groupings: list[Any], count: int) -> list[list[str]]:
    """``count`` answers from ``CLIENTS`` concurrent clients, with the groupings in turn."""
    period = month_start(today()).strftime("%Y-%m")
    turns = itertools.cycle(groupings)
    found: list[list[str]] = []

    async def client() -> None:
        while len(found) < count:
            group_by, depth = next(turns)
            data = await world.data(login, query, {"m": period, "groupBy": group_by, "depth": depth})
            found.append(disagreements(data))

    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return found


async def test_every_answer_adds_up_to_its_own_totals_while_usage_arrives_flat_out(
    writable_world, customer_admin, analyst
):
    world = writable_world
    feed = UsageFeed(world.engines, world.sources.events, seed=11, customer_ids=[1])
    stop = asyncio.Event()
    rounds = 0

    async def usage_arrives() -> None:
        nonlocal rounds
        while not stop.is_set():
            await feed.round(20)
            rounds += 1

    period = month_start(today()).strftime("%Y-%m")
    before = await world.data(customer_admin, ANSWER, {"m": period, "groupBy": ["CATEGORY"], "depth": 1})
    feeding = asyncio.create_task(usage_arrives())
    try:
        checked = await answers(world, customer_admin, ANSWER, GROUPINGS, ANSWERS)
        checked += await answers(world, analyst, GROUPS_ANSWER, GROUP_GROUPINGS, ANSWERS // 2)
    finally:
        stop.set()
        await feeding
    after = await world.data(customer_admin, ANSWER, {"m": period, "groupBy": ["CATEGORY"], "depth": 1})
    # Usage did arrive all along: the figures moved, many times.
    assert rounds >= 50, rounds
    assert amount(after["asked"]["totals"][0]["total"]) > amount(before["asked"]["totals"][0]["total"])
    assert after["asked"]["asOf"] > before["asked"]["asOf"]
    wrong = [problems for problems in checked if problems]
    assert len(checked) >= ANSWERS * 3 // 2
    assert wrong == [], f"{len(wrong)} of {len(checked)} answers disagree with themselves: {wrong[:5]}"


REPORT = """query($m: Month!) { spendingReport(input: {from: $m, to: $m, groupBy: [CATEGORY]}) {
  asOf totals { total { amount } } } }"""


def held(world: World) -> int:
    """Billing connections checked out of the pool."""
    return world.engines.billing.pool.checkedout()  # type: ignore[attr-defined, no-any-return]


def this_month() -> dict[str, str]:
    return {"m": month_start(today()).strftime("%Y-%m")}


@pytest.mark.executed_once
async def test_an_answer_whose_read_fails_gives_its_connection_back(world, customer_admin, monkeypatch):
    async def failing(self: BillingReports, query: Any) -> Any:
        await self._rows(select(literal(1)))  # the answer's transaction is open now
        await self._rows(text("select * from no_such_table"))

    monkeypatch.setattr(BillingReports, "spending_and_totals", failing)
    result = await world.run(customer_admin, REPORT, this_month())
    assert result.data == {"spendingReport": None} and result.errors
    assert held(world) == 0


async def test_an_answer_cancelled_while_it_holds_its_moment_gives_its_connection_back(
    world, customer_admin, monkeypatch
):
    reached, never = asyncio.Event(), asyncio.Event()

    async def stuck(self: BillingReports, query: Any) -> Any:
        await self._rows(select(literal(1)))
        reached.set()
        await never.wait()

    monkeypatch.setattr(BillingReports, "spending_and_totals", stuck)
    answer = asyncio.create_task(world.run(customer_admin, REPORT, this_month()))
    await within(reached.wait())
    assert held(world) == 1  # the answer's one transaction
    answer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await answer
    assert held(world) == 0


async def test_an_answer_cancelled_in_the_middle_of_a_statement_gives_its_connection_back(
    world, customer_admin, monkeypatch
):
    if world.backend != "postgres":
        pytest.skip("a SQLite statement runs to its end in its thread; PostgreSQL's is cancelled")

    async def slow(self: BillingReports, query: Any) -> Any:
        await self._rows(text("select pg_sleep(60)"))

    monkeypatch.setattr(BillingReports, "spending_and_totals", slow)
    answer = asyncio.create_task(world.run(customer_admin, REPORT, this_month()))
    sleeping = "select count(*) from pg_stat_activity where state = 'active' and query = 'select pg_sleep(60)'"
    await eventually(lambda: world.scalar("billing", sleeping), "the statement to run")
    answer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await answer
    assert held(world) == 0
    await eventually(lambda: _none(world.scalar("billing", sleeping)), "the statement to stop")


async def _none(count: Any) -> bool:
    return await count == 0


async def test_a_subscription_holds_no_transaction_while_it_waits_for_the_next_event(world, employee):
    line = next(iter((await world.principal(employee)).scope.subscriber_ids or ()))
    context = world.context(await world.principal(employee))
    query = "subscription($line: ID!) { bundleUpdates(subscriber: $line) { used } }"
    stream = await build_schema().subscribe(
        query, variable_values={"line": to_global_id("Subscriber", line)}, context_value=context
    )
    try:
        first = await within(anext(stream))
        assert first.errors is None and first.data["bundleUpdates"]
        assert held(world) == 1  # the event's reads, until it is sent
        waiting = asyncio.create_task(anext(stream))
        await eventually(lambda: held(world) == 0, "the event's transaction to end")
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
    finally:
        await stream.aclose()
    assert held(world) == 0


async def test_a_mutation_reads_what_it_has_just_written(writable_world, customer_admin):
    world = writable_world
    unit = await unit_id(world, "Operations")
    shown = await world.data(
        customer_admin, UNIT_POLICY, {"input": {"orgUnit": unit, "policy": {"companySharePercent": 37}}}
    )
    assert shown["orgUnitSetPolicy"]["orgUnit"]["effectivePolicy"]["companySharePercent"] == 37
    again = await world.data(
        customer_admin, UNIT_POLICY, {"input": {"orgUnit": unit, "policy": {"companySharePercent": 64}}}
    )
    assert again["orgUnitSetPolicy"]["orgUnit"]["effectivePolicy"]["companySharePercent"] == 64


UNIT_POLICY = """mutation($input: OrgUnitSetPolicyInput!) { orgUnitSetPolicy(input: $input) {
  orgUnit { effectivePolicy { companySharePercent } } userErrors { field code } } }"""


EVERY_REPORT = """query($m: Month!) {
  spendingReport(input: {from: $m, to: $m}) { asOf }
  budgetReport(input: {from: $m, to: $m}) { asOf }
  topSpenders(from: $m, to: $m) { asOf }
  usageReport(from: $m, to: $m) { asOf }
  savingsFinder { asOf } }"""


async def test_every_report_of_one_answer_is_as_of_the_same_moment(world, customer_admin):
    first = await world.data(customer_admin, EVERY_REPORT, this_month())
    second = await world.data(customer_admin, EVERY_REPORT, this_month())
    assert len({report["asOf"] for report in first.values()}) == 1, first  # clock readings would differ
    assert len({report["asOf"] for report in second.values()}) == 1, second
    assert second["spendingReport"]["asOf"] > first["spendingReport"]["asOf"]
