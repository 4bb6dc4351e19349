"""Operations generated from the real SDL as a role may send them (hypothesis-graphql), and the
values they carry: mostly plausible, so that the resolvers run, sometimes hostile."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import graphql
import hypothesis_graphql as hg
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from core.values import add_months, month_start
from engine.build import build_schema
from permissions.roles import ROLE_PERMISSIONS, Role
from tests.oracle import Rows, global_id
from tests.support import today

# Every code an error may carry (DESIGN.md "GraphQL conventions"), and MIXED_CURRENCIES: one
# figure asked of charges in two currencies (the demo's Borealis bills in EUR and CHF), which a
# generated query asks whenever it picks that company's spending. INTERNAL_SERVER_ERROR is a bug.
CODES = frozenset({
    "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT", "BACKEND_UNAVAILABLE", "RATE_LIMITED",
    "QUERY_TOO_COMPLEX", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "MIXED_CURRENCIES",
})  # fmt: skip
# What a message must never show: a traceback, a file, SQL or the database layer.
LEAKY = ("Traceback", 'File "', "SELECT ", "sqlalchemy", "/work/", ".py", "asyncpg", "sqlite3")

HOSTILE_STRINGS = (
    "' OR 1=1 --", '" OR ""="', "%", "_", "%_%", "\\", "\x00", "a\x00b", "'; DROP TABLE subscribers; --",
    '{"$ne": null}', "[]", "null", "😀", "Ünïcödé", "\uff21\uff23\uff2d\uff25", "\u202e", " ", "", "*", "/1/",
    "../../etc/passwd",
)  # fmt: skip


def id_pools(rows: Rows) -> list[list[str]]:
    """Real ids of every type, inside and outside each caller's scope, and ids that are not: in
    groups, so that the kinds most arguments take (customers, units, lines) come up often."""
    customers = [global_id("Customer", k) for k in sorted(rows.customers)]
    units: list[str] = []
    lines: list[str] = []
    for customer in sorted(rows.customers)[:2]:
        mine = sorted((k for k, v in rows.units.items() if v[0] == customer), key=lambda k: rows.units[k][1])
        units += [global_id("OrgUnit", k) for k in mine[:6] + mine[-2:]]
        held = sorted(k for k, v in rows.lines.items() if v[0] == customer)
        lines += [global_id("Subscriber", k) for k in held[:: max(len(held) // 6, 1)]]
    lines += [global_id("Subscriber", user[2]) for user in rows.users.values() if user[2] is not None]
    others = (
        [global_id("TariffPlan", k) for k in sorted(rows.plans)[:3]]
        + [global_id("Service", k) for k in sorted(rows.services)[:3]]
        + [global_id("BillingAccount", k) for k in sorted(rows.accounts)]
        + [global_id("Invoice", k) for k in sorted(rows.invoices)[:: max(len(rows.invoices) // 4, 1)]]
        + [global_id("PortalUser", k) for k in sorted(rows.users)]
        + [global_id("BulkOperation", k) for k in sorted(rows.bulk)[:3]]
    )
    missing = [global_id(t, k) for t in ("Customer", "OrgUnit", "Subscriber", "BulkOperation") for k in (999_999, -1)]
    hostile = [global_id("OrgUnit", "1 OR 1=1"), global_id("Nope", 1), "garbage!", "' OR 1=1 --", "", "\x00", "A" * 300]
    return [customers, customers, units, units, units, lines, lines, others, missing + hostile]


def role_sdl(role: Role | None) -> str:
    """The real SDL without the fields ``role`` may not read (None: every field), so that most
    generated operations go past the field rules and exercise the resolvers.

    Cursors (``after``) are left out: a random string is never one, and the answer to a bad
    cursor would end most operations early (tampered cursors are tested by hand)."""
    document = graphql.parse(build_schema().as_str())
    permissions = {p.value for p in ROLE_PERMISSIONS[role]} if role is not None else None

    def readable(definition: graphql.FieldDefinitionNode) -> bool:
        if permissions is None:
            return True
        for directive in definition.directives or ():
            if directive.name.value == "requires":
                value = directive.arguments[0].value
                return isinstance(value, graphql.StringValueNode) and value.value in permissions
        return True

    definitions = list(document.definitions)
    while True:  # drop unreadable fields, then types left empty and the fields that return them
        kept = {d.name.value for d in definitions if not isinstance(d, graphql.SchemaDefinitionNode)}
        changed = False
        rewritten: list[Any] = []
        for definition in definitions:
            if isinstance(definition, graphql.ObjectTypeDefinitionNode | graphql.InterfaceTypeDefinitionNode):
                fields = [
                    replace(f, arguments=tuple(a for a in f.arguments or () if a.name.value != "after"))
                    for f in definition.fields
                    if readable(f) and _named(f.type) in kept | _BUILT_IN
                ]
                if not fields:
                    changed = True
                    continue
                changed = changed or len(fields) != len(definition.fields)
                definition = replace(definition, fields=tuple(fields))
            elif isinstance(definition, graphql.SchemaDefinitionNode):
                kinds = tuple(o for o in definition.operation_types if o.type.name.value in kept)
                definition = replace(definition, operation_types=kinds)
            rewritten.append(definition)
        definitions = rewritten
        if not changed:
            break
    return graphql.print_ast(graphql.DocumentNode(definitions=tuple(definitions)))


_BUILT_IN = {"Int", "Float", "String", "Boolean", "ID"}


def _named(type_node: Any) -> str:
    while not isinstance(type_node, graphql.NamedTypeNode):
        type_node = type_node.type
    return type_node.name.value


def scalars(pools: list[list[str]]) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    """Values for every scalar: mostly plausible (so that resolvers run), sometimes hostile."""
    this = month_start(today())
    months = [add_months(this, -n).strftime("%Y-%m") for n in range(0, 13)]
    strings = st.one_of(st.text(max_size=20), st.sampled_from(HOSTILE_STRINGS), st.just("a" * 5_000))
    return {
        "ID": st.one_of(*(st.sampled_from(pool) for pool in pools if pool)).map(nodes.String),
        "String": strings.map(nodes.String),
        "Int": st.one_of(
            st.integers(0, 12),
            st.integers(0, 12),
            st.sampled_from([-1, 100, 500, 501, 2000, 2001, 10_000, 10_001, 2**31 - 1, -(2**31)]),
        ).map(nodes.Int),
        "Month": st.one_of(
            *[st.sampled_from(months)] * 3, st.sampled_from(["0001-01", "9999-12", "2026-13", "26-01", "x"])
        ).map(nodes.String),
        "Date": st.one_of(st.dates().map(str), st.sampled_from(["2026-02-30", "x"])).map(nodes.String),
        "DateTime": st.one_of(
            st.datetimes().map(lambda d: d.isoformat()),
            st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "2026-01-01T25:00:00", "x"]),
        ).map(nodes.String),
        "Decimal": st.one_of(
            st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**6), max_value=10**6).map(str),
            st.sampled_from(["NaN", "sNaN", "Infinity", "-Infinity", "1e999999", "-0", "0.001", "x"]),
        ).map(nodes.String),
        "JSON": st.just(nodes.String("{}")),
    }


def operations(
    role: Role, pools: list[list[str]], *, mutations: bool = False, fields: tuple[str, ...] | None = None
) -> st.SearchStrategy[str]:
    """Operations for ``role``: nine in ten within what it may read (or write), one over the whole
    schema; only the latter when the role may not use any of ``fields``. Every object they ask
    for is asked for its id too, so that the scope of every object in the answer is checked."""
    make = hg.mutations if mutations else hg.queries
    values = scalars(pools)
    everything = make(role_sdl(None), custom_scalars=values, fields=fields)
    sdl = role_sdl(role)
    built = graphql.build_schema(sdl)
    root = built.mutation_type if mutations else built.query_type
    usable = sorted(set(root.fields if root else ()) & set(fields or (root.fields if root else ())))
    chosen = everything
    if usable:
        mine = make(sdl, custom_scalars=values, fields=usable)
        chosen = st.sampled_from([mine] * 9 + [everything]).flatmap(lambda strategy: strategy)
    return chosen.map(with_ids)


def with_ids(document: str) -> str:
    """``document`` with ``id`` selected on every object that has one."""
    schema = build_schema()._schema
    type_info = graphql.TypeInfo(schema)
    identity = graphql.FieldNode(name=graphql.NameNode(value="id"), arguments=(), directives=())

    class AddIds(graphql.Visitor):
        def enter_selection_set(self, node: graphql.SelectionSetNode, *_: Any) -> Any:
            parent = type_info.get_parent_type()
            fields = getattr(parent, "fields", None) or {}
            if "id" not in fields or any(
                isinstance(s, graphql.FieldNode) and s.name.value == "id" and s.alias is None for s in node.selections
            ):
                return None
            return replace(node, selections=(*node.selections, identity))

    ast = graphql.visit(graphql.parse(document), graphql.TypeInfoVisitor(type_info, AddIds()))
    return graphql.print_ast(ast)
