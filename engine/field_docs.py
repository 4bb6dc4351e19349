"""``docs/fields.md``: every field of the schema with its rule, and for a relation the loader it
asks and the source methods that loader reads — written from the schema's own metadata (the
field rules, ``schema.fields.Relation``, ``SourceLoader.reads``), so it cannot drift from the
code unnoticed (a test compares the checked-in file with a fresh one)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graphql import GraphQLField, GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema

from permissions.authorize import RuleTable, rules_of
from schema.fields import RELATION, Relation

ROOT = Path(__file__).parents[1]  # where the repository's modules live; links are relative to docs/

HEADER = """# Fields

Generated from the schema by `corpcare export-fields --output docs/fields.md`; do not edit.
For every field: the rule a caller must meet (`permissions/rules.py`), and for a relation
(`schema/fields.py`, `related`) the loader class it asks and the source methods that loader reads.
"""


def fields_markdown(schema: GraphQLSchema) -> str:
    rules = rules_of(schema)
    parts = [HEADER]
    for name in sorted(schema.type_map):
        type_ = schema.type_map[name]
        if name.startswith("__") or not isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            continue
        rows = ["| field | rule | loader | reads |", "|---|---|---|---|"]
        for field_name, field in type_.fields.items():
            relation = _relation(field)
            loader = _link(relation.loader) if relation else ""
            reads = ", ".join(_link(read) for read in relation.loader.reads) if relation else ""
            rows.append(f"| `{field_name}` | {_rule(rules, name, field_name)} | {loader} | {reads} |")
        parts.append(f"## {name}\n\n" + "\n".join(rows) + "\n")
    return "\n".join(parts)


def _rule(rules: RuleTable, type_name: str, field_name: str) -> str:
    if (type_name, field_name) not in rules:
        return "**none: denied**"
    permission = rules[(type_name, field_name)]
    return "public" if permission is None else f"`{permission}`"


def _relation(field: GraphQLField) -> Relation | None:
    definition = (field.extensions or {}).get("strawberry-definition")
    relation = (getattr(definition, "metadata", None) or {}).get(RELATION)
    return relation if isinstance(relation, Relation) else None


def _link(thing: type[Any] | Callable[..., Any]) -> str:
    """The class or method's name, linked to the module that defines it."""
    source = Path(inspect.getfile(thing)).resolve().relative_to(ROOT.resolve())
    return f"[`{thing.__qualname__}`](../{source.as_posix()})"
