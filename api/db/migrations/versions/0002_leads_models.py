"""The lead pipeline (leads and their history) and trained landing models."""

import sqlalchemy as sa
from alembic import op

from api.db.models import UTCDateTime

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "leads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("firm_key", sa.String(300), nullable=False, unique=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("name_key", sa.String(300), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=True),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("lost_reason", sa.Text, nullable=True),
        sa.Column("owner", sa.String(64), nullable=True),
        sa.Column("next_step", sa.Text, nullable=True),
        sa.Column("next_step_date", sa.Date, nullable=True),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("profile", sa.JSON, nullable=False),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("likelihood", sa.Float, nullable=True),
        sa.Column("priority", sa.Float, nullable=True),
        sa.Column("chain_id", sa.String(64), nullable=True),
        sa.Column("link_id", sa.String(64), nullable=True),
        sa.Column("action", sa.String(16), nullable=True),
        sa.Column("park", sa.String(200), nullable=True),
        sa.Column("model_version", sa.String(128), nullable=True),
        sa.Column("map_version", sa.String(128), nullable=True),
        sa.Column("first_contact_date", sa.Date, nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_leads_name_key", "leads", ["name_key"])
    op.create_index("ix_leads_stage", "leads", ["stage"])
    op.create_index("ix_leads_owner", "leads", ["owner"])
    op.create_index("ix_leads_chain_id", "leads", ["chain_id"])
    op.create_table(
        "lead_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("stage_from", sa.String(16), nullable=True),
        sa.Column("stage_to", sa.String(16), nullable=True),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("request_id", sa.String(128), nullable=True),
    )
    op.create_index("ix_lead_events_lead_id", "lead_events", ["lead_id"])
    op.create_table(
        "models",
        sa.Column("id", sa.String(160), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("card", sa.Text, nullable=False),
        sa.Column("metrics", sa.JSON, nullable=False),
        sa.Column("outcomes", sa.Integer, nullable=False),
        sa.Column("positives", sa.Integer, nullable=False),
        sa.Column("first_date", sa.Date, nullable=False),
        sa.Column("last_date", sa.Date, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("promoted_at", UTCDateTime(), nullable=True),
        sa.Column("promoted_by", sa.String(64), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("models")
    op.drop_index("ix_lead_events_lead_id", table_name="lead_events")
    op.drop_table("lead_events")
    op.drop_index("ix_leads_chain_id", table_name="leads")
    op.drop_index("ix_leads_owner", table_name="leads")
    op.drop_index("ix_leads_stage", table_name="leads")
    op.drop_index("ix_leads_name_key", table_name="leads")
    op.drop_table("leads")
