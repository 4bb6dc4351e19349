"""Field rules are checked once per operation, on the document, before anything executes.

Rules depend on the caller's role only (rows are scoped in SQL), so checking the selected
fields against the principal's permissions up front costs nothing per resolved object. A
mutation selecting a denied field is refused whole and runs no SQL; in a read, each denied
field is null with a FORBIDDEN error at its path, and nothing runs for it
(``engine/executor.py``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

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

# (type name, field name) -> the permission the field needs, or None when it is public.
RuleTable = dict[tuple[str, str], Permission | None]
Composite = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType


RULES = "corpcare.rules"  # where the schema keeps its rule table


def rules_of(schema: GraphQLSchema) -> RuleTable:
    """The schema's rule table, read once."""
    rules = schema.extensions.get(RULES)
    if rules is None:
        rules = schema.extensions[RULES] = rule_table(schema)
    return rules


def rule_table(schema: GraphQLSchema) -> RuleTable:
    """Read every field's rule off the schema; a field without one is left out (and so denied)."""
    table: RuleTable = {}
    for type_ in schema.type_map.values():
        if type_.name.startswith("__") or not isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for name, field in type_.fields.items():
            definition = (field.extensions or {}).get("strawberry-definition")
            rules = [d for d in getattr(definition, "directives", ()) if isinstance(d, Requires | Public)]
            if len(rules) == 1:
                table[(type_.name, name)] = rule_permission(rules[0])
    return table


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
                key = (parent.name, name)
                if key not in rules:
                    denials.append(Denial(parent.name, name, None, selection))
                elif (needed := rules[key]) is not None and needed not in held:
                    denials.append(Denial(parent.name, name, needed, selection))
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
