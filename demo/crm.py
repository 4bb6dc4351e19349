"""The CRM side of the demo: companies, org trees, lines and portal users, as row tuples."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from demo.catalogue import CURRENCY
from demo.lines import COUNTRY, Line, assign_statuses, build_lines, msisdns, place_lines
from demo.org import Company, Unit, build_tree, companies, line_counts, set_budgets
from demo.users import EMPLOYEE_DIVISION, user_rows


@dataclass(slots=True)
class Crm:
    companies: list[Company]
    units: list[Unit]
    lines: list[Line]
    rows: dict[str, list[tuple]]  # table name → rows, in insert order


def build_crm(
    rng: random.Random,
    subscribers: int,
    customers: int,
    as_of: date,
    report: Callable[[str, int, int], None],
) -> Crm:
    midnight = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC)
    all_companies = companies(customers)
    numbers = msisdns(rng, subscribers)
    units: list[Unit] = []
    lines: list[Line] = []
    employee_line: Line | None = None
    for company, count in zip(all_companies, line_counts(subscribers, customers), strict=True):
        tree = build_tree(rng, company, len(units) + 1)
        placed = place_lines(rng, tree, count)
        set_budgets(rng, tree, placed)
        own = build_lines(rng, company, placed, len(lines) + 1, numbers, as_of)
        keep_active = None
        if company.id == 1:
            keep_active = rng.choice([x for x in own if x.unit.division == EMPLOYEE_DIVISION])
            employee_line = keep_active
        assign_statuses(rng, own, keep_active, as_of)
        units.extend(tree)
        lines.extend(own)
        report("lines", len(lines), subscribers)
    assert employee_line is not None  # the first company always has the division
    users, grants = user_rows(all_companies, units, employee_line)
    customer_rows = [
        (c.id, c.code, c.name, CURRENCY, midnight - timedelta(days=rng.randrange(1500, 3000)), COUNTRY)
        for c in all_companies
    ]
    rows = {
        "customers": customer_rows,
        "org_units": [unit.row() for unit in units],
        "subscribers": [line.row() for line in lines],
        "portal_users": users,
        "scope_grants": grants,
    }
    return Crm(all_companies, units, lines, rows)
