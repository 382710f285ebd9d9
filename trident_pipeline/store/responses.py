"""Response times in the store: the items of active threads, per-item response records,
operators' marks, and each day's stored metrics.

Records are upserted by item key, so recomputing an interval (a retry, a backfill) replaces
what it computed before and a period's figures always aggregate one record per item.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Connection, delete, select, tuple_

from trident_pipeline.domain.models import Channel, InboxItem, Kind, Platform
from trident_pipeline.domain.responders import AttributionKind
from trident_pipeline.domain.responses import Exclusion, OperatorMark, ResponseRecord
from trident_pipeline.store._upsert import insert_for
from trident_pipeline.store.items import item_from_row
from trident_pipeline.store.schema import (
    inbox_items,
    response_marks,
    response_metrics_daily,
    response_records,
)

__all__ = [
    "active_threads",
    "mark_response",
    "operator_marks",
    "records_between",
    "save_daily_metrics",
    "save_response_records",
    "thread_items",
]

_BATCH = 400


def active_threads(connection: Connection, start: datetime, end: datetime) -> set[tuple[str, str]]:
    """The ``(platform, thread_id)`` of every item created in ``[start, end)``.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    query = (
        select(inbox_items.c.platform, inbox_items.c.thread_id)
        .where(inbox_items.c.created_at >= start, inbox_items.c.created_at < end)
        .distinct()
    )
    return {(platform, thread) for platform, thread in connection.execute(query)}


def thread_items(connection: Connection, threads: Collection[tuple[str, str]]) -> list[InboxItem]:
    """Every stored item of ``threads``, oldest first.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    ordered = sorted(threads)
    items: list[InboxItem] = []
    for offset in range(0, len(ordered), _BATCH):
        batch = ordered[offset : offset + _BATCH]
        query = select(inbox_items).where(
            tuple_(inbox_items.c.platform, inbox_items.c.thread_id).in_(batch)
        )
        items.extend(item_from_row(row) for row in connection.execute(query).mappings())
    return sorted(items, key=lambda item: (item.created_at, item.key))


def _row(record: ResponseRecord) -> dict[str, object]:
    row = asdict(record)
    for name in ("platform", "channel", "kind", "excluded", "attribution"):
        if row[name] is not None:
            row[name] = row[name].value
    return row


def save_response_records(connection: Connection, records: Iterable[ResponseRecord]) -> int:
    """Upsert each record by item key; return how many were written.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database refuses the write.
    """
    rows = [_row(record) for record in records]
    statement = insert_for(connection, response_records)
    upsert = statement.on_conflict_do_update(
        index_elements=["key"],
        set_={
            column.name: statement.excluded[column.name]
            for column in response_records.columns
            if column.name != "key"
        },
    )
    for offset in range(0, len(rows), _BATCH):
        connection.execute(upsert, rows[offset : offset + _BATCH])
    return len(rows)


def _record(row: Mapping[str, object]) -> ResponseRecord:
    values = dict(row)
    values["platform"] = Platform(values["platform"])
    values["channel"] = Channel(values["channel"])
    values["kind"] = Kind(values["kind"])
    if values["excluded"] is not None:
        values["excluded"] = Exclusion(values["excluded"])
    if values["attribution"] is not None:
        values["attribution"] = AttributionKind(values["attribution"])
    return ResponseRecord(**values)


def records_between(connection: Connection, first: date, last: date) -> list[ResponseRecord]:
    """The records of items that arrived on the local dates ``first`` to ``last`` inclusive.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    query = (
        select(response_records)
        .where(response_records.c.arrived_on >= first, response_records.c.arrived_on <= last)
        .order_by(response_records.c.key)
    )
    return [_record(row) for row in connection.execute(query).mappings()]


def operator_marks(connection: Connection, keys: Collection[str]) -> dict[str, OperatorMark]:
    """Operators' marks on any of ``keys``: needs a response or not, and why.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    marks: dict[str, OperatorMark] = {}
    ordered = sorted(keys)
    for offset in range(0, len(ordered), _BATCH):
        query = select(response_marks).where(
            response_marks.c.item_key.in_(ordered[offset : offset + _BATCH])
        )
        for row in connection.execute(query).mappings():
            marks[row["item_key"]] = OperatorMark(row["needs_response"], row["reason"])
    return marks


def mark_response(
    connection: Connection,
    item_key: str,
    *,
    needs_response: bool,
    reason: str,
    operator: str,
    now: datetime,
) -> None:
    """Record an operator's mark on an item, replacing an earlier one.

    Raises:
        ValueError: when the reason or the operator is blank.
        sqlalchemy.exc.SQLAlchemyError: when the database refuses the write (an unknown item).
    """
    OperatorMark(needs_response, reason)
    if not operator.strip():
        raise ValueError("a mark names the operator who made it")
    values = {
        "item_key": item_key,
        "needs_response": needs_response,
        "reason": reason,
        "operator": operator,
        "marked_at": now,
    }
    statement = insert_for(connection, response_marks).values(**values)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["item_key"],
            set_={name: value for name, value in values.items() if name != "item_key"},
        )
    )


def save_daily_metrics(
    connection: Connection, day: date, metrics: pd.DataFrame, as_of: datetime
) -> int:
    """Replace the stored metrics of ``day`` with ``metrics`` (one row per platform, channel and
    responder); return the rows written.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database refuses the write.
    """
    connection.execute(delete(response_metrics_daily).where(response_metrics_daily.c.day == day))
    dimensions = ("platform", "channel", "responder")
    rows = [
        {
            "day": day,
            **{name: str(row[name]) for name in dimensions},
            "figures": json.loads(
                pd.Series({k: v for k, v in row.items() if k not in dimensions}).to_json()
            ),
            "as_of": as_of,
        }
        for row in metrics.to_dict("records")
    ]
    if rows:
        connection.execute(response_metrics_daily.insert(), rows)
    return len(rows)
