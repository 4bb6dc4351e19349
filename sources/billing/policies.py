"""Spending policy inheritance: each attribute comes from the nearest level that sets it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sources.billing.records import PolicyRecord
from sources.values import Money

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


@dataclass(slots=True)
class EffectivePolicy:
    monthly_limit: Money | None
    limit_action: str
    company_share_percent: int
    content_filter: str
    roaming_allowed: bool
    # True when the object itself sets at least one attribute.
    overrides: bool


def effective_policy(levels: Iterable[PolicyRecord | None], currency: str) -> EffectivePolicy:
    """Merge levels ordered from the root down to the object itself (missing levels are None)."""
    chain = [level for level in levels]
    merged = {name: getattr(DEFAULTS, name) for name in ATTRIBUTES}
    for level in chain:
        if level is None:
            continue
        for name in ATTRIBUTES:
            value = getattr(level, name)
            if value is not None:
                merged[name] = value
    own = chain[-1] if chain else None
    limit = merged.pop("monthly_limit_minor")
    return EffectivePolicy(
        monthly_limit=None if limit is None else Money.from_minor(limit, currency),
        overrides=own is not None and any(getattr(own, name) is not None for name in ATTRIBUTES),
        **merged,
    )
