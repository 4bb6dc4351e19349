"""A database made before the open month's change marks gets them when the server prepares it:
the counters' tables, and the triggers that bump them on every write (``sources/marks.py``)."""

from __future__ import annotations

import sqlite3

from sqlalchemy import create_engine

from sources.billing.models import BillingBase
from sources.crm.models import CrmBase
from sources.db import Engines
from sources.db import create_engine as create_async_engine

MARKS = {"crm": "stay_marks", "billing": "charge_marks"}


def _triggers(path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("select name from sqlite_master where type = 'trigger'")}


async def test_a_database_made_before_the_marks_gets_them_at_start(tmp_path):
    for name, base in (("crm", CrmBase), ("billing", BillingBase)):
        engine = create_engine(f"sqlite:///{tmp_path / name}.db")
        base.metadata.create_all(engine, tables=[t for key, t in base.metadata.tables.items() if key != MARKS[name]])
        engine.dispose()
        assert _triggers(tmp_path / f"{name}.db") == set()  # made as before: no counter, so no trigger
    engines = Engines(*(create_async_engine(f"sqlite+aiosqlite:///{tmp_path / name}.db")
                        for name in ("crm", "billing", "state")))  # fmt: skip
    try:
        await engines.create_schemas()
    finally:
        await engines.dispose()
    for name, marks in MARKS.items():
        assert {f"{marks}_on_{write}" for write in ("insert", "update", "delete")} <= _triggers(tmp_path / f"{name}.db")
