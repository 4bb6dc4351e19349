"""docs/fields.md is written from the schema: the checked-in file matches the code, and its rows say
what each relation asks and reads."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from graphql import GraphQLInterfaceType, GraphQLObjectType

from engine.build import build_schema
from engine.field_docs import fields_markdown
from server.cli import main

FIELDS_FILE = Path(__file__).parents[3] / "docs" / "fields.md"


def test_checked_in_fields_doc_matches_the_schema():
    assert FIELDS_FILE.read_text() == fields_markdown(build_schema()._schema), (
        "run: corpcare export-fields --output docs/fields.md"
    )


def test_a_relation_names_its_rule_loader_class_and_source_read():
    text = fields_markdown(build_schema()._schema)
    subscriber = text.split("## Subscriber\n", 1)[1].split("\n## ", 1)[0]
    assert (
        "| `tariffPlan` | `product:read` | [`TariffPlanBySubscriberIdLoader`](../loaders/subscriber.py) "
        "| [`ProductSource.plans_by_subscriber_ids`](../sources/billing/products.py) |"
    ) in subscriber
    # A figure read from its per-currency figures reads what they read.
    assert "| `spending` | `spending:read` | [`SpendingBySubscriberMonthLoader`](../loaders/spending.py) " in subscriber
    assert "[`SpendingSource.spending_by_subscriber`](../sources/billing/spending.py)" in subscriber
    assert "| `msisdn` | `personal:read` |  |  |" in subscriber  # a plain attribute: no loader


def test_every_field_of_the_schema_has_a_row():
    schema = build_schema()._schema
    text = fields_markdown(schema)
    fields = [
        f"{name}.{field}"
        for name, type_ in schema.type_map.items()
        if not name.startswith("__") and isinstance(type_, GraphQLObjectType | GraphQLInterfaceType)
        for field in type_.fields
    ]
    assert text.count("\n| `") == len(fields) > 300


def test_export_fields_writes_the_checked_in_doc(tmp_path):
    runner = CliRunner()
    printed = runner.invoke(main, ["export-fields"])
    assert printed.exit_code == 0
    assert printed.output == FIELDS_FILE.read_text()
    written = runner.invoke(main, ["export-fields", "--output", str(tmp_path / "fields.md")])
    assert written.exit_code == 0 and (tmp_path / "fields.md").read_text() == printed.output
