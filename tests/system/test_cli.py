"""The command line: seed, token, export-schema, register-operations and simulate-usage, as scripts and
operators use them."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import jwt
from click.testing import CliRunner

from server.cli import main
from server.settings import DEV_SECRET
from sources.state.migrate import MIGRATIONS
from tests.system.test_bulk_restart import serving

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


def test_register_operations_stores_each_file_once_and_prints_its_hash(tmp_path):
    runner = CliRunner()
    env = {"CORPCARE_DATA_DIR": str(tmp_path / "data"), "CORPCARE_JWT_SECRET": DEV_SECRET}
    folder = ROOT / "bench" / "operations"
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.graphql"))

    dry = runner.invoke(main, ["register-operations", str(folder), "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    assert f"Would register {len(files)} new operation(s)" in dry.output

    first = runner.invoke(main, ["register-operations", str(folder)], env=env)
    assert first.exit_code == 0, first.output
    lines = [line.split() for line in first.stdout.splitlines()]
    # One line per file: the hash clients send (of the file's exact bytes), new or known, file, names.
    assert [line[2] for line in lines] == files and {line[1] for line in lines} == {"new"}
    for digest, _status, name, _names in lines:
        assert digest == hashlib.sha256((folder / name).read_bytes()).hexdigest()
    assert ["Dashboard"] in [line[3].split(",") for line in lines]
    assert f"Registered {len(files)} new operation(s); 0 already registered." in first.output

    again = runner.invoke(main, ["register-operations", str(folder)], env=env)
    assert again.exit_code == 0, again.output
    assert {line.split()[1] for line in again.stdout.splitlines()} == {"known"}
    assert f"Registered 0 new operation(s); {len(files)} already registered." in again.output


def test_register_operations_refuses_a_folder_with_a_broken_document_and_stores_nothing(tmp_path):
    env = {"CORPCARE_DATA_DIR": str(tmp_path / "data"), "CORPCARE_JWT_SECRET": DEV_SECRET}
    folder = tmp_path / "operations"
    (folder / "nested").mkdir(parents=True)
    (folder / "good.graphql").write_text("query Me { viewer { login } }\n")
    (folder / "nested" / "unknown_field.graphql").write_text("query Bad { viewer { shoeSize } }\n")
    (folder / "nested" / "fragments_only.graphql").write_text("fragment F on Viewer { login }\n")
    refused = CliRunner().invoke(main, ["register-operations", str(folder)], env=env)
    assert refused.exit_code == 1 and "nothing was registered" in refused.output
    assert "nested/unknown_field.graphql" in refused.output and "shoeSize" in refused.output
    assert "nested/fragments_only.graphql" in refused.output and "Traceback" not in refused.output
    for broken in (folder / "nested").iterdir():
        broken.unlink()
    fixed = CliRunner().invoke(main, ["register-operations", str(folder)], env=env)
    assert fixed.exit_code == 0 and fixed.stdout.split()[1:] == ["new", "good.graphql", "Me"]


def usage_records(database: Path) -> int:
    with closing(sqlite3.connect(database)) as conn:
        return int(conn.execute("select count(*) from usage_records").fetchone()[0])


def test_simulate_usage_writes_usage_and_refuses_clearly_where_there_is_nothing_to_use(tmp_path):
    runner = CliRunner()
    env = {"CORPCARE_DATA_DIR": str(tmp_path / "data"), "CORPCARE_JWT_SECRET": DEV_SECRET}
    (tmp_path / "data").mkdir()
    unseeded = runner.invoke(main, ["simulate-usage", "--seconds", "1"], env=env)
    assert unseeded.exit_code == 1 and "seed them first" in unseeded.output and "Traceback" not in unseeded.output

    assert runner.invoke(main, ["seed", "--subscribers", "40", "--months", "1"], env=env).exit_code == 0
    before = usage_records(tmp_path / "data" / "billing.db")
    fed = runner.invoke(main, ["simulate-usage", "--per-second", "30", "--seconds", "0.5", "--seed", "2"], env=env)
    assert fed.exit_code == 0, fed.output
    assert "Wrote 30 usage records" in fed.output  # one round: the run ends before the next second
    # What was charged, per currency (amounts in two currencies are never added).
    amounts = re.search(r"charged ((?:[\d,]+\.\d\d [A-Z]{3}(?:, )?)+);", fed.output)
    assert amounts is not None, fed.output
    currencies = [amount.split()[1] for amount in amounts.group(1).split(", ")]
    assert currencies == sorted(set(currencies)) and set(currencies) <= {"CHF", "EUR"}
    assert usage_records(tmp_path / "data" / "billing.db") == before + 30
    nowhere = runner.invoke(main, ["simulate-usage", "--seconds", "1", "--line", "999999"], env=env)
    assert nowhere.exit_code == 1 and "No active line" in nowhere.output
    negative = runner.invoke(main, ["simulate-usage", "--per-second", "-5"], env=env)
    assert negative.exit_code == 2 and "--per-second" in negative.output


def test_the_health_check_comes_from_the_option_else_the_environment_else_sixty_seconds(monkeypatch):
    seen: list[int] = []
    monkeypatch.setattr("server.supervisor.run", lambda config, **_: seen.append(config.timeout_worker_healthcheck))
    monkeypatch.setattr("uvicorn.run", _not_here)
    monkeypatch.setattr("server.cli._migrate", _nothing)  # no database: only the options are looked at
    nowhere = "postgresql+asyncpg://nobody@127.0.0.1:1/"
    env = {"CORPCARE_CRM_URL": nowhere + "crm", "CORPCARE_BILLING_URL": nowhere + "billing",
           "CORPCARE_STATE_URL": nowhere + "state", "CORPCARE_WORKER_HEALTHCHECK": None}  # fmt: skip
    runner = CliRunner()
    for options, extra in (([], {}), ([], {"CORPCARE_WORKER_HEALTHCHECK": "45"}),
                           (["--worker-healthcheck", "90"], {"CORPCARE_WORKER_HEALTHCHECK": "45"})):  # fmt: skip
        result = runner.invoke(main, ["serve", "--workers", "2", *options], env={**env, **extra})
        assert result.exit_code == 0, result.output
    assert seen == [60, 45, 90]
    refused = runner.invoke(main, ["serve", "--worker-healthcheck", "0"], env=env)
    assert refused.exit_code == 2 and "--worker-healthcheck" in refused.output


async def _nothing(_settings: Any) -> None:
    return None


def _not_here(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("serve must run its workers under corpcare's supervisor")


def test_serve_drains_for_as_long_as_the_settings_say(monkeypatch):
    seen: list[tuple[Any, Any]] = []
    monkeypatch.setattr(
        "server.supervisor.run",
        lambda config, *, drain_delay_seconds: seen.append((config.timeout_graceful_shutdown, drain_delay_seconds)),
    )
    monkeypatch.setattr("server.cli._migrate", _nothing)
    nowhere = "postgresql+asyncpg://nobody@127.0.0.1:1/"
    env = {"CORPCARE_CRM_URL": nowhere + "crm", "CORPCARE_BILLING_URL": nowhere + "billing",
           "CORPCARE_STATE_URL": nowhere + "state", "CORPCARE_DRAIN_SECONDS": None,
           "CORPCARE_DRAIN_DELAY_SECONDS": None}  # fmt: skip
    runner = CliRunner()
    for extra in ({}, {"CORPCARE_DRAIN_SECONDS": "25", "CORPCARE_DRAIN_DELAY_SECONDS": "5"}):
        result = runner.invoke(main, ["serve"], env={**env, **extra})
        assert result.exit_code == 0, result.output
    # Below Kubernetes' 30 s grace period by default, and no delay for a process of one's own.
    assert seen == [(20, 0.0), (25, 5.0)]


# A command run in a fresh interpreter, which then writes down every module it loaded.
LOADS = """
import sys
from server.cli import main
try:
    main(sys.argv[2:])
