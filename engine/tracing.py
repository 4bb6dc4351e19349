"""One span per GraphQL operation (and one for a subscription's start), after the OpenTelemetry
GraphQL semantic conventions: ``graphql.operation.name``, ``graphql.operation.type`` and the
document, never the variables. A document the caller wrote may hold names or numbers in its
literals: it is shown with every literal blanked, a registered one (the operator's) as it is."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import (
    BooleanValueNode,
    EnumValueNode,
    GraphQLError,
    StringValueNode,
    ValueNode,
    Visitor,
    parse,
    print_ast,
    visit,
)
from opentelemetry.trace import Status, StatusCode
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from engine.extensions import _chosen, registered_document
from infra import tracing

# The longest document a span shows (blanked, unless registered): as the slow-operation log.
DOCUMENT_CHARS = 4000


class TraceOperations(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        tracer = tracing.tracer
        if tracer is None:
            yield
            return
        with tracing.Current(tracer.start_span("GraphQL Operation")) as span:
            try:
                yield
            finally:
                if span.is_recording():
                    self._describe(span)

    def _describe(self, span: Any) -> None:
        ctx = self.execution_context
        chosen, _ = _chosen(ctx)
        kind = chosen.operation.value if chosen is not None else None
        name = chosen.name.value if chosen is not None and chosen.name else None
        if kind is not None:
            span.update_name(f"{kind} {name}" if name else kind)
            span.set_attribute("graphql.operation.type", kind)
        if name is not None:
            span.set_attribute("graphql.operation.name", name)
        if ctx.query is not None:
            registered = ctx.query == registered_document.get()
            if registered:
                span.set_attribute("graphql.document", ctx.query[:DOCUMENT_CHARS])
            elif len(ctx.query) <= DOCUMENT_CHARS:
                span.set_attribute("graphql.document", blanked(ctx.query))
            else:  # blanking parses the text again: not for the longest documents a caller may send
                span.set_attribute("graphql.document", f"<{len(ctx.query)} characters>")
        result = ctx.result
        errors = getattr(result, "errors", None) if result is not None else ctx.pre_execution_errors
        if errors:
            codes = sorted({str((e.extensions or {}).get("code")) for e in errors})
            span.set_attribute("corpcare.error_codes", codes)
            if result is None or getattr(result, "data", None) is None:
                span.set_status(Status(StatusCode.ERROR))

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        if tracing.tracer is None or ctx.operation_type is not OperationType.SUBSCRIPTION:
            yield
            return
        chosen, _ = _chosen(ctx)
        name = chosen.name.value if chosen is not None and chosen.name else None
        attributes: dict[str, Any] = {"graphql.operation.type": "subscription"}
        if name is not None:
            attributes["graphql.operation.name"] = name
        # The subscription's operation span lasts as long as its stream; this one, its start.
        with tracing.span(f"subscribe {name}" if name else "subscribe", attributes):
            yield


class _Blank(Visitor):
    def enter(self, node: Any, *_: Any) -> Any:
        if isinstance(node, ValueNode) and not isinstance(node, BooleanValueNode | EnumValueNode):
            if not hasattr(node, "value"):
                return None  # a list or an object: its items are visited
            return StringValueNode(value="…")
        return None


@lru_cache(maxsize=256)
def blanked(query: str) -> str:
    """``query`` with every string and number literal replaced by "…"."""
    try:
        document = parse(query, no_location=True)
    except GraphQLError:
        return "<unparsable>"
    return print_ast(visit(document, _Blank()))
