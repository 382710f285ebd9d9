"""The ledger in the store: moderation events, account links and the platform action log.

- ``moderation_events`` is append-only: :func:`append_events` inserts by idempotency key and
  never updates, so a retry, a re-run or an overlapping backfill adds nothing twice.
- ``account_links`` holds each account's current CRM contact, who linked it and when; an
  operator's unlink is kept as a row without a contact, so a CRM match does not relink it.
- ``platform_actions`` is the action log the platform moderators ask for: an action is claimed
  under its idempotency key before the platform is called, and finished with its outcome, so a
  reply or a message is sent at most once per key.

Also here: the reads the ledger's services need from the inbox and screening tables.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection, and_, delete, exists, func, select, update

from trident_pipeline.domain.events import EventType, Ledger, ModerationEvent
from trident_pipeline.domain.models import InboxItem, Platform, item_key
from trident_pipeline.domain.residents import AccountLink, AccountRef, LinkSource, Residents
from trident_pipeline.sources.moderation import Action, ActionResult, Outcome
from trident_pipeline.store._upsert import insert_for
from trident_pipeline.store.items import item_from_row
from trident_pipeline.store.schema import (
    account_links,
    inbox_items,
    moderation_events,
    platform_actions,
    screenings,
)

__all__ = [
    "ActionClaim",
    "ScreenedViolation",
    "append_events",
    "claim_action",
    "count_actions",
    "count_events",
    "finish_action",
    "items_by_key",
    "latest_handles",
    "read_ledger",
    "read_links",
    "read_residents",
    "release_action",
    "screened_violations",
    "thread_started_by_us",
    "write_link",
]


@dataclass(frozen=True, slots=True)
class ScreenedViolation:
    """A stored item whose screening found a violation: the clauses, the kinds of finding, and
    the text with every finding replaced (the only text evidence the ledger's services show)."""

    item: InboxItem
    clauses: tuple[str, ...]
    finding_types: tuple[str, ...]
    redacted: str


@dataclass(frozen=True, slots=True)
class ActionClaim:
    """What :func:`claim_action` found: a new claim, or an earlier attempt under the same key.

    ``finished`` is the earlier attempt's result; ``unfinished`` says an earlier attempt was
    claimed but never recorded an outcome (it may or may not have reached the platform).
    """

    claimed: bool
    finished: ActionResult | None = None
    unfinished: bool = False


def _row(event: ModerationEvent, now: datetime) -> dict[str, object]:
    account = event.account
    return {
        "key": event.key,
        "type": event.type.value,
        "occurred_at": event.occurred_at,
        "recorded_at": now,
        "actor": event.actor,
        "platform": account.platform.value if account else None,
        "user_id": account.user_id if account else None,
        "resident_id": event.resident_id,
        "item_key": event.item_key,
        "clauses": list(event.clauses),
        "refers_to": event.refers_to,
        "detail": dict(event.detail),
    }


def _event(row) -> ModerationEvent:  # noqa: ANN001 (a SQLAlchemy row mapping)
    account = AccountRef(Platform(row["platform"]), row["user_id"]) if row["user_id"] else None
    return ModerationEvent(
        id=row["id"],
        key=row["key"],
        type=EventType(row["type"]),
        occurred_at=row["occurred_at"],
        actor=row["actor"],
        account=account,
        resident_id=row["resident_id"],
        item_key=row["item_key"],
        clauses=tuple(row["clauses"]),
        refers_to=row["refers_to"],
        detail=row["detail"],
    )


def append_events(
    connection: Connection, events: Iterable[ModerationEvent], now: datetime
) -> list[ModerationEvent]:
    """Append events in the caller's transaction; returns those that were new, with their ids.

    An event whose key the ledger already holds is left as it was, and not returned.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database refuses the write.
    """
    added = []
    statement = (
        insert_for(connection, moderation_events)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(moderation_events.c.id)
    )
    for event in {event.key: event for event in events}.values():
        new_id = connection.execute(statement, _row(event, now)).scalar()
        if new_id is not None:
            added.append(replace(event, id=new_id))
    return added


def read_ledger(connection: Connection) -> Ledger:
    """Every moderation event.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    rows = connection.execute(select(moderation_events).order_by(moderation_events.c.id))
    return Ledger(_event(row) for row in rows.mappings())


def read_links(connection: Connection) -> list[AccountLink]:
    """Every account's current link (or an operator's unlink).

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    rows = connection.execute(
        select(account_links).order_by(account_links.c.platform, account_links.c.user_id)
    ).mappings()
    return [
        AccountLink(
            account=AccountRef(Platform(row["platform"]), row["user_id"]),
            contact_id=row["contact_id"],
            source=LinkSource(row["source"]),
            linked_by=row["linked_by"],
            linked_at=row["linked_at"],
        )
        for row in rows
    ]


