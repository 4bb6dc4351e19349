"""The spending policy as a mutation takes it: attributes given, left out, or cleared."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry

from schema.enums import ContentFilter, LimitAction


@strawberry.input(description="Omit an attribute to leave it; null makes it inherited from above again.")
class PolicyInput:
    monthly_limit: Decimal | None = strawberry.UNSET
    limit_currency: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="The currency `monthlyLimit` is stated in (ISO 4217; the company's by default). A limit is in "
        "the currency of the billing account of the lines it limits: it is refused with CURRENCY_MISMATCH where a "
        "line (or, on a unit, any line below it) is billed in another. Amounts are never converted.",
    )
    limit_action: LimitAction | None = strawberry.UNSET
    company_share_percent: int | None = strawberry.UNSET
    content_filter: ContentFilter | None = strawberry.UNSET
    roaming_allowed: bool | None = strawberry.UNSET


def policy_changes(policy: PolicyInput) -> dict[str, Any]:
    """The attributes given (enums as their stored values)."""
    changes: dict[str, Any] = {}
    for name in ("monthly_limit", "limit_currency", "limit_action", "company_share_percent", "content_filter",
                 "roaming_allowed"):  # fmt: skip
        value = getattr(policy, name)
        if value is not strawberry.UNSET:
            changes[name] = value.value if isinstance(value, Enum) else value
    return changes
