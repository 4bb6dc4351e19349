"""Each parsed document is validated once.

strawberry's ``ValidationCache`` keys an ``lru_cache`` by the document's value: graphql-core's
nodes are frozen dataclasses, so each request hashes every node of the document again. The parser
cache hands back the same document object for the same text, so the object itself is key
enough; it is held, so its id is not reused while its entry lives.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

KEPT = 1024

Key = tuple[int, int, tuple[Any, ...]]
_kept: OrderedDict[Key, tuple[GraphQLSchema, DocumentNode, list[GraphQLError]]] = OrderedDict()


def validated(schema: GraphQLSchema, document: DocumentNode, rules: tuple[Any, ...]) -> list[GraphQLError]:
    """The document's validation errors under ``rules``; the same list for the same document, as
    strawberry's cache gives."""
    key = (id(schema), id(document), rules)
    kept = _kept.get(key)
    if kept is not None:
        _kept.move_to_end(key)
        return kept[2]
    errors = validate_document(schema, document, rules)
    _kept[key] = (schema, document, errors)
    if len(_kept) > KEPT:
        _kept.popitem(last=False)
    return errors


class ValidationCache(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        assert ctx.graphql_document is not None
        ctx.pre_execution_errors = validated(ctx.schema._schema, ctx.graphql_document, ctx.validation_rules)
        yield
