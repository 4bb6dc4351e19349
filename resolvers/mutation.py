"""What every mutation does around its own work: answer once per idempotency key, and audit.

    answer = await once(info, operation, key, echo, work)

``work`` returns the answer as plain data (JSON-able); the same key with the same input
gets the stored answer back without running ``work`` again; with another input, a
user error. ``echo`` is the mutation's input as plain data.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from core.errors import BadUserInput, CorpcareError, KeyInUse
from core.text import IDEMPOTENCY_KEY, checked
from request.context import Context, Info, Intent
from sources.state.audit import AuditEntry
from sources.state.idempotency import KeyState, fingerprint

log = logging.getLogger("corpcare.mutation")

# A copy of a request whose first is at work asks again after these pauses (doubling).
FIRST_PAUSE = 0.05
LONGEST_PAUSE = 0.5
# What a copy that waited in vain is told: when to try again.
RETRY_AFTER = 1


@dataclass(slots=True)
class UserErrorRecord:
    """A problem with the input, reported in the payload rather than as a GraphQL error."""

    field: list[str]
    code: str
    message: str


KEY_REUSED = {
    "field": ["idempotencyKey"],
    "code": "IDEMPOTENCY_KEY_REUSED",
    "message": "This idempotency key was used with a different input.",
}


async def once(
    info: Info,
    operation: str,
    key: str | None,
    echo: dict[str, Any],
    work: Callable[[], Awaitable[dict[str, Any]]],
    rejudge: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]] | None = None,
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(answer, user error): the answer is None when the key was reused with another input, or
    cannot be kept (checked before any work, so that a key refused never leaves a change behind).

    The key is reserved before ``work`` runs; a copy sent while the first runs waits for its
    answer (``KeyInUse`` when that takes too long) and never runs ``work`` itself. Whatever the
    key, the change's intent is in the audit log before ``work`` touches anything.

    A kept answer is handed back through ``rejudge``, which shows it as the caller may see it
    now (``resolvers.stored_answers``): the caller's scope may have shrunk since."""
    context = info.context
    if key is None:
        return await _intended(context, operation, echo, work), None
    try:
        checked(key, field="idempotencyKey", longest=IDEMPOTENCY_KEY)
    except BadUserInput as error:
        return None, {"field": ["idempotencyKey"], "code": error.code, "message": error.message}
    store, user_id = context.sources.idempotency, context.principal.user_id
    print_ = fingerprint(operation, echo)
    found = await _reserved(context, user_id, key, operation, print_)
    if found is not None:
        if found.fingerprint != print_:
            return None, KEY_REUSED
        answer = found.response
        return (await rejudge(answer) if rejudge is not None else answer), None
    try:
        answer = await _intended(context, operation, echo, work, key=key)
    except BaseException:
        # Nothing written without an intent: the key is free again. With one, the key stays
        # pending until the recovery pass settles the intent (resolvers/recovery.py).
        await asyncio.shield(store.release(user_id, key))
        raise
    try:
        await store.keep(user_id, key, answer)
    except CorpcareError as error:
        # The change is made and its record settled: the answer is the caller's. The key stays
        # pending, and is answered from that record once its hold runs out (resolvers/recovery.py).
        log.warning("the answer of %s could not be kept for its key (%s)", operation, error.message)
    return answer, None


async def _reserved(context: Context, user_id: int, key: str, operation: str, print_: str) -> KeyState | None:
    """None once this request holds the key; otherwise the key as another request left it
    (done, or with another input), waiting while a copy of this request holds it."""
    store = context.sources.idempotency
    hold = timedelta(seconds=context.hold_seconds)
    waited, pause, settling = 0.0, FIRST_PAUSE, False
    found = await store.reserve(user_id, key, operation, print_, hold)
    while True:
        if found is None or found.done or found.fingerprint != print_:
            return found
        if found.abandoned(datetime.now(UTC)) and not settling:
            settling = True  # once: an intent the pass settled without keeping its answer waits for it
            if found.audit_id is not None:
                # Its holder stopped after recording its intent: settle that now and give its answer.
                from resolvers.recovery import settle  # the recovery knows every change: imported late

                await settle(context.sources, found.audit_id)
            found = await store.reserve(user_id, key, operation, print_, hold)
            continue
        if waited >= context.key_wait_seconds:
            raise KeyInUse(
                "A request with this idempotency key is still at work; its answer will be given to this key.",
                retryAfterSeconds=RETRY_AFTER,
            )
        context.step_aside()  # waiting on another request's answer holds no turn of the server's
        await asyncio.sleep(pause)
        waited, pause = waited + pause, min(pause * 2, LONGEST_PAUSE)
        # Read while it stays pending; reserved again only if its holder gave it back.
        found = await store.find(user_id, key) or await store.reserve(user_id, key, operation, print_, hold)


