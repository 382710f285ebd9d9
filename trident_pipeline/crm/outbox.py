"""The transactional outbox: every customer-record entry is kept until the CRM has it.

Producers (the ledger's enforcement service, the inbox) call :func:`enqueue` in the same
transaction as the change the entry describes, so an entry exists exactly when its change
does. :func:`deliver` then hands entries to the CRM, at least once; every CRM write is keyed by
the entry's idempotency key, so the CRM holds each entry once however often it is sent.

::

    pending ──delivered──────────────────────────────────► delivered
      │ ├── CrmUnavailable: attempts + 1, wait (backoff) ─► pending … dead_letter after N
      │ └── CrmRejected ──────────────────────────────────► dead_letter
      └── no contact for the account ─────────────────────► waiting_for_contact
    waiting_for_contact ── the account is linked ──────────► delivered next run
                        └─ policy.contact_recheck later ───► asked of the CRM again
    dead_letter ── retry_dead_letters (an operator) ────────► pending, attempts 0

A :class:`~trident_pipeline.crm.errors.CrmUnavailable` also ends the run's batch (the CRM is
down or throttling: the rest waits for the next run without spending attempts);
a :class:`~trident_pipeline.crm.errors.CrmNotPermitted` ends it and is raised, so the task
fails where operators see it. The outbox keeps only the class and HTTP status of the last
failure, never a message.
"""

from __future__ import annotations

import enum
import logging
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, Engine, RowMapping, func, select, update

from trident_pipeline.crm.errors import CrmError, CrmNotPermitted, CrmUnavailable
from trident_pipeline.crm.protocol import CustomerRecords, write_record
from trident_pipeline.crm.records import CrmRecord, CustomerAccount, Direction, RecordKind
from trident_pipeline.domain.models import Platform
from trident_pipeline.domain.residents import AccountRef, Residents
from trident_pipeline.store._upsert import insert_for
from trident_pipeline.store.ledger import read_residents
from trident_pipeline.store.schema import account_links, crm_outbox

__all__ = [
    "DeliveryCounts",
    "DeliveryPolicy",
    "OutboxEntry",
    "OutboxState",
    "count_by_state",
    "deliver",
    "enqueue",
    "failing_entries",
    "retry_dead_letters",
]

log = logging.getLogger(__name__)

_BATCH = 500


class OutboxState(enum.StrEnum):
    """Where an entry is on its way to the CRM."""

    PENDING = "pending"
    WAITING_FOR_CONTACT = "waiting_for_contact"
    DELIVERED = "delivered"
    DEAD_LETTER = "dead_letter"


@dataclass(frozen=True)
class DeliveryPolicy:
    """How patiently the outbox retries.

    The n-th failed attempt waits ``base_delay * 2 ** (n - 1)``, at most ``max_delay``, or
    longer when the CRM asked (``Retry-After``); the ``max_attempts``-th failure makes the
    entry a dead letter. An entry with no contact is asked about again after
    ``contact_recheck`` (at once when an operator links its account).

    Raises:
        ValueError: when ``max_attempts`` is below 1 or a delay is not positive.
    """

    max_attempts: int = 10
    base_delay: timedelta = timedelta(minutes=5)
    max_delay: timedelta = timedelta(hours=12)
    contact_recheck: timedelta = timedelta(hours=6)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if min(self.base_delay, self.max_delay, self.contact_recheck) <= timedelta(0):
            raise ValueError("delays must be positive")

    def delay(self, attempts: int, retry_after: float | None = None) -> timedelta:
        """The wait after the ``attempts``-th failed attempt (``retry_after`` in seconds).

        Raises:
            Nothing.
        """
        backoff = min(self.base_delay * 2 ** (attempts - 1), self.max_delay)
        asked = timedelta(seconds=retry_after) if retry_after else timedelta(0)
        return max(backoff, min(asked, self.max_delay))


