"""As billed, the places a customer's lines sat in during some months, handed to billing to sum
(``loaders/spending.py``): the stays numbered by place, and how a line charged in several places
is counted once per unit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from core.crm_records import path_ids
from sources.billing.members import NumberedStays
from sources.crm.history import Place


def numbered_places(places: Sequence[Place]) -> tuple[NumberedStays, list[tuple[int, str, int]]]:
    """The places' stays as columns for billing, each place a group numbered in order; then, for a
    line with stays in several places, each of those stays again in a group of its own (the line
    in that place). A place's lines there all the days asked go without their days
    (``Place.whole``, ``NumberedStays.whole_lines``).
    Returns the stays and, per group number, (customer, path, line or 0)."""
    lines: list[int] = []
    numbers: list[int] = []
    starts: list[date] = []
    ends: list[date | None] = []
    whole_lines: list[int] = []
    whole_groups: list[int] = []
    groups = [(place.customer_id, place.path, 0) for place in places]
    for number, place in enumerate(places):
        whole_lines += place.whole
        whole_groups += [number] * len(place.whole)
        lines += place.line_ids
        numbers += [number] * len(place.line_ids)
        starts += place.starts
        ends += place.ends
    moved = {line for line, stays in Counter(lines).items() if stays > 1}
    if moved:
        own: dict[tuple[int, int], int] = {}
        for at in [at for at, line in enumerate(lines) if line in moved]:
            customer, path, _ = groups[numbers[at]]
            number = own.setdefault((numbers[at], lines[at]), len(groups))
            if number == len(groups):
                groups.append((customer, path, lines[at]))
            lines.append(lines[at])
            numbers.append(number)
            starts.append(starts[at])
            ends.append(ends[at])
    return NumberedStays(lines, numbers, starts, ends, whole_lines, whole_groups), groups


def recounted(paths: list[str]) -> list[str]:
    """For a line charged under each of ``paths`` in one month: where to take one line off so that
    every unit on any of them counts it once. Adding the paths one by one, the units already
    counting the line are those the new path shares with the paths before it — not only a common
    prefix, since a unit that moved is on two different paths. The place returned lists those
    units; the as-billed roll-up counts a unit in any path that has it."""
    found = []
    seen: set[int] = set()
    for path in sorted(paths):
        ids = path_ids(path)
        if shared := [unit for unit in ids if unit in seen]:
            found.append("/" + "".join(f"{unit}/" for unit in shared))
        seen.update(ids)
    return found
