"""An operator's link or unlink of an account: the store, the ledger and the customer record,
in one transaction, and nothing twice. Everyone here is invented."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from trident_pipeline.account_links import LinkChange, set_link
from trident_pipeline.crm.embedded import EmbeddedCustomerRecords
from trident_pipeline.crm.outbox import deliver
from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.domain.residents import AccountRef
from trident_pipeline.store import upsert_items
from trident_pipeline.store.schema import account_links, crm_notes, crm_outbox, moderation_events

T0 = datetime(2027, 3, 3, 10, 14, tzinfo=timezone.utc)
X = AccountRef(Platform.X, "1500000000000000042")
BLUESKY = AccountRef(Platform.BLUESKY, "did:plc:residentone00000000000001")


def rows(engine, table, order=None):
    with engine.connect() as connection:
        return connection.execute(
            select(table).order_by(table.c[0] if order is None else order)
        ).all()


@pytest.fixture
def store(engine):
    """The store, with a mention from the X account (so its handle is known)."""
    mention = InboxItem(
        platform=Platform.X,
        kind=Kind.MENTION,
        channel=Channel.PUBLIC,
        native_id="9001",
        thread_id="9001",
        author=Author(X.user_id, "res_one"),
        text="@tridentgrp the lift is broken again",
        created_at=T0 - timedelta(days=1),
        is_ours=False,
    )
    with engine.begin() as connection:
        upsert_items(connection, [mention], T0)
    return engine


def test_a_link_is_stored_in_the_ledger_and_noted_for_the_customer_record(store):
    change = set_link(store, X, "C-1042", " priya ", T0)
    assert change == LinkChange(changed=True, accounts=1)

    (link,) = rows(store, account_links)
    assert (link.platform, link.user_id, link.contact_id) == ("x", X.user_id, "C-1042")
    assert (link.source, link.linked_by, link.linked_at) == ("operator", "priya", T0)
    (event,) = rows(store, moderation_events)
    assert (event.type, event.actor, event.resident_id) == (
        "account_linked",
        "priya",
        "contact:C-1042",
    )
    assert (event.platform, event.user_id) == ("x", X.user_id)
    (note,) = rows(store, crm_outbox)
    assert (note.kind, note.subject, note.handle) == ("note", "Account linked", "res_one")
    assert note.idempotency_key == f"note:{event.key}"
    assert note.body == (
        "priya linked a X account to this record on 3 Mar 2027 at 10:14: its strikes now "
        "count with this resident's other accounts."
    )


def test_the_same_link_again_changes_nothing_and_writes_nothing(store):
    set_link(store, X, "C-1042", "priya", T0)
    again = set_link(store, X, "C-1042", "sam", T0 + timedelta(hours=1))
    assert again == LinkChange(changed=False, accounts=1)
    assert rows(store, account_links)[0].linked_by == "priya", "who linked it first is kept"
    assert len(rows(store, moderation_events)) == 1
    assert len(rows(store, crm_outbox)) == 1


def test_the_accounts_of_a_contact_are_counted(store):
    set_link(store, X, "C-1042", "priya", T0)
    assert set_link(store, BLUESKY, "C-1042", "priya", T0) == LinkChange(True, 2)


def test_relinking_to_another_contact_is_a_new_link(store):
    set_link(store, X, "C-1042", "priya", T0)
    later = T0 + timedelta(days=1)
    assert set_link(store, X, "C-2000", "sam", later) == LinkChange(True, 1)
    (link,) = rows(store, account_links)
    assert (link.contact_id, link.linked_by, link.linked_at) == ("C-2000", "sam", later)
    events = rows(store, moderation_events, moderation_events.c.id)
    assert [(e.type, e.resident_id, e.actor) for e in events] == [
        ("account_linked", "contact:C-1042", "priya"),
        ("account_linked", "contact:C-2000", "sam"),
    ]
    assert len(rows(store, crm_outbox)) == 2


def test_an_unlink_is_stored_in_the_ledger_and_noted(store):
    set_link(store, X, "C-1042", "priya", T0)
    set_link(store, BLUESKY, "C-1042", "priya", T0)
    later = T0 + timedelta(days=1)
    assert set_link(store, X, None, "sam", later) == LinkChange(True, 1)

    links = {row.user_id: row for row in rows(store, account_links)}
    assert (links[X.user_id].contact_id, links[X.user_id].linked_by) == (None, "sam")
    assert links[BLUESKY.user_id].contact_id == "C-1042"
    unlinked = rows(store, moderation_events, moderation_events.c.id)[-1]
    assert (unlinked.type, unlinked.actor, unlinked.resident_id) == (
        "account_unlinked",
        "sam",
        None,
    )
    note = rows(store, crm_outbox, crm_outbox.c.id)[-1]
    assert (note.subject, note.user_id) == ("Account unlinked", X.user_id)
    assert note.body == (
        "sam unlinked a X account on 4 Mar 2027 at 10:14: its strikes now count on their own."
    )

    assert set_link(store, X, None, "sam", later + timedelta(hours=1)) == LinkChange(False, 1)
    assert len(rows(store, moderation_events)) == 3
    assert len(rows(store, crm_outbox)) == 3


def test_unlinking_an_account_never_linked_is_recorded_as_a_decision(store):
    assert set_link(store, X, None, "sam", T0) == LinkChange(True, 1)
    (link,) = rows(store, account_links)
    assert link.contact_id is None
    (event,) = rows(store, moderation_events)
    assert event.type == "account_unlinked"


@pytest.mark.parametrize(
    ("contact", "operator", "message"),
    [
        ("C-1042", "  ", "names the operator"),
        ("C-1042", "", "names the operator"),
        ("  ", "priya", "contact id"),
        ("", "priya", "contact id"),
    ],
)
def test_a_blank_operator_or_contact_is_refused_and_nothing_is_written(
    store, contact, operator, message
):
    with pytest.raises(ValueError, match=message):
        set_link(store, X, contact, operator, T0)
    assert rows(store, account_links) == []
    assert rows(store, moderation_events) == []
    assert rows(store, crm_outbox) == []


def test_the_link_note_reaches_the_contacts_customer_record(store):
    set_link(store, X, "C-1042", "priya", T0)
    crm = EmbeddedCustomerRecords(store, clock=lambda: T0)
    deliver(store, crm, T0)
    (note,) = rows(store, crm_notes)
    assert (note.contact_id, note.subject) == ("C-1042", "Account linked")


def test_the_unlink_note_reaches_the_record_the_account_was_unlinked_from(store):
    set_link(store, X, "C-1042", "priya", T0)
    set_link(store, X, None, "sam", T0 + timedelta(days=1))
    crm = EmbeddedCustomerRecords(store, clock=lambda: T0)
    deliver(store, crm, T0 + timedelta(days=2))
    subjects = {(note.contact_id, note.subject) for note in rows(store, crm_notes)}
    assert ("C-1042", "Account unlinked") in subjects
