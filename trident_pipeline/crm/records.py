"""What goes to a resident's customer record: communications, strike events and notes.

Policy section 2.2: "All communication should be recorded on their records on customer
management systems ... just like any other form of communication"; section 3.1: "A note will
also be added to their customer record". Each record carries an idempotency key, so delivering
it twice writes it once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from trident_pipeline.domain.models import Platform

__all__ = ["CrmRecord", "CustomerAccount", "Direction", "RecordKind"]


class RecordKind(enum.StrEnum):
    """The three kinds of entry on a customer record."""

    COMMUNICATION = "communication"
    STRIKE_EVENT = "strike_event"
    NOTE = "note"


class Direction(enum.StrEnum):
    """Whether a communication came to us or went from us."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


@dataclass(frozen=True, slots=True)
class CustomerAccount:
    """The platform account a record is about; the CRM adapter finds the contact it links to."""

    platform: Platform
    user_id: str
    handle: str | None = None


@dataclass(frozen=True, slots=True)
class CrmRecord:
    """One entry for a customer record.

    ``idempotency_key`` is unique per entry (for example ``communication:x:1234`` or
    ``strike_event:<event id>``); ``item_key`` names the inbox item it concerns, if any;
    ``body`` is plain English for a person reading the record. ``contact_id`` addresses the
    entry to one contact, whatever the account's link is when it is delivered (the note of a
    link or an unlink belongs to the contact it concerns); otherwise the contact is found at
    delivery.
    """

    kind: RecordKind
    idempotency_key: str
    customer: CustomerAccount
    occurred_at: datetime
    subject: str
    body: str
    item_key: str | None = None
    direction: Direction | None = None
    contact_id: str | None = None