def read_residents(connection: Connection) -> Residents:
    """The links as they stand, as :class:`~trident_pipeline.domain.residents.Residents`.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    return Residents(read_links(connection))


def write_link(connection: Connection, link: AccountLink) -> bool:
    """Set an account's link in the caller's transaction; returns whether it changed.

    Writing the contact an account is already linked to (or unlinking an unlinked account)
    changes nothing and keeps who linked it first.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database refuses the write.
    """
    where = and_(
        account_links.c.platform == link.account.platform.value,
        account_links.c.user_id == link.account.user_id,
    )
    current = connection.execute(select(account_links.c.contact_id).where(where)).one_or_none()
    if current is not None and current.contact_id == link.contact_id:
        return False
    values = {
        "contact_id": link.contact_id,
        "source": link.source.value,
        "linked_by": link.linked_by,
        "linked_at": link.linked_at,
    }
    if current is None:
        connection.execute(
            account_links.insert().values(
                platform=link.account.platform.value, user_id=link.account.user_id, **values
            )
        )
    else:
        connection.execute(update(account_links).where(where).values(**values))
    return True


def screened_violations(
    connection: Connection, *, unrecorded_only: bool = True, keys: Collection[str] = ()
) -> list[ScreenedViolation]:
    """Items whose screening found a violation, oldest first; by default those the ledger has
    not recorded yet, or else those with ``keys``.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    query = (
        select(inbox_items, screenings.c.clauses, screenings.c.findings, screenings.c.redacted)
        .join(screenings, screenings.c.item_key == inbox_items.c.key)
        .where(screenings.c.violation.is_(True), inbox_items.c.is_ours.is_(False))
        .order_by(inbox_items.c.created_at, inbox_items.c.key)
    )
    if unrecorded_only:
        recorded = exists().where(
            moderation_events.c.item_key == inbox_items.c.key,
            moderation_events.c.type == EventType.VIOLATION_RECORDED.value,
        )
        query = query.where(~recorded)
    if keys:
        query = query.where(inbox_items.c.key.in_(list(keys)))
    return [
        ScreenedViolation(
            item=item_from_row(row),
            clauses=tuple(row["clauses"]),
            finding_types=tuple(dict.fromkeys(finding["type"] for finding in row["findings"])),
            redacted=row["redacted"],
        )
        for row in connection.execute(query).mappings()
    ]


def items_by_key(connection: Connection, keys: Collection[str]) -> dict[str, InboxItem]:
    """The stored items with ``keys``.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    if not keys:
        return {}
    rows = connection.execute(select(inbox_items).where(inbox_items.c.key.in_(list(keys))))
    return {row["key"]: item_from_row(row) for row in rows.mappings()}


def latest_handles(
    connection: Connection, accounts: Collection[AccountRef]
) -> dict[AccountRef, str | None]:
    """The handle each account used on its newest stored item (``None`` when unknown).

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    handles: dict[AccountRef, str | None] = dict.fromkeys(accounts)
    for account in accounts:
        handles[account] = connection.execute(
            select(inbox_items.c.author_handle)
            .where(
                inbox_items.c.platform == account.platform.value,
                inbox_items.c.author_id == account.user_id,
            )
            .order_by(inbox_items.c.created_at.desc())
            .limit(1)
        ).scalar()
    return handles


def thread_started_by_us(connection: Connection, platform: Platform, thread_id: str) -> bool:
    """Whether the thread's first item is one of the organisation's own.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    root = connection.execute(
        select(inbox_items.c.is_ours).where(inbox_items.c.key == item_key(platform, thread_id))
    ).scalar()
    return bool(root)


def claim_action(
    connection: Connection,
    *,
    key: str,
    platform: Platform,
    action: Action,
    target: str,
    event_key: str,
    now: datetime,
) -> ActionClaim:
    """Claim an action under its idempotency key, in the caller's transaction.

    Commit before calling the platform: a claim that is never finished tells the next attempt
    that this one may have reached the platform.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database refuses the write.
    """
    inserted = connection.execute(
        insert_for(connection, platform_actions)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(platform_actions.c.key),
        {
            "key": key,
            "platform": Platform(platform).value,
            "action": Action(action).value,
            "target": target,
            "event_key": event_key,
            "requested_at": now,
        },
    ).scalar()
    if inserted is not None:
        return ActionClaim(claimed=True)
    row = (
        connection.execute(select(platform_actions).where(platform_actions.c.key == key))
        .mappings()
        .one()
    )
    if row["outcome"] is None:
        return ActionClaim(claimed=False, unfinished=True)
    finished = ActionResult(
        platform=Platform(row["platform"]),
        action=Action(row["action"]),
        outcome=Outcome(row["outcome"]),
        reference=row["reference"],
        detail=row["detail"],
    )
    return ActionClaim(claimed=False, finished=finished)


def finish_action(connection: Connection, key: str, result: ActionResult, now: datetime) -> None:
    """Record the outcome of a claimed action.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database refuses the write.
    """
    connection.execute(
        update(platform_actions)
        .where(platform_actions.c.key == key)
        .values(
            outcome=result.outcome.value,
            reference=result.reference,
            detail=result.detail,
            finished_at=now,
        )
    )


def release_action(connection: Connection, key: str) -> None:
    """Drop an unfinished claim whose call certainly did not reach the platform.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database refuses the write.
    """
    connection.execute(
        delete(platform_actions).where(
            platform_actions.c.key == key, platform_actions.c.outcome.is_(None)
        )
    )


def count_events(connection: Connection) -> dict[EventType, int]:
    """How many ledger events there are of each type (every type present, zero when none).

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    counts = dict.fromkeys(EventType, 0)
    rows = connection.execute(
        select(moderation_events.c.type, func.count()).group_by(moderation_events.c.type)
    )
    for kind, count in rows:
        counts[EventType(kind)] = count
    return counts


def count_actions(connection: Connection) -> dict[tuple[str, str, str], int]:
    """How many platform actions there are per ``(platform, action, outcome)``; an action
    still under way counts under the outcome ``under_way``.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    table = platform_actions
    rows = connection.execute(
        select(table.c.platform, table.c.action, table.c.outcome, func.count()).group_by(
            table.c.platform, table.c.action, table.c.outcome
        )
    )
    return {
        (platform, action, outcome or "under_way"): count
        for platform, action, outcome, count in rows
    }
