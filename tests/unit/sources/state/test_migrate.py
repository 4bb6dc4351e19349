"""The state database is versioned with Alembic: the migrations build exactly what the models
describe, and a database made before migrations existed is taken over without losing data."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from sources.db import create_engine
from sources.state import migrate
from sources.state.models import StateBase
from tests.support import drop_postgres, postgres_urls, service_missing


@pytest.fixture
async def empty_state(backend: str, tmp_path) -> AsyncIterator[AsyncEngine]:
    name = f"corpcare_test_{os.getpid()}_migrations"
    if backend == "postgres":
        try:
            url = (await postgres_urls(name))[2]
        except (OSError, ConnectionError) as error:
            service_missing("PostgreSQL", error)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path}/state.db"
    engine = create_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()
        if backend == "postgres":
            await drop_postgres(name)


def differences(connection: Connection) -> list:
    return compare_metadata(MigrationContext.configure(connection), StateBase.metadata)


async def test_the_migrations_build_what_the_models_describe(empty_state):
    assert await migrate.upgrade(empty_state) == "0007"  # the revision it reached
    assert await migrate.revision(empty_state) == "0007"
    async with empty_state.connect() as conn:
        assert await conn.run_sync(differences) == []
        # A presented API key is found by its key id: one row at most.
        indexes = await conn.run_sync(lambda sync: inspect(sync).get_indexes("api_keys"))
        # A registered operation is found by the hash of its text, its primary key.
        persisted = await conn.run_sync(lambda sync: inspect(sync).get_pk_constraint("persisted_operations"))
    assert {i["name"] for i in indexes if i["unique"]} == {"ix_api_keys_key_id"}
    assert persisted["constrained_columns"] == ["hash"]
    assert await migrate.upgrade(empty_state) == "0007"  # at the newest revision already: nothing to do
    assert await migrate.revision(empty_state) == "0007"


async def test_an_unversioned_database_is_stamped_and_upgraded_keeping_its_rows(empty_state):
    before_migrations = [StateBase.metadata.tables[name] for name in ("audit_log", "audit_targets", "idempotency_keys")]
    async with empty_state.begin() as conn:
        await conn.run_sync(lambda sync: StateBase.metadata.create_all(sync, tables=before_migrations))
        # As those tables were then: keys kept only once answered, no index of pending intents.
        await conn.execute(text("drop index ix_audit_log_pending"))
        await conn.execute(text("alter table audit_log drop column held_until"))
        await conn.execute(text("drop table idempotency_keys"))
        moment = "datetime" if empty_state.dialect.name == "sqlite" else "timestamp with time zone"
        await conn.execute(
            text(
                "create table idempotency_keys (user_id integer not null, key varchar(200) not null, "
                "operation varchar(60) not null, fingerprint varchar(64) not null, response json not null, "
                f"created_at {moment} not null, primary key (user_id, key))"
            )
        )
        await conn.execute(
            text(
                "insert into audit_log (id, at, request_id, login, role, action, outcome, detail) "
                "values (1, '2026-11-01 10:00:00', 'r1', 'acme.admin', 'customer_admin', 'orgUnitUpdate', "
                "'allowed', '{}')"
            )
        )
    assert await migrate.revision(empty_state) is None

    await migrate.upgrade(empty_state)
    assert await migrate.revision(empty_state) == "0007"
    async with empty_state.connect() as conn:
        tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert {"bulk_operations", "bulk_items", "api_keys", "persisted_operations", "audit_log"} <= tables
        assert (await conn.execute(text("select request_id from audit_log"))).scalar_one() == "r1"
        assert await conn.run_sync(differences) == []


async def test_reset_leaves_an_empty_database_at_the_newest_revision(empty_state):
    await migrate.upgrade(empty_state)
    async with empty_state.begin() as conn:
        await conn.execute(
            text(
                "insert into idempotency_keys (user_id, key, operation, fingerprint, response, created_at) "
                "values (1, 'k', 'op', 'f', '{}', '2026-11-01 10:00:00')"
            )
        )
    await migrate.reset(empty_state)
    assert await migrate.revision(empty_state) == "0007"
    async with empty_state.connect() as conn:
        assert (await conn.execute(text("select count(*) from idempotency_keys"))).scalar_one() == 0


async def test_bulk_operations_made_before_the_lease_fence_get_fence_zero(empty_state):
    def to_0004(connection: Connection) -> None:
        config = Config()
        config.set_main_option("script_location", str(migrate.MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")

    async with empty_state.begin() as conn:
        await conn.run_sync(to_0004)
        await conn.execute(
            text(
                "insert into bulk_operations (id, user_id, login, role, request_id, operation, input, dry_run, "
                "status, cancel_requested, total, done, applied, skipped, failed, would_apply, cost_delta_minor, "
                "created_at, worker) values (1, 7, 'acme.admin', 'customer_admin', 'r1', 'subscriberServicesAdd', "
                "'{}', false, 'running', false, 300, 100, 100, 0, 0, 0, 50000, '2026-11-01 10:00:00', 'w1')"
            )
        )
    await migrate.upgrade(empty_state)
    assert await migrate.revision(empty_state) == "0007"
    async with empty_state.connect() as conn:
        row = (await conn.execute(text("select done, worker, fence from bulk_operations"))).one()
    assert tuple(row) == (100, "w1", 0)
