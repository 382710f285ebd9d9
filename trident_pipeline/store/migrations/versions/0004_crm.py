"""CRM outbox, and the embedded CRM's contacts, accounts and entries.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)
_ENTRY_TABLES = ("crm_communications", "crm_notes", "crm_strike_events")


def upgrade() -> None:
    op.create_table(
        "crm_outbox",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("idempotency_key", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(280), nullable=False),
        sa.Column("handle", sa.String(280)),
        sa.Column("occurred_at", _TIME, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("item_key", sa.String(300)),
        sa.Column("direction", sa.String(8)),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", _TIME, nullable=False),
        sa.Column("contact_id", sa.String(200)),
        sa.Column("last_error", sa.String(80)),
        sa.Column("last_status", sa.Integer),
        sa.Column("enqueued_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.Column("delivered_at", _TIME),
        sa.PrimaryKeyConstraint("id", name="pk_crm_outbox"),
        sa.UniqueConstraint("idempotency_key", name="uq_crm_outbox_idempotency_key"),
    )
    op.create_index("ix_crm_outbox_state", "crm_outbox", ["state"])
    op.create_index("ix_crm_outbox_next_attempt_at", "crm_outbox", ["next_attempt_at"])
    op.create_table(
        "crm_contacts",
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_crm_contacts"),
    )
    op.create_table(
        "crm_contact_accounts",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("contact_id", sa.String(200), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(280)),
        sa.Column("handle", sa.String(280)),
        sa.Column("added_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_crm_contact_accounts"),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["crm_contacts.id"],
            name="fk_crm_contact_accounts_contact_id_crm_contacts",
        ),
        sa.UniqueConstraint("platform", "user_id", name="uq_crm_contact_accounts_platform_user_id"),
    )
    op.create_index("ix_crm_contact_accounts_handle", "crm_contact_accounts", ["handle"])
    for table in _ENTRY_TABLES:
        extra = [sa.Column("direction", sa.String(8))] if table == "crm_communications" else []
        op.create_table(
            table,
            sa.Column("idempotency_key", sa.String(300), nullable=False),
            sa.Column("contact_id", sa.String(200), nullable=False),
            sa.Column("platform", sa.String(16), nullable=False),
            sa.Column("user_id", sa.String(280), nullable=False),
            sa.Column("item_key", sa.String(300)),
            *extra,
            sa.Column("occurred_at", _TIME, nullable=False),
            sa.Column("subject", sa.Text, nullable=False),
            sa.Column("body", sa.Text, nullable=False),
            sa.Column("recorded_at", _TIME, nullable=False),
            sa.PrimaryKeyConstraint("idempotency_key", name=f"pk_{table}"),
            sa.ForeignKeyConstraint(
                ["contact_id"], ["crm_contacts.id"], name=f"fk_{table}_contact_id_crm_contacts"
            ),
        )
        op.create_index(f"ix_{table}_contact_id", table, ["contact_id"])


def downgrade() -> None:
    for table in reversed(_ENTRY_TABLES):
        op.drop_index(f"ix_{table}_contact_id", table_name=table)
        op.drop_table(table)
    op.drop_index("ix_crm_contact_accounts_handle", table_name="crm_contact_accounts")
    op.drop_table("crm_contact_accounts")
    op.drop_table("crm_contacts")
    op.drop_index("ix_crm_outbox_next_attempt_at", table_name="crm_outbox")
    op.drop_index("ix_crm_outbox_state", table_name="crm_outbox")
    op.drop_table("crm_outbox")
