"""The usage report groups closed months as billed: each usage record under the unit its line sat
in on the record's day (in UTC, the day it is charged on), like the spending report, so a
reorganisation leaves a closed month's volumes alone; ``CURRENT`` regroups every month by today's
tree. Both are checked against sums of the raw usage records and the CRM's stays."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, text, update

from core.values import add_months, month_start
from sources.crm.models import LineMembership
from tests.api.reports.org_history import (
    LINE_MOVE,
    gid,
    month,
    quantities,
    usage_by_unit,
    usage_oracle,
    utc_day,
)
from tests.api.reports.test_history import reorganise, units
from tests.support import World, today

DEPTHS = range(4)


def closed_usage_month() -> str:
    """The closed month the demo itemises (usage records exist for it and the current month)."""
    return month(add_months(month_start(today()), -1))


async def _by_depth(world: World, login: str, at: str, structure: str) -> dict[int, Any]:
    return {depth: await usage_by_unit(world, login, at, at, depth, structure) for depth in DEPTHS}


async def test_a_reorganisation_leaves_a_closed_months_usage_as_billed_and_current_follows_todays_tree(
    writable_world, customer_admin
):
    world = writable_world
    at = closed_usage_month()
    before = await _by_depth(world, customer_admin, at, "AS_BILLED")
    assert before[3] and before == await _by_depth(world, customer_admin, at, "AS_BILLED")
    for depth in DEPTHS:
        assert quantities(before[depth]) == await usage_oracle(world, depth, at, at, current=False), depth

    moved = await reorganise(world, customer_admin)

    assert await _by_depth(world, customer_admin, at, "AS_BILLED") == before
    current = await _by_depth(world, customer_admin, at, "CURRENT")
    for depth in DEPTHS:
        assert quantities(current[depth]) == await usage_oracle(world, depth, at, at, current=True), depth
    # Sales lost a team and a line to Operations (and gained one): its divisions' volumes moved
    # today, and only today's tree shows it.
    sales, operations = moved["sales"][0], moved["operations"][0]
    for division in (sales, operations):
        shown = {key: value for key, value in current[1].items() if key[0] == division}
        assert shown != {key: value for key, value in before[1].items() if key[0] == division}, division
    # The company's volumes are the same whichever tree groups them.
    assert quantities(current[0]) == quantities(before[0])


async def test_a_line_that_moved_in_the_middle_of_a_closed_month_counts_its_usage_in_each_unit_for_its_days_there(
    writable_world, customer_admin
):
    world = writable_world
    at = closed_usage_month()
    first_day = date.fromisoformat(at + "-01")
    middle = first_day + timedelta(days=14)
    line, team, sibling = await _a_line_with_usage_either_side_of(world, first_day, middle)

    done = await world.data(customer_admin, LINE_MOVE, {"input": {"selection": {"ids": [gid("Subscriber", line)]},
                                                                  "orgUnit": gid("OrgUnit", sibling)}})  # fmt: skip
    assert done["subscriberMove"]["applied"] == 1, done
    await _backdate_the_move(world, line, middle)

    as_billed = await usage_by_unit(world, customer_admin, at, at, 3)
    lines: dict[tuple[int, str, str], int] = {}
    assert quantities(as_billed) == await usage_oracle(world, 3, at, at, current=False, lines=lines)
    # The line counts in both teams that month, in each for the usage of its days there.
    for unit in (team, sibling):
        counted = {key[2]: value for key, value in as_billed.items() if key[0] == unit and len(key) == 4}
        assert counted == {kind: lines[(unit, at, kind)] for (u, _, kind) in lines if u == unit}, unit
    current = await usage_by_unit(world, customer_admin, at, at, 3, "CURRENT")
    assert quantities(current) == await usage_oracle(world, 3, at, at, current=True)
    assert {k: v for k, v in current.items() if k[0] == team} != {k: v for k, v in as_billed.items() if k[0] == team}


async def _a_line_with_usage_either_side_of(world: World, first_day: date, middle: date) -> tuple[int, int, int]:
    """A line of a team with a sibling team, in that team all month (never moved), with usage
    before ``middle`` and from it on: (line, its team, the sibling)."""
    tree = await units(world)
    teams = {uid: (path, parent) for uid, _, kind, path, parent in tree["rows"] if kind == "team"}
    siblings = {uid: next((o for o, (_, p) in teams.items() if p == parent and o != uid), None)
                for uid, (_, parent) in teams.items()}  # fmt: skip
    async with world.engines.crm.connect() as conn:
        stays = (await conn.execute(text(
            "select subscriber_id, org_unit_id, valid_from, valid_to from line_memberships where customer_id = 1"
        ))).all()  # fmt: skip
    count: dict[int, int] = {}
    for line, *_ in stays:
        count[line] = count.get(line, 0) + 1
    settled = {line: unit for line, unit, start, end in stays
               if count[line] == 1 and end is None and str(start) <= str(first_day) and siblings.get(unit)}  # fmt: skip
    async with world.engines.billing.connect() as conn:
        records = (await conn.execute(text(
            "select subscriber_id, started_at from usage_records where customer_id = 1 and period = :p"
        ), {"p": first_day if world.backend == "postgres" else first_day.isoformat()})).all()  # fmt: skip
    sides: dict[int, set[bool]] = {}
    for line, started_at in records:
        if line in settled:
            sides.setdefault(line, set()).add(utc_day(started_at) < middle)
    line = min(line for line, seen in sides.items() if seen == {True, False})
    team = settled[line]
    sibling = siblings[team]
    assert sibling is not None
    return line, team, sibling


async def _backdate_the_move(world: World, line: int, day: date) -> None:
    """Record the move made today as made on ``day``: the stay it ended ends then, the one it opened
    starts then (as a move entered late would be recorded)."""
    held = LineMembership
    async with world.engines.crm.begin() as conn:
        found = (await conn.execute(
            select(held.valid_from, held.valid_to).where(held.subscriber_id == line).order_by(held.valid_from)
        )).all()  # fmt: skip
        assert len(found) == 2 and found[0][1] == found[1][0] == today(), found
        await conn.execute(update(held).where(held.subscriber_id == line, held.valid_to.is_not(None))
                           .values(valid_to=day))  # fmt: skip
        await conn.execute(update(held).where(held.subscriber_id == line, held.valid_to.is_(None))
                           .values(valid_from=day))  # fmt: skip
