"""The embedded SQL CRM: customer records in the project's own database (the default adapter).

Contacts live in ``crm_contacts``; the platform ids and handles that identify each one in
``crm_contact_accounts``; communications, strike events and notes in ``crm_communications``,
``crm_strike_events`` and ``crm_notes``, each keyed by the record's idempotency key. A contact
row is created the first time an entry is written for its id, so a contact id an operator
linked an account to (for example a tenancy reference) is enough to start a record.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy import Connection, Engine, Table, delete, select

from trident_pipeline.crm.protocol import normalise_handle
from trident_pipeline.crm.records import CrmRecord, CustomerAccount
from trident_pipeline.domain.models import Platform
from trident_pipeline.store._upsert import insert_for
from trident_pipeline.store.schema import (
    crm_communications,
    crm_contact_accounts,
    crm_contacts,
    crm_notes,
    crm_strike_events,
)

__all__ = ["EmbeddedCustomerRecords"]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class EmbeddedCustomerRecords:
    """Customer records in the store, as a :class:`~trident_pipeline.crm.protocol.CustomerRecords`.

    ``clock`` gives the time an entry is recorded at (injectable for tests). Every method
    opens its own short transaction.
    """

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def add_account(
        self,
        contact_id: str,
        platform: Platform,
        *,
        user_id: str | None = None,
        handle: str | None = None,
    ) -> None:
        """Put a platform id, or a handle alone, on a contact; create the contact if it is new.

        With a user id the account is identified by it (the handle is kept beside it); without
        one, by the handle, which :meth:`find_contact` then matches. An account already on a
        contact, this one or another, is moved rather than added twice.

        Raises:
            ValueError: when neither ``user_id`` nor ``handle`` is given.
            sqlalchemy.exc.SQLAlchemyError: when the database refuses the write.
        """
        table = crm_contact_accounts
        normalised = normalise_handle(handle)
        if user_id:
            same_account = table.c.user_id == user_id
        elif normalised is not None:
            same_account = (table.c.handle == normalised) & table.c.user_id.is_(None)
        else:
            raise ValueError("an account needs a user id or a handle")
        now = self._clock()
        with self._engine.begin() as connection:
            _ensure_contact(connection, contact_id, now)
            connection.execute(
                delete(table).where(table.c.platform == platform.value, same_account)
            )
            connection.execute(
                table.insert().values(
                    contact_id=contact_id,
                    platform=platform.value,
                    user_id=user_id or None,
                    handle=normalised,
                    added_at=now,
                )
            )

    def find_contact(self, account: CustomerAccount) -> str | None:
        """See :meth:`~trident_pipeline.crm.protocol.CustomerRecords.find_contact`.

        Raises:
            sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
        """
        table = crm_contact_accounts
        platform = table.c.platform == account.platform.value
        with self._engine.connect() as connection:
            by_id = connection.execute(
                select(table.c.contact_id).where(platform, table.c.user_id == account.user_id)
            ).scalar()
            if by_id is not None:
                return by_id
            handle = normalise_handle(account.handle)
            if handle is None:
                return None
            contacts = (
                connection.execute(
                    select(table.c.contact_id)
                    .distinct()
                    .where(platform, table.c.handle == handle, table.c.user_id.is_(None))
                    .limit(2)
                )
                .scalars()
                .all()
            )
        return contacts[0] if len(contacts) == 1 else None

    def record_communication(self, record: CrmRecord, contact_id: str) -> None:
        """See :meth:`~trident_pipeline.crm.protocol.CustomerRecords.record_communication`.

        Raises:
            sqlalchemy.exc.SQLAlchemyError: when the database refuses the write.
        """
        direction = record.direction.value if record.direction else None
        self._write(crm_communications, record, contact_id, direction=direction)

    def record_strike_event(self, record: CrmRecord, contact_id: str) -> None:
        """See :meth:`~trident_pipeline.crm.protocol.CustomerRecords.record_strike_event`.

        Raises:
            sqlalchemy.exc.SQLAlchemyError: when the database refuses the write.
        """
        self._write(crm_strike_events, record, contact_id)

    def add_note(self, record: CrmRecord, contact_id: str) -> None:
        """See :meth:`~trident_pipeline.crm.protocol.CustomerRecords.add_note`.

        Raises:
            sqlalchemy.exc.SQLAlchemyError: when the database refuses the write.
        """
        self._write(crm_notes, record, contact_id)

    def _write(self, table: Table, record: CrmRecord, contact_id: str, **extra: object) -> None:
        now = self._clock()
        row = {
            "idempotency_key": record.idempotency_key,
            "contact_id": contact_id,
            "platform": record.customer.platform.value,
            "user_id": record.customer.user_id,
            "item_key": record.item_key,
            "occurred_at": record.occurred_at,
            "subject": record.subject,
            "body": record.body,
            "recorded_at": now,
            **extra,
        }
        with self._engine.begin() as connection:
            _ensure_contact(connection, contact_id, now)
            connection.execute(
                insert_for(connection, table)
                .values(row)
                .on_conflict_do_nothing(index_elements=["idempotency_key"])
            )


def _ensure_contact(connection: Connection, contact_id: str, now: datetime) -> None:
    connection.execute(
        insert_for(connection, crm_contacts)
        .values(id=contact_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["id"])
    )
