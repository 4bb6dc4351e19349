"""The organisation's half of reports that cannot be narrowed to a line (``permissions/disclosure.py``):
each visible stay's block (each month's, as billed), and the row its block falls in for the
question asked.

A block's row must depend on the block alone — the same block is one atom whatever is asked —
so a block that straddles two rows of the question (or the edge of its subtree) goes to the
remainder (or is left out), never split.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from core.crm_records import path_ids
from permissions.disclosure import (
    NO_BLOCK,
    block_stays,
    blocks_as_billed,
    group_floor,
    scoped_cost_centre,
)
from request.context import Context
from sources.billing.disclosure import OUTSIDE, REMAINDER, BlockStay
from sources.crm.history import Stay


def floor_of(context: Context) -> int:
    """The fewest lines any figure shown to this caller may stand for (0: no floor)."""
    return group_floor(context.principal, context.min_group_size)


def cost_centre_of(context: Context) -> Callable[[str, Mapping[int, str]], str | None]:
    """A line's cost centre as this caller may name it: never one above its grant."""
    grants = context.principal.scope.org_paths
    return lambda path, centres: scoped_cost_centre(path, centres, grants)


RowOf = Callable[[str, list[str], str | None], str]


def blocked_stays(
    context: Context,
    stays: Sequence[Stay],
    months: Sequence[date],
    floor: int,
    cost_centres: Mapping[int, str],
    subtree: int | None,
    row_of: RowOf,
) -> tuple[BlockStay, ...]:
    """As billed: the days of every stay the caller may see, each month with the block its line had
    then (``blocks_as_billed``: each month blocked over where its lines sat that month) and the
    block's row (``row_of(block unit, the org paths of its lines, its cost centre)``, ``REMAINDER``
    when it fits none); blocks not wholly inside the unit ``subtree`` as it was then are
    ``OUTSIDE``. Days of a line in one block and row are handed over as one range."""
    pieces = blocks_as_billed(((s.line_id, s.path, s.valid_from, s.valid_to) for s in stays), months, floor)
    paths: dict[tuple[date, str], list[str]] = {}
    for piece in pieces:
        paths.setdefault((piece.month, piece.block), []).append(piece.path)
    inside = None if subtree is None else f"/{subtree}/"
    row = _block_row(context, cost_centres, lambda unit: inside is None or inside in unit, inside, row_of)
    rows = {key: row(key[1], on) for key, on in paths.items()}
    return tuple(block_stays(pieces, lambda piece: rows[(piece.month, piece.block)]))


def _block_row(
    context: Context, cost_centres: Mapping[int, str], inside: Callable[[str], bool], subtree: str | None, row_of: RowOf
) -> Callable[[str, list[str]], str]:
    """A block's row (block unit, the org paths of its lines): the remainder for lines with no
    block, ``OUTSIDE`` for a block not wholly inside the question's subtree, else ``row_of``'s."""
    centre = cost_centre_of(context)

    def row(unit: str, paths: list[str]) -> str:
        if unit == NO_BLOCK:
            return REMAINDER if subtree is None else OUTSIDE
        if not inside(unit):
            return OUTSIDE
        # The block's cost centre: the nearest on the path of its unit (a line in a smaller centre
        # below books on it), so that grouping by cost centre takes whole blocks too.
        return row_of(unit, paths, centre(unit, cost_centres))

    return row


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


def covers_stays(stays: Sequence[Stay], subtree: int | None) -> bool:
    """As billed: the question's subtree (a unit, as it was) held every stay the caller may see."""
    return subtree is None or all(f"/{subtree}/" in stay.path for stay in stays)


def whole_blocks(lines: Mapping[int, str], blocks: Mapping[int, str], unit: str) -> bool:
    """Every line under ``unit`` sits in a block under it: the unit's figure is a sum of atoms
    (a unit too small to show on its own is not)."""
    return all(blocks[line].startswith(unit) for line, path in lines.items() if path.startswith(unit))
