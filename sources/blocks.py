"""Blocks of lines for figures that cannot be narrowed to a line: the org tree cut where its
units hold enough lines. The rule and why it holds are in ``permissions/disclosure.py``; this is
the tree walk, plain data in and out, so that sources and loaders can block lines too."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping

from sources.crm.records import path_ids

# A line's block when no unit on its path is released (and so it only counts in remainders).
NO_BLOCK = ""


def unit_paths(path: str) -> list[str]:
    """The paths of the units on ``path``, from the root down: ``/1/4/`` → ``/1/``, ``/1/4/``."""
    ids = path_ids(path)
    return ["/" + "/".join(map(str, ids[: depth + 1])) + "/" for depth in range(len(ids))]


def released_units(lines: Mapping[int, str], floor: int) -> set[str]:
    """The paths of the released units over ``lines`` (line id → org path); see the module."""
    counts: Counter[str] = Counter()
    children: defaultdict[str | None, set[str]] = defaultdict(set)
    for path in lines.values():
        parent: str | None = None
        for unit in unit_paths(path):
            counts[unit] += 1
            children[parent].add(unit)
            parent = unit
    released: set[str] = set()
    pending: list[tuple[str | None, int]] = [(None, len(lines))]
    while pending:
        parent, total = pending.pop()
        candidates = sorted((c for c in children[parent] if counts[c] >= floor), key=lambda c: (counts[c], c))
        left = total - sum(counts[c] for c in candidates)
        if 0 < left < floor and candidates:
            candidates.pop(0)  # the smallest joins the rest, which then holds at least `floor`
        released.update(candidates)
        pending.extend((c, counts[c]) for c in candidates)
    return released


def disclosure_blocks(lines: Mapping[int, str], floor: int) -> dict[int, str]:
    """Line id → its block: the path of the deepest released unit on its line's path (``NO_BLOCK``: none)."""
    released = released_units(lines, floor)
    return {
        line: next((unit for unit in reversed(unit_paths(path)) if unit in released), NO_BLOCK)
        for line, path in lines.items()
    }
