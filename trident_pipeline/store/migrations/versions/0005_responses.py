"""Response records per inbound item, operators' response marks, and daily metrics.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "response_records",
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("arrived_at", _TIME, nullable=False),
        sa.Column("arrived_on", sa.Date, nullable=False),
        sa.Column("excluded", sa.String(24)),
        sa.Column("operator_reason", sa.Text),
        sa.Column("clock_start", _TIME),
        sa.Column("deadline", _TIME),
        sa.Column("responded_at", _TIME),
        sa.Column("reply_key", sa.String(300)),
        sa.Column("attribution", sa.String(24)),
        sa.Column("responder", sa.String(80)),
        sa.Column("calendar_hours", sa.Float),
        sa.Column("working_day_hours", sa.Float),
        sa.Column("managed_hours", sa.Float),
        sa.Column("within_target", sa.Boolean),
        sa.PrimaryKeyConstraint("key", name="pk_response_records"),
        sa.ForeignKeyConstraint(
            ["key"], ["inbox_items.key"], name="fk_response_records_key_inbox_items"
        ),
    )
    op.create_index("ix_response_records_arrived_on", "response_records", ["arrived_on"])
    op.create_table(
        "response_marks",
        sa.Column("item_key", sa.String(300), nullable=False),
        sa.Column("needs_response", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("operator", sa.String(120), nullable=False),
        sa.Column("marked_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("item_key", name="pk_response_marks"),
        sa.ForeignKeyConstraint(
            ["item_key"], ["inbox_items.key"], name="fk_response_marks_item_key_inbox_items"
        ),
    )
    op.create_table(
        "response_metrics_daily",
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("responder", sa.String(80), nullable=False),
        sa.Column("figures", sa.JSON, nullable=False),
        sa.Column("as_of", _TIME, nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "platform", "channel", "responder", name="pk_response_metrics_daily"
        ),
    )


def downgrade() -> None:
    op.drop_table("response_metrics_daily")
    op.drop_table("response_marks")
    op.drop_index("ix_response_records_arrived_on", table_name="response_records")
    op.drop_table("response_records")
