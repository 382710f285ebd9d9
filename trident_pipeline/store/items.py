"""Inbox items in the store: upsert by key, read back as :class:`InboxItem`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, RowMapping, func, select, update

from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.store._upsert import insert_for
from trident_pipeline.store.schema import inbox_items

__all__ = ["UpsertCounts", "count_items", "item_from_row", "items_between", "upsert_items"]

_BATCH = 500


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    """What an upsert did: rows added, rows whose content changed, rows already as given."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.new + other.new,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


def _row(item: InboxItem) -> dict[str, object]:
    row: dict[str, object] = {
        "key": item.key,
        "platform": item.platform.value,
        "native_id": item.native_id,
        "kind": item.kind.value,
        "channel": item.channel.value,
        "thread_id": item.thread_id,
        "in_reply_to_id": item.in_reply_to_id,
        "author_id": item.author.user_id,
        "author_handle": item.author.handle,
        "author_name": item.author.display_name,
        "text": item.text,
        "created_at": item.created_at,
        "url": item.url,
        "is_ours": item.is_ours,
    }
    canonical = json.dumps(row, sort_keys=True, default=str, ensure_ascii=False)
    row["content_hash"] = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return row


def upsert_items(connection: Connection, items: Iterable[InboxItem], now: datetime) -> UpsertCounts:
    """Insert new items and update changed ones (an edited post); leave identical ones alone.

    Re-running with the same items changes nothing, so retries and overlapping backfills are
    safe. Of two items with one key in ``items``, the last wins.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database refuses the write.
    """
    rows = {row["key"]: row for row in map(_row, items)}
    keys = list(rows)
    counts = UpsertCounts()
    for offset in range(0, len(keys), _BATCH):
        batch = [rows[key] for key in keys[offset : offset + _BATCH]]
        counts += _upsert_batch(connection, batch, now)
    return counts


def _upsert_batch(
    connection: Connection, batch: Sequence[dict[str, object]], now: datetime
) -> UpsertCounts:
    stored = dict(
        connection.execute(
            select(inbox_items.c.key, inbox_items.c.content_hash).where(
                inbox_items.c.key.in_([row["key"] for row in batch])
            )
        ).all()
    )
    fresh = [
        {**row, "first_seen_at": now, "updated_at": now}
        for row in batch
        if row["key"] not in stored
    ]
    changed = [
        row for row in batch if row["key"] in stored and stored[row["key"]] != row["content_hash"]
    ]
    if fresh:
        connection.execute(insert_for(connection, inbox_items).on_conflict_do_nothing(), fresh)
    for row in changed:
        connection.execute(
            update(inbox_items)
            .where(inbox_items.c.key == row["key"])
            .values({**row, "updated_at": now})
        )
    return UpsertCounts(len(fresh), len(changed), len(batch) - len(fresh) - len(changed))


def item_from_row(row: RowMapping) -> InboxItem:
    """An inbox item from a row of ``inbox_items``."""
    return InboxItem(
        platform=Platform(row["platform"]),
        kind=Kind(row["kind"]),
        channel=Channel(row["channel"]),
        native_id=row["native_id"],
        thread_id=row["thread_id"],
        in_reply_to_id=row["in_reply_to_id"],
        author=Author(row["author_id"], row["author_handle"], row["author_name"]),
        text=row["text"],
        created_at=row["created_at"],
        url=row["url"],
        is_ours=row["is_ours"],
    )


def items_between(connection: Connection, start: datetime, end: datetime) -> list[InboxItem]:
    """Items created in ``[start, end)``, oldest first (ties by key, so the order is stable).

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    query = (
        select(inbox_items)
        .where(inbox_items.c.created_at >= start, inbox_items.c.created_at < end)
        .order_by(inbox_items.c.created_at, inbox_items.c.key)
    )
    return [item_from_row(row) for row in connection.execute(query).mappings()]


def count_items(connection: Connection) -> dict[tuple[str, str], int]:
    """How many items the store holds per ``(platform, channel)``.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    query = select(inbox_items.c.platform, inbox_items.c.channel, func.count()).group_by(
        inbox_items.c.platform, inbox_items.c.channel
    )
    return {(platform, channel): count for platform, channel, count in connection.execute(query)}
