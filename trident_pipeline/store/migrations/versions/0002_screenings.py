"""Screening results and policy decisions per item.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screenings",
        sa.Column("item_key", sa.String(300), nullable=False),
        sa.Column("screener_version", sa.String(80), nullable=False),
        sa.Column("violation", sa.Boolean, nullable=False),
        sa.Column("clauses", sa.JSON, nullable=False),
        sa.Column("findings", sa.JSON, nullable=False),
        sa.Column("redacted", sa.Text, nullable=False),
        sa.Column("screened_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("item_key", name="pk_screenings"),
        sa.ForeignKeyConstraint(
            ["item_key"], ["inbox_items.key"], name="fk_screenings_item_key_inbox_items"
        ),
    )


def downgrade() -> None:
    op.drop_table("screenings")
