"""What happened to one line in a change: shared by mutation payloads and bulk operations."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from core.ids import to_global_id
from core.values import Money as MoneyValue
from loaders.subscriber import SubscriberByIdLoader
from permissions.rules import PUBLIC
from schema.common import Money
from schema.fields import field, related, resolved
from schema.subscriber import Subscriber
from sources.state.bulk_operations import ItemResult


@strawberry.enum
class LineOutcome(Enum):
    APPLIED = "applied"
    SKIPPED = "skipped"
    FAILED = "failed"
    WOULD_APPLY = "would_apply"


def _line_cost(root: ItemResult) -> MoneyValue | None:
    if root.outcome not in ("applied", "would_apply") or root.currency is None:
        return None
    return MoneyValue.from_minor(root.cost_delta_minor, root.currency)


def _line_id(root: Any) -> strawberry.ID:
    return strawberry.ID(to_global_id("Subscriber", root.line_id))


@strawberry.type(description="What happened to one line.")
class LineChangeResult:
    line_id: strawberry.ID = resolved(PUBLIC, _line_id)
    line: Subscriber | None = related(
        SubscriberByIdLoader, "line_id", PUBLIC, description="Null when not in your scope."
    )
    outcome: LineOutcome = field(PUBLIC)
    code: str | None = field(PUBLIC, description="Why the line was skipped or failed.")
    message: str | None = field(PUBLIC)
    before: str | None = field(PUBLIC, description="The line's state before.")
    after: str | None = field(PUBLIC, description="The line's state after (in a dry run: what it would be).")
    monthly_cost_impact: Money | None = resolved(
        PUBLIC, _line_cost, description="Change of the line's monthly fees; null when the line is left as it is."
    )
