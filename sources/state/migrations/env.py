"""Alembic environment for corpcare's state database; run through ``sources/state/migrate.py``,
which hands over an open connection."""

from alembic import context

from sources.state.models import StateBase

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=StateBase.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