async def _intended(
    context: Context,
    operation: str,
    echo: dict[str, Any],
    work: Callable[[], Awaitable[dict[str, Any]]],
    *,
    key: str | None = None,
) -> dict[str, Any]:
    """Run ``work`` with its intent recorded first (``audit_change`` settles it), holding the
    intent and the key for as long as it runs."""
    sources, user_id = context.sources, context.principal.user_id
    hold = timedelta(seconds=context.hold_seconds)
    detail = {"input": echo, "idempotency_key": key}
    audit_id = await sources.audit.begin(_entry(context, operation, "pending", detail, ()), datetime.now(UTC) + hold)
    if key is not None:
        await sources.idempotency.intend(user_id, key, audit_id)

    async def holding() -> None:
        """However long the change runs (a socket's operations have no time limit), nobody takes
        it for stopped while its process lives."""
        while True:
            await asyncio.sleep(hold.total_seconds() / 3)
            until = datetime.now(UTC) + hold
            try:
                await sources.audit.hold(audit_id, until)
                if key is not None:
                    await sources.idempotency.hold(user_id, key, until)
            except CorpcareError as error:  # the state database away: the next beat tries again
                log.warning("could not renew the hold of change %s (%s)", audit_id, error.message)

    outer, context.intent = context.intent, Intent(operation, audit_id, detail)
    beat = asyncio.create_task(holding(), name=f"hold {operation} {audit_id}")
    try:
        return await work()
    finally:
        beat.cancel()
        context.intent = outer


def plain(value: Any) -> Any:
    """A mutation's input as JSON-able data (enums as their values, amounts as text): what is
    fingerprinted for idempotency, audited, and kept with a bulk operation."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    return value


async def audit_change(
    context: Context,
    operation: str,
    *,
    allowed: bool,
    detail: dict[str, Any],
    targets: tuple[tuple[str, int], ...],
) -> None:
    """The outcome of ``operation``: it settles the change's intent when one is pending (the key
    goes with it), and is a record of its own otherwise (reads, exports)."""
    outcome = "allowed" if allowed else "denied"
    intent = context.intent
    if intent is not None and intent.operation == operation:
        full = {**detail, "idempotency_key": intent.detail["idempotency_key"]}
        if await context.sources.audit.settle(intent.audit_id, outcome, full, targets):
            return
        # Settled already by the recovery pass (this request outlived its hold): the trail keeps both.
        log.warning("change %s (audit %s) settled by recovery before it ended", operation, intent.audit_id)
    await context.sources.audit.record(_entry(context, operation, outcome, detail, targets))


async def plan_change(
    context: Context, operation: str, detail: dict[str, Any], targets: tuple[tuple[str, int], ...]
) -> None:
    """What the running change is about to write, added to its intent before it writes it."""
    intent = context.intent
    if intent is not None and intent.operation == operation:
        await context.sources.audit.plan(intent.audit_id, {**intent.detail, **detail}, targets)


def _entry(
    context: Context, operation: str, outcome: str, detail: dict[str, Any], targets: tuple[tuple[str, int], ...]
) -> AuditEntry:
    principal = context.principal
    return AuditEntry(
        request_id=context.request_id,
        user_id=principal.user_id,
        login=principal.login,
        role=principal.role.value,
        customer_id=principal.customer_id,
        action=operation,
        outcome=outcome,
        detail=detail,
        targets=targets,
    )
