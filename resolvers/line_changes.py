"""Changes to lines over a selection: one code path for one line or many.

load the targets (in scope) → check each → dry run, or apply each in its own transaction →
audit → remember the answer under the idempotency key. A line that fails never rolls back
the ones that succeeded.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from resolvers.context import Context, Info
from resolvers.ids import from_global_id, to_global_id
from resolvers.mutation import UserErrorRecord, audit_change, once
from resolvers.subscriber import SubscriberListArgs, line_query
from sources.crm.records import SubscriberRecord
from sources.errors import BadUserInput, CorpcareError

# Larger selections are for background bulk operations.
MAX_SELECTION = 200


@dataclass(frozen=True, slots=True)
class LineSelectionArgs:
    """Exactly one of: explicit line ids, an org subtree, or the list's filter."""

    ids: tuple[str, ...] | None = None
    org_unit_id: str | None = None
    filter: SubscriberListArgs | None = None


@dataclass(slots=True)
class ItemResult:
    line_id: int
    outcome: str  # applied, skipped, failed, would_apply
    code: str | None = None
    message: str | None = None
    before: str | None = None
    after: str | None = None
    # Change of the line's monthly recurring fees, in minor units of ``currency``.
    cost_delta_minor: int = 0
    currency: str | None = None


@dataclass(slots=True)
class LineChangeOutcome:
    dry_run: bool
    results: list[ItemResult] = field(default_factory=list)
    user_errors: list[UserErrorRecord] = field(default_factory=list)

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
) -> LineChangeOutcome:
    """``echo`` is the mutation's input as plain data: fingerprinted and audited."""

    async def work() -> dict[str, Any]:
        return asdict(await _run(info, action, selection, dry_run, all_or_nothing, echo))

    answer, key_error = await once(info, action.operation, idempotency_key, echo, work)
    if answer is None:
        return LineChangeOutcome(dry_run, user_errors=[UserErrorRecord(**key_error)])  # type: ignore[arg-type]
    return LineChangeOutcome.from_stored(answer)


async def _run(
    info: Info,
    action: LineAction,
    selection: LineSelectionArgs,
    dry_run: bool,
    all_or_nothing: bool,
    echo: dict[str, Any],
) -> LineChangeOutcome:
    context = info.context
    try:
        line_ids = await _selected(info, selection)
        lines = {
            line.id: line for line in await context.sources.crm.subscribers_by_ids(line_ids, context.principal.scope)
        }
        await action.prepare(context, list(lines.values()))
    except CorpcareError as error:
        field = error.extensions.get("field", ["selection"])
        outcome = LineChangeOutcome(dry_run, user_errors=[UserErrorRecord(field, error.code, error.message)])
    else:
        outcome = await _change(context, action, line_ids, lines, dry_run, all_or_nothing)
    await audit_change(
        context,
        action.operation,
        allowed=not outcome.user_errors,
        detail={"input": echo, **asdict(outcome)},
        targets=tuple(("Subscriber", result.line_id) for result in outcome.results),
    )
    return outcome


async def _selected(info: Info, selection: LineSelectionArgs) -> list[int]:
    given = [part for part in (selection.ids, selection.org_unit_id, selection.filter) if part is not None]
    if len(given) != 1:
        raise BadUserInput("Select lines by exactly one of ids, orgUnit or filter.")
    if selection.ids is not None:
        ids = list(dict.fromkeys(from_global_id(i, expect="Subscriber")[1] for i in selection.ids))
    else:
        args = selection.filter or SubscriberListArgs(org_unit_id=selection.org_unit_id)
        query = await line_query(info, args)
        ids = await info.context.sources.crm.subscriber_ids(query, info.context.principal.scope, MAX_SELECTION + 1)
    if len(ids) > MAX_SELECTION:
        raise BadUserInput(f"Select at most {MAX_SELECTION} lines at once.", maximum=MAX_SELECTION)
    return ids


async def _change(
    context: Context,
    action: LineAction,
    line_ids: list[int],
    lines: dict[int, SubscriberRecord],
    dry_run: bool,
    all_or_nothing: bool,
) -> LineChangeOutcome:
    if all_or_nothing and not dry_run and (refusal := _first_failure(action, line_ids, lines)) is not None:
        # Every line is checked before any is written; one that would fail stops them all.
        # (A line that changes under us between check and write can still fail alone.)
        outcome = await _change(context, action, line_ids, lines, True, False)
        for result in outcome.results:
            if result.outcome == "would_apply":
                result.outcome, result.code = "skipped", "ALL_OR_NOTHING"
                result.message = f"Not changed: line {to_global_id('Subscriber', refusal)} fails."
                result.after = result.before
        outcome.dry_run = False
        return outcome
    outcome = LineChangeOutcome(dry_run)
    for line_id in line_ids:
        line = lines.get(line_id)
        if line is None:
            # Outside the scope or missing: the same answer, so existence is not revealed.
            outcome.results.append(ItemResult(line_id, "failed", "NOT_FOUND", "No such line in your scope."))
            continue
        verdict = action.check(line)
        change = action.describe(line)
        if verdict is not None:
            result = ItemResult(line_id, verdict.outcome, verdict.code, verdict.message, change.before, change.before)
        elif dry_run:
            result = ItemResult(
                line_id, "would_apply", None, None, change.before, change.after, change.cost_delta_minor
            )
        elif await action.apply(context, line):
            result = ItemResult(line_id, "applied", None, None, change.before, change.after, change.cost_delta_minor)
        else:
            message = "The line changed while this request ran; read it again."
            result = ItemResult(line_id, "failed", "CONFLICT", message, change.before, change.before)
        result.currency = line.currency
        outcome.results.append(result)
    return outcome


def _first_failure(action: LineAction, line_ids: list[int], lines: dict[int, SubscriberRecord]) -> int | None:
    for line_id in line_ids:
        line = lines.get(line_id)
        if line is None:
            return line_id
        verdict = action.check(line)
        if verdict is not None and verdict.outcome == "failed":
            return line_id
    return None
