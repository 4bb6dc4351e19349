"""Schema extensions: field rules checked before execution, and coded, masked errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import FragmentDefinitionNode, GraphQLError, OperationDefinitionNode, OperationType
from strawberry.extensions import SchemaExtension

from permissions.authorize import denied_fields, rule_table
from resolvers.context import Context
from resolvers.mutation import audit_change
from sources.errors import CorpcareError

log = logging.getLogger("corpcare.errors")


class AuthorizeFields(SchemaExtension):
    """Refuse the whole operation, before any resolver runs, if it selects a field the
    caller's role may not read. Reads by audited roles are written to the audit log first."""

    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        context = ctx.context
        operation = ctx.operation_name
        document = ctx.graphql_document
        if isinstance(context, Context) and document is not None:
            schema = ctx.schema._schema
            rules = schema.extensions.get("corpcare.rules")
            if rules is None:
                rules = schema.extensions["corpcare.rules"] = rule_table(schema)
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            chosen = next((o for o in operations if operation is None or (o.name and o.name.value == operation)), None)
            fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
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


class CodedErrors(SchemaExtension):
    """Every error leaves with ``extensions.code``; unexpected ones are masked.

    corpcare's own errors keep their message; anything else becomes INTERNAL_SERVER_ERROR
    with the request id, which is also in the server log next to the traceback.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is None or not errors:
            return
        context = self.execution_context.context
        request_id = getattr(context, "request_id", None)
        result.errors = [_coded(error, request_id) for error in errors]


def _coded(error: GraphQLError, request_id: str | None) -> GraphQLError:
    original = error.original_error
    if isinstance(original, CorpcareError):
        error.extensions = {"code": original.code, **original.extensions}
        return error
    if original is None:
        if not (error.extensions or {}).get("code"):
            code = "GRAPHQL_PARSE_FAILED" if error.message.startswith("Syntax Error") else "GRAPHQL_VALIDATION_FAILED"
            error.extensions = {**(error.extensions or {}), "code": code}
        return error
    log.error("unexpected error in request %s at %s", request_id, error.path, exc_info=original)
    return GraphQLError(
        f"Internal server error (request {request_id}).",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    )
