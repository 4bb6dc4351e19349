"""The demo's org history: each line's stays (``line_memberships``) and each unit's budgets
(``unit_budgets``), as row tuples.

Every line sits where it is now from its activation on, except a few that moved once between
sibling teams during the closed months of the demo: enough that grouping closed months as
billed differs from today's tree. The moves stay inside one department, so departments,
divisions and the demo users' division grants see the same lines either way. The moves draw
from their own generator: the rest of the demo is the same with or without them.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from core.values import add_months
from demo.charges import Calendar
from demo.lines import Line
from demo.org import Unit

MOVED_PERCENT = 3
# The demo's budgets were set when the units were set up, long before its first month.
BUDGETS_SET_MONTHS_BEFORE = 36


def membership_rows(seed: int, lines: list[Line], units: list[Unit], cal: Calendar, keep: set[int]) -> list[tuple]:
    """(id, customer, line, unit, path, from, to, recorded at) for every stay; ``keep`` are lines that never move."""
    rng = random.Random(f"org-history-{seed}")
    teams: dict[int | None, list[Unit]] = defaultdict(list)
    for unit in units:
        if unit.kind == "team":
            teams[unit.parent_id].append(unit)
    first, last = cal.periods[0], cal.current - timedelta(days=1)  # moves inside closed months only
    rows: list[tuple] = []

    def stay(line: Line, unit: Unit, start: date, end: date | None) -> None:
        recorded = datetime(start.year, start.month, start.day, 9, tzinfo=UTC)
        rows.append((len(rows) + 1, line.customer_id, line.id, unit.id, unit.path, start, end, recorded))

    movable: dict[int, list[tuple[Line, list[Unit], date]]] = defaultdict(list)
    for line in lines:
        siblings = [t for t in teams.get(line.unit.parent_id, []) if t.id != line.unit.id]
        earliest = max(first, line.activated_on + timedelta(days=1))
        if line.id not in keep and line.unit.kind == "team" and siblings and earliest < last:
            movable[line.customer_id].append((line, siblings, earliest))
    moved: dict[int, tuple[Unit, date]] = {}
    for candidates in movable.values():  # a few in every company, at least one
        for line, siblings, earliest in rng.sample(candidates, max(1, len(candidates) * MOVED_PERCENT // 100)):
            moved[line.id] = (rng.choice(siblings), earliest + timedelta(days=rng.randrange((last - earliest).days)))
    for line in lines:
        if line.id in moved:
            before, moved_on = moved[line.id]
            stay(line, before, line.activated_on, moved_on)
            stay(line, line.unit, moved_on, None)
        else:
            stay(line, line.unit, line.activated_on, None)
    return rows


def budget_rows(units: list[Unit], cal: Calendar) -> list[tuple]:
    """(unit, month from, amount): each budgeted unit's budget, set before the demo's first month."""
    set_on = add_months(cal.periods[0], -BUDGETS_SET_MONTHS_BEFORE)
    return [(unit.id, set_on, unit.budget_minor) for unit in units if unit.budget_minor is not None]
