"""The org tree cut into blocks for figures that cannot be narrowed to a line: every released unit
holds at least ``k`` lines, and what a released unit holds beyond its released children (its
own block) is none or at least ``k`` lines — so a unit's figure minus its children's never
isolates fewer than ``k`` lines."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from sources.blocks import NO_BLOCK, disclosure_blocks, released_units, unit_paths


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
