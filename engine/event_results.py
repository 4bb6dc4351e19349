"""A subscription's selection run once per event for every subscriber who sees it alike.

Subscribers of one event on this instance receive the same decoded object
(``resolvers.shared_events``). Those who sent the same document and variables and see alike —
the same permissions, row scope, bulk operations in view and customer — would get the same
answer, so the first to run it keeps it for the rest: a report to a thousand portals is
executed once, not a thousand times. Keys never leave out the view: an answer is only ever
shared with callers whose permissions and scope are exactly the same.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from graphql import ExecutionResult
from graphql.pyutils import is_awaitable

from request.context import Context
from resolvers.shared_events import EVENTS

KEPT = 1024  # answers of recent events; an older one is simply run again


class EventResults:
    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        # key -> (the event, the operation, its answer or the task computing it); holding the event
        # and the operation keeps their ids, part of the key, from being reused while it is kept
        self._answers: OrderedDict[Hashable, tuple[Any, Any, Any]] = OrderedDict()

    def execute(self, executor: Any, run: Callable[[], Any]) -> Any:
        key = self._key(executor)
        if key is None:
            return run()
        kept = self._answers.get(key)
        if kept is None:
            answer = run()
            running = asyncio.ensure_future(answer) if is_awaitable(answer) else answer
            kept = (executor.root_value, executor.operation, running)
            self._answers[key] = kept
            if len(self._answers) > self._kept:
                self._answers.popitem(last=False)
        answer = kept[2]
        return _own_copy_of(answer) if isinstance(answer, asyncio.Future) else _copy(answer)

    @staticmethod
    def _key(executor: Any) -> Hashable | None:
        event, context = executor.root_value, executor.context_value
        if not EVENTS.shared(event) or not isinstance(context, Context):
            return None  # a query, a mutation, or a subscription's first answer: its own
        principal = context.principal
        coerced = executor.variable_values.coerced if executor.variable_values is not None else {}
        variables = tuple(sorted((name, repr(value)) for name, value in coerced.items()))
        view = (principal.permissions, principal.scope, principal.customer_id)
        return (id(event), id(executor.operation), variables, view)


def _copy(answer: ExecutionResult) -> ExecutionResult:
    """The answer with a list of errors of its own (error handling may add to it)."""
    return ExecutionResult(answer.data, list(answer.errors) if answer.errors else None, answer.extensions)


async def _own_copy_of(running: asyncio.Future[ExecutionResult]) -> ExecutionResult:
    # A subscriber that leaves does not cancel the answer the others wait for.
    return _copy(await asyncio.shield(running))


RESULTS = EventResults()
