"""Deny by default: every field of the schema carries exactly one rule, visible in the SDL."""

from __future__ import annotations

from pathlib import Path

from graphql import GraphQLInterfaceType, GraphQLObjectType

from engine.build import build_schema
from permissions.authorize import rule_table
from permissions.roles import ROLE_PERMISSIONS, Permission, Role

SDL_FILE = Path(__file__).parents[3] / "schema.graphql"


def test_every_field_of_the_schema_has_exactly_one_rule():
    schema = build_schema()._schema
    rules = rule_table(schema)
    missing = [
        f"{type_.name}.{name}"
        for type_ in schema.type_map.values()
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType) and not type_.name.startswith("__")
        for name in type_.fields
        if (type_.name, name) not in rules
    ]
    assert missing == []
    assert len(rules) > 100


def test_rules_are_printed_as_directives_in_the_sdl():
    sdl = build_schema().as_str()
    assert 'msisdn: String @requires(permission: "personal:read")' in sdl  # nullable: a read may deny it
    assert "amount: Decimal! @public" in sdl


def test_checked_in_schema_matches_the_code():
    assert SDL_FILE.read_text() == build_schema().as_str() + "\n", "run: corpcare export-schema --output schema.graphql"


def test_personal_data_is_withheld_from_finance_and_analysts():
    for role in (Role.FINANCE, Role.ANALYST):
        assert Permission.PERSONAL_READ not in ROLE_PERMISSIONS[role]
    assert Permission.USAGE_READ not in ROLE_PERMISSIONS[Role.ANALYST]
    assert not any(p.endswith(":write") for p in ROLE_PERMISSIONS[Role.SUPPORT] | ROLE_PERMISSIONS[Role.ANALYST])


def test_a_field_without_a_rule_is_denied():
    import strawberry
    from graphql import parse

    from permissions.authorize import denied_fields
    from permissions.rules import PUBLIC

    @strawberry.type
    class Query:
        ruled: int = strawberry.field(default=1, directives=[PUBLIC])
        unruled: int = 2

    schema = strawberry.Schema(query=Query)._schema
    document = parse("{ ruled unruled }")
    denials = denied_fields(schema, rule_table(schema), document.definitions[0], {}, set(Permission))
    assert [(d.field_name, d.permission) for d in denials] == [("unruled", None)]
