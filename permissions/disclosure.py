"""Who gets figures of small groups, and how the lines are blocked so that no figure narrows to a line.

A caller without ``line:read`` sees groups, never a line (DESIGN.md). A group of one or two
lines is a line in all but name, and so is the difference of two overlapping groups. So for
such a caller every figure is built from *atoms*: disjoint pieces of the charges (or usage),
each of at least ``k`` lines, fixed by the data and the caller's scope alone — never by the
question asked. A row, a total or a remainder is a union of whole atoms; the difference of
two nested figures is then a union of atoms too, and holds ``k`` lines or none.

An atom is one *block* of lines in one month and one charge category (or usage kind):

- the blocks come from the org tree (``disclosure_blocks``, in ``core/blocks.py``): a unit
  is *released* when its subtree holds at least ``k`` of the caller's lines and its parent is
  released (or it is a root); among a
  released unit's children, if the lines left outside the released ones are fewer than
  ``k`` (but some), the smallest released child is taken back (complementary suppression).
  A line's block is the deepest released unit on its path (grouped by cost centre, a block
  counts for the nearest centre on its unit's path). As billed (the reports' default), each
  month is blocked on its own over the places its lines sat that month (``blocks_as_billed``),
  so the atoms of a closed month never change with the tree, and the size rule holds for the
  groups as they were billed;
- in SQL (``sources/billing/disclosure.py``) a block's month and category is an atom when
  at least ``k`` lines have charges in it; the smaller ones of a month are pooled into that
  month's remainder, which must itself reach ``k`` lines (else the month's smallest atom
  joins it; a month with fewer than ``k`` lines in all is withheld).
"""

from __future__ import annotations

from collections.abc import Mapping

from core.blocks import (
    NO_BLOCK,
    as_billed_only,
    block_stays,
    blocks_as_billed,
    broken_units,
    disclosure_blocks,
    released_units,
    unit_paths,
)
from core.crm_records import path_ids
from core.errors import Forbidden
from permissions.principal import Principal
from permissions.rules import SINGLE_LINES

__all__ = [
    "MIN_GROUP_SIZE",
    "NO_BLOCK",
    "block_stays",
    "blocks_as_billed",
    "broken_units",
    "disclosure_blocks",
    "group_floor",
    "refuse_current_tree",
    "refuse_fine_dimensions",
    "released_units",
    "scoped_cost_centre",
]

# The default of CORPCARE_MIN_GROUP_SIZE.
MIN_GROUP_SIZE = 5


def group_floor(principal: Principal, min_group_size: int) -> int:
    """The fewest lines a figure shown to ``principal`` may stand for; 0: no floor (it may read lines)."""
    if principal.obeys(SINGLE_LINES):
        return 0
    return max(2, min_group_size)


def scoped_cost_centre(path: str, cost_centres: Mapping[int, str], grants: tuple[str, ...] | None) -> str | None:
    """The nearest cost centre on ``path`` that lies inside the caller's grants (None: the whole
    company): a centre above the granted subtree is not the caller's to name, so a line
    with none inside the grant has none (null)."""
    for unit in reversed(unit_paths(path)):
        if grants is not None and not any(unit.startswith(grant) for grant in grants):
            return None  # every unit further up is above the grant too
        code = cost_centres.get(path_ids(unit)[-1])
        if code is not None:
            return code
    return None


# Dimensions that cut across the org blocks: a caller under a floor may not group by them.
FINE_DIMENSIONS = {"line": "line", "tariff_plan": "tariff plan", "service": "service"}


def refuse_fine_dimensions(floor: int, group_by: tuple[str, ...]) -> None:
    for name in group_by:
        if floor and name in FINE_DIMENSIONS:
            raise Forbidden(
                f"Grouping by {FINE_DIMENSIONS[name]} cuts groups finer than {floor} lines: "
                "it needs the line:read permission.",
                field=["groupBy"],
            )


def refuse_current_tree(floor: int, structure: str) -> None:
    if refusal := as_billed_only(floor, structure):
        raise refusal
