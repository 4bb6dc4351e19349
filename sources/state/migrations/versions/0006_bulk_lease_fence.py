"""The fence of a bulk operation's lease: moved on by every claim, named by every write of its holder.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bulk_operations") as table:
        table.add_column(sa.Column("fence", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("bulk_operations") as table:
        table.drop_column("fence")
