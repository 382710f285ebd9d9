"""The inbox queue: inbound items and their response deadlines, soonest first (the
organisation's own posts and replies are not in it).

Each entry carries what an operator needs to pick the next item: platform, channel, time left
(or how long overdue), the screening's flags and the redacted text. The original text and the
author's handle are read only for a viewer allowed to see personal data.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, case, func, null, or_, select

from trident_pipeline.domain.models import Channel, Kind, Platform
from trident_pipeline.domain.responses import Exclusion
from trident_pipeline.store.schema import inbox_items, response_marks, response_records, screenings

__all__ = ["QueueEntry", "QueueFilter", "QueuePage", "QueueStatus", "inbox_queue"]

PAGE_SIZE = 100


class QueueStatus(enum.StrEnum):
    """Which items the queue lists."""

    WAITING = "waiting"
    """Needs a response and has none yet (overdue ones included)."""
    OVERDUE = "overdue"
    """Waiting past its deadline."""
    ANSWERED = "answered"
    NO_RESPONSE_NEEDED = "no_response_needed"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """The queue's filters; ``None`` means any platform or channel."""

    status: QueueStatus = QueueStatus.WAITING
    platform: Platform | None = None
    channel: Channel | None = None
    page: int = 1

    def __post_init__(self) -> None:
        if self.page < 1:
            raise ValueError("pages are numbered from 1")


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """One inbound item in the queue. ``text`` and ``handle`` are ``None`` unless personal data
    was asked for; ``redacted`` is always there (the text with every finding replaced)."""

    key: str
    platform: Platform
    channel: Channel
    kind: Kind
    arrived_at: datetime
    deadline: datetime | None
    responded_at: datetime | None
    excluded: str | None
    flags: tuple[str, ...]
    clauses: tuple[str, ...]
    redacted: str
    url: str | None
    mark_reason: str | None
    marked_by: str | None
    text: str | None = None
    handle: str | None = None

    def time_left(self, now: datetime) -> timedelta | None:
        """Until the deadline (negative once overdue); ``None`` once answered or excluded."""
        if self.deadline is None or self.responded_at is not None or self.excluded:
            return None
        return self.deadline - now

    @property
    def status(self) -> QueueStatus:
        """Where the item stands (never ``OVERDUE`` or ``ALL``: see :meth:`time_left`)."""
        if self.excluded:
            return QueueStatus.NO_RESPONSE_NEEDED
        if self.responded_at is not None:
            return QueueStatus.ANSWERED
        return QueueStatus.WAITING


@dataclass(frozen=True, slots=True)
class QueuePage:
    """One page of the queue, and how many entries match in all."""

    entries: list[QueueEntry]
    total: int
    page: int
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        """How many pages the matching entries fill (at least 1)."""
        return max(1, -(-self.total // self.page_size))


def _conditions(wanted: QueueFilter, now: datetime) -> list:
    records = response_records.c
    waiting = and_(records.excluded.is_(None), records.responded_at.is_(None))
    by_status = {
        QueueStatus.WAITING: waiting,
        QueueStatus.OVERDUE: and_(waiting, records.deadline < now),
        QueueStatus.ANSWERED: and_(records.excluded.is_(None), records.responded_at.isnot(None)),
        QueueStatus.NO_RESPONSE_NEEDED: records.excluded.isnot(None),
        QueueStatus.ALL: None,
    }
    inbound = or_(records.excluded.is_(None), records.excluded != Exclusion.OURS.value)
    conditions = [inbound, by_status[wanted.status]]
    if wanted.platform is not None:
        conditions.append(records.platform == wanted.platform.value)
    if wanted.channel is not None:
        conditions.append(records.channel == wanted.channel.value)
    return [condition for condition in conditions if condition is not None]


def inbox_queue(
    connection: Connection, wanted: QueueFilter, now: datetime, *, personal_data: bool = False
) -> QueuePage:
    """Inbound items matching ``wanted``: soonest deadline first, items with no deadline
    (answered or excluded ones) after them, newest first.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read.
    """
    records, items, screened, marks = (
        response_records.c,
        inbox_items.c,
        screenings.c,
        response_marks.c,
    )
    conditions = _conditions(wanted, now)
    total = connection.execute(
        select(func.count()).select_from(response_records).where(*conditions)
    ).scalar_one()
    columns = [
        records.key,
        records.platform,
        records.channel,
        records.kind,
        records.arrived_at,
        records.deadline,
        records.responded_at,
        records.excluded,
        items.url,
        screened.findings,
        screened.clauses,
        screened.redacted,
        marks.reason.label("mark_reason"),
        marks.operator.label("marked_by"),
        (items.text if personal_data else null()).label("text"),
        (items.author_handle if personal_data else null()).label("handle"),
    ]
    query = (
        select(*columns)
        .join(inbox_items, inbox_items.c.key == records.key)
        .outerjoin(screenings, screened.item_key == records.key)
        .outerjoin(response_marks, marks.item_key == records.key)
        .where(*conditions)
        .order_by(
            or_(records.deadline.is_(None), records.responded_at.isnot(None)),
            # Only waiting items are ordered by deadline: the rest by arrival alone, the same
            # on every database (SQLite sorts NULL first, PostgreSQL last).
            case((records.responded_at.is_(None), records.deadline), else_=null()),
            records.arrived_at.desc(),
            records.key,
        )
        .limit(PAGE_SIZE)
        .offset((wanted.page - 1) * PAGE_SIZE)
    )
    entries = [
        QueueEntry(
            key=row.key,
            platform=Platform(row.platform),
            channel=Channel(row.channel),
            kind=Kind(row.kind),
            arrived_at=row.arrived_at,
            deadline=row.deadline,
            responded_at=row.responded_at,
            excluded=row.excluded,
            flags=tuple(sorted({finding["type"] for finding in row.findings or ()})),
            clauses=tuple(row.clauses or ()),
            redacted=row.redacted if row.redacted is not None else "(not screened yet)",
            url=row.url,
            mark_reason=row.mark_reason,
            marked_by=row.marked_by,
            text=row.text,
            handle=row.handle,
        )
        for row in connection.execute(query)
    ]
    return QueuePage(entries, total, wanted.page)
