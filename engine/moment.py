"""Each operation reads billing at one moment (``sources/moment.py``).

A query's billing reads share one read transaction, opened on its first read and closed when
the answer is done, however it ends. A subscription is answered event by event: each event
has its own moment, closed once the event is sent, so nothing stays open while it waits (a
transaction held for hours would also hold back PostgreSQL's vacuum). A mutation reads the
present: its payload shows what it has just written.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from sources.moment import Moment, one_moment


class OneMoment(SchemaExtension):
    _moment: Moment | None = None
    # Whether the operation is a mutation, once its document is known: every billing read asks.
    _mutation: bool | None = None

    async def on_operation(self) -> AsyncIterator[None]:
        async with one_moment(self._writes) as moment:
            self._moment = moment
            yield

    async def on_stream_result(self, result: Any) -> AsyncIterator[None]:
        yield
        if self._moment is not None:
            await self._moment.end()  # this event is answered; the next one reads its own moment

    def _writes(self) -> bool:
        if self._mutation is None:
            try:
                self._mutation = self.execution_context.operation_type is OperationType.MUTATION
            except RuntimeError:  # no document yet: nothing reads before it is parsed
                return False
        return self._mutation
