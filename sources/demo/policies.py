"""Spending policies: one complete policy per company, sparse overrides below it."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sources.demo.lines import Line
from sources.demo.org import Company, Unit

# (company code, unit name) → attributes the unit overrides; every other attribute inherits.
UNIT_OVERRIDES: dict[tuple[str, str], dict[str, Any]] = {
    ("ACME", "Sales"): {"company_share_percent": 80, "monthly_limit_minor": 15000},
    ("ACME", "Operations"): {"roaming_allowed": False},
    # Limits count usage charges only (fees never): a few euros of usage a month is the norm.
    ("ACME", "Technology"): {"monthly_limit_minor": 2000, "limit_action": "charge_employee"},
    ("ACME", "Transport"): {"content_filter": "strict"},
    ("BOREALIS", "Generation"): {"content_filter": "strict", "company_share_percent": 90},
    ("BOREALIS", "Corporate"): {"monthly_limit_minor": 12000},
}

# What a line's own override typically says: a tighter cap, a smaller company share, or an
# exception to its unit's roaming ban.
LINE_OVERRIDES = (
    {"monthly_limit_minor": 2500, "limit_action": "block"},
    {"monthly_limit_minor": 3000},
    {"company_share_percent": 50},
    {"monthly_limit_minor": 1500, "limit_action": "charge_employee"},
    {"roaming_allowed": True},
)

ROOT_POLICY = {
    "monthly_limit_minor": 10000,
    "limit_action": "notify",
    "company_share_percent": 100,
    "content_filter": "moderate",
    "roaming_allowed": True,
}
ATTRIBUTES = tuple(ROOT_POLICY)


@dataclass(frozen=True, slots=True)
class Effective:
    company_share_percent: int
    roaming_allowed: bool
    monthly_limit_minor: int | None = None
    limit_action: str = "notify"
    since: datetime | None = None  # in force since (the demo's policies: since its first month)


def build_policies(
    rng: random.Random,
    companies: list[Company],
    units: list[Unit],
    lines: list[Line],
    as_of: date,
    since: date,
) -> list[tuple]:
    """Rows of spending_policies: company roots and unit overrides first, then lines; each in
    force from ``since`` (the demo's first month) on, and still in force."""
    midnight = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC)
    valid_from = datetime(since.year, since.month, since.day, tzinfo=UTC)
    codes = {company.id: company.code for company in companies}
    rows: list[tuple] = []

    def add(customer_id: int, unit_id: int | None, line_id: int | None, attrs: dict[str, Any]) -> None:
        updated_at = midnight - timedelta(seconds=rng.randrange(3600, 180 * 86400))
        values = tuple(attrs.get(name) for name in ATTRIBUTES)
        rows.append((len(rows) + 1, customer_id, unit_id, line_id, *values, updated_at, valid_from, None))

    for unit in units:
        if unit.depth == 0:
            add(unit.customer_id, unit.id, None, ROOT_POLICY)
        elif (codes[unit.customer_id], unit.name) in UNIT_OVERRIDES:
            add(unit.customer_id, unit.id, None, UNIT_OVERRIDES[codes[unit.customer_id], unit.name])
    for company in companies:
        own = [line for line in lines if line.customer_id == company.id]
        for line in sorted(rng.sample(own, max(1, round(len(own) * 0.01))), key=lambda x: x.id):
            add(company.id, None, line.id, rng.choice(LINE_OVERRIDES))
    return rows


def effective_policies(policy_rows: list[tuple], lines: list[Line]) -> dict[int, Effective]:
    """Per line, the attributes the charges depend on, resolved attribute by attribute:
    the line's own policy, else the nearest unit up the path that sets it."""
    share_at = ATTRIBUTES.index("company_share_percent") + 4
    roaming_at = ATTRIBUTES.index("roaming_allowed") + 4
    limit_at = ATTRIBUTES.index("monthly_limit_minor") + 4
    action_at = ATTRIBUTES.index("limit_action") + 4
    since_at = len(ATTRIBUTES) + 5
    by_unit = {row[2]: row for row in policy_rows if row[2] is not None}
    by_line = {row[3]: row for row in policy_rows if row[3] is not None}
    chains: dict[int, list[tuple]] = {}
    result = {}
    for line in lines:
        unit = line.unit
        if unit.id not in chains:
            ids = reversed(unit.ancestry())
            chains[unit.id] = [by_unit[i] for i in ids if i in by_unit]
        chain = chains[unit.id]
        if line.id in by_line:
            chain = [by_line[line.id], *chain]
        share = next(row[share_at] for row in chain if row[share_at] is not None)
        roaming = next(row[roaming_at] for row in chain if row[roaming_at] is not None)
        limit = next((row[limit_at] for row in chain if row[limit_at] is not None), None)
        action = next((row[action_at] for row in chain if row[action_at] is not None), "notify")
        since = max(row[since_at] for row in chain)
        result[line.id] = Effective(share, roaming, limit, action, since)
    return result
