"""Changes to lines over a selection: one code path for one line or many.

reserve the idempotency key → record the intent → load the targets (in scope) → check each →
dry run, or add the plan to the intent and apply each line in its own transaction → settle the
intent with the outcome → keep the answer under the key. A line that fails never rolls back
the ones that succeeded. A selection above ``MAX_SELECTION`` lines becomes a bulk operation
(``jobs/bulk_work.py``): the same checks and writes, line by line, in the background.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from core.crm_records import SubscriberRecord
from core.errors import BadUserInput, CorpcareError
from core.ids import to_global_id
from request.context import Context, Info
from resolvers import stored_answers
from resolvers.line_selection import decode_line_ids
from resolvers.mutation import UserErrorRecord, audit_change, once, plan_change
from resolvers.subscriber import SubscriberListArgs, line_query
from sources.state.bulk_operations import BulkStart, ItemResult

# Larger selections run in the background as bulk operations.
MAX_SELECTION = 200
MAX_BULK = 100_000


@dataclass(frozen=True, slots=True)
class LineSelectionArgs:
    """Exactly one of: explicit line ids, an org subtree, or the list's filter."""

    ids: tuple[str, ...] | None = None
    org_unit_id: str | None = None
    filter: SubscriberListArgs | None = None


@dataclass(slots=True)
class LineChangeOutcome:
    dry_run: bool
    results: list[ItemResult] = field(default_factory=list)
    user_errors: list[UserErrorRecord] = field(default_factory=list)
    # Set when the selection was large enough to run in the background.
    bulk_operation_id: int | None = None

    def count(self, outcome: str) -> int:
        return sum(1 for result in self.results if result.outcome == outcome)

    def monthly_cost_impact(self) -> tuple[int, str | None]:
        """What the applied (or, in a dry run, the would-be) changes add to the monthly bill."""
        changed = [r for r in self.results if r.outcome in ("applied", "would_apply")]
        return sum(r.cost_delta_minor for r in changed), next((r.currency for r in changed), None)

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> LineChangeOutcome:
        return cls(
            dry_run=stored["dry_run"],
            results=[ItemResult(**item) for item in stored["results"]],
            user_errors=[UserErrorRecord(**error) for error in stored["user_errors"]],
            bulk_operation_id=stored.get("bulk_operation_id"),
        )


@dataclass(frozen=True, slots=True)
class Verdict:
    """Why a line is left as it is."""

    outcome: str  # skipped or failed
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Change:
    """What applying an action to one line would do."""

    before: str
    after: str
    cost_delta_minor: int = 0


class LineAction(Protocol):
    """One kind of change. Built per request; ``prepare`` loads, in batches, what ``check``
    and ``describe`` need for all target lines."""

    @property
    def operation(self) -> str: ...
    async def prepare(self, context: Context, lines: list[SubscriberRecord]) -> None: ...
    def check(self, line: SubscriberRecord) -> Verdict | None: ...
    def describe(self, line: SubscriberRecord) -> Change: ...
    async def apply(self, context: Context, line: SubscriberRecord) -> bool: ...


async def change_lines(
    info: Info,
    action: LineAction,
    selection: LineSelectionArgs,
    *,
    dry_run: bool,
    idempotency_key: str | None,
    echo: dict[str, Any],
    all_or_nothing: bool = False,
    background: bool = False,
) -> LineChangeOutcome:
    """``echo`` is the mutation's input as plain data: fingerprinted and audited. ``background``
    makes a bulk operation of any selection (a portal's progress bar and cancel)."""

    async def work() -> dict[str, Any]:
        return asdict(await _run(info, action, selection, dry_run, all_or_nothing, background, echo))

    async def as_seen_now(answer: dict[str, Any]) -> dict[str, Any]:
        kept = LineChangeOutcome.from_stored(answer)
        kept.results = await stored_answers.as_seen_now(info.context, kept.results)
        return asdict(kept)

    answer, key_error = await once(info, action.operation, idempotency_key, echo, work, as_seen_now)
    if answer is None:
        return LineChangeOutcome(dry_run, user_errors=[UserErrorRecord(**key_error)])  # type: ignore[arg-type]
    return LineChangeOutcome.from_stored(answer)


async def _run(
    info: Info,
    action: LineAction,
    selection: LineSelectionArgs,
    dry_run: bool,
    all_or_nothing: bool,
    background: bool,
    echo: dict[str, Any],
) -> LineChangeOutcome:
    context = info.context
    try:
        line_ids = await _selected(info, selection)
        if len(line_ids) > MAX_SELECTION or background:
            outcome = await _start_bulk(context, action, line_ids, dry_run, all_or_nothing, echo)
        else:
            lines = {
                line.id: line
                for line in await context.sources.crm.subscribers_by_ids(line_ids, context.principal.scope)
            }
            await action.prepare(context, list(lines.values()))
            outcome = await _change(context, action, line_ids, lines, dry_run, all_or_nothing)
    except CorpcareError as error:
        field = error.extensions.get("field", ["selection"])
        outcome = LineChangeOutcome(dry_run, user_errors=[UserErrorRecord(field, error.code, error.message)])
    targets = tuple(("Subscriber", result.line_id) for result in outcome.results)
    if outcome.bulk_operation_id is not None:
        targets += (("BulkOperation", outcome.bulk_operation_id),)
    await audit_change(
        context,
        action.operation,
        allowed=not outcome.user_errors,
        detail={"input": echo, **asdict(outcome)},
        targets=targets,
    )
    return outcome


