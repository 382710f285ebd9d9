"""Every communication with a resident goes to their customer record (policy section 2.2: "All
communication should be recorded on their records ... just like any other form of
communication").

For the items of a span, each message from the public becomes an inbound communication of its
author, and each of our replies and messages an outbound communication of the person it
answers: the author of the item it replies to, else the last member of the public before it in
the same thread or conversation. Entries go through the CRM outbox, keyed by item, so a re-run
or a backfill adds nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine

from trident_pipeline.crm import outbox
from trident_pipeline.crm.records import CrmRecord, CustomerAccount, Direction, RecordKind
from trident_pipeline.domain.models import Channel, InboxItem, Platform
from trident_pipeline.store.responses import active_threads, thread_items

__all__ = ["communications", "record_communications"]

_PLATFORM_NAMES = {Platform.X: "X", Platform.BLUESKY: "BlueSky", Platform.FACEBOOK: "Facebook"}


def _subject(item: InboxItem, direction: Direction) -> str:
    kind = "private message" if item.channel is Channel.PRIVATE else f"public {item.kind.value}"
    sender = "from the resident" if direction is Direction.INBOUND else "from Trident"
    return f"{kind.capitalize()} on {_PLATFORM_NAMES[item.platform]} {sender}"


def communications(items: Iterable[InboxItem], start: datetime, end: datetime) -> list[CrmRecord]:
    """The communication entries for the items created in ``[start, end)``; ``items`` must hold
    their whole threads, oldest first, so each reply of ours finds the person it answers.

    Raises:
        Nothing: items with no known person (a deleted author) are left out.
    """
    records: list[CrmRecord] = []
    by_id: dict[tuple[Platform, str], InboxItem] = {}
    last_public: dict[tuple[Platform, str], InboxItem] = {}
    for item in items:
        thread = (item.platform, item.thread_id)
        person = item if not item.is_ours else _answered(item, by_id, last_public.get(thread))
        by_id[(item.platform, item.native_id)] = item
        if not item.is_ours:
            last_public[thread] = item
        if person is None or person.author.user_id is None or not start <= item.created_at < end:
            continue
        direction = Direction.OUTBOUND if item.is_ours else Direction.INBOUND
        records.append(
            CrmRecord(
                kind=RecordKind.COMMUNICATION,
                idempotency_key=f"communication:{item.key}",
                customer=CustomerAccount(
                    item.platform, person.author.user_id, person.author.handle
                ),
                occurred_at=item.created_at,
                subject=_subject(item, direction),
                body=item.text,
                item_key=item.key,
                direction=direction,
            )
        )
    return records


def _answered(
    reply: InboxItem,
    by_id: dict[tuple[Platform, str], InboxItem],
    last_public: InboxItem | None,
) -> InboxItem | None:
    parent = by_id.get((reply.platform, reply.in_reply_to_id or ""))
    return parent if parent is not None and not parent.is_ours else last_public


def record_communications(engine: Engine, start: datetime, end: datetime, now: datetime) -> int:
    """Enqueue the communications of ``[start, end)`` for the CRM; return how many were new.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read or written.
    """
    with engine.connect() as connection:
        items = thread_items(connection, active_threads(connection, start, end))
    with engine.begin() as connection:
        return outbox.enqueue(connection, communications(items, start, end), now)
