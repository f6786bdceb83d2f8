"""The lead pipeline (leads and their history) and trained landing models."""

import sqlalchemy as sa
from alembic import op

from api.db.models import UTCDateTime, columns

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "leads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("firm_key", sa.String(300), nullable=False, unique=True),
        *columns(nullable=False, name=sa.String(300), name_key=sa.String(300)),
        *columns(nullable=True, credit_code=sa.String(18)),
        *columns(nullable=False, stage=sa.String(16)),
        *columns(nullable=True, lost_reason=sa.Text, owner=sa.String(64), next_step=sa.Text, next_step_date=sa.Date, notes=sa.Text),
        *columns(nullable=False, profile=sa.JSON),
        *columns(nullable=True, score=sa.Float, likelihood=sa.Float, priority=sa.Float, chain_id=sa.String(64),
                 link_id=sa.String(64), action=sa.String(16), park=sa.String(200), model_version=sa.String(128),
                 map_version=sa.String(128), first_contact_date=sa.Date, closed_at=UTCDateTime()),
        *columns(nullable=False, created_at=UTCDateTime(), created_by=sa.String(64), updated_at=UTCDateTime(),
                 updated_by=sa.String(64), version=sa.Integer),
    )
    op.create_index("ix_leads_name_key", "leads", ["name_key"])
    op.create_index("ix_leads_stage", "leads", ["stage"])
    op.create_index("ix_leads_owner", "leads", ["owner"])
    op.create_index("ix_leads_chain_id", "leads", ["chain_id"])
    op.create_table(
        "lead_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False),
        *columns(nullable=False, at=UTCDateTime(), actor=sa.String(64), kind=sa.String(16)),
        *columns(nullable=True, stage_from=sa.String(16), stage_to=sa.String(16)),
        *columns(nullable=False, changes=sa.JSON, version=sa.Integer),
        *columns(nullable=True, request_id=sa.String(128)),
    )
    op.create_index("ix_lead_events_lead_id", "lead_events", ["lead_id"])
    op.create_table(
        "models",
        sa.Column("id", sa.String(160), primary_key=True),
        *columns(nullable=False, status=sa.String(16), path=sa.Text, card=sa.Text, metrics=sa.JSON, outcomes=sa.Integer,
                 positives=sa.Integer, first_date=sa.Date, last_date=sa.Date, created_at=UTCDateTime(),
                 created_by=sa.String(64)),
        *columns(nullable=True, promoted_at=UTCDateTime(), promoted_by=sa.String(64)),
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
