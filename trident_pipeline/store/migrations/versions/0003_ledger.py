"""The three-strike ledger: moderation events, account links and platform actions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "moderation_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("occurred_at", _TIME, nullable=False),
        sa.Column("recorded_at", _TIME, nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("platform", sa.String(16)),
        sa.Column("user_id", sa.String(280)),
        sa.Column("resident_id", sa.String(300)),
        sa.Column("item_key", sa.String(300)),
        sa.Column("clauses", sa.JSON, nullable=False),
        sa.Column("refers_to", sa.String(400)),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_moderation_events"),
        sa.UniqueConstraint("key", name="uq_moderation_events_key"),
    )
    op.create_index("ix_moderation_events_type", "moderation_events", ["type"])
    op.create_index("ix_moderation_events_resident_id", "moderation_events", ["resident_id"])
    op.create_index("ix_moderation_events_item_key", "moderation_events", ["item_key"])
    op.create_table(
        "account_links",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(280), nullable=False),
        sa.Column("contact_id", sa.String(200)),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("linked_by", sa.String(120), nullable=False),
        sa.Column("linked_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("platform", "user_id", name="pk_account_links"),
    )
    op.create_table(
        "platform_actions",
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("event_key", sa.String(400), nullable=False),
        sa.Column("outcome", sa.String(16)),
        sa.Column("reference", sa.Text),
        sa.Column("detail", sa.Text),
        sa.Column("requested_at", _TIME, nullable=False),
        sa.Column("finished_at", _TIME),
        sa.PrimaryKeyConstraint("key", name="pk_platform_actions"),
    )


def downgrade() -> None:
    op.drop_table("platform_actions")
    op.drop_table("account_links")
    op.drop_index("ix_moderation_events_item_key", table_name="moderation_events")
    op.drop_index("ix_moderation_events_resident_id", table_name="moderation_events")
    op.drop_index("ix_moderation_events_type", table_name="moderation_events")
    op.drop_table("moderation_events")
