"""The store's tables (SQLAlchemy Core). Alembic migrations in ``migrations/`` create them."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Dialect,
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
