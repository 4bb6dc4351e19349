"""Idempotency keys reserved before the work (pending, held until a time, tied to the change's
intent in the audit log); a change's intent held until a time; both found by the recovery pass.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

PENDING = sa.text("outcome = 'pending'")
HELD = sa.text("state = 'pending'")


def upgrade() -> None:
    op.add_column("idempotency_keys", sa.Column("state", sa.String(length=8), nullable=False, server_default="done"))
    op.add_column("idempotency_keys", sa.Column("held_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column("idempotency_keys", sa.Column("audit_id", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_idempotency_keys_held", "idempotency_keys", ["held_until"], postgresql_where=HELD, sqlite_where=HELD
    )
    op.add_column("audit_log", sa.Column("held_until", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_audit_log_pending", "audit_log", ["held_until"], postgresql_where=PENDING, sqlite_where=PENDING)


def downgrade() -> None:
    op.drop_index("ix_audit_log_pending", table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("held_until")
    op.drop_index("ix_idempotency_keys_held", table_name="idempotency_keys")
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.drop_column("audit_id")
        batch.drop_column("held_until")
        batch.drop_column("state")
