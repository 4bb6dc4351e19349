"""Bulk operations: a change to a large selection, worked through in the background."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.scalars import JSON

from core.values import Money as MoneyValue
from loaders.bulk_operations import BulkOperationByIdLoader
from loaders.cursors import PageArgs, Window
from permissions.roles import Permission as P
from permissions.rules import PUBLIC, requires
from request.context import Info
from resolvers import bulk_operations
from schema.common import Connection, Money, Node, UserError, shown_as
from schema.fields import field, global_id, instances_of, related, resolved
from schema.inputs_as_sent import input_as_sent
from schema.line_results import LineChangeResult, LineOutcome
from sources.state.bulk_operations import BulkOperationRow


@strawberry.enum
class BulkOperationStatus(Enum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


def _cost(root: BulkOperationRow) -> MoneyValue | None:
    return None if root.currency is None else MoneyValue.from_minor(root.cost_delta_minor, root.currency)


def _percent(root: BulkOperationRow) -> float:
    return 100.0 if root.total == 0 else round(100.0 * root.done / root.total, 1)


@strawberry.type(
    description="A change to many lines, applied line by line in the background. Visible to whoever "
    "started it, and to those who read the audit log of its company."
)
class BulkOperation(Node):
    id: strawberry.ID = global_id("BulkOperation", PUBLIC)
    operation: str = field(PUBLIC, description="The mutation, for example subscriberServicesAdd.")

    @strawberry.field(
        directives=[PUBLIC],
        description="The mutation's input as it was sent (GraphQL names and enum values, fit to send again "
        "as the mutation's `input`); a selection of more than 200 ids shows as their `count` and `sha256` "
        "(the lines are the `results`).",
    )
    def input(root: BulkOperationRow, info: Info) -> JSON:
        return input_as_sent(info.schema._schema, root.operation, root.input)  # type: ignore[return-value]

    status: BulkOperationStatus = field(PUBLIC)
    dry_run: bool = field(PUBLIC)
    login: str = field(PUBLIC, name="startedBy", description="The login of the portal user who started it.")
    created_at: datetime = field(PUBLIC)
    started_at: datetime | None = field(PUBLIC)
    finished_at: datetime | None = field(PUBLIC)
    total: int = field(PUBLIC, description="Lines selected.")
    done: int = field(PUBLIC, description="Lines finished (any outcome).")
    percent_done: float = resolved(PUBLIC, _percent)
    applied: int = field(PUBLIC)
    skipped: int = field(PUBLIC)
    failed: int = field(PUBLIC)
    would_apply: int = field(PUBLIC, description="In a dry run: the lines that would change.")
    cancel_requested: bool = field(PUBLIC)
    monthly_cost_impact: Money | None = resolved(
        PUBLIC, _cost, description="What the finished lines' changes add to the monthly bill."
    )

    @strawberry.field(
        directives=[PUBLIC],
        description="Finished lines, in line order. `totalCount` counts them by the outcome each was kept "
        "with, as `applied`, `skipped` and `failed` do.",
    )
    async def results(
        root: BulkOperationRow,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        outcome: list[LineOutcome] | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[LineChangeResult]:
        outcomes = [value.value for value in outcome or ()]
        page: Window = await bulk_operations.bulk_results(info, root, outcomes, PageArgs(first, after, last, before))
        return shown_as(Connection[LineChangeResult], page)

    is_type_of = instances_of(BulkOperationRow)


@strawberry.input
class BulkOperationCancelInput:
    bulk_operation: strawberry.ID
    idempotency_key: str | None = None


@strawberry.type
class BulkOperationCancelPayload:
    bulk_operation: BulkOperation | None = related(BulkOperationByIdLoader, "operation_id", PUBLIC)
    user_errors: list[UserError] = field(PUBLIC)


@strawberry.type
class BulkMutation:
    @strawberry.mutation(
        directives=[requires(P.LINE_WRITE)],
        description="Stop a bulk operation: lines not yet reached are skipped (CANCELLED); changed lines stay.",
    )
    async def bulk_operation_cancel(self, info: Info, input: BulkOperationCancelInput) -> BulkOperationCancelPayload:
        outcome = await bulk_operations.cancel(info, input.bulk_operation, input.idempotency_key)
        return shown_as(BulkOperationCancelPayload, outcome)
