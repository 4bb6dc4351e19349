"""The command line: seed, token and export-schema, as scripts and operators use them."""

from __future__ import annotations

from pathlib import Path

import jwt
from click.testing import CliRunner

from server.cli import main
from server.settings import DEV_SECRET

ROOT = Path(__file__).parents[2]


def test_export_schema_writes_the_checked_in_sdl(tmp_path):
    runner = CliRunner()
    printed = runner.invoke(main, ["export-schema"])
    assert printed.exit_code == 0
    assert printed.output == (ROOT / "schema.graphql").read_text()
    written = runner.invoke(main, ["export-schema", "--output", str(tmp_path / "out.graphql")])
    assert written.exit_code == 0 and (tmp_path / "out.graphql").read_text() == printed.output


def test_seed_then_token_on_the_embedded_default(tmp_path):
    runner = CliRunner()
    env = {"CORPCARE_DATA_DIR": str(tmp_path / "data"), "CORPCARE_JWT_SECRET": DEV_SECRET}
    seeded = runner.invoke(main, ["seed", "--subscribers", "40", "--months", "2", "--seed", "3"], env=env)
    assert seeded.exit_code == 0, seeded.output
    assert "Seeded in" in seeded.output and "subscribers 40" in seeded.output
    assert {p.name for p in (tmp_path / "data").glob("*.db")} == {"crm.db", "billing.db", "state.db"}

    issued = runner.invoke(main, ["token", "acme.finance"], env=env)
    assert issued.exit_code == 0, issued.output
    token = issued.output.strip().splitlines()[-1]
    claims = jwt.decode(token, DEV_SECRET, algorithms=["HS256"])
    assert claims["sub"] == "acme.finance" and claims["exp"] > claims["iat"]

    unknown = runner.invoke(main, ["token", "nobody"], env=env)
    assert unknown.exit_code != 0 and "No portal user" in unknown.output


def test_a_token_before_any_seed_is_a_clear_error_not_a_traceback(tmp_path):
    env = {"CORPCARE_DATA_DIR": str(tmp_path / "data"), "CORPCARE_JWT_SECRET": DEV_SECRET}
    (tmp_path / "data").mkdir()
    refused = CliRunner().invoke(main, ["token", "acme.admin"], env=env)
    assert refused.exit_code == 1 and "seed it first" in refused.output
    assert "Traceback" not in refused.output and refused.exception is not None
    assert isinstance(refused.exception, SystemExit)