@dataclass(frozen=True, slots=True)
class DeliveryCounts:
    """What one delivery run did with the entries it picked up."""

    delivered: int = 0
    waiting_for_contact: int = 0
    retrying: int = 0
    dead_lettered: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counts by name, for XCom and logs.

        Raises:
            Nothing.
        """
        return asdict(self)


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """An entry as operators see it: no subject, body, account or contact."""

    id: int
    state: OutboxState
    kind: RecordKind
    attempts: int
    last_error: str | None
    last_status: int | None
    next_attempt_at: datetime | None


def enqueue(connection: Connection, records: Iterable[CrmRecord], now: datetime) -> int:
    """Add entries to the outbox in the caller's transaction; returns how many were new.

    An entry whose idempotency key is already in the outbox, in any state, is left alone,
    so enqueueing the same records again (a retry, a re-run, a backfill) adds nothing. Of two
    records with one key in ``records``, the first is kept.

    Raises:
        ValueError: when a record's time is naive, or a communication has no direction.
        sqlalchemy.exc.SQLAlchemyError: when the database refuses the write.
    """
    rows: dict[str, dict[str, Any]] = {}
    for record in records:
        rows.setdefault(record.idempotency_key, _row(record, now))
    values = list(rows.values())
    added = 0
    statement = (
        insert_for(connection, crm_outbox)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(crm_outbox.c.id)
    )
    for offset in range(0, len(values), _BATCH):
        added += len(connection.execute(statement, values[offset : offset + _BATCH]).all())
    return added


def deliver(
    engine: Engine,
    crm: CustomerRecords,
    now: datetime,
    *,
    batch: int = 200,
    policy: DeliveryPolicy = DeliveryPolicy(),
) -> DeliveryCounts:
    """Hand up to ``batch`` due entries to ``crm``, oldest due first, and record each outcome.

    An entry addressed to a contact goes to it; any other entry's contact is found anew: the
    account's link in the ledger's ``account_links`` first (an operator's unlink means no
    contact, whatever the CRM would match), else ``crm.find_contact``.
    Entries are sent outside any database transaction and marked one by one, so a crash
    part-way sends some entries again next run, which the CRM's idempotency absorbs.

    Raises:
        CrmNotPermitted: when the CRM refuses the credentials; the entry that met it counts a
            failed attempt, the rest of the batch is untouched.
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read or written.
    """
    waiting = crm_outbox.c.state == OutboxState.WAITING_FOR_CONTACT
    with engine.begin() as connection:
        # An account linked since its entries began to wait: they are due at once.
        connection.execute(
            update(crm_outbox)
            .where(waiting, crm_outbox.c.next_attempt_at > now, _linked_by_operator())
            .values(next_attempt_at=now, updated_at=now)
        )
        due = (
            connection.execute(
                select(crm_outbox)
                .where(
                    (crm_outbox.c.state == OutboxState.PENDING) | waiting,
                    crm_outbox.c.next_attempt_at <= now,
                )
                .order_by(crm_outbox.c.next_attempt_at, crm_outbox.c.id)
                .limit(batch)
            )
            .mappings()
            .all()
        )
        residents = read_residents(connection)
    tally: Counter[str] = Counter()
    contacts: dict[AccountRef, str | None] = {}
    for row in due:
        try:
            tally[_deliver_one(engine, crm, residents, row, contacts, now, policy)] += 1
        except CrmUnavailable as error:
            tally[_record_failure(engine, row, error, now, policy)] += 1
            log.warning("CRM unavailable (%s): the rest waits for the next run", error)
            break
        except CrmNotPermitted as error:
            _record_failure(engine, row, error, now, policy)
            log.error("CRM refused the credentials (%s): delivery stops", error)
            raise
        except CrmError as error:
            tally[_record_failure(engine, row, error, now, policy, give_up=True)] += 1
            log.warning("CRM rejected outbox entry %s (%s): a dead letter", row["id"], error)
    counts = DeliveryCounts(**{name.name: tally[name.name] for name in fields(DeliveryCounts)})
    log.info("CRM outbox delivery: %s", counts)
    return counts


def retry_dead_letters(engine: Engine, ids: Collection[int] | Literal["all"], now: datetime) -> int:
    """Send dead letters again from the next run, with a fresh count of attempts.

    ``ids`` names the entries, or ``"all"`` takes every dead letter; ids that are not dead
    letters are ignored. Returns how many entries were put back.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be written.
    """
    statement = (
        update(crm_outbox)
        .where(crm_outbox.c.state == OutboxState.DEAD_LETTER)
        .values(state=OutboxState.PENDING, attempts=0, next_attempt_at=now, updated_at=now)
    )
    if ids != "all":
        statement = statement.where(crm_outbox.c.id.in_(list(ids)))
    with engine.begin() as connection:
        return connection.execute(statement).rowcount


def count_by_state(connection: Connection) -> dict[OutboxState, int]:
    """How many entries are in each state (every state present, zero when empty).

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read.
    """
    counts = dict.fromkeys(OutboxState, 0)
    rows = connection.execute(select(crm_outbox.c.state, func.count()).group_by(crm_outbox.c.state))
    for state, count in rows:
        counts[OutboxState(state)] = count
    return counts


def failing_entries(connection: Connection, *, limit: int = 100) -> list[OutboxEntry]:
    """Dead letters, then entries waiting for a retry after a failure; oldest first.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read.
    """
    dead = crm_outbox.c.state == OutboxState.DEAD_LETTER
    failed_before = crm_outbox.c.last_error.is_not(None)
    retrying = (crm_outbox.c.state == OutboxState.PENDING) & failed_before
    rows = connection.execute(
        select(crm_outbox)
        .where(dead | retrying)
        .order_by(dead.desc(), crm_outbox.c.updated_at, crm_outbox.c.id)
        .limit(limit)
    ).mappings()
    return [
        OutboxEntry(
            id=row["id"],
            state=OutboxState(row["state"]),
            kind=RecordKind(row["kind"]),
            attempts=row["attempts"],
            last_error=row["last_error"],
            last_status=row["last_status"],
            next_attempt_at=(
                None if row["state"] == OutboxState.DEAD_LETTER else row["next_attempt_at"]
            ),
        )
        for row in rows
    ]


def _row(record: CrmRecord, now: datetime) -> dict[str, Any]:
    if record.occurred_at.tzinfo is None or record.occurred_at.utcoffset() is None:
        raise ValueError("a CRM record's occurred_at must be timezone-aware")
    if record.kind is RecordKind.COMMUNICATION and record.direction is None:
        raise ValueError("a communication needs a direction")
    return {
        "idempotency_key": record.idempotency_key,
        "kind": record.kind.value,
        "platform": record.customer.platform.value,
        "user_id": record.customer.user_id,
        "handle": record.customer.handle,
        "occurred_at": record.occurred_at,
        "subject": record.subject,
        "body": record.body,
        "item_key": record.item_key,
        "direction": record.direction.value if record.direction else None,
        "contact_id": record.contact_id,
        "state": OutboxState.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "enqueued_at": now,
        "updated_at": now,
    }


def _record(row: RowMapping) -> CrmRecord:
    return CrmRecord(
        kind=RecordKind(row["kind"]),
        idempotency_key=row["idempotency_key"],
        customer=CustomerAccount(Platform(row["platform"]), row["user_id"], row["handle"]),
        occurred_at=row["occurred_at"],
        subject=row["subject"],
        body=row["body"],
        item_key=row["item_key"],
        direction=Direction(row["direction"]) if row["direction"] else None,
        contact_id=row["contact_id"],
    )


def _deliver_one(
    engine: Engine,
    crm: CustomerRecords,
    residents: Residents,
    row: RowMapping,
    contacts: dict[AccountRef, str | None],
    now: datetime,
    policy: DeliveryPolicy,
) -> str:
    """Deliver one entry; returns the :class:`DeliveryCounts` field it counts under.

    ``contacts`` remembers the accounts resolved in this run, so the CRM is asked once each.
    """
    record = _record(row)
    account = AccountRef(record.customer.platform, record.customer.user_id)
    if record.contact_id is None and account not in contacts:
        if residents.is_decided(account):  # an operator's link or unlink, or an earlier match
            contacts[account] = residents.contact_of(residents.resident_of(account))
        else:
            contacts[account] = crm.find_contact(record.customer)
    contact_id = record.contact_id or contacts[account]
    if contact_id is None:
        _set(
            engine,
            row["id"],
            state=OutboxState.WAITING_FOR_CONTACT,
            next_attempt_at=now + policy.contact_recheck,
            updated_at=now,
        )
        return "waiting_for_contact"
    write_record(crm, record, contact_id)
    _set(
        engine,
        row["id"],
        state=OutboxState.DELIVERED,
        contact_id=contact_id,
        attempts=row["attempts"] + 1,
        delivered_at=now,
        updated_at=now,
    )
    return "delivered"


def _linked_by_operator() -> ColumnElement[bool]:
    """True for an outbox row whose account is linked to a contact in ``account_links``."""
    return (
        select(account_links.c.contact_id)
        .where(
            account_links.c.platform == crm_outbox.c.platform,
            account_links.c.user_id == crm_outbox.c.user_id,
            account_links.c.contact_id.is_not(None),
        )
        .exists()
    )


def _record_failure(
    engine: Engine,
    row: RowMapping,
    error: CrmError,
    now: datetime,
    policy: DeliveryPolicy,
    *,
    give_up: bool = False,
) -> str:
    """Count a failed attempt; returns the :class:`DeliveryCounts` field it counts under."""
    attempts = row["attempts"] + 1
    if give_up or attempts >= policy.max_attempts:
        state, next_attempt_at = OutboxState.DEAD_LETTER, row["next_attempt_at"]
    else:
        retry_after = error.retry_after if isinstance(error, CrmUnavailable) else None
        state, next_attempt_at = OutboxState.PENDING, now + policy.delay(attempts, retry_after)
    _set(
        engine,
        row["id"],
        state=state,
        attempts=attempts,
        next_attempt_at=next_attempt_at,
        last_error=type(error).__name__,
        last_status=error.status,
        updated_at=now,
    )
    return "dead_lettered" if state is OutboxState.DEAD_LETTER else "retrying"


def _set(engine: Engine, entry_id: int, **values: Any) -> None:
    with engine.begin() as connection:
        connection.execute(update(crm_outbox).where(crm_outbox.c.id == entry_id).values(**values))
