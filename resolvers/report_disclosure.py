"""The organisation's half of reports that cannot be narrowed to a line (``permissions/disclosure.py``):
each visible line's block, and the row its block falls in for the question asked.

A block's row must depend on the block alone — the same block is one atom whatever is asked —
so a block that straddles two rows of the question (or the edge of its subtree) goes to the
remainder (or is left out), never split.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from permissions.disclosure import NO_BLOCK, disclosure_blocks, group_floor, scoped_cost_centre
from resolvers.context import Context
from sources.billing.disclosure import OUTSIDE, REMAINDER
from sources.crm.records import path_ids


def floor_of(context: Context) -> int:
    """The fewest lines any figure shown to this caller may stand for (0: no floor)."""
    return group_floor(context.principal, context.min_group_size)


def cost_centre_of(context: Context) -> Callable[[str, Mapping[int, str]], str | None]:
    """A line's cost centre as this caller may name it: never one above its grant."""
    grants = context.principal.scope.org_paths
    return lambda path, centres: scoped_cost_centre(path, centres, grants)


def blocked_lines(
    context: Context,
    lines: Mapping[int, str],
    floor: int,
    cost_centres: Mapping[int, str],
    subtree: str | None,
    row_of: Callable[[str, list[str], str | None], str],
) -> dict[int, tuple[str, str]]:
    """Line id → (block, row) over every line the caller may see (``lines``: id → org path).

    ``row_of(block unit, the org paths of its lines, its cost centre)`` names the block's row
    (``REMAINDER`` when it fits none); blocks not wholly inside ``subtree`` are ``OUTSIDE``."""
    centre = cost_centre_of(context)
    units = disclosure_blocks(lines, floor)
    members: dict[str, list[int]] = {}
    for line in lines:
        members.setdefault(units[line], []).append(line)
    found: dict[int, tuple[str, str]] = {}
    for unit, ids in members.items():
        # The block's cost centre: the nearest on the path of its unit (a line in a smaller centre
        # below books on it), so that grouping by cost centre takes whole blocks too.
        cost_centre = None if unit == NO_BLOCK else centre(unit, cost_centres)
        if unit == NO_BLOCK:
            row = REMAINDER if subtree is None else OUTSIDE
        elif subtree is not None and not unit.startswith(subtree):
            row = OUTSIDE
        else:
            row = row_of(unit, [lines[i] for i in ids], cost_centre)
        found.update((line, (unit, row)) for line in ids)
    return found


def unit_row(unit: str, paths: list[str], depth: int) -> int | None:
    """The unit at ``depth`` that holds the whole block, as the report groups lines (a line above
    ``depth`` counts for its own unit); None when the block spans several such groups."""
    ids = path_ids(unit)
    if len(ids) > depth:
        return ids[depth]
    # The block's unit is above the depth: one group only if every line hangs on the unit itself.
    return ids[-1] if all(path == unit for path in paths) else None


def covers(lines: Mapping[int, str], subtree: str | None) -> bool:
    """The question's subtree holds every line the caller may see (or there is none)."""
    return subtree is None or all(path.startswith(subtree) for path in lines.values())


def whole_blocks(lines: Mapping[int, str], blocks: Mapping[int, str], unit: str) -> bool:
    """Every line under ``unit`` sits in a block under it: the unit's figure is a sum of atoms
    (a unit too small to show on its own is not)."""
    return all(blocks[line].startswith(unit) for line, path in lines.items() if path.startswith(unit))
