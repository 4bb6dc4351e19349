"""Spending policies: one complete policy per company, sparse overrides below it, and one policy
changed in the middle of last month (its lines' month is split per policy period)."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from core.values import add_months
from demo.catalogue import CURRENCY
from demo.lines import Line
from demo.org import Company, Unit

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

# (company code, unit name) → what its policy says from the 15th of last month on: finance cut the
# company's share of Operations' usage (a change of the cost split only: limits, actions and
# roaming stay, so usage already rated and refused needs no second look).
MID_MONTH_CHANGES: dict[tuple[str, str], dict[str, Any]] = {
    ("ACME", "Operations"): {"company_share_percent": 75},
}
CHANGE_DAY = 15

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
    then: Effective | None = None  # the version that took over (at ``then.since``), if any

    def at(self, moment: datetime) -> Effective:
        """The version in force at ``moment``."""
        policy = self
        while policy.then is not None and policy.then.since is not None and policy.then.since <= moment:
            policy = policy.then
        return policy


def build_policies(
    rng: random.Random,
    companies: list[Company],
    units: list[Unit],
    lines: list[Line],
    as_of: date,
    since: date,
    currencies: dict[int, str],
) -> list[tuple]:
    """Rows of spending_policies: company roots and unit overrides first, then lines; each in
    force from ``since`` (the demo's first month) on, and still in force; then the new versions of
    ``MID_MONTH_CHANGES``, in force from the 15th of last month (when the demo has that month),
    the versions they replace ending there. A limit is stated in the company's currency on a unit,
    in the line's (``currencies``: line -> what it is billed in) on a line."""
    midnight = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC)
    valid_from = datetime(since.year, since.month, since.day, tzinfo=UTC)
    last_month = add_months(as_of.replace(day=1), -1)
    changed_at = datetime(last_month.year, last_month.month, CHANGE_DAY, tzinfo=UTC) if last_month >= since else None
    codes = {company.id: company.code for company in companies}
    rows: list[tuple] = []
    changes: list[tuple] = []

    def add(customer_id: int, unit_id: int | None, line_id: int | None, attrs: dict[str, Any]) -> None:
        updated_at = midnight - timedelta(seconds=rng.randrange(3600, 180 * 86400))
        values = tuple(attrs.get(name) for name in ATTRIBUTES)
        stated = None if attrs.get("monthly_limit_minor") is None else currencies.get(line_id or 0, CURRENCY)
        rows.append((len(rows) + 1, customer_id, unit_id, line_id, *values, updated_at, valid_from, None, stated))

    for unit in units:
        if unit.depth == 0:
            add(unit.customer_id, unit.id, None, ROOT_POLICY)
        elif (codes[unit.customer_id], unit.name) in UNIT_OVERRIDES:
            add(unit.customer_id, unit.id, None, UNIT_OVERRIDES[codes[unit.customer_id], unit.name])
            if changed_at is not None and (codes[unit.customer_id], unit.name) in MID_MONTH_CHANGES:
                changes.append((len(rows) - 1, MID_MONTH_CHANGES[codes[unit.customer_id], unit.name]))
    for company in companies:
        own = [line for line in lines if line.customer_id == company.id]
        for line in sorted(rng.sample(own, max(1, round(len(own) * 0.01))), key=lambda x: x.id):
            add(company.id, None, line.id, rng.choice(LINE_OVERRIDES))
    # After every other row (no draw from ``rng``): the rest of the demo is as without the change.
    for index, change in changes:
        assert set(change) <= {"company_share_percent"}, "a change of the cost split only"
        old = rows[index]
        rows[index] = (*old[:UNTIL_AT], changed_at, old[CURRENCY_AT])
        new = tuple(change.get(name, value) for name, value in zip(ATTRIBUTES, old[4 : SINCE_AT - 1], strict=True))
        rows.append((len(rows) + 1, *old[1:4], *new, changed_at, changed_at, None, old[CURRENCY_AT]))
    return rows


def effective_policies(policy_rows: list[tuple], lines: list[Line], currencies: dict[int, str]) -> dict[int, Effective]:
    """Per line, the attributes the charges depend on, resolved attribute by attribute: the
    line's own policy, else the nearest unit up the path that sets it (a limit: the nearest stated
    in the currency the line is billed in); as in force from the demo's first month, each later
    version of a level in the line's chain following as ``then``."""
    by_unit: dict[int, list[tuple]] = defaultdict(list)
    by_line: dict[int, list[tuple]] = defaultdict(list)
    for row in policy_rows:
        (by_unit[row[2]] if row[2] is not None else by_line[row[3]]).append(row)
    chains: dict[int, list[tuple]] = {}
    result = {}
    for line in lines:
        unit = line.unit
        if unit.id not in chains:
            chains[unit.id] = [row for i in reversed(unit.ancestry()) for row in by_unit.get(i, ())]
        chain = [*by_line.get(line.id, ()), *chains[unit.id]]  # nearest level first
        policy = None
        for since in sorted({row[SINCE_AT] for row in chain}, reverse=True):
            in_force = [
                row for row in chain if row[SINCE_AT] <= since and (row[UNTIL_AT] is None or since < row[UNTIL_AT])
            ]
            policy = _resolved(in_force, policy, currencies.get(line.id, CURRENCY))
        assert policy is not None
        result[line.id] = policy
    return result


SHARE_AT, ROAMING_AT, LIMIT_AT, ACTION_AT = (ATTRIBUTES.index(name) + 4 for name in (
    "company_share_percent", "roaming_allowed", "monthly_limit_minor", "limit_action"))  # fmt: skip
SINCE_AT, UNTIL_AT, CURRENCY_AT = len(ATTRIBUTES) + 5, len(ATTRIBUTES) + 6, len(ATTRIBUTES) + 7


def _resolved(chain: list[tuple], then: Effective | None, currency: str) -> Effective:
    """The policy of the levels in ``chain`` (nearest first, the versions in force at one moment)
    for a line billed in ``currency``."""
    share = next(row[SHARE_AT] for row in chain if row[SHARE_AT] is not None)
    roaming = next(row[ROAMING_AT] for row in chain if row[ROAMING_AT] is not None)
    limit = next((row[LIMIT_AT] for row in chain if row[LIMIT_AT] is not None and row[CURRENCY_AT] == currency), None)
    action = next((row[ACTION_AT] for row in chain if row[ACTION_AT] is not None), "notify")
    return Effective(share, roaming, limit, action, max(row[SINCE_AT] for row in chain), then)
