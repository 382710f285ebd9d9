"""The store: SQLAlchemy 2 tables, Alembic migrations and repository functions.

SQLite by default (embedded); PostgreSQL through one URL. Every write is an upsert by key, so
a retried or re-run task changes nothing twice.
"""

from trident_pipeline.store.engine import connect, default_database_url, migrate
from trident_pipeline.store.items import UpsertCounts, count_items, items_between, upsert_items
from trident_pipeline.store.pulls import (
    PullRecord,
    latest_run_pulls,
    read_cursor,
    record_pull,
    write_cursor,
)
from trident_pipeline.store.quarantine import count_quarantined, quarantine_records

__all__ = [
    "PullRecord",
    "UpsertCounts",
    "connect",
    "count_items",
    "count_quarantined",
    "default_database_url",
    "items_between",
    "latest_run_pulls",
    "migrate",
    "quarantine_records",
    "read_cursor",
    "record_pull",
    "upsert_items",
    "write_cursor",
]
