"""The schema extension that puts each operation through its customer's fair share of the process
(``infra/fair_share.py``) once its cost is known, and keeps it there until it has run."""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from core.errors import RateLimited
from engine.extensions import estimated_cost
from infra.fair_share import customer_key
from request.context import Context


class ShareWorkers(SchemaExtension):
    """Runs after ``LimitShape`` (which estimates the cost and refuses what is too costly): an
    operation its customer's share cannot take now is refused whole with ``RATE_LIMITED`` and
    ``retryAfterSeconds`` (429 over HTTP) before anything runs. Subscriptions are not gated: they
    wait on events, not on workers."""

    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        context = ctx.context
        share = getattr(context, "fair_share", None) if isinstance(context, Context) else None
        ticket = None
        if share is not None and ctx.result is None and ctx.operation_type is not OperationType.SUBSCRIPTION:
            try:
                ticket = share.admit(customer_key(context.principal.customer_id), estimated_cost(ctx))
            except RateLimited as refused:
                error = GraphQLError(refused.message, extensions={"code": refused.code, **refused.extensions})
                ctx.result = GraphQLExecutionResult(data=None, errors=[error])
        try:
            yield
        finally:
            if ticket is not None:
                ticket.release()
