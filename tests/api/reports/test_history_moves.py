"""Property: whatever lines and units move, and on whichever days of the open month, the closed
months read the same as billed, every unit depth adds up to the company, and each month's
figures (the open one too) are the charges of the days each line spent in each unit."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from core.scope import RowScope
from tests.api.reports.org_history import (
    by_unit_and_month,
    closed_range,
    invoiced,
    month,
    nonzero,
    oracle,
    unit_spending,
)
from tests.support import World, today

ADMIN = "acme.admin"
EVERYTHING = RowScope.everything()

move = st.tuples(st.sampled_from(["line", "team"]), st.integers(0, 10_000), st.integers(0, 10_000), st.integers(0, 30))


async def _tree(world: World) -> tuple[list[Any], list[Any]]:
    async with world.engines.crm.connect() as conn:
        units = (await conn.execute(text("select id, kind from org_units where customer_id = 1 order by id"))).all()
        lines = (
            await conn.execute(text("select id, org_unit_id from subscribers where customer_id = 1 order by id"))
        ).all()
    return units, lines


async def _apply(world: World, moves: list[tuple[str, int, int, int]], clock: list[int]) -> None:
    """The moves in order, each on a day of the open month not before the last one (moves are
    recorded as they happen: the history's clock only goes forward)."""
    crm, writer = world.sources.crm, world.sources.org_writer
    for kind, which, where, day in moves:
        clock[0] = max(clock[0], min(day, today().day - 1))
        at = datetime(today().year, today().month, 1 + clock[0], 12, tzinfo=UTC)
        units, lines = await _tree(world)
        if kind == "line":
            line, unit = lines[which % len(lines)]
            targets = [uid for uid, _ in units if uid != unit]
            target = (await crm.org_units_by_ids([targets[where % len(targets)]], EVERYTHING))[0]
            assert await writer.move_line(line, unit, target, at)
        else:
            teams = [uid for uid, kind_ in units if kind_ == "team"]
            departments = [uid for uid, kind_ in units if kind_ == "department"]
            team = (await crm.org_units_by_ids([teams[which % len(teams)]], EVERYTHING))[0]
            parent = (await crm.org_units_by_ids([departments[where % len(departments)]], EVERYTHING))[0]
            old_parent = (await crm.org_units_by_ids([team.parent_id], EVERYTHING))[0]  # type: ignore[list-item]
            assert await writer.move_unit(team, old_parent.path, parent, at)


@pytest.fixture
def seen() -> dict[str, Any]:
    """What the examples of one run share: the closed months before any move, the history's clock."""
    return {"clock": [0]}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(move, min_size=1, max_size=4))
async def test_any_moves_keep_closed_months_as_billed_and_every_depth_adds_up_to_the_company(
    writable_world, seen, moves
):
    world = writable_world
    first, last = closed_range()
    this_month = month(today())
    if "closed" not in seen:
        seen["closed"] = {depth: await by_unit_and_month(world, ADMIN, first, last, depth) for depth in (1, 3)}
    await _apply(world, sorted(moves, key=lambda m: m[3]), seen["clock"])

    for depth in (1, 3):
        assert await by_unit_and_month(world, ADMIN, first, last, depth) == seen["closed"][depth]
    company = await by_unit_and_month(world, ADMIN, first, this_month, 0)
    per_month = {period: amount for (_, period, measure), amount in company.items() if measure == "total"}
    for (period,), amount in (await invoiced(world)).items():
        assert per_month[period] == amount, period
    for depth in (1, 2, 3):
        units = await by_unit_and_month(world, ADMIN, first, this_month, depth)
        summed: dict[str, Decimal] = {}
        for (_, period, measure), amount in units.items():
            if measure == "total":
                summed[period] = summed.get(period, Decimal(0)) + amount
        assert summed == per_month, depth
        totals = {key: amount for key, amount in nonzero(units).items() if key[2] == "total"}
        assert totals == await oracle(world, depth, first, this_month, current=False), depth
    # Each unit counts a line once, however many places in its subtree the line was charged in.
    lines: dict[tuple[int, str], int] = {}
    await oracle(world, 0, this_month, this_month, current=False, lines=lines)
    fields = await unit_spending(world, ADMIN, this_month)
    counted = {unit: int(count) for (unit, measure), count in fields.items() if measure == "lines" and count}
    assert counted == {unit: count for (unit, _), count in lines.items()}
    current = await by_unit_and_month(world, ADMIN, first, this_month, 2, "CURRENT")
    totals = {key: amount for key, amount in nonzero(current).items() if key[2] == "total"}
    assert totals == await oracle(world, 2, first, this_month, current=True)


async def test_two_moves_of_one_line_at_once_leave_one_open_stay_where_the_line_is(writable_world):
    world = writable_world
    crm, writer = world.sources.crm, world.sources.org_writer
    units, lines = await _tree(world)
    line, unit = lines[0]
    targets = await crm.org_units_by_ids([uid for uid, _ in units if uid != unit][:2], EVERYTHING)
    moved = await asyncio.gather(*(writer.move_line(line, unit, target) for target in targets))
    assert sorted(moved) == [False, True]
    async with world.engines.crm.connect() as conn:
        open_stays = (await conn.execute(
            text("select org_unit_id, org_path from line_memberships where subscriber_id = :l and valid_to is null"),
            {"l": line},
        )).all()  # fmt: skip
        now = (
            await conn.execute(text("select org_unit_id, org_path from subscribers where id = :l"), {"l": line})
        ).one()
    assert [tuple(row) for row in open_stays] == [tuple(now)]
