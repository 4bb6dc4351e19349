"""Schema extensions: limits and field rules checked before execution; coded, masked errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import FragmentDefinitionNode, GraphQLError, OperationDefinitionNode, OperationType
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.extensions import MaxTokensLimiter, SchemaExtension
from strawberry.schema.schema import validate_document
from strawberry.types.graphql import OperationType as StrawberryOperation

from core.errors import BackendUnavailable, CorpcareError
from engine import charging
from engine.cost import MAX_NODE_IDS, MAX_REPRESENTATIONS, Shape, measure
from engine.shape_cache import first_measure
from infra import telemetry
from infra.throttle import Charge
from permissions.authorize import denials_of
from request.context import Context
from resolvers.mutation import audit_change
from resolvers.report_size import NOTHING, ScopeSize, scope_size

log = logging.getLogger("corpcare.errors")

# The operation's estimated cost, left on strawberry's execution context by LimitShape for the
# extensions after it (over HTTP and over a WebSocket alike).
ESTIMATE = "corpcare_estimated_cost"


def estimated_cost(execution_context: Any) -> int:
    return int(getattr(execution_context, ESTIMATE, 0))


# The text of the registered operation this request runs, set by the persisted-query rules once
# they have found it registered (``server/persisted.py``); the same text sent by anyone else is
# compared, not trusted.
registered_document: ContextVar[str | None] = ContextVar("corpcare_registered_document", default=None)


class TokenLimit(MaxTokensLimiter):
    """graphql-core's token limit on parsing, except for a registered operation: the operator
    shipped it, and it may be as long as its portal needs."""

    def on_operation(self) -> Iterator[None]:
        query = self.execution_context.query
        if query is not None and query == registered_document.get():
            yield
            return
        yield from super().on_operation()


def _chosen(ctx: Any) -> tuple[OperationDefinitionNode | None, dict[str, FragmentDefinitionNode]]:
    """The operation that will run, and the document's fragments."""
    document = ctx.graphql_document
    if document is None:
        return None, {}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    name = ctx.operation_name
    chosen = next((o for o in operations if name is None or (o.name and o.name.value == name)), None)
    return chosen, {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


class LimitShape(SchemaExtension):
    """Refuse, before anything runs, an operation that is too costly, too deep or has too many
    aliases (``QUERY_TOO_COMPLEX``), or whose estimate the caller's cost allowances cannot pay
    (``RATE_LIMITED``); settle the charge to the actual cost once it has run, and report both in
    the response's extensions (``engine/charging.py``)."""

    shape: Shape | None = None
    charge: Charge | None = None
    actual: int | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        context = ctx.context
        chosen, fragments = _chosen(ctx)
        if isinstance(context, Context) and chosen is not None:
            limits, schema = context.limits, ctx.schema._schema
            page = context.pages.default_size
            permissions = context.principal.permissions
            denied, shape = first_measure(schema, chosen, fragments, ctx.variables, page, permissions)
            if shape.report_scopes and shape.cost <= limits.max_cost:
                # Reports are priced by the lines they will read: count them, then measure again.
                sizes = {key: await self._scope_size(context, key) for key in shape.report_scopes}
                shape = measure(schema, chosen, fragments, ctx.variables, page, sizes, denied)
            self.shape = shape
            stats = telemetry.current.get()
            setattr(ctx, ESTIMATE, shape.cost)
            if stats is not None:
                stats.operation_name = chosen.name.value if chosen.name else None
                stats.operation_type = chosen.operation.value
                stats.cost, stats.query = shape.cost, ctx.query
            problems = [
                (shape.cost > limits.max_cost, "QUERY_TOO_COMPLEX",
                 f"The operation's estimated cost {shape.cost} is above the maximum of {limits.max_cost}.",
                 {"cost": shape.cost, "maximum": limits.max_cost}),
                (shape.depth > limits.max_depth, "QUERY_TOO_COMPLEX",
                 f"The operation is {shape.depth} fields deep; the maximum is {limits.max_depth}.",
                 {"depth": shape.depth, "maximum": limits.max_depth}),
                (shape.aliases > limits.max_aliases, "QUERY_TOO_COMPLEX",
                 f"The operation has {shape.aliases} aliases; the maximum is {limits.max_aliases}.",
                 {"aliases": shape.aliases, "maximum": limits.max_aliases}),
                (shape.directives > limits.max_directives, "QUERY_TOO_COMPLEX",
                 f"The operation has {shape.directives} directives; the maximum is {limits.max_directives}.",
                 {"directives": shape.directives, "maximum": limits.max_directives}),
                (shape.longest_list > limits.max_input_list, "BAD_USER_INPUT",
                 f"An input list has {shape.longest_list} items; the maximum is {limits.max_input_list}.",
                 {"listLength": shape.longest_list, "maximum": limits.max_input_list}),
                (shape.most_ids > MAX_NODE_IDS, "BAD_USER_INPUT",
                 f"nodes takes at most {MAX_NODE_IDS} ids; this asks for {shape.most_ids}.",
                 {"ids": shape.most_ids, "maximum": MAX_NODE_IDS}),
                (shape.most_representations > MAX_REPRESENTATIONS, "BAD_USER_INPUT",
                 f"_entities takes at most {MAX_REPRESENTATIONS} representations; this asks for "
                 f"{shape.most_representations}.",
                 {"representations": shape.most_representations, "maximum": MAX_REPRESENTATIONS}),
            ]  # fmt: skip
            errors = [
                GraphQLError(message, extensions={"code": code, **extra})
                for exceeded, code, message, extra in problems
                if exceeded
            ]
            if not errors and ctx.result is None:
                self.charge, refusal = await charging.charge(context, shape.cost, chosen.operation)
                errors = [refusal] if refusal is not None else []
            if errors:
                if chosen.operation is OperationType.SUBSCRIPTION:
                    raise errors[0]  # a subscription starts whatever the result says; this stops it
                ctx.result = GraphQLExecutionResult(data=None, errors=errors)
        yield
        result = ctx.result
        if self.shape is not None and isinstance(result, GraphQLExecutionResult) and isinstance(context, Context):
            # The objects returned, and the work done that they do not show (the reports that ran).
            self.actual = charging.objects_of(result) + self.shape.work_done(result.data)
            if self.charge is not None and self.charge.allowed:
                self.charge = await charging.settle(context, self.charge, self.actual)

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        if self.shape is None or not isinstance(context, Context):
            return {}
        return {"cost": charging.report(self.shape.cost, context.limits.max_cost, self.charge, self.actual)}

    @staticmethod
    async def _scope_size(context: Context, key: tuple[str | None, str | None]) -> ScopeSize:
        """What a report over ``key`` (customer, org unit) will read. When the CRM cannot say, the
        report cannot run either (it reads the same database): it is priced as reading nothing."""
        try:
            return await scope_size(context, *key)
        except BackendUnavailable:
            return NOTHING


class AuthorizeFields(SchemaExtension):
    """The one authoriser of every operation type. A mutation that selects a field the caller's
    role may not read is refused whole (no partial writes), with one FORBIDDEN error per field;
    so is a subscription whose root field is denied (there would be nothing to stream). In a
    read — a query, or each event of a subscription — every other denied field is answered null
    with its FORBIDDEN error by the executor, and the rest is served.

    It judges the document right after validation, so a refusal is a pre-execution error:
    nothing runs, and a subscription never starts (over graphql-transport-ws the client gets an
    ``error`` message, not an event). Reads by audited roles are written to the audit log first.
    """

    async def on_validate(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        context = ctx.context
        if isinstance(context, Context) and ctx.graphql_document is not None:
            schema = ctx.schema._schema
            if ctx.pre_execution_errors is None:
                # No validation cache ran before: validate now, so that only a valid document is
                # judged (Strawberry then takes these errors as the validation's).
                ctx.pre_execution_errors = validate_document(schema, ctx.graphql_document, ctx.validation_rules)
            if not ctx.pre_execution_errors:
                errors = await self._judge(ctx, context)
                if errors:
                    ctx.pre_execution_errors = errors  # a new list: the validation cache's stays as it is
        yield

    @staticmethod
    async def _judge(ctx: Any, context: Context) -> list[GraphQLError]:
        schema = ctx.schema._schema
        chosen, fragments = _chosen(ctx)
        if chosen is None:
            return []
        stats = telemetry.current.get()
        if stats is not None:  # a refused operation never reaches LimitShape, which sets these otherwise
            stats.operation_name = chosen.name.value if chosen.name else None
            stats.operation_type = chosen.operation.value
        if chosen.operation is OperationType.SUBSCRIPTION and _not_streamed(ctx, context):
            return [GraphQLError(SUBSCRIBE_OVER_WS, extensions={"code": "BAD_REQUEST"})]
        denials = denials_of(schema, chosen, fragments, context.principal.permissions)
        writes = chosen.operation is OperationType.MUTATION
        # Denied writes are always recorded; reads only for the audited roles. Allowed
        # writes are recorded by the mutations themselves, with their targets.
        if (writes and denials) or (not writes and context.principal.reads_are_audited):
            action = "graphql.mutation" if writes else "graphql.read"
            await _audit(context, action, ctx.query, ctx.variables, denied=bool(denials))
        if chosen.operation is OperationType.SUBSCRIPTION:
            root = schema.get_root_type(chosen.operation)
            denials = tuple(d for d in denials if root is not None and d.type_name == root.name)
        elif not writes:
            return []  # the executor answers each denied field with its error
        return [d.error() for d in denials]


SUBSCRIBE_OVER_WS = (
    "Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql, or over Server-Sent Events "
    "(graphql-sse) at /graphql/stream, not as a plain HTTP request."
)


def _not_streamed(ctx: Any, context: Context) -> bool:
    """A subscription sent as a plain HTTP request (which may also carry queries or mutations):
    it has no stream to answer on. A socket's or an event stream's context holds its connection;
    an in-process ``schema.subscribe`` allows subscriptions only."""
    return context.connection is None and set(ctx.allowed_operations) != {StrawberryOperation.SUBSCRIPTION}


async def _audit(
    context: Context, action: str, query: str | None, variables: dict[str, Any] | None, *, denied: bool
) -> None:
    detail = {"query": (query or "")[:10_000], "variables": variables or {}}
    await audit_change(context, action, allowed=not denied, detail=detail, targets=())


def code_errors(errors: list[GraphQLError], request_id: str | None) -> None:
    """Every error leaves with ``extensions.code``; unexpected ones are masked, in place.

    corpcare's own errors keep their message; anything else becomes INTERNAL_SERVER_ERROR with
    the request id, which is also in the server log next to the traceback. Strawberry hands
    every result's errors here (queries, mutations and each event of a subscription), before
    they are sent.
    """
    errors[:] = [_coded(error, request_id) for error in errors]


def _coded(error: GraphQLError, request_id: str | None) -> GraphQLError:
    original = error.original_error
    if isinstance(original, CorpcareError):
        error.extensions = {"code": original.code, **original.extensions}
        return error
    if original is None:
        if not (error.extensions or {}).get("code"):
            code = "GRAPHQL_PARSE_FAILED" if error.message.startswith("Syntax Error") else "GRAPHQL_VALIDATION_FAILED"
            if isinstance(error, StrawberryInputCoercionError):  # a variable's value, e.g. a @oneOf input's
                code = "BAD_USER_INPUT"
            if "Document contains more than" in error.message:  # the token limit, met while parsing
                code = "QUERY_TOO_COMPLEX"
            error.extensions = {**(error.extensions or {}), "code": code}
        return error
    if isinstance(original, GraphQLError) and error.path is None:
        # A variable's value refused while coercing the variables, before anything ran.
        cause = original.original_error
        code = cause.code if isinstance(cause, CorpcareError) else "BAD_USER_INPUT"
        error.extensions = {**(error.extensions or {}), "code": code}
        return error
    log.error("unexpected error in request %s at %s", request_id, error.path, exc_info=original)
    return GraphQLError(
        f"Internal server error (request {request_id}).",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    )
