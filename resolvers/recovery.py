"""Changes whose process stopped midway, settled against the backends.

Every change records its intent before it touches a backend, and a change to lines adds its
plan (each line's before and after) before the first write (``resolvers/mutation.py``). A
change renews the hold on its intent and its key while it runs: an intent still pending past
its hold belongs to a process that stopped. Its lines are
judged as they are now: a planned line that shows its change was written (``applied``), one that
does not was not (``failed`` ``INTERRUPTED``); a large selection that stopped after starting its
bulk operation is answered with that operation. Other changes are settled as interrupted without
a verdict, since whether their one write happened cannot be told from outside; the answer kept
for their idempotency key says so, and the key is never run a second time.

The settled outcome goes into the audit record (``interrupted``) and becomes the answer kept for
the change's idempotency key, so the trail and a retry both name every written line. Run by
the recovery pass of each server (``jobs/recovery_pass.py``); a copy of the request that
finds its key abandoned settles that one intent at once.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any

from core.errors import CorpcareError
from core.scope import RowScope
from permissions.principal import principal_for
from request.context import Context
from resolvers.line_changes import LineChangeOutcome, judge
from resolvers.line_operations import LINE_OPERATIONS, line_action
from resolvers.mutation import UserErrorRecord
from sources import Sources
from sources.state.audit import AuditEntry
from sources.state.bulk_operations import ItemResult

log = logging.getLogger("corpcare.recovery")

NOT_WRITTEN = "The change stopped before this line was written: the line was not changed."
UNKNOWN = "The change stopped midway; the line could not be read to tell whether it was changed: read it again."
INTERRUPTED = (
    "The change was interrupted before its answer was known: read the object again to see whether it was "
    "made, and send any further change with a new idempotency key."
)


async def settle_abandoned(sources: Sources) -> int:
    """Settle every intent whose change stopped renewing its hold, and keep the answers of keys
    whose holder stopped after settling; how many intents were settled."""
    settled = 0
    while batch := await sources.audit.abandoned(datetime.now(UTC)):
        for entry in batch:
            assert entry.id is not None
            settled += await settle(sources, entry.id)
        if len(batch) < 100:
            break
    for audit_id in await sources.idempotency.abandoned(datetime.now(UTC)):
        settled += await settle(sources, audit_id)
    return settled


async def settle(sources: Sources, audit_id: int) -> bool:
    """Settle one pending intent; False when it was settled already (its answer is then kept for
    its key if it was not: the change ended but the state database failed as it kept it)."""
    entry = await sources.audit.one(audit_id)
    if entry is None:
        return False
    if entry.outcome != "pending":
        await sources.idempotency.keep_settled(audit_id, _answer_of(entry))
        return False
    if entry.action in LINE_OPERATIONS and "planned" in entry.detail:
        answer = await _lines(sources, entry)
        targets = tuple(("Subscriber", result["line_id"]) for result in answer["results"])
    else:
        error = UserErrorRecord(["idempotencyKey"], "INTERRUPTED", INTERRUPTED)
        targets = ()
        if entry.action in LINE_OPERATIONS:  # stopped before its plan: shaped as a change to lines
            dry_run = bool(entry.detail["input"].get("dry_run"))
            started = await sources.bulk.started_by(entry.request_id, entry.action)
            if started is not None:  # a large selection: its bulk operation goes on
                answer, targets = (
                    asdict(LineChangeOutcome(dry_run, bulk_operation_id=started)),
                    (("BulkOperation", started),),
                )
            else:
                answer = asdict(LineChangeOutcome(dry_run, user_errors=[error]))
        else:
            answer = {"user_errors": [asdict(error)]}
    # The key first: were this pass to stop in between, the next settles the record again, and a
    # key is never left pending behind a record that is settled.
    await sources.idempotency.keep_settled(audit_id, answer)
    if not await sources.audit.settle(audit_id, "interrupted", {**entry.detail, **answer}, targets):
        return False
    log.warning("settled the interrupted change %s (audit %s) of %s", entry.action, audit_id, entry.login)
    return True


def _answer_of(entry: AuditEntry) -> dict[str, Any]:
    """A settled change's answer, from its record: in full for a change to lines (its record holds
    every line's result), as the user errors it had for a refused one, otherwise a pointer to it."""
    if entry.action in LINE_OPERATIONS and "results" in entry.detail:
        return {name: entry.detail.get(name) for name in ("dry_run", "results", "user_errors", "bulk_operation_id")}
    if entry.detail.get("user_errors"):
        return {"user_errors": entry.detail["user_errors"]}
    message = f"The change was made (audit record {entry.id}) but its answer was lost: read the object again."
    return {"user_errors": [asdict(UserErrorRecord(["idempotencyKey"], "ANSWER_LOST", message))]}


async def _lines(sources: Sources, entry: AuditEntry) -> dict[str, Any]:
    """The planned lines as they are now: each written, or not."""
    planned = [ItemResult(**item) for item in entry.detail["planned"]]
    writes = [result for result in planned if result.outcome == "would_apply"]
    now = await _judged_now(sources, entry, [result.line_id for result in writes])
    settled = {}
    for result in writes:
        verdict = now.get(result.line_id)
        if verdict is None:
            settled[result.line_id] = replace(result, outcome="failed", code="INTERRUPTED", message=UNKNOWN,
                                              after=result.before, cost_delta_minor=0)  # fmt: skip
        elif verdict.code == "ALREADY_IN_STATE":
            settled[result.line_id] = replace(result, outcome="applied")
        else:
            settled[result.line_id] = replace(result, outcome="failed", code="INTERRUPTED", message=NOT_WRITTEN,
                                              after=result.before, cost_delta_minor=0)  # fmt: skip
    results = [settled.get(result.line_id, result) for result in planned]
    return asdict(LineChangeOutcome(dry_run=False, results=results))


async def _judged_now(sources: Sources, entry: AuditEntry, line_ids: list[int]) -> dict[int, ItemResult]:
    """Each line judged afresh by the change's action, in its company (the starter's own scope
    may have changed since; the lines were in it when the plan was made)."""
    user = await sources.crm.portal_user_by_login(entry.login)
    if user is None or user.id != entry.user_id or entry.customer_id is None or not line_ids:
        return {}
    starter = principal_for(user)
    company = RowScope(customer_ids=frozenset({entry.customer_id}), own_user_id=starter.scope.own_user_id)
    principal = replace(starter, scope=company)
    context = Context.of(principal, sources, request_id=entry.request_id)
    action = line_action(entry.action, entry.detail["input"])
    lines = {line.id: line for line in await sources.crm.subscribers_by_ids(line_ids, principal.scope)}
    try:
        await action.prepare(context, list(lines.values()))
    except CorpcareError:
        return {}
    return {line_id: judge(action, line_id, line) for line_id, line in lines.items()}
