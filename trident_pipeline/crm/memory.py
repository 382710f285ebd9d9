"""An in-memory CRM, beside the real adapters: for tests and dry runs.

It keeps the protocol's promises (lookup by id, then by a handle put on a contact without an
id; each entry written once by idempotency key) and can be made unreachable or refusing with
:meth:`InMemoryCustomerRecords.fail_with`, as a real CRM can be.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from trident_pipeline.crm.errors import CrmError
from trident_pipeline.crm.protocol import normalise_handle
from trident_pipeline.crm.records import CrmRecord, CustomerAccount, RecordKind
from trident_pipeline.domain.models import Platform

__all__ = ["InMemoryCustomerRecords", "StoredEntry"]


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """One entry on a customer record: what was written, and to which contact."""

    kind: RecordKind
    contact_id: str
    record: CrmRecord


class InMemoryCustomerRecords:
    """A CRM in a few dictionaries.

    ``entries`` holds what the CRM keeps, by idempotency key; ``calls`` counts every write
    call by idempotency key, kept or not, so a test can tell "written once" from "sent once".
    """

    def __init__(self) -> None:
        self.entries: dict[str, StoredEntry] = {}
        self.calls: Counter[str] = Counter()
        self._by_id: dict[tuple[Platform, str], str] = {}
        self._by_handle: dict[tuple[Platform, str], str] = {}
        self._failure: CrmError | None = None

    def add_account(
        self,
        contact_id: str,
        platform: Platform,
        *,
        user_id: str | None = None,
        handle: str | None = None,
    ) -> None:
        """Put a platform id, or a handle alone, on a contact (moving it from another).

        Raises:
            ValueError: when neither ``user_id`` nor ``handle`` is given.
        """
        if user_id:
            self._by_id[(platform, user_id)] = contact_id
        elif normalised := normalise_handle(handle):
            self._by_handle[(platform, normalised)] = contact_id
        else:
            raise ValueError("an account needs a user id or a handle")

    def fail_with(self, error: CrmError | None) -> None:
        """Raise ``error`` from every call from now on; ``None`` makes the CRM answer again.

        Raises:
            Nothing.
        """
        self._failure = error

    def find_contact(self, account: CustomerAccount) -> str | None:
        """See :meth:`CustomerRecords.find_contact`.

        Raises:
            CrmError: the error set with :meth:`fail_with`.
        """
        self._answer()
        if contact_id := self._by_id.get((account.platform, account.user_id)):
            return contact_id
        handle = normalise_handle(account.handle)
        return self._by_handle.get((account.platform, handle)) if handle else None

    def record_communication(self, record: CrmRecord, contact_id: str) -> None:
        """See :meth:`CustomerRecords.record_communication`.

        Raises:
            CrmError: the error set with :meth:`fail_with`.
        """
        self._write(RecordKind.COMMUNICATION, record, contact_id)

    def record_strike_event(self, record: CrmRecord, contact_id: str) -> None:
        """See :meth:`CustomerRecords.record_strike_event`.

        Raises:
            CrmError: the error set with :meth:`fail_with`.
        """
        self._write(RecordKind.STRIKE_EVENT, record, contact_id)

    def add_note(self, record: CrmRecord, contact_id: str) -> None:
        """See :meth:`CustomerRecords.add_note`.

        Raises:
            CrmError: the error set with :meth:`fail_with`.
        """
        self._write(RecordKind.NOTE, record, contact_id)

    def _answer(self) -> None:
        if self._failure is not None:
            raise self._failure

    def _write(self, kind: RecordKind, record: CrmRecord, contact_id: str) -> None:
        self._answer()
        self.calls[record.idempotency_key] += 1
        self.entries.setdefault(record.idempotency_key, StoredEntry(kind, contact_id, record))
