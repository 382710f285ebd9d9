"""An operator's link of a platform account to a resident's customer record, or its unlink.

Strikes count per resident over every linked account (policy 3.1: "blocked on all accounts").
A link or unlink is written to the store, to the ledger with the operator's identity, and as a
note for the customer record it joins or leaves, in one transaction; doing it again changes
nothing. ``trident link``/``unlink`` and the Residents page both call :func:`set_link`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Engine

from trident_pipeline.crm import outbox
from trident_pipeline.crm.records import RecordKind
from trident_pipeline.domain import notes
from trident_pipeline.domain.residents import AccountLink, AccountRef, LinkSource
from trident_pipeline.enforcement import link_event
from trident_pipeline.store.ledger import append_events, latest_handles, read_residents, write_link
from trident_pipeline.strike_records import crm_record

__all__ = ["LinkChange", "set_link"]


@dataclass(frozen=True, slots=True)
class LinkChange:
    """What a link or unlink did: whether anything changed, and how many accounts the
    resident now has (1 for an account that counts on its own)."""

    changed: bool
    accounts: int


def set_link(
    engine: Engine, account: AccountRef, contact_id: str | None, operator: str, now: datetime
) -> LinkChange:
    """Link ``account`` to the contact ``contact_id``, or unlink it when that is ``None``.

    Raises:
        ValueError: when ``operator`` or a given ``contact_id`` is blank.
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read or written.
    """
    operator = operator.strip()
    contact = contact_id.strip() if contact_id is not None else None
    if not operator:
        raise ValueError("a link names the operator who made it")
    if contact == "":
        raise ValueError("a link names the customer record's contact id")
    link = AccountLink(account, contact, LinkSource.OPERATOR, operator, now)
    with engine.begin() as connection:
        before = read_residents(connection)
        concerned = contact or before.contact_of(before.resident_of(account))
        changed = write_link(connection, link)
        if changed:
            added = append_events(connection, [link_event(link)], now)
            handles = latest_handles(connection, {account})
            subject = "Account linked" if contact else "Account unlinked"
            body = notes.account_link_note(
                account.platform, linked=contact is not None, by=operator, at=now
            )
            records = [
                crm_record(RecordKind.NOTE, f"note:{event.key}", event, subject, body, handles)
                for event in added
            ]
            # The note goes to the record the account joins or leaves, not the account's
            # link at delivery (after an unlink there is none).
            addressed = [replace(r, contact_id=concerned) for r in records if r and concerned]
            outbox.enqueue(connection, addressed, now)
        residents = read_residents(connection)
    return LinkChange(changed, len(residents.accounts_of(residents.resident_of(account))) or 1)
