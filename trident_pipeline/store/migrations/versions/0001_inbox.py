"""Inbox items, quarantine, cursors and pull runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inbox_items",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("native_id", sa.String(280), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("thread_id", sa.String(280), nullable=False),
        sa.Column("in_reply_to_id", sa.String(280)),
        sa.Column("author_id", sa.String(280)),
        sa.Column("author_handle", sa.String(280)),
        sa.Column("author_name", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("is_ours", sa.Boolean, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("first_seen_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_inbox_items"),
    )
    op.create_index("ix_inbox_items_created_at", "inbox_items", ["created_at"])
    op.create_table(
        "quarantine",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("stream", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raw", sa.JSON, nullable=False),
        sa.Column("first_seen_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_quarantine"),
    )
    op.create_table(
        "cursors",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("account", sa.String(280), nullable=False),
        sa.Column("stream", sa.String(40), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("platform", "account", "stream", name="pk_cursors"),
    )
    op.create_table(
        "pull_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(250), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("stream", sa.String(40), nullable=False),
        sa.Column("mode", sa.String(12), nullable=False),
        sa.Column("span_start", _TIME),
        sa.Column("span_end", _TIME, nullable=False),
        sa.Column("cursor_before", sa.Text),
        sa.Column("cursor_after", sa.Text),
        sa.Column("requests", sa.Integer, nullable=False),
        sa.Column("items_read", sa.Integer, nullable=False),
        sa.Column("new_items", sa.Integer, nullable=False),
        sa.Column("updated_items", sa.Integer, nullable=False),
        sa.Column("quarantined", sa.Integer, nullable=False),
        sa.Column("finished_at", _TIME, nullable=False),
        sa.Column("error", sa.String(80)),
        sa.PrimaryKeyConstraint("id", name="pk_pull_runs"),
        sa.UniqueConstraint(
            "run_id", "platform", "stream", name="uq_pull_runs_run_id_platform_stream"
        ),
    )


def downgrade() -> None:
    op.drop_table("pull_runs")
    op.drop_table("cursors")
    op.drop_table("quarantine")
    op.drop_index("ix_inbox_items_created_at", table_name="inbox_items")
    op.drop_table("inbox_items")
