"""What every mutation does around its own work: answer once per idempotency key, and audit.

    answer = await once(info, operation, key, echo, work)

``work`` returns the answer as plain data (JSON-able); the same key with the same input
gets the stored answer back without running ``work`` again; with another input, a
user error. ``echo`` is the mutation's input as plain data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from resolvers.context import Context, Info
from resolvers.text import IDEMPOTENCY_KEY, checked
from sources.errors import BadUserInput
from sources.state.audit import AuditEntry
from sources.state.idempotency import fingerprint


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

    A kept answer is handed back through ``rejudge``, which shows it as the caller may see it
    now (``resolvers.stored_answers``): the caller's scope may have shrunk since."""
    answer, replayed, error = await _once(info, operation, key, echo, work)
    if answer is not None and replayed and rejudge is not None:
        answer = await rejudge(answer)
    return answer, error


async def _once(
    info: Info,
    operation: str,
    key: str | None,
    echo: dict[str, Any],
    work: Callable[[], Awaitable[dict[str, Any]]],
) -> tuple[dict[str, Any] | None, bool, dict[str, Any] | None]:
    """(answer, whether it was kept from before, user error)."""
    if key is None:
        return await work(), False, None
    try:
        checked(key, field="idempotencyKey", longest=IDEMPOTENCY_KEY)
    except BadUserInput as error:
        return None, False, {"field": ["idempotencyKey"], "code": error.code, "message": error.message}
    store, user_id = info.context.sources.idempotency, info.context.principal.user_id
    print_ = fingerprint(operation, echo)
    stored = await store.find(user_id, key)
    if stored is not None:
        return (stored.response, True, None) if stored.fingerprint == print_ else (None, False, KEY_REUSED)
    answer = await work()
    if not await store.remember(user_id, key, operation, print_, answer):
        # Another request with the same key finished first: its answer stands.
        stored = await store.find(user_id, key)
        if stored is not None:
            return stored.response, True, None
    return answer, False, None


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
    principal = context.principal
    await context.sources.audit.record(
        AuditEntry(
            request_id=context.request_id,
            user_id=principal.user_id,
            login=principal.login,
            role=principal.role.value,
            customer_id=principal.customer_id,
            action=operation,
            outcome="allowed" if allowed else "denied",
            detail=detail,
            targets=targets,
        )
    )
