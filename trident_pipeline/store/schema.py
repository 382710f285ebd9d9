"""The store's tables (SQLAlchemy Core). Alembic migrations in ``migrations/`` create them."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

__all__ = [
    "UtcDateTime",
    "cursors",
    "inbox_items",
    "metadata",
    "pull_runs",
    "quarantine",
    "screenings",
]


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC timestamp on every database (SQLite keeps no zone, so store UTC there).

    Raises:
        ValueError: when a naive datetime is written.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("the store keeps aware timestamps only")
        moment = value.astimezone(timezone.utc)
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return (
            value.replace(tzinfo=timezone.utc)
            if value.tzinfo is None
            else value.astimezone(timezone.utc)
        )


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    }
)

inbox_items = Table(
    "inbox_items",
    metadata,
    Column("key", String(300), primary_key=True, comment="platform:native_id"),
    Column("platform", String(16), nullable=False),
    Column("native_id", String(280), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("channel", String(8), nullable=False),
    Column("thread_id", String(280), nullable=False),
    Column("in_reply_to_id", String(280)),
    Column("author_id", String(280)),
    Column("author_handle", String(280)),
    Column("author_name", Text),
    Column("text", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False, index=True),
    Column("url", Text),
    Column("is_ours", Boolean, nullable=False),
    Column("content_hash", String(64), nullable=False, comment="sha256 of the mapped fields"),
    Column("first_seen_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", String(64), primary_key=True, comment="sha256 of platform, stream and record"),
    Column("platform", String(16), nullable=False),
    Column("stream", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw", JSON, nullable=False),
    Column("first_seen_at", UtcDateTime(), nullable=False),
)

cursors = Table(
    "cursors",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("account", String(280), primary_key=True),
    Column("stream", String(40), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

pull_runs = Table(
    "pull_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(250), nullable=False),
    Column("platform", String(16), nullable=False),
    Column("stream", String(40), nullable=False),
    Column("mode", String(12), nullable=False, comment="incremental or window"),
    Column("span_start", UtcDateTime()),
    Column("span_end", UtcDateTime(), nullable=False),
    Column("cursor_before", Text),
    Column("cursor_after", Text),
    Column("requests", Integer, nullable=False),
    Column("items_read", Integer, nullable=False),
    Column("new_items", Integer, nullable=False),
    Column("updated_items", Integer, nullable=False),
    Column("quarantined", Integer, nullable=False),
    Column("finished_at", UtcDateTime(), nullable=False),
    Column("error", String(80), comment="the class of the error that stopped it, never text"),
    UniqueConstraint("run_id", "platform", "stream"),
)

screenings = Table(
    "screenings",
    metadata,
    Column("item_key", String(300), ForeignKey(inbox_items.c.key), primary_key=True),
    Column("screener_version", String(80), nullable=False),
    Column("violation", Boolean, nullable=False),
    Column("clauses", JSON, nullable=False, comment="policy clauses the item breaks"),
    Column("findings", JSON, nullable=False, comment="type, span, score, rule; no text"),
    Column("redacted", Text, nullable=False, comment="the text with every finding replaced"),
    Column("screened_at", UtcDateTime(), nullable=False),
)

# --- Three-strike ledger (migration 0003): moderation events, account links, platform actions.
# Keep this block contiguous; the CRM tables follow it.

__all__ += ["account_links", "moderation_events", "platform_actions"]

moderation_events = Table(
    "moderation_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(400), nullable=False, unique=True, comment="idempotency key"),
    Column("type", String(40), nullable=False, index=True),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("actor", String(120), nullable=False, comment="system, or a pseudonym or operator"),
    Column("platform", String(16), comment="the platform account the event is about"),
    Column("user_id", String(280)),
    Column("resident_id", String(300), index=True, comment="contact:<id> or account:<p>:<id>"),
    Column("item_key", String(300), index=True),
    Column("clauses", JSON, nullable=False, comment="policy clause names"),
    Column("refers_to", String(400), comment="key of the event this one concerns"),
    Column("detail", JSON, nullable=False, comment="evidence by reference; no personal data"),
)

account_links = Table(
    "account_links",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("user_id", String(280), primary_key=True),
    Column("contact_id", String(200), comment="NULL: an operator unlinked the account"),
    Column("source", String(16), nullable=False, comment="operator or crm"),
    Column("linked_by", String(120), nullable=False),
    Column("linked_at", UtcDateTime(), nullable=False),
)

platform_actions = Table(
    "platform_actions",
    metadata,
    Column("key", String(400), primary_key=True, comment="idempotency key given to the platform"),
    Column("platform", String(16), nullable=False),
    Column("action", String(16), nullable=False),
    Column("target", String(300), nullable=False, comment="item key or platform user id"),
    Column("event_key", String(400), nullable=False, comment="the ledger event that asked"),
    Column("outcome", String(16), comment="NULL while the action is under way"),
    Column("reference", Text),
    Column("detail", Text, comment="why a person must act, or why it was not possible"),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime()),
)

# --- End of the three-strike ledger block.


# CRM
# The transactional outbox of customer-record entries, and the embedded SQL CRM (the default
# CRM adapter): contacts, their platform accounts, and the three kinds of entry. Migration 0004.

__all__ += [
    "crm_communications",
    "crm_contact_accounts",
    "crm_contacts",
    "crm_notes",
    "crm_outbox",
    "crm_strike_events",
]

crm_outbox = Table(
    "crm_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(300), nullable=False, unique=True),
    Column("kind", String(20), nullable=False, comment="communication, strike_event or note"),
    Column("platform", String(16), nullable=False),
    Column("user_id", String(280), nullable=False),
    Column("handle", String(280)),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("item_key", String(300)),
    Column("direction", String(8), comment="inbound or outbound, for a communication"),
    Column(
        "state",
        String(20),
        nullable=False,
        index=True,
        comment="pending, waiting_for_contact, delivered or dead_letter",
    ),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime(), nullable=False, index=True),
    Column("contact_id", String(200), comment="the contact the entry was delivered to"),
    Column("last_error", String(80), comment="exception class of the last failure; no text"),
    Column("last_status", Integer, comment="HTTP status of the last failure, if any"),
    Column("enqueued_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("delivered_at", UtcDateTime()),
)

crm_contacts = Table(
    "crm_contacts",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

crm_contact_accounts = Table(
    "crm_contact_accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contact_id", String(200), ForeignKey(crm_contacts.c.id), nullable=False),
    Column("platform", String(16), nullable=False),
    Column("user_id", String(280), comment="platform id; NULL when only the handle is known"),
    Column("handle", String(280), index=True, comment="without @, case-folded"),
    Column("added_at", UtcDateTime(), nullable=False),
    UniqueConstraint("platform", "user_id"),
)


def _crm_entry_table(name: str, *extra: Column) -> Table:
    return Table(
        name,
        metadata,
        Column("idempotency_key", String(300), primary_key=True),
        Column(
            "contact_id", String(200), ForeignKey(crm_contacts.c.id), nullable=False, index=True
        ),
        Column("platform", String(16), nullable=False),
        Column("user_id", String(280), nullable=False),
        Column("item_key", String(300)),
        *extra,
        Column("occurred_at", UtcDateTime(), nullable=False),
        Column("subject", Text, nullable=False),
        Column("body", Text, nullable=False),
        Column("recorded_at", UtcDateTime(), nullable=False),
    )


crm_communications = _crm_entry_table("crm_communications", Column("direction", String(8)))
crm_notes = _crm_entry_table("crm_notes")
crm_strike_events = _crm_entry_table("crm_strike_events")

# --- Response times (migration 0005): per-item response records, operators' marks, daily
# metrics.

__all__ += ["response_marks", "response_metrics_daily", "response_records"]

response_records = Table(
    "response_records",
    metadata,
    Column("key", String(300), ForeignKey(inbox_items.c.key), primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("channel", String(8), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("arrived_at", UtcDateTime(), nullable=False),
    Column("arrived_on", Date, nullable=False, index=True, comment="local date of arrival"),
    Column("excluded", String(24), comment="why no response is needed, if none is"),
    Column("operator_reason", Text),
    Column("clock_start", UtcDateTime()),
    Column("deadline", UtcDateTime()),
    Column("responded_at", UtcDateTime()),
    Column("reply_key", String(300)),
    Column("attribution", String(24)),
    Column("responder", String(80), comment="pseudonym, never a handle"),
    Column("calendar_hours", Float),
    Column("working_day_hours", Float),
    Column("managed_hours", Float),
    Column("within_target", Boolean),
)

response_marks = Table(
    "response_marks",
    metadata,
    Column("item_key", String(300), ForeignKey(inbox_items.c.key), primary_key=True),
    Column("needs_response", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    Column("operator", String(120), nullable=False),
    Column("marked_at", UtcDateTime(), nullable=False),
)

response_metrics_daily = Table(
    "response_metrics_daily",
    metadata,
    Column("day", Date, primary_key=True),
    Column("platform", String(16), primary_key=True),
    Column("channel", String(8), primary_key=True),
    Column("responder", String(80), primary_key=True),
    Column("figures", JSON, nullable=False),
    Column("as_of", UtcDateTime(), nullable=False),
)
