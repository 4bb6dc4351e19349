"""A data directory made by an older corpcare is refused at start with what to do, not a traceback."""

from __future__ import annotations

import sqlite3

from click.testing import CliRunner

from server.cli import main
from server.settings import DEV_SECRET


def test_serve_on_a_billing_database_without_the_catalogues_new_columns_says_to_seed_again(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / "billing.db") as old:
        old.execute(
            "create table services (id integer primary key, code varchar(32), name varchar(120), kind varchar(16),"
            " monthly_fee_minor bigint, currency varchar(3), bundle_id integer)"
        )
    env = {"CORPCARE_DATA_DIR": str(data), "CORPCARE_JWT_SECRET": DEV_SECRET}
    refused = CliRunner().invoke(main, ["serve"], env=env)
    assert refused.exit_code == 1 and isinstance(refused.exception, SystemExit)
    assert "services.exclusion_group" in refused.output and "corpcare seed" in refused.output
    assert "Traceback" not in refused.output