async def _selected(info: Info, selection: LineSelectionArgs) -> list[int]:
    # LineSelection is @oneOf: validation has made sure exactly one of them is given.
    if selection.ids is not None:
        ids = await decode_line_ids(selection.ids)
    else:
        args = selection.filter or SubscriberListArgs(org_unit_id=selection.org_unit_id)
        query = await line_query(info, args)
        ids = await info.context.sources.crm.subscriber_ids(query, info.context.principal.scope, MAX_BULK + 1)
    if len(ids) > MAX_BULK:
        raise BadUserInput(f"Select at most {MAX_BULK} lines at once.", maximum=MAX_BULK)
    return ids


async def _start_bulk(
    context: Context,
    action: LineAction,
    line_ids: list[int],
    dry_run: bool,
    all_or_nothing: bool,
    echo: dict[str, Any],
) -> LineChangeOutcome:
    if all_or_nothing:
        raise BadUserInput(
            f"allOrNothing is for selections of up to {MAX_SELECTION} lines run at once; larger ones, and those "
            "asked to run in the background, run line by line.",
            field=["allOrNothing"],
        )
    await action.prepare(context, [])  # the input itself is checked now, the lines as the work reaches them
    pace = context.pacer()  # 100,000 items are the database's work: others' requests go first
    principal = context.principal
    start = BulkStart(
        customer_id=principal.customer_id, user_id=principal.user_id, login=principal.login,
        role=principal.role.value, request_id=context.request_id, operation=action.operation, input=echo,
        dry_run=dry_run,
    )  # fmt: skip
    return LineChangeOutcome(dry_run, bulk_operation_id=await context.sources.bulk.create(start, line_ids, pace))


def judge(action: LineAction, line_id: int, line: SubscriberRecord | None) -> ItemResult:
    """What the action does to one line: left as it is (skipped, failed), or would_apply."""
    if line is None:
        return stored_answers.not_in_view(line_id)
    verdict = action.check(line)
    change = action.describe(line)
    if verdict is not None:
        result = ItemResult(line_id, verdict.outcome, verdict.code, verdict.message, change.before, change.before)
    else:
        result = ItemResult(line_id, "would_apply", None, None, change.before, change.after, change.cost_delta_minor)
    result.currency = line.currency
    return result


async def apply(context: Context, action: LineAction, line: SubscriberRecord, planned: ItemResult) -> ItemResult:
    """Write one line's change (one backend transaction); ``planned`` is its would_apply result."""
    if await action.apply(context, line):
        return ItemResult(
            line.id, "applied", None, None, planned.before, planned.after, planned.cost_delta_minor, line.currency
        )
    message = "The line changed while this request ran; read it again."
    return ItemResult(line.id, "failed", "CONFLICT", message, planned.before, planned.before, 0, line.currency)


async def _change(
    context: Context,
    action: LineAction,
    line_ids: list[int],
    lines: dict[int, SubscriberRecord],
    dry_run: bool,
    all_or_nothing: bool,
) -> LineChangeOutcome:
    judged = [judge(action, line_id, lines.get(line_id)) for line_id in line_ids]
    outcome = LineChangeOutcome(dry_run)
    refusal = next((result for result in judged if result.outcome == "failed"), None)
    if all_or_nothing and refusal is not None and not dry_run:
        # Every line is checked before any is written; one that would fail stops them all.
        # (A line that changes under us between check and write can still fail alone.)
        for result in judged:
            if result.outcome == "would_apply":
                result.outcome, result.code, result.cost_delta_minor = "skipped", "ALL_OR_NOTHING", 0
                result.message = f"Not changed: line {to_global_id('Subscriber', refusal.line_id)} fails."
                result.after = result.before
        outcome.results = judged
        return outcome
    if not dry_run and any(result.outcome == "would_apply" for result in judged):
        # Before the first write, the plan joins the change's intent: were the process to stop
        # midway, the recovery pass (resolvers/recovery.py) tells written lines from the others.
        planned = {"planned": [asdict(result) for result in judged]}
        await plan_change(context, action.operation, planned, tuple(("Subscriber", r.line_id) for r in judged))
    failure: CorpcareError | None = None
    for result in judged:
        line = lines.get(result.line_id)
        if result.outcome == "would_apply" and not dry_run and line is not None:
            if failure is not None:
                result = _unwritten(
                    result, failure.code, f"Not written: an earlier line's write failed ({failure.code})."
                )
                outcome.results.append(result)
                continue
            try:
                result = await apply(context, action, line, result)
            except CorpcareError as error:
                # A backend failed midway: the lines written so far stay in the answer, the trail and
                # the key; this one may or may not have been written, the rest are not tried.
                failure = error
                result = _unwritten(result, error.code, f"{error.message} Whether this line changed is not known.")
        outcome.results.append(result)
    return outcome


def _unwritten(planned: ItemResult, code: str, message: str) -> ItemResult:
    return ItemResult(planned.line_id, "failed", code, message, planned.before, planned.before, 0, planned.currency)
