"""The org tree cut into blocks for figures that cannot be narrowed to a line: every released unit
holds at least ``k`` lines, and what a released unit holds beyond its released children (its
own block) is none or at least ``k`` lines — so a unit's figure minus its children's never
isolates fewer than ``k`` lines. As billed, each month's blocks hold ``k`` lines of that month and
depend on nothing after it."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from core.blocks import NO_BLOCK, blocks_as_billed, disclosure_blocks, released_units, unit_paths
from core.values import add_months


@st.composite
def trees(draw) -> dict[int, str]:
    """Lines (id → org path) hanging anywhere in a random tree of up to four levels."""
    paths = ["/1/"]
    for _ in range(draw(st.integers(0, 25))):
        parent = draw(st.sampled_from([p for p in paths if p.count("/") <= 4]))
        paths.append(f"{parent}{len(paths) + 1}/")
    return {line: draw(st.sampled_from(paths)) for line in range(draw(st.integers(0, 60)))}


@settings(max_examples=300, derandomize=True, database=None)
@given(lines=trees(), floor=st.integers(2, 6))
def test_released_units_and_their_own_blocks_hold_none_or_at_least_k_lines(lines, floor):
    released = released_units(lines, floor)
    under = Counter(unit for path in lines.values() for unit in unit_paths(path))
    assert all(under[unit] >= floor for unit in released)
    # A released unit's parent is released (or it is a root).
    assert all(unit_paths(unit)[-2] in released for unit in released if len(unit_paths(unit)) > 1)
    blocks = disclosure_blocks(lines, floor)
    sizes = Counter(blocks.values())
    assert all(size >= floor for block, size in sizes.items() if block != NO_BLOCK)
    assert sizes.get(NO_BLOCK, 0) == 0 or sizes[NO_BLOCK] >= floor or len(lines) < floor
    # Each line's block is the deepest released unit on its path.
    for line, path in lines.items():
        on_path = [unit for unit in unit_paths(path) if unit in released]
        assert blocks[line] == (on_path[-1] if on_path else NO_BLOCK)


def test_a_unit_whose_rest_would_be_one_line_gives_its_smallest_child_back():
    # Unit /1/ has 11 lines: 5 in /1/2/, 5 in /1/3/ and one of its own.
    lines = {i: "/1/2/" for i in range(5)} | {i: "/1/3/" for i in range(5, 10)} | {10: "/1/"}
    released = released_units(lines, 5)
    assert "/1/" in released and len(released & {"/1/2/", "/1/3/"}) == 1
    assert Counter(disclosure_blocks(lines, 5).values())["/1/"] == 6


MONTHS = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


@st.composite
def histories(draw) -> list[tuple[int, str, date, date | None]]:
    """Stays (line, path, first day, day after the last or None) of lines that may move on any day."""
    paths = sorted(set(draw(trees()).values())) or ["/1/"]
    stays = []
    for line in range(draw(st.integers(0, 40))):
        days = sorted(set(draw(st.lists(st.integers(1, 89), max_size=3))))
        bounds = [date(2026, 1, 1), *(date(2026, 1, 1) + timedelta(days=d) for d in days), None]
        stays += [(line, draw(st.sampled_from(paths)), start, stop) for start, stop in itertools.pairwise(bounds)]
    return stays


@settings(max_examples=200, derandomize=True, database=None)
@given(stays=histories(), later=histories(), floor=st.integers(2, 6))
def test_a_months_blocks_as_billed_hold_k_lines_and_depend_on_that_month_alone(stays, later, floor):
    pieces = blocks_as_billed(stays, MONTHS, floor)
    lines: defaultdict[tuple[date, str], set[int]] = defaultdict(set)
    for piece in pieces:
        assert piece.month <= piece.valid_from < piece.valid_to <= add_months(piece.month, 1)
        assert piece.block == NO_BLOCK or piece.path.startswith(piece.block)
        lines[(piece.month, piece.block)].add(piece.line_id)
    assert all(len(found) >= floor for (_, block), found in lines.items() if block != NO_BLOCK)
    # Whatever happens from March on (other lines, moves), January and February keep their blocks.
    march = date(2026, 3, 1)
    cut = [(line, path, start, stop if stop is not None and stop <= march else march)
           for line, path, start, stop in stays if start < march]  # fmt: skip
    moved = cut + [(line + 100, path, max(start, march), stop) for line, path, start, stop in later
                   if stop is None or stop > march]  # fmt: skip
    early = [piece for piece in pieces if piece.month < march]
    assert [piece for piece in blocks_as_billed(moved, MONTHS, floor) if piece.month < march] == early


@settings(max_examples=100, derandomize=True, database=None)
@given(lines=trees(), floor=st.integers(2, 6))
def test_lines_that_never_moved_are_blocked_as_billed_as_in_todays_tree(lines, floor):
    stays = [(line, path, date(2025, 1, 1), None) for line, path in lines.items()]
    blocks = disclosure_blocks(lines, floor)
    assert {(p.line_id, p.block) for p in blocks_as_billed(stays, MONTHS, floor)} == set(blocks.items())
