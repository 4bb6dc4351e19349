"""Mutations that change lines: a selection in, a per-line result out."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from permissions.roles import Permission as P
from permissions.rules import PUBLIC, requires
from resolvers.context import Info
from resolvers.ids import to_global_id
from resolvers.line_actions import PlanChange, ServicesChange, StatusChange
from resolvers.line_changes import (
    MAX_SELECTION,
    ItemResult,
    LineAction,
    LineChangeOutcome,
    LineSelectionArgs,
    change_lines,
)
from resolvers.org_changes import LineMove
from resolvers.policy_changes import PolicyChange
from schema.common import Money, UserError
from schema.fields import field, related, resolved
from schema.policy_input import PolicyInput, plain, policy_changes
from schema.query import SubscriberFilter, filter_args
from schema.subscriber import Subscriber
from sources.values import Money as MoneyValue


@strawberry.input(description=f"Exactly one of: line ids, an org subtree, or a filter. At most {MAX_SELECTION} lines.")
class LineSelection:
    ids: list[strawberry.ID] | None = None
    org_unit: strawberry.ID | None = strawberry.field(default=None, description="Every line in this unit's subtree.")
    filter: SubscriberFilter | None = None


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
    idempotency_key: str | None = strawberry.field(
        default=None, description="Send again with the same key: same answer."
    )


@strawberry.input
class SubscriberResumeInput:
    selection: LineSelection
    dry_run: bool = False
    all_or_nothing: bool = strawberry.field(default=False, description="If any line fails, change none.")
    idempotency_key: str | None = None


@strawberry.input
class SubscriberServicesInput:
    selection: LineSelection
    services: list[strawberry.ID]
    dry_run: bool = False
    all_or_nothing: bool = strawberry.field(default=False, description="If any line fails, change none.")
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
    idempotency_key: str | None = None


@strawberry.input
class SubscriberPolicySetInput:
    selection: LineSelection
    policy: PolicyInput
    dry_run: bool = False
    all_or_nothing: bool = strawberry.field(default=False, description="If any line fails, change none.")
    idempotency_key: str | None = None


@strawberry.input
class SubscriberMoveInput:
    selection: LineSelection
    org_unit: strawberry.ID = strawberry.field(description="The unit the lines move into.")
    dry_run: bool = False
    all_or_nothing: bool = strawberry.field(default=False, description="If any line fails, change none.")
    idempotency_key: str | None = None


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


def _total_cost(root: LineChangeOutcome) -> MoneyValue | None:
    total, currency = root.monthly_cost_impact()
    return None if currency is None else MoneyValue.from_minor(total, currency)


def _line_id(root: Any) -> strawberry.ID:
    return strawberry.ID(to_global_id("Subscriber", root.line_id))


@strawberry.type(description="What happened to one line.")
class LineChangeResult:
    line_id: strawberry.ID = resolved(PUBLIC, _line_id)
    line: Subscriber | None = related("subscriber", "line_id", PUBLIC, description="Null when not in your scope.")
    outcome: LineOutcome = field(PUBLIC)
    code: str | None = field(PUBLIC, description="Why the line was skipped or failed.")
    message: str | None = field(PUBLIC)
    before: str | None = field(PUBLIC, description="The line's status before.")
    after: str | None = field(PUBLIC, description="The line's state after (in a dry run: what it would be).")
    monthly_cost_impact: Money | None = resolved(
        PUBLIC, _line_cost, description="Change of the line's monthly fees; null when the line is left as it is."
    )


def _applied(root: LineChangeOutcome) -> int:
    return root.count("applied")


def _skipped(root: LineChangeOutcome) -> int:
    return root.count("skipped")


def _failed(root: LineChangeOutcome) -> int:
    return root.count("failed")


def _would_apply(root: LineChangeOutcome) -> int:
    return root.count("would_apply")


@strawberry.type(description="Per-line results; a failed line never undoes the others.")
class LineChangePayload:
    dry_run: bool = field(PUBLIC)
    results: list[LineChangeResult] = field(PUBLIC)
    applied: int = resolved(PUBLIC, _applied)
    skipped: int = resolved(PUBLIC, _skipped)
    failed: int = resolved(PUBLIC, _failed)
    would_apply: int = resolved(PUBLIC, _would_apply, description="In a dry run: the lines that would change.")
    monthly_cost_impact: Money | None = resolved(
        PUBLIC, _total_cost, description="What the changes add to the monthly bill (negative: save)."
    )
    user_errors: list[UserError] = field(PUBLIC)


def _selection(selection: LineSelection) -> LineSelectionArgs:
    return LineSelectionArgs(
        ids=tuple(selection.ids) if selection.ids is not None else None,
        org_unit_id=selection.org_unit,
        filter=filter_args(selection.filter) if selection.filter is not None else None,
    )


def _echo(selection: LineSelection, **rest: Any) -> dict[str, Any]:
    """The input as plain data, for the idempotency fingerprint and the audit log."""
    plain = strawberry.asdict(selection)
    return {"selection": plain, **{k: v.value if isinstance(v, Enum) else v for k, v in rest.items()}}


@strawberry.type
class LineMutation:
    @strawberry.mutation(directives=[requires(P.LINE_WRITE)], description="Suspend lines (lost device, leave).")
    async def subscriber_suspend(self, info: Info, input: SubscriberSuspendInput) -> LineChangePayload:
        action = StatusChange("subscriberSuspend", "suspended")
        return await _lines(info, input, action, reason=input.reason)  # type: ignore[return-value]

    @strawberry.mutation(directives=[requires(P.LINE_WRITE)], description="Resume suspended lines.")
    async def subscriber_resume(self, info: Info, input: SubscriberResumeInput) -> LineChangePayload:
        return await _lines(info, input, StatusChange("subscriberResume", "active"))  # type: ignore[return-value]

    @strawberry.mutation(
        directives=[requires(P.PRODUCT_WRITE)],
        description="Add services (options, data packs, roaming…) to lines, within the policy in force.",
    )
    async def subscriber_services_add(self, info: Info, input: SubscriberServicesInput) -> LineChangePayload:
        action = ServicesChange("subscriberServicesAdd", list(input.services), adding=True)
        return await _lines(info, input, action, services=sorted(input.services))  # type: ignore[return-value]

    @strawberry.mutation(directives=[requires(P.PRODUCT_WRITE)], description="Remove services from lines.")
    async def subscriber_services_remove(self, info: Info, input: SubscriberServicesInput) -> LineChangePayload:
        action = ServicesChange("subscriberServicesRemove", list(input.services), adding=False)
        return await _lines(info, input, action, services=sorted(input.services))  # type: ignore[return-value]

    @strawberry.mutation(
        directives=[requires(P.PRODUCT_WRITE)],
        description="Move lines to another tariff plan, now or from the start of next billing month.",
    )
    async def subscriber_plan_change(self, info: Info, input: SubscriberPlanChangeInput) -> LineChangePayload:
        action = PlanChange("subscriberPlanChange", input.plan, input.effective is PlanChangeEffective.NEXT_PERIOD)
        return await _lines(info, input, action, plan=input.plan, effective=input.effective)  # type: ignore[return-value]

    @strawberry.mutation(
        directives=[requires(P.POLICY_WRITE)],
        description="Set spending policy attributes on lines, overriding what their units say.",
    )
    async def subscriber_policy_set(self, info: Info, input: SubscriberPolicySetInput) -> LineChangePayload:
        changes = policy_changes(input.policy)
        return await _lines(info, input, PolicyChange(changes), policy=plain(changes))  # type: ignore[return-value]

    @strawberry.mutation(directives=[requires(P.LINE_WRITE)], description="Move lines into another unit.")
    async def subscriber_move(self, info: Info, input: SubscriberMoveInput) -> LineChangePayload:
        action = LineMove(info, input.org_unit)
        return await _lines(info, input, action, org_unit=input.org_unit)  # type: ignore[return-value]


async def _lines(info: Info, input: Any, action: LineAction, **echo: Any) -> LineChangeOutcome:
    """Every line mutation's input has a selection, dryRun and idempotencyKey; the rest is echoed."""
    plain_input = _echo(input.selection, dry_run=input.dry_run, all_or_nothing=input.all_or_nothing, **echo)
    return await change_lines(
        info, action, _selection(input.selection), dry_run=input.dry_run, all_or_nothing=input.all_or_nothing,
        idempotency_key=input.idempotency_key, echo=plain_input,
    )  # fmt: skip
