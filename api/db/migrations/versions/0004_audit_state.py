"""Map changes carry a state: pending while the chain file is being replaced, then done or aborted."""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    with op.batch_alter_table("map_changes") as batch:
        batch.add_column(sa.Column("state", sa.String(16), nullable=False, server_default="done"))


def downgrade() -> None:
    with op.batch_alter_table("map_changes") as batch:
        batch.drop_column("state")
