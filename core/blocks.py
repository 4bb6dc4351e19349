"""Blocks of lines for figures that cannot be narrowed to a line: the org tree cut where its
units hold enough lines. The rule and why it holds are in ``permissions/disclosure.py``; this is
the tree walk, plain data in and out, so that sources and loaders can block lines too, and the
refusal of today's tree to a caller under a floor (``as_billed_only``), which loaders apply per key.

Today's tree blocks each line where it sits now (``disclosure_blocks``). As billed, each month is
blocked on its own, over the places its lines sat that month (``blocks_as_billed``): a month's
blocks then depend only on that month's history, so a reorganisation never changes a closed
month's blocks, nor the figures made of them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from core.crm_records import path_ids
from core.errors import Forbidden
from core.values import add_months

# A line's block when no unit on its path is released (and so it only counts in remainders).
NO_BLOCK = ""


def unit_paths(path: str) -> list[str]:
    """The paths of the units on ``path``, from the root down: ``/1/4/`` → ``/1/``, ``/1/4/``."""
    return list(_units_on(path))


@lru_cache(maxsize=65536)
def _units_on(path: str) -> tuple[str, ...]:
    # Lines share a few hundred paths, walked once per line and month: each is cut up once.
    ids = path_ids(path)
    return tuple("/" + "/".join(map(str, ids[: depth + 1])) + "/" for depth in range(len(ids)))


@lru_cache(maxsize=65536)
def _depth(path: str) -> int:
    return 0 if path == NO_BLOCK else len(path_ids(path))


def released_units(lines: Mapping[int, str], floor: int) -> set[str]:
    """The paths of the released units over ``lines`` (line id → org path); see the module."""
    return _released(lines.items(), floor)


def _released(places: Collection[tuple[int, str]], floor: int) -> set[str]:
    """``released_units`` over places (line id, org path), a line in one place or more: a unit's
    size is the lines with a place in its subtree, and what a unit holds beyond its released
    children is the lines with a place in it outside them."""
    under: defaultdict[str, set[int]] = defaultdict(set)
    # parent (None: above the roots) -> (line, the child of parent its place is in; None: parent itself)
    via: defaultdict[str | None, list[tuple[int, str | None]]] = defaultdict(list)
    for line, path in places:
        parent: str | None = None
        for unit in _units_on(path):
            under[unit].add(line)
            via[parent].append((line, unit))
            parent = unit
        via[parent].append((line, None))
    released: set[str] = set()
    pending: list[str | None] = [None]
    while pending:
        parent = pending.pop()
        children = {child for _, child in via[parent] if child is not None}
        candidates = sorted((c for c in children if len(under[c]) >= floor), key=lambda c: (len(under[c]), c))
        taken = set(candidates)
        left = len({line for line, child in via[parent] if child not in taken})
        if 0 < left < floor and candidates:
            candidates.pop(0)  # the smallest joins the rest, which then holds at least `floor`
        released.update(candidates)
        pending.extend(candidates)
    return released


def _deepest(path: str, released: set[str]) -> str:
    return next((unit for unit in reversed(_units_on(path)) if unit in released), NO_BLOCK)


def disclosure_blocks(lines: Mapping[int, str], floor: int) -> dict[int, str]:
    """Line id → its block: the path of the deepest released unit on its line's path (``NO_BLOCK``: none)."""
    released = released_units(lines, floor)
    return {line: _deepest(path, released) for line, path in lines.items()}


@dataclass(frozen=True, slots=True)
class Piece:
    """A line's days in one place within one month (``valid_to`` excluded), and its block there."""

    line_id: int
    path: str
    block: str
    month: date
    valid_from: date
    valid_to: date


def blocks_as_billed(
    stays: Iterable[tuple[int, str, date, date | None]], months: Sequence[date], floor: int
) -> list[Piece]:
    """The stays (line id, path then, first day, day after the last or None) cut by month, each
    piece with its block: the deepest unit on its path released over the places the month's
    lines had that month. A line that moved within a month counts once in each unit it sat in."""
    stays = list(stays)
    pieces: list[Piece] = []
    known: dict[frozenset[tuple[int, str]], dict[str, str]] = {}  # months alike are blocked alike
    for month in months:
        end = add_months(month, 1)
        cut = [(line, path, max(start, month), end if stop is None else min(stop, end))
               for line, path, start, stop in stays]  # fmt: skip
        cut = [(line, path, start, stop) for line, path, start, stop in cut if start < stop]
        places = frozenset((line, path) for line, path, _, _ in cut)
        if places not in known:
            released = _released(places, floor)
            known[places] = {path: _deepest(path, released) for _, path in places}
        block = known[places]
        pieces += (Piece(line, path, block[path], month, start, stop) for line, path, start, stop in cut)
    return pieces


def broken_units(pieces: Iterable[Piece]) -> set[tuple[date, int]]:
    """(month, unit id) of the units that are not whole blocks that month: a line sat in the
    unit's subtree with its block above the unit (or none), so the unit's figure is no sum of atoms."""
    found: set[tuple[date, int]] = set()
    for piece in pieces:
        if _depth(piece.path) > _depth(piece.block):
            found.update((piece.month, unit) for unit in path_ids(piece.path)[_depth(piece.block) :])
    return found


def block_stays(pieces: Iterable[Piece], row_of: Callable[[Piece], str]) -> list[tuple[int, str, str, date, date]]:
    """The pieces as (line id, block, row, first day, day after the last) for billing to join the
    charges to, the days a line spent in one block and row merged into one range."""
    found: list[tuple[int, str, str, date, date]] = []
    for piece in sorted(pieces, key=lambda p: (p.line_id, p.valid_from)):
        key = (piece.line_id, piece.block, row_of(piece))
        if found and found[-1][:3] == key and found[-1][4] == piece.valid_from:
            found[-1] = (*key, found[-1][3], piece.valid_to)
        else:
            found.append((*key, piece.valid_from, piece.valid_to))
    return found


def as_billed_only(floor: int, structure: str) -> Forbidden | None:
    """The refusal of today's tree (``structure`` "current") to a caller under a floor, else None.
    Its months as billed never change, but the same month in today's tree does after a move:
    the difference of the two would isolate the few lines that moved, under the floor."""
    if floor and structure == "current":
        return Forbidden(
            f"Figures in today's tree (CURRENT) differ from those as billed by the lines that moved, which may "
            f"be fewer than {floor}: without the line:read permission, ask AS_BILLED.",
            field=["structure"],
        )
    return None
