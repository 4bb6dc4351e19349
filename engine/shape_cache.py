"""The first measure of an operation (``engine/cost.py``), kept: portals send the same few
documents with the same few variables, and walking the document again gives the same shape.

What is kept depends only on what the request says: the parsed operation (strawberry's parser
cache hands back the same node for the same text; the node is held, so its id is not reused),
the caller's permissions (which fields are denied), the variables (all of them, serialised
canonically) and the default page size. Scope sizes are live data: a report's second measure,
over the sizes looked up for it, is never kept (``LimitShape``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import orjson
from graphql import FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode

from engine.cost import Shape, measure
from permissions.authorize import denials_of
from permissions.roles import Permission

KEPT = 1024
# Variables longer than this are measured each time: a key that size is not worth holding, and a
# list that long costs more to measure than to serialise.
LONGEST_VARIABLES = 4096

_CANONICAL = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
_CANONICAL |= orjson.OPT_PASSTHROUGH_SUBCLASS

Key = tuple[int, int, frozenset[Permission], bytes, int]
_kept: OrderedDict[Key, tuple[GraphQLSchema, OperationDefinitionNode, frozenset[int], Shape]] = OrderedDict()


def first_measure(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None,
    default_page: int,
    permissions: frozenset[Permission],
) -> tuple[frozenset[int], Shape]:
    """The ids of the operation's denied field nodes, and its shape with reports priced as if
    their scopes were empty (``measure`` without sizes); kept in a bounded LRU."""
    text = canonical(variables)
    if text is None:
        return _measured(schema, operation, fragments, variables, default_page, permissions)
    key = (id(schema), id(operation), permissions, text, default_page)
    kept = _kept.get(key)
    if kept is not None:
        _kept.move_to_end(key)
        return kept[2], kept[3]
    denied, shape = _measured(schema, operation, fragments, variables, default_page, permissions)
    _kept[key] = (schema, operation, denied, shape)
    if len(_kept) > KEPT:
        _kept.popitem(last=False)
    return denied, shape


def canonical(variables: Mapping[str, Any] | None) -> bytes | None:
    """The variables as canonical JSON (keys sorted), or None when they are not plain JSON values
    (a tuple, an enum, a date: measured each time) or too long to keep."""
    if not variables:
        return b""
    try:
        text = orjson.dumps(variables, option=_CANONICAL)
    except TypeError:
        return None
    if len(text) > LONGEST_VARIABLES or orjson.loads(text) != variables:
        return None
    return text


def _measured(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None,
    default_page: int,
    permissions: frozenset[Permission],
) -> tuple[frozenset[int], Shape]:
    # A read's denied fields run nothing (a mutation with any is refused before this).
    denied = frozenset(id(d.node) for d in denials_of(schema, operation, fragments, permissions))
    return denied, measure(schema, operation, fragments, variables, default_page, denied=denied)
