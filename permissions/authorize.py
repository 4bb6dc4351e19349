"""Field rules are checked once per operation, on the document, before anything executes.

Rules depend on the caller's role only (rows are scoped in SQL), so checking the selected
fields against the principal's permissions up front costs nothing per resolved object. A
selected field needs its own rule's permission and, when it reaches a type that carries a
type rule (``SINGLE_LINES`` on the types that list single lines), that rule's too. A
mutation selecting a denied field is refused whole and runs no SQL; in a read, each denied
field is null with a FORBIDDEN error at its path, and nothing runs for it
(``engine/executor.py``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)

from core.errors import Forbidden
from permissions.roles import Permission
from permissions.rules import Public, Requires, rule_permission


class RuleTable(dict[tuple[str, str], Permission | None]):
    """(type name, field name) -> the permission the field's own rule needs, or None when it is
    public. ``types`` holds the type rules (type name -> permission), and ``reached`` each field
    whose type carries one, with that rule's permission."""

    def __init__(self) -> None:
        super().__init__()
        self.types: dict[str, Permission] = {}
        self.reached: dict[tuple[str, str], Permission] = {}

    def needs(self, type_name: str, field_name: str) -> tuple[Permission, ...] | None:
        """Every permission selecting the field takes (its own rule's, then its type's); None: it has no rule."""
        key = (type_name, field_name)
        if key not in self:
            return None
        return tuple(p for p in (self[key], self.reached.get(key)) if p is not None)

    def lacked(self, type_name: str, field_name: str, held: frozenset[Permission]) -> Permission | None:
        """The first permission the field needs that ``held`` lacks (None: none, or no rule at all)."""
        return next((p for p in self.needs(type_name, field_name) or () if p not in held), None)


Composite = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType


RULES = "corpcare.rules"  # where the schema keeps its rule table


def rules_of(schema: GraphQLSchema) -> RuleTable:
    """The schema's rule table, read once."""
    rules = schema.extensions.get(RULES)
    if rules is None:
        rules = schema.extensions[RULES] = rule_table(schema)
    return rules


def rule_table(schema: GraphQLSchema) -> RuleTable:
    """Read every field's rule, and every type rule, off the schema; a field without a rule of its
    own is left out (and so denied)."""
    table = RuleTable()
    table.types = types = dict(_type_rules(schema))
    for type_ in _composites(schema):
        for name, field in type_.fields.items():
            rules = _rules(field.extensions)
            if len(rules) == 1:
                table[(type_.name, name)] = rule_permission(rules[0])
            if (reached := types.get(get_named_type(field.type).name)) is not None:
                table.reached[(type_.name, name)] = reached
    return table


def _type_rules(schema: GraphQLSchema) -> Iterator[tuple[str, Permission]]:
    """(type, permission) of each type rule. Only on object types that no interface or union
    holds: a field names such a type itself, so the walk meets the rule at that field."""
    unions = {member.name for t in schema.type_map.values() if isinstance(t, GraphQLUnionType) for member in t.types}
    for type_ in _composites(schema):
        rules = [rule for rule in _rules(type_.extensions) if isinstance(rule, Requires)]
        if not rules:
            continue
        if not isinstance(type_, GraphQLObjectType) or type_.interfaces or type_.name in unions:
            raise TypeError(f"a type rule on {type_.name}, which a fragment could reach unchecked")
        permission = rule_permission(rules[0])
        assert permission is not None
        yield type_.name, permission


def _composites(schema: GraphQLSchema) -> Iterator[GraphQLObjectType | GraphQLInterfaceType]:
    for type_ in schema.type_map.values():
        if not type_.name.startswith("__") and isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            yield type_


def _rules(extensions: Mapping[str, Any] | None) -> list[Requires | Public]:
    definition = (extensions or {}).get("strawberry-definition")
    return [d for d in getattr(definition, "directives", ()) or () if isinstance(d, Requires | Public)]


@dataclass(frozen=True, slots=True)
class Denial:
    type_name: str
    field_name: str
    permission: Permission | None  # None: the field has no rule at all
    node: FieldNode

    def error(self) -> GraphQLError:
        """The refusal of a whole operation, at the field in the document."""
        refusal = self.refusal()
        return GraphQLError(refusal.message, nodes=[self.node], extensions={"code": refusal.code, **refusal.extensions})

    def refusal(self) -> Forbidden:
        """The field's own error in a read: graphql-core puts it at the field's path."""
        needs = f"needs the {self.permission} permission" if self.permission else "has no access rule"
        return Forbidden(
            f"Not allowed to read {self.type_name}.{self.field_name}: it {needs}.",
            field=f"{self.type_name}.{self.field_name}",
            permission=self.permission.value if self.permission else None,
        )


# (operation, permissions) -> its denials; the operation is held so that its id is not reused.
_KEPT = 1024
_denials: OrderedDict[tuple[int, frozenset[Permission]], tuple[OperationDefinitionNode, tuple[Denial, ...]]]
_denials = OrderedDict()


def denials_of(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    permissions: frozenset[Permission],
) -> tuple[Denial, ...]:
    """The operation's denied fields for these permissions, judged once per parsed document (the
    authoriser, the cost measure and the executor all ask)."""
    key = (id(operation), permissions)
    kept = _denials.get(key)
    if kept is None:
        kept = (operation, tuple(denied_fields(schema, rules_of(schema), operation, dict(fragments), permissions)))
        _denials[key] = kept
        if len(_denials) > _KEPT:
            _denials.popitem(last=False)
    return kept[1]


def denied_fields(
    schema: GraphQLSchema,
    rules: RuleTable,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    permissions: Iterable[Permission],
) -> list[Denial]:
    held = frozenset(permissions)
    denials: list[Denial] = []
    walked: set[str] = set()

    def walk(parent: Composite, selection_set: SelectionSetNode) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name.startswith("__"):
                    continue
                if (parent.name, name) not in rules:
                    denials.append(Denial(parent.name, name, None, selection))
                elif (lacked := rules.lacked(parent.name, name, held)) is not None:
                    denials.append(Denial(parent.name, name, lacked, selection))
                if selection.selection_set is not None:
                    assert not isinstance(parent, GraphQLUnionType)
                    walk(_composite(get_named_type(parent.fields[name].type)), selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = parent if condition is None else _composite(schema.get_type(condition.name.value))
                walk(target, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments[selection.name.value]
                if fragment.name.value not in walked:
                    walked.add(fragment.name.value)
                    walk(_composite(schema.get_type(fragment.type_condition.name.value)), fragment.selection_set)

    root = schema.get_root_type(operation.operation)
    assert root is not None
    walk(root, operation.selection_set)
    return denials


def _composite(type_: object) -> Composite:
    if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
        return type_
    raise TypeError(f"cannot select fields on {type_}")
