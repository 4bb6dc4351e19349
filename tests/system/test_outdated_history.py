"""A CRM made before lines had a history is refused at start: created empty, the history would
make every report as billed count nothing."""

from __future__ import annotations

import sqlite3

from click.testing import CliRunner
from sqlalchemy import create_engine

from server.cli import main
from server.settings import DEV_SECRET
from sources.crm.models import CrmBase


def test_serve_on_a_crm_with_lines_but_no_history_says_to_seed_again(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    engine = create_engine(f"sqlite:///{data / 'crm.db'}")
    older = [t for name, t in CrmBase.metadata.tables.items() if name not in {"line_memberships", "unit_budgets"}]
    CrmBase.metadata.create_all(engine, tables=older)
    engine.dispose()
    env = {"CORPCARE_DATA_DIR": str(data), "CORPCARE_JWT_SECRET": DEV_SECRET}
    refused = CliRunner().invoke(main, ["serve"], env=env)
    assert refused.exit_code == 1 and isinstance(refused.exception, SystemExit)
    assert "line_memberships" in refused.output and "unit_budgets" in refused.output
    assert "corpcare seed" in refused.output and "Traceback" not in refused.output
    with sqlite3.connect(data / "crm.db") as crm:  # nothing was created behind the refusal
        tables = {row[0] for row in crm.execute("select name from sqlite_master where type = 'table'")}
    assert "line_memberships" not in tables
