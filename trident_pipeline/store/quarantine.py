"""Quarantine: raw records that could not be mapped, kept with the reason, never lost."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, func, select

from trident_pipeline.domain.models import Rejected
from trident_pipeline.store._upsert import insert_for
from trident_pipeline.store.schema import quarantine

__all__ = ["count_quarantined", "quarantine_records"]


def _record_id(rejected: Rejected) -> str:
    canonical = json.dumps(
        [rejected.platform.value, rejected.stream, rejected.raw],
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def quarantine_records(connection: Connection, records: Iterable[Rejected], now: datetime) -> int:
    """Keep each rejected record once; return how many were not already in quarantine.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database refuses the write.
    """
    rows = {
        _record_id(record): {
            "id": _record_id(record),
            "platform": record.platform.value,
            "stream": record.stream,
            "reason": record.reason,
            "raw": record.raw,
            "first_seen_at": now,
        }
        for record in records
    }
    if not rows:
        return 0
    known = set(
        connection.execute(select(quarantine.c.id).where(quarantine.c.id.in_(list(rows)))).scalars()
    )
    fresh = [row for record_id, row in rows.items() if record_id not in known]
    if fresh:
        connection.execute(insert_for(connection, quarantine).on_conflict_do_nothing(), fresh)
    return len(fresh)


def count_quarantined(connection: Connection) -> dict[str, int]:
    """How many records are in quarantine per platform.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    query = select(quarantine.c.platform, func.count()).group_by(quarantine.c.platform)
    return dict(connection.execute(query).all())
