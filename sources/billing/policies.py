"""Spending policy inheritance: each attribute comes from the nearest level that sets it.

Policies are effective-dated (``valid_from``/``valid_to``): what was in force at a moment is
merged from the levels in force at that moment (``in_force_at``). How a policy's limit action
and cost split divide a charge between company and employee: ``sources.billing.split``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from core.billing_records import PolicyRecord
from core.crm_records import path_ids
from core.values import Money

# What applies where nobody has set anything.
DEFAULTS = PolicyRecord(
    org_unit_id=None,
    subscriber_id=None,
    monthly_limit_minor=None,
    limit_action="notify",
    company_share_percent=100,
    content_filter="off",
    roaming_allowed=True,
)
ATTRIBUTES = ("monthly_limit_minor", "limit_action", "company_share_percent", "content_filter", "roaming_allowed")


@dataclass(frozen=True, slots=True)
class PolicyOrigin:
    """Where one attribute of a policy in force comes from."""

    attribute: str  # the attribute's name without a unit suffix: "monthly_limit", "limit_action"…
    set_by: str  # "own" (the object itself), "inherited" (a unit above it) or "default" (nobody)
    org_unit_id: int | None  # the unit that sets it; None for a line's own setting and for the default


@dataclass(slots=True)
class EffectivePolicy:
    monthly_limit: Money | None
    limit_action: str
    company_share_percent: int
    content_filter: str
    roaming_allowed: bool
    # True when the object itself sets at least one attribute.
    overrides: bool
    # One per attribute, in ATTRIBUTES order.
    origins: list[PolicyOrigin]


def in_force(levels: Iterable[PolicyRecord | None], currency: str | None = None) -> PolicyRecord:
    """Levels ordered from the root down to the object itself (missing levels are None), merged:
    every attribute set, from the nearest level that sets it or from the defaults. With
    ``currency`` (what the object is billed in), the limit comes from the nearest level whose
    limit is stated in that currency: a limit never governs amounts in another (nor is converted)."""
    merged = {name: getattr(DEFAULTS, name) for name in ATTRIBUTES}
    limit_currency: str | None = None
    since: datetime | None = None
    for level in levels:
        if level is None:
            continue
        for name in ATTRIBUTES:
            value = getattr(level, name)
            if value is None:
                continue
            if name == "monthly_limit_minor":
                if not governs(level, currency):
                    continue
                limit_currency = level.limit_currency or currency
            merged[name] = value
        if level.valid_from is not None and (since is None or level.valid_from > since):
            since = level.valid_from
    return PolicyRecord(org_unit_id=None, subscriber_id=None, **merged, valid_from=since, limit_currency=limit_currency)


def governs(level: PolicyRecord, currency: str | None) -> bool:
    """Whether ``level``'s limit governs what is billed in ``currency`` (None: whatever it is
    billed in). A limit kept without its currency (set before currencies were kept) governs any."""
    return currency is None or level.limit_currency is None or level.limit_currency == currency


def in_force_at(records: Iterable[PolicyRecord], at: datetime) -> list[PolicyRecord]:
    """The versions of ``records`` that were in force at ``at``."""
    return [
        r for r in records
        if (r.valid_from is None or r.valid_from <= at) and (r.valid_to is None or at < r.valid_to)
    ]  # fmt: skip


def effective_policy(levels: Iterable[PolicyRecord | None], currency: str) -> EffectivePolicy:
    """The policy in force for the object at the end of ``levels`` (root first), as shown, for
    what is billed in ``currency``."""
    chain = list(levels)
    merged = in_force(chain, currency)
    own = chain[-1] if chain else None
    limit = merged.monthly_limit_minor
    return EffectivePolicy(
        monthly_limit=None if limit is None else Money.from_minor(limit, currency),
        limit_action=merged.limit_action or "notify",
        company_share_percent=merged.company_share_percent if merged.company_share_percent is not None else 100,
        content_filter=merged.content_filter or "off",
        roaming_allowed=merged.roaming_allowed is not False,
        overrides=own is not None and any(getattr(own, name) is not None for name in ATTRIBUTES),
        origins=origins(chain, currency),
    )


def origins(levels: list[PolicyRecord | None], currency: str | None) -> list[PolicyOrigin]:
    """For each attribute, the level of ``levels`` (root first, the object last) it is taken from,
    by the rule ``in_force`` merges them with (a limit only from a level that governs ``currency``)."""
    found = []
    for name in ATTRIBUTES:
        attribute = name.removesuffix("_minor")
        origin = PolicyOrigin(attribute, "default", None)
        for index in range(len(levels) - 1, -1, -1):
            level = levels[index]
            if level is None or getattr(level, name) is None:
                continue
            if name == "monthly_limit_minor" and not governs(level, currency):
                continue
            set_by = "own" if index == len(levels) - 1 else "inherited"
            origin = PolicyOrigin(attribute, set_by, level.org_unit_id)
            break
        found.append(origin)
    return found


def line_policies(
    records: Iterable[PolicyRecord],
    lines: Mapping[int, str],
    billed_in: Mapping[int, str],
    at: datetime | None = None,
) -> dict[int, PolicyRecord]:
    """Each line's policy in force (line id -> org path given), from ``records``: the policies
    set on the lines' units and on the lines themselves (at ``at`` when records hold history),
    with the limit stated in the currency each line is billed in (``billed_in``; a line missing
    from it: any)."""
    records = list(records) if at is None else in_force_at(records, at)
    by_unit = {r.org_unit_id: r for r in records if r.org_unit_id is not None}
    by_line = {r.subscriber_id: r for r in records if r.subscriber_id is not None}

    @cache
    def units(path: str) -> tuple[PolicyRecord | None, ...]:
        return tuple(by_unit.get(unit) for unit in path_ids(path))

    return {line: in_force((*units(path), by_line.get(line)), billed_in.get(line)) for line, path in lines.items()}