except SystemExit as end:
    assert not end.code, end.code
open(sys.argv[1], "w").write("\\n".join(sorted(sys.modules)))
"""
OURS = {"core", "infra", "sources", "loaders", "permissions", "resolvers", "request", "schema", "engine", "jobs",
        "server", "demo"}  # fmt: skip
COMMAND_LINE = {"server.cli", "server.cli_logs"}
SERVER = {"server.app", "server.asgi", "server.auth", "server.endpoint", "server.metrics", "uvicorn", "alembic",
          "starlette.applications", "prometheus_client"}  # fmt: skip


def loaded(tmp_path: Path, *command: str) -> set[str]:
    modules = tmp_path / "modules.txt"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CORPCARE_")},
           "CORPCARE_DATA_DIR": str(tmp_path / "data"), "CORPCARE_JWT_SECRET": DEV_SECRET}  # fmt: skip
    ran = subprocess.run([sys.executable, "-c", LOADS, str(modules), *command], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=False)  # fmt: skip
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return set(modules.read_text().splitlines())


def packages(modules: set[str]) -> set[str]:
    return {module.split(".")[0] for module in modules}


def test_help_loads_nothing_of_corpcare_but_the_command_line(tmp_path):
    modules = loaded(tmp_path, "--help")
    assert "click" in modules and "server.cli" in modules
    assert packages(modules) & OURS == {"server"} and {m for m in modules if m.startswith("server.")} <= COMMAND_LINE
    assert not packages(modules) & {"strawberry", "graphql", "sqlalchemy", "pydantic", "starlette", "jwt", "redis"}
    assert not modules & SERVER


def test_token_loads_the_settings_and_the_signing_not_the_schema_or_the_server(tmp_path):
    env = {"CORPCARE_DATA_DIR": str(tmp_path / "data"), "CORPCARE_JWT_SECRET": DEV_SECRET}
    assert CliRunner().invoke(main, ["seed", "--subscribers", "20", "--months", "1"], env=env).exit_code == 0
    modules = loaded(tmp_path, "token", "acme.admin")
    assert {"server.settings", "server.tokens", "jwt", "sqlalchemy"} <= modules  # the look-up is SQLAlchemy's
    assert not packages(modules) & {"strawberry", "graphql", "schema", "resolvers", "loaders", "sources", "engine"}
    assert not modules & SERVER


def test_export_schema_loads_the_schema_not_the_server(tmp_path):
    modules = loaded(tmp_path, "export-schema", "--output", str(tmp_path / "schema.graphql"))
    assert (tmp_path / "schema.graphql").read_text() == (ROOT / "schema.graphql").read_text()
    assert {"strawberry", "schema.query", "engine.build"} <= modules
    assert {m for m in modules if m.startswith("server.")} <= COMMAND_LINE and not modules & SERVER


def migrations_logged(log: str) -> tuple[int, list[str]]:
    """How many times Alembic began a migration run, and every revision it applied, in order."""
    runs = sum("Context impl" in line and "alembic.runtime.migration" in line for line in log.splitlines())
    return runs, re.findall(r"Running upgrade \S* ?-> (\w+)", log)


async def test_serve_migrates_the_state_database_once_on_its_first_start_and_on_each_restart(tmp_path):
    revisions = sorted(path.name.split("_")[0] for path in (MIGRATIONS / "versions").glob("0*.py"))
    for start, applied in (("first", revisions), ("again", [])):
        process, base = await serving({"seed_subscribers": "20"}, tmp_path)  # the embedded default
        process.kill()
        process.wait()
        log = (tmp_path / f"server-{base.rsplit(':', 1)[1]}.log").read_text()
        assert ("First start: seeding" in log) == (start == "first"), log
        assert migrations_logged(log) == (1, applied), log
