"""Users, API keys, sign-in sessions and failures, the map-change audit."""

import sqlalchemy as sa
from alembic import op

from api.db.models import UTCDateTime, columns

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("key_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "sign_in_failures",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "map_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        *columns(nullable=False, at=UTCDateTime(), actor=sa.String(64), action=sa.String(32)),
        *columns(nullable=True, chain_id=sa.String(64), link_id=sa.String(64)),
        *columns(nullable=False, before=sa.JSON, after=sa.JSON, map_version_before=sa.String(128),
                 map_version_after=sa.String(128)),
        *columns(nullable=True, request_id=sa.String(128), note=sa.Text),
    )
    op.create_index("ix_map_changes_link", "map_changes", ["chain_id", "link_id"])


def downgrade() -> None:
    op.drop_index("ix_map_changes_link", table_name="map_changes")
    op.drop_table("map_changes")
    op.drop_table("sign_in_failures")
    op.drop_index("ix_sessions_user_id", table_name="sessions")
    op.drop_table("sessions")
    op.drop_table("api_keys")
    op.drop_table("users")
