"""Mutations that change lines: a selection in, a per-line result out."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from core.errors import one_currency
from core.values import Money as MoneyValue
from loaders.bulk_operations import BulkOperationByIdLoader
from permissions.rules import PUBLIC, requires
from request.context import Info
from resolvers.line_changes import MAX_SELECTION, LineChangeOutcome, LineSelectionArgs, change_lines
from resolvers.line_operations import line_action, permission_for
from resolvers.line_selection import ids_echo
from resolvers.mutation import plain
from schema.bulk_operations import BulkOperation
from schema.common import Money, UserError, shown_as
from schema.fields import field, related, resolved
from schema.line_results import LineChangeResult
from schema.policy_input import PolicyInput, policy_changes
from schema.query import SubscriberFilter, filter_args


@strawberry.input(
    description=f"Exactly one of: line ids, an org subtree, or a filter. Above {MAX_SELECTION} lines the change "
    "runs in the background as a bulk operation.",
    one_of=True,
)
class LineSelection:
    # @oneOf: validation insists on exactly one member, given and not null; the others are read as None.
    ids: list[strawberry.ID] | None = strawberry.UNSET
    org_unit: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Every line in this unit's subtree."
    )
    filter: SubscriberFilter | None = strawberry.UNSET

    def __post_init__(self) -> None:
        for name in ("ids", "org_unit", "filter"):
            if getattr(self, name) is strawberry.UNSET:
                setattr(self, name, None)


BACKGROUND = (
    f"Run as a bulk operation whatever the selection's size (it does above {MAX_SELECTION} lines anyway): "
    "`bulkOperation` follows the work, with its progress and a cancel. Not with allOrNothing."
)


@strawberry.enum
class SuspendReason(Enum):
    LOST_DEVICE = "lost_device"
    LEAVE = "leave"
    OTHER = "other"


@strawberry.input
class SubscriberSuspendInput:
    selection: LineSelection
    reason: SuspendReason
    dry_run: bool = strawberry.field(default=False, description="Validate and report; change nothing.")
    all_or_nothing: bool = strawberry.field(default=False, description="If any line fails, change none.")
    background: bool = strawberry.field(default=False, description=BACKGROUND)
    idempotency_key: str | None = strawberry.field(
        default=None, description="Send again with the same key: same answer."
    )


@strawberry.input
class SubscriberResumeInput:
    selection: LineSelection
    dry_run: bool = False
    all_or_nothing: bool = strawberry.field(default=False, description="If any line fails, change none.")
    background: bool = strawberry.field(default=False, description=BACKGROUND)
    idempotency_key: str | None = None


@strawberry.input
class SubscriberServicesInput:
    selection: LineSelection
    services: list[strawberry.ID]
    dry_run: bool = False
    all_or_nothing: bool = strawberry.field(default=False, description="If any line fails, change none.")
    background: bool = strawberry.field(default=False, description=BACKGROUND)
    idempotency_key: str | None = None


@strawberry.enum
class PlanChangeEffective(Enum):
    NOW = "now"
    NEXT_PERIOD = "next_period"


@strawberry.input
class SubscriberPlanChangeInput:
    selection: LineSelection
    plan: strawberry.ID
    effective: PlanChangeEffective = PlanChangeEffective.NOW
    dry_run: bool = False
    all_or_nothing: bool = strawberry.field(default=False, description="If any line fails, change none.")
    background: bool = strawberry.field(default=False, description=BACKGROUND)
    idempotency_key: str | None = None


@strawberry.input
class SubscriberPolicySetInput:
    selection: LineSelection
    policy: PolicyInput
    dry_run: bool = False
    all_or_nothing: bool = strawberry.field(default=False, description="If any line fails, change none.")
    background: bool = strawberry.field(default=False, description=BACKGROUND)
    idempotency_key: str | None = None


@strawberry.input
class SubscriberMoveInput:
    selection: LineSelection
    org_unit: strawberry.ID = strawberry.field(description="The unit the lines move into.")
    dry_run: bool = False
    all_or_nothing: bool = strawberry.field(default=False, description="If any line fails, change none.")
    background: bool = strawberry.field(default=False, description=BACKGROUND)
    idempotency_key: str | None = None


def _total_cost(root: LineChangeOutcome) -> MoneyValue | None:
    # Lines billed in two currencies have no one impact (MIXED_CURRENCIES); each line's own stands.
    changed = [r for r in root.results if r.outcome in ("applied", "would_apply") and r.currency is not None]
    one_currency("The change's monthly cost impact", (r.currency or "" for r in changed), "")
    total, currency = root.monthly_cost_impact()
    return None if currency is None else MoneyValue.from_minor(total, currency)


def _applied(root: LineChangeOutcome) -> int:
    return root.count("applied")


def _skipped(root: LineChangeOutcome) -> int:
    return root.count("skipped")


def _failed(root: LineChangeOutcome) -> int:
    return root.count("failed")


def _would_apply(root: LineChangeOutcome) -> int:
    return root.count("would_apply")


@strawberry.type(
    description="Per-line results; a failed line never undoes the others. For a large selection the results "
    "are empty and `bulkOperation` follows the work."
)
class LineChangePayload:
    dry_run: bool = field(PUBLIC)
    results: list[LineChangeResult] = field(PUBLIC)
    bulk_operation: BulkOperation | None = related(
        BulkOperationByIdLoader,
        "bulk_operation_id",
        PUBLIC,
        description="Set when the selection runs in the background.",
    )
    applied: int = resolved(PUBLIC, _applied)
    skipped: int = resolved(PUBLIC, _skipped)
    failed: int = resolved(PUBLIC, _failed)
    would_apply: int = resolved(PUBLIC, _would_apply, description="In a dry run: the lines that would change.")
    monthly_cost_impact: Money | None = resolved(
        PUBLIC,
        _total_cost,
        description="What the changes add to the monthly bill (negative: save). Null with MIXED_CURRENCIES when "
        "the lines changed are billed in more than one currency (each line's result has its own).",
    )
    user_errors: list[UserError] = field(PUBLIC)


def _selection(selection: LineSelection) -> LineSelectionArgs:
    return LineSelectionArgs(
        ids=tuple(selection.ids) if selection.ids is not None else None,
        org_unit_id=selection.org_unit,
        filter=filter_args(selection.filter) if selection.filter is not None else None,
    )


@strawberry.type
class LineMutation:
    @strawberry.mutation(
        directives=[requires(permission_for("subscriberSuspend"))], description="Suspend lines (lost device, leave)."
    )
    async def subscriber_suspend(self, info: Info, input: SubscriberSuspendInput) -> LineChangePayload:
        return shown_as(LineChangePayload, await _lines(info, "subscriberSuspend", input, reason=input.reason))

    @strawberry.mutation(
        directives=[requires(permission_for("subscriberResume"))], description="Resume suspended lines."
    )
    async def subscriber_resume(self, info: Info, input: SubscriberResumeInput) -> LineChangePayload:
        return shown_as(LineChangePayload, await _lines(info, "subscriberResume", input))

    @strawberry.mutation(
        directives=[requires(permission_for("subscriberServicesAdd"))],
        description="Add services (options, data packs, roaming…) to lines, within the policy in force. "
        "Employees may add to their own line.",
    )
    async def subscriber_services_add(self, info: Info, input: SubscriberServicesInput) -> LineChangePayload:
        return shown_as(
            LineChangePayload, await _lines(info, "subscriberServicesAdd", input, services=sorted(input.services))
        )

    @strawberry.mutation(
        directives=[requires(permission_for("subscriberServicesRemove"))],
        description="Remove services from lines. Employees may remove from their own line.",
    )
    async def subscriber_services_remove(self, info: Info, input: SubscriberServicesInput) -> LineChangePayload:
        return shown_as(
            LineChangePayload, await _lines(info, "subscriberServicesRemove", input, services=sorted(input.services))
        )

    @strawberry.mutation(
        directives=[requires(permission_for("subscriberPlanChange"))],
        description="Move lines to another tariff plan, now or from the start of next billing month.",
    )
    async def subscriber_plan_change(self, info: Info, input: SubscriberPlanChangeInput) -> LineChangePayload:
        return shown_as(
            LineChangePayload,
            await _lines(info, "subscriberPlanChange", input, plan=input.plan, effective=input.effective),
        )

    @strawberry.mutation(
        directives=[requires(permission_for("subscriberPolicySet"))],
        description="Set spending policy attributes on lines, overriding what their units say.",
    )
    async def subscriber_policy_set(self, info: Info, input: SubscriberPolicySetInput) -> LineChangePayload:
        return shown_as(
            LineChangePayload, await _lines(info, "subscriberPolicySet", input, policy=policy_changes(input.policy))
        )

    @strawberry.mutation(
        directives=[requires(permission_for("subscriberMove"))], description="Move lines into another unit."
    )
    async def subscriber_move(self, info: Info, input: SubscriberMoveInput) -> LineChangePayload:
        return shown_as(LineChangePayload, await _lines(info, "subscriberMove", input, org_unit=input.org_unit))


async def _lines(info: Info, operation: str, input: Any, **rest: Any) -> LineChangeOutcome:
    """Every line mutation's input has a selection, dryRun, allOrNothing and idempotencyKey; the
    rest is the action's own. The action is built from the plain input, as a resumed bulk
    operation builds it."""
    selection = input.selection
    # A long id list is kept as its size and digest (``resolvers/line_selection.py``), never copied.
    kept = {"ids": await ids_echo(selection.ids), "org_unit": selection.org_unit,
            "filter": strawberry.asdict(selection.filter) if selection.filter is not None else None}  # fmt: skip
    # Asked-for background work is part of the input (another answer's shape); left out when not asked.
    asked = {"background": True} if input.background else {}
    echo = plain(
        {"selection": kept, "dry_run": input.dry_run, "all_or_nothing": input.all_or_nothing, **asked, **rest}
    )  # fmt: skip
    return await change_lines(
        info, line_action(operation, echo), _selection(input.selection), dry_run=input.dry_run,
        all_or_nothing=input.all_or_nothing, background=input.background,
        idempotency_key=input.idempotency_key, echo=echo,
    )  # fmt: skip
