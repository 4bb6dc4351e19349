"""The portal's sign-in sessions.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portal_sessions",
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("login", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("secret_hash"),
    )
    op.create_index("ix_portal_sessions_last_seen", "portal_sessions", ["last_seen_at"])


def downgrade() -> None:
    op.drop_index("ix_portal_sessions_last_seen", table_name="portal_sessions")
    op.drop_table("portal_sessions")
