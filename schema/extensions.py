"""Schema extensions: limits and field rules checked before execution; coded, masked errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import FragmentDefinitionNode, GraphQLError, OperationDefinitionNode, OperationType
from strawberry.extensions import SchemaExtension

from permissions.authorize import denied_fields, rule_table
from resolvers.context import Context
from resolvers.mutation import audit_change
from schema import budget
from schema.cost import Shape, measure
from sources import telemetry
from sources.errors import CorpcareError
from sources.throttle import Charge

log = logging.getLogger("corpcare.errors")


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
    aliases (``QUERY_TOO_COMPLEX``), or whose estimate the caller's cost budgets cannot pay
    (``RATE_LIMITED``); settle the charge to the actual cost once it has run, and report both in
    the response's extensions (``schema/budget.py``)."""

    shape: Shape | None = None
    charge: Charge | None = None
    actual: int | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        context = ctx.context
        chosen, fragments = _chosen(ctx)
        if isinstance(context, Context) and chosen is not None:
            limits = context.limits
            shape = measure(ctx.schema._schema, chosen, fragments, ctx.variables, context.pages.default_size)
            self.shape = shape
            stats = telemetry.current.get()
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
            ]  # fmt: skip
            errors = [
                GraphQLError(message, extensions={"code": code, **extra})
                for exceeded, code, message, extra in problems
                if exceeded
            ]
            if not errors and ctx.result is None:
                self.charge, refusal = await budget.charge(context, shape.cost, chosen.operation)
                errors = [refusal] if refusal is not None else []
            if errors:
                if chosen.operation is OperationType.SUBSCRIPTION:
                    raise errors[0]  # a subscription starts whatever the result says; this stops it
                ctx.result = GraphQLExecutionResult(data=None, errors=errors)
        yield
        result = ctx.result
        if self.shape is not None and isinstance(result, GraphQLExecutionResult) and isinstance(context, Context):
            self.actual = budget.objects_in(result.data)
            if self.charge is not None and self.charge.allowed:
                self.charge = await budget.settle(context, self.charge, self.actual)

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        if self.shape is None or not isinstance(context, Context):
            return {}
        return {"cost": budget.report(self.shape.cost, context.limits.max_cost, self.charge, self.actual)}


class AuthorizeFields(SchemaExtension):
    """Refuse the whole operation, before any resolver runs, if it selects a field the
    caller's role may not read. Reads by audited roles are written to the audit log first."""

    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        context = ctx.context
        if isinstance(context, Context) and ctx.graphql_document is not None and ctx.result is None:
            schema = ctx.schema._schema
            rules = schema.extensions.get("corpcare.rules")
            if rules is None:
                rules = schema.extensions["corpcare.rules"] = rule_table(schema)
            chosen, fragments = _chosen(ctx)
            denials = []
            if chosen is not None:
                denials = denied_fields(schema, rules, chosen, fragments, context.principal.permissions)
            writes = chosen is not None and chosen.operation is OperationType.MUTATION
            # Denied writes are always recorded; reads only for the audited roles. Allowed
            # writes are recorded by the mutations themselves, with their targets.
            if (writes and denials) or (not writes and context.principal.reads_are_audited):
                action = "graphql.mutation" if writes else "graphql.read"
                await _audit(context, action, ctx.query, ctx.variables, denied=bool(denials))
            if denials:
                ctx.result = GraphQLExecutionResult(data=None, errors=[d.error() for d in denials])
        yield


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
