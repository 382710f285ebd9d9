"""The one boundary every CRM sits behind: find a contact, and write three kinds of entry.

Every write is keyed by the record's ``idempotency_key``: the first delivery writes the entry,
and delivering the same record again (a retry, a re-run, an overlapping backfill) leaves the
customer record as it was. Adapters: :mod:`~trident_pipeline.crm.embedded` (the default, in the
store), :mod:`~trident_pipeline.crm.dataverse`, :mod:`~trident_pipeline.crm.webhook`, and the
in-memory fake :mod:`~trident_pipeline.crm.memory`.
"""

from __future__ import annotations

from typing import Protocol

from trident_pipeline.crm.records import CrmRecord, CustomerAccount, RecordKind

__all__ = ["CustomerRecords", "normalise_handle", "write_record"]


class CustomerRecords(Protocol):
    """A CRM holding residents' customer records.

    Every method may raise :class:`~trident_pipeline.crm.errors.CrmError`:
    :class:`~trident_pipeline.crm.errors.CrmUnavailable` when the call may succeed later,
    :class:`~trident_pipeline.crm.errors.CrmRejected` when it will not.
    """

    def find_contact(self, account: CustomerAccount) -> str | None:
        """The id of the one contact this platform account belongs to, else ``None``.

        Matches the account's platform user id; a handle matches only a contact that has the
        handle and no user id for that platform (handles change hands, ids do not). Two
        matching contacts are no match.

        Raises:
            CrmUnavailable: when the CRM cannot answer now.
            CrmRejected: when the CRM refuses the lookup.
        """
        ...

    def record_communication(self, record: CrmRecord, contact_id: str) -> None:
        """Write an inbound or outbound communication to the contact's record, once.

        Raises:
            CrmUnavailable: when the CRM cannot take the entry now.
            CrmRejected: when the CRM refuses the entry.
        """
        ...

    def record_strike_event(self, record: CrmRecord, contact_id: str) -> None:
        """Write a strike event (given, expired, overruled, block) to the record, once.

        Raises:
            CrmUnavailable: when the CRM cannot take the entry now.
            CrmRejected: when the CRM refuses the entry.
        """
        ...

    def add_note(self, record: CrmRecord, contact_id: str) -> None:
        """Add a note to the contact's record, once.

        Raises:
            CrmUnavailable: when the CRM cannot take the entry now.
            CrmRejected: when the CRM refuses the entry.
        """
        ...


def write_record(crm: CustomerRecords, record: CrmRecord, contact_id: str) -> None:
    """Write ``record`` to the contact's record with the method for its kind.

    Raises:
        CrmError: whatever the adapter raises (see :class:`CustomerRecords`).
    """
    if record.kind is RecordKind.COMMUNICATION:
        crm.record_communication(record, contact_id)
    elif record.kind is RecordKind.STRIKE_EVENT:
        crm.record_strike_event(record, contact_id)
    else:
        crm.add_note(record, contact_id)


def normalise_handle(handle: str | None) -> str | None:
    """A handle as adapters compare it: no leading ``@``, no surrounding space, case-folded.

    ``None`` for an empty handle. Handles are case-insensitive on X and BlueSky.

    Raises:
        Nothing.
    """
    if handle is None:
        return None
    cleaned = handle.strip().lstrip("@").casefold()
    return cleaned or None
