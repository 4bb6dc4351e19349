"""The open month summed per place as billed: the same sums whichever way billing gives a line its
place (looked up in an array by line id, or joined), and whether it reads the whole company's
charges or only those of the lines asked."""

from __future__ import annotations

from sqlalchemy import column

from core.scope import RowScope
from core.values import add_months, month_start
from loaders.as_billed import numbered_places
from sources.billing.members import NumberedStays, looked_up_groups
from tests.support import today

FAR_AWAY = 10**9  # a line id that makes the company's ids sparse


def _with_line(stays: NumberedStays, line: int) -> NumberedStays:
    """``stays`` and one more line sitting all along in the first place (a line without charges)."""
    return NumberedStays(
        stays.line_ids, stays.groups, stays.starts, stays.ends, [*stays.whole_lines, line], [*stays.whole_groups, 0]
    )


async def _month(world, every_line: bool, stays: NumberedStays) -> set[tuple[object, ...]]:
    period = month_start(today())
    rows = await world.sources.spending.spending_by_stay([1], [period], stays, every_line=every_line)
    return {tuple(row) for row in rows}


async def test_a_place_looked_up_by_line_id_or_joined_sums_the_same(world):
    period = month_start(today())
    places = await world.sources.crm.stays_by_place([1], RowScope.everything(), period, add_months(period, 1))
    stays, _ = numbered_places(places)
    assert stays.whole_lines
    if world.backend == "postgres":
        assert looked_up_groups(stays.whole_lines, stays.whole_groups, column("line"), "postgresql") is not None

    dense = await _month(world, True, stays)
    sparse = await _month(world, True, _with_line(stays, FAR_AWAY))
    only_these = await _month(world, False, stays)

    assert dense and dense == sparse == only_these


async def test_half_the_lines_asked_sum_only_theirs(world):
    period = month_start(today())
    places = await world.sources.crm.stays_by_place([1], RowScope.everything(), period, add_months(period, 1))
    stays, _ = numbered_places(places)
    half = NumberedStays([], [], [], [], stays.whole_lines[::2], stays.whole_groups[::2])
    other = NumberedStays([], [], [], [], stays.whole_lines[1::2], stays.whole_groups[1::2])

    everything = await _month(world, True, NumberedStays([], [], [], [], stays.whole_lines, stays.whole_groups))
    found = [await _month(world, every_line, part) for part in (half, other) for every_line in (False, True)]

    assert found[0] == found[1] and found[2] == found[3]
    summed: dict[tuple[object, ...], list[int]] = {}
    for row in [*found[0], *found[2]]:
        sums = summed.setdefault(row[:3], [0, 0, 0])
        for at, value in enumerate(row[3:]):
            sums[at] += int(value)
    assert {(*key, *sums) for key, sums in summed.items()} == {
        (*row[:3], *(int(value) for value in row[3:])) for row in everything
    }


def test_an_array_by_line_id_only_for_dense_ids_on_postgresql():
    line = column("subscriber_id")
    assert looked_up_groups([5, 6, 8], [0, 1, 1], line, "postgresql") is not None
    assert looked_up_groups([5, FAR_AWAY], [0, 1], line, "postgresql") is None
    assert looked_up_groups([5, 6, 8], [0, 1, 1], line, "sqlite") is None
    assert looked_up_groups([], [], line, "postgresql") is None
