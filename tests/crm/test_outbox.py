"""The transactional outbox, on SQLite and (when set) PostgreSQL.

Time is a value passed in: each "run" is a call to ``deliver`` with a later ``now``.
"""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select

from trident_pipeline.crm.dataverse import DataverseCustomerRecords, DataverseSettings
from trident_pipeline.crm.embedded import EmbeddedCustomerRecords
from trident_pipeline.crm.errors import CrmNotPermitted, CrmRejected, CrmUnavailable
from trident_pipeline.crm.memory import InMemoryCustomerRecords
from trident_pipeline.crm.outbox import (
    DeliveryCounts,
    DeliveryPolicy,
    OutboxState,
    count_by_state,
    deliver,
    enqueue,
    failing_entries,
    retry_dead_letters,
)
from trident_pipeline.crm.records import CustomerAccount, RecordKind
from trident_pipeline.crm.webhook import WebhookCustomerRecords, WebhookSettings
from trident_pipeline.domain.models import Platform
from trident_pipeline.store.schema import account_links, crm_communications, crm_outbox

NOW = datetime(2026, 3, 24, 12, 0, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)


@pytest.fixture
def crm(resident_a, resident_b) -> InMemoryCustomerRecords:
    fake = InMemoryCustomerRecords()
    fake.add_account("contact-a", Platform.X, user_id=resident_a.user_id)
    fake.add_account("contact-b", Platform.BLUESKY, user_id=resident_b.user_id)
    return fake


@pytest.fixture
def records(make_record, resident_b):
    """A communication, a strike event and a note for each of two invented residents."""
    return [
        make_record(kind, native_id=native_id, customer=customer)
        for native_id, customer in (("9001", make_record().customer), ("3kpost1", resident_b))
        for kind in RecordKind
    ]


def enqueued(engine, records, now=NOW) -> int:
    with engine.begin() as connection:
        return enqueue(connection, records, now)


def outbox_rows(engine):
    with engine.connect() as connection:
        return connection.execute(select(crm_outbox).order_by(crm_outbox.c.id)).mappings().all()


def states(engine) -> dict[OutboxState, int]:
    with engine.connect() as connection:
        return {state: n for state, n in count_by_state(connection).items() if n}


def link(engine, account, contact_id):
    """An operator's link (or, with ``None``, unlink) in the ledger's account_links table."""
    with engine.begin() as connection:
        connection.execute(
            insert(account_links).values(
                platform=account.platform.value,
                user_id=account.user_id,
                contact_id=contact_id,
                source="operator",
                linked_by="Test Operator",
                linked_at=NOW,
            )
        )


# --- enqueue --------------------------------------------------------------------------------


def test_enqueueing_adds_each_record_once_however_often_it_is_enqueued(engine, records):
    assert enqueued(engine, records + records[:2]) == 6
    assert enqueued(engine, records, NOW + HOUR) == 0
    rows = outbox_rows(engine)
    assert [row["idempotency_key"] for row in rows] == [r.idempotency_key for r in records]
    assert {row["state"] for row in rows} == {"pending"}
    assert all(row["enqueued_at"] == NOW for row in rows)


def test_enqueue_is_part_of_the_callers_transaction(engine, records):
    with pytest.raises(RuntimeError), engine.begin() as connection:
        enqueue(connection, records, NOW)
        raise RuntimeError("the change the entries describe failed")
    assert outbox_rows(engine) == []


def test_the_first_of_two_records_with_one_key_is_kept(engine, make_record):
    first = make_record(RecordKind.NOTE, subject="first")
    assert enqueued(engine, [first, make_record(RecordKind.NOTE, subject="second")]) == 1
    assert outbox_rows(engine)[0]["subject"] == "first"


def test_enqueue_refuses_naive_times_and_incomplete_communications(engine, make_record):
    with pytest.raises(ValueError, match="timezone-aware"):
        enqueued(engine, [make_record(occurred_at=datetime(2026, 3, 24, 10, 15))])
    with pytest.raises(ValueError, match="needs a direction"):
        enqueued(engine, [make_record(direction=None)])
    assert outbox_rows(engine) == []


# --- deliver --------------------------------------------------------------------------------


def test_due_entries_are_delivered_to_their_contacts_and_marked(engine, crm, records):
    enqueued(engine, records)

    counts = deliver(engine, crm, NOW)

    assert counts == DeliveryCounts(delivered=6)
    assert {key: entry.contact_id for key, entry in crm.entries.items()} == {
        record.idempotency_key: "contact-a"
        if record.customer.platform is Platform.X
        else "contact-b"
        for record in records
    }
    assert {entry.kind for entry in crm.entries.values()} == set(RecordKind)
    rows = outbox_rows(engine)
    assert {(row["state"], row["attempts"], row["delivered_at"]) for row in rows} == {
        ("delivered", 1, NOW)
    }
    assert crm.entries["note:x:9001"].record == records[2]


def test_delivering_again_and_enqueueing_again_write_nothing_twice(engine, crm, records):
    enqueued(engine, records)
    deliver(engine, crm, NOW)

    enqueued(engine, records, NOW + HOUR)  # the hour is re-run
    assert deliver(engine, crm, NOW + HOUR) == DeliveryCounts()
    assert deliver(engine, crm, NOW + 30 * HOUR) == DeliveryCounts()

    assert set(crm.calls.values()) == {1}
    assert len(crm.entries) == 6


def test_entries_become_due_only_at_their_time(engine, crm, records):
    enqueued(engine, records, NOW + HOUR)
    assert deliver(engine, crm, NOW) == DeliveryCounts()
    assert deliver(engine, crm, NOW + HOUR, batch=4) == DeliveryCounts(delivered=4)
    assert deliver(engine, crm, NOW + HOUR, batch=4) == DeliveryCounts(delivered=2)


def test_an_account_without_a_contact_waits_and_is_delivered_once_the_crm_knows_it(
    engine, make_record, resident_a
):
    crm = InMemoryCustomerRecords()
    enqueued(engine, [make_record(), make_record(RecordKind.NOTE)])
    policy = DeliveryPolicy(contact_recheck=6 * HOUR)

    assert deliver(engine, crm, NOW, policy=policy) == DeliveryCounts(waiting_for_contact=2)
    assert states(engine) == {OutboxState.WAITING_FOR_CONTACT: 2}
    crm.add_account("contact-a", Platform.X, handle=resident_a.handle)
    assert deliver(engine, crm, NOW + 5 * HOUR, policy=policy) == DeliveryCounts()

    assert deliver(engine, crm, NOW + 6 * HOUR, policy=policy) == DeliveryCounts(delivered=2)
    assert {entry.contact_id for entry in crm.entries.values()} == {"contact-a"}
    assert {row["attempts"] for row in outbox_rows(engine)} == {1}  # waiting is no attempt


def test_an_operators_link_delivers_waiting_entries_at_the_next_run(
    engine, make_record, resident_a
):
    crm = InMemoryCustomerRecords()
    enqueued(engine, [make_record()])
    deliver(engine, crm, NOW)

    link(engine, resident_a, "contact-linked")

    assert deliver(engine, crm, NOW + HOUR) == DeliveryCounts(delivered=1)
    assert crm.entries["communication:x:9001"].contact_id == "contact-linked"
    assert outbox_rows(engine)[0]["contact_id"] == "contact-linked"


def test_an_operators_link_wins_over_the_crms_match(engine, crm, make_record, resident_a):
    link(engine, resident_a, "contact-chosen")
    enqueued(engine, [make_record()])
    deliver(engine, crm, NOW)
    assert crm.entries["communication:x:9001"].contact_id == "contact-chosen"


def test_an_operators_unlink_keeps_entries_waiting_whatever_the_crm_matches(
    engine, crm, make_record, resident_a
):
    link(engine, resident_a, None)
    enqueued(engine, [make_record()])

    assert deliver(engine, crm, NOW) == DeliveryCounts(waiting_for_contact=1)
    assert deliver(engine, crm, NOW + 7 * HOUR) == DeliveryCounts(waiting_for_contact=1)
    assert crm.calls == {}


# --- failures -------------------------------------------------------------------------------


def test_an_unavailable_crm_stops_the_batch_and_schedules_one_retry_with_backoff(
    engine, crm, records
):
    enqueued(engine, records)
    crm.fail_with(CrmUnavailable("webhook add note: HTTP 503", status=503))
    policy = DeliveryPolicy(base_delay=timedelta(minutes=5))

    assert deliver(engine, crm, NOW, policy=policy) == DeliveryCounts(retrying=1)

    first, *rest = outbox_rows(engine)
    assert (first["state"], first["attempts"]) == ("pending", 1)
    assert first["next_attempt_at"] == NOW + timedelta(minutes=5)
    assert (first["last_error"], first["last_status"]) == ("CrmUnavailable", 503)
    assert {(row["attempts"], row["last_error"]) for row in rest} == {(0, None)}

    deliver(engine, crm, NOW + HOUR, policy=policy)  # the first is due again, but later
    second = outbox_rows(engine)[1]
    assert (second["attempts"], second["next_attempt_at"]) == (1, NOW + HOUR + timedelta(minutes=5))


def test_backoff_doubles_up_to_its_ceiling_and_honours_retry_after():
    policy = DeliveryPolicy(base_delay=timedelta(minutes=5), max_delay=timedelta(hours=1))
    assert [policy.delay(n) for n in (1, 2, 3, 4, 5)] == [
        timedelta(minutes=m) for m in (5, 10, 20, 40, 60)
    ]
    assert policy.delay(1, retry_after=900) == timedelta(minutes=15)
    assert policy.delay(3, retry_after=60) == timedelta(minutes=20)
    assert policy.delay(1, retry_after=86400) == timedelta(hours=1)


def test_retry_after_from_the_crm_sets_the_next_attempt(engine, crm, make_record):
    enqueued(engine, [make_record()])
    crm.fail_with(CrmUnavailable("dataverse add note: HTTP 429", status=429, retry_after=1800))

    deliver(engine, crm, NOW)

    assert outbox_rows(engine)[0]["next_attempt_at"] == NOW + timedelta(minutes=30)


def test_an_entry_that_keeps_failing_becomes_a_dead_letter_after_n_attempts(
    engine, crm, make_record
):
    enqueued(engine, [make_record()])
    crm.fail_with(CrmUnavailable("webhook: HTTP 500", status=500))
    policy = DeliveryPolicy(max_attempts=3, base_delay=timedelta(minutes=1))

    outcomes = [deliver(engine, crm, NOW + n * HOUR, policy=policy) for n in range(4)]

    assert outcomes == [
        DeliveryCounts(retrying=1),
        DeliveryCounts(retrying=1),
        DeliveryCounts(dead_lettered=1),
        DeliveryCounts(),
    ]
    with engine.connect() as connection:
        (entry,) = failing_entries(connection)
    assert (entry.state, entry.kind, entry.attempts) == (
        OutboxState.DEAD_LETTER,
        RecordKind.COMMUNICATION,
        3,
    )
    assert (entry.last_error, entry.last_status, entry.next_attempt_at) == (
        "CrmUnavailable",
        500,
        None,
    )


def test_a_rejected_entry_is_a_dead_letter_at_once_and_the_rest_go_on(engine, records):
    class RejectsOneNote(InMemoryCustomerRecords):
        def add_note(self, record, contact_id):
            if record.idempotency_key == "note:x:9001":
                raise CrmRejected("webhook add note: HTTP 422", status=422)
            super().add_note(record, contact_id)

    crm = RejectsOneNote()
    crm.add_account("contact-a", Platform.X, user_id="x-test-0001")
    crm.add_account("contact-b", Platform.BLUESKY, user_id="did:plc:testresidentb0002")
    enqueued(engine, records)

    assert deliver(engine, crm, NOW) == DeliveryCounts(delivered=5, dead_lettered=1)
    dead = [row for row in outbox_rows(engine) if row["state"] == "dead_letter"]
    assert [(r["idempotency_key"], r["last_error"], r["last_status"]) for r in dead] == [
        ("note:x:9001", "CrmRejected", 422)
    ]


def test_refused_credentials_fail_the_run_after_recording_the_attempt(engine, crm, records):
    enqueued(engine, records)
    crm.fail_with(CrmNotPermitted("dataverse token: HTTP 401 (invalid_client)", status=401))

    with pytest.raises(CrmNotPermitted):
        deliver(engine, crm, NOW)

    first, *rest = outbox_rows(engine)
    assert (first["state"], first["attempts"], first["last_error"]) == (
        "pending",
        1,
        "CrmNotPermitted",
    )
    assert {row["attempts"] for row in rest} == {0}


def test_operators_can_retry_dead_letters_by_id_or_all(engine, crm, records):
    enqueued(engine, records)
    crm.fail_with(CrmRejected("webhook: HTTP 400", status=400))
    for n in range(6):
        deliver(engine, crm, NOW + n * HOUR)
    assert states(engine) == {OutboxState.DEAD_LETTER: 6}
    crm.fail_with(None)
    ids = [row["id"] for row in outbox_rows(engine)]

    assert retry_dead_letters(engine, ids[:2] + [10_000], NOW + 6 * HOUR) == 2
    assert deliver(engine, crm, NOW + 6 * HOUR) == DeliveryCounts(delivered=2)
    assert retry_dead_letters(engine, "all", NOW + 7 * HOUR) == 4
    assert {row["attempts"] for row in outbox_rows(engine)[2:]} == {0}
    assert deliver(engine, crm, NOW + 7 * HOUR) == DeliveryCounts(delivered=4)
    assert states(engine) == {OutboxState.DELIVERED: 6}
    assert retry_dead_letters(engine, "all", NOW + 8 * HOUR) == 0


def test_operators_see_counts_by_state_and_failures_without_personal_data(
    engine, crm, records, make_record
):
    stranger = CustomerAccount(Platform.FACEBOOK, "fb-test-0009", "A Stranger")
    enqueued(engine, records + [make_record(RecordKind.NOTE, customer=stranger)])
    deliver(engine, crm, NOW)
    enqueued(engine, [make_record(RecordKind.NOTE, native_id="2")], NOW + HOUR)
    crm.fail_with(CrmRejected("webhook add note: HTTP 400", status=400))
    deliver(engine, crm, NOW + HOUR)
    enqueued(engine, [make_record(RecordKind.NOTE, native_id="3")], NOW + 2 * HOUR)
    crm.fail_with(CrmUnavailable("webhook add note: HTTP 503", status=503))
    deliver(engine, crm, NOW + 2 * HOUR)

    with engine.connect() as connection:
        counts = count_by_state(connection)
        entries = failing_entries(connection)

    assert counts == {
        OutboxState.PENDING: 1,
        OutboxState.WAITING_FOR_CONTACT: 1,
        OutboxState.DELIVERED: 6,
        OutboxState.DEAD_LETTER: 1,
    }
    assert [(e.state, e.kind, e.attempts, e.last_error, e.last_status) for e in entries] == [
        (OutboxState.DEAD_LETTER, RecordKind.NOTE, 1, "CrmRejected", 400),
        (OutboxState.PENDING, RecordKind.NOTE, 1, "CrmUnavailable", 503),
    ]
    assert entries[1].next_attempt_at == NOW + 2 * HOUR + timedelta(minutes=5)
    shown = repr(entries)
    for personal in ("x-test-0001", "Test_Resident_A", "damp", "Test note", "contact-a"):
        assert personal not in shown


# --- the CRM over HTTP, unreachable for a while ------------------------------------------


def webhook_crm(receiver) -> WebhookCustomerRecords:
    settings = WebhookSettings(
        url=receiver.url, secret=receiver.secret, lookup_url=receiver.lookup_url, timeout=5
    )
    return WebhookCustomerRecords(settings, clock=NOW.timestamp)


def test_a_crm_unreachable_for_a_while_loses_nothing_and_gets_each_record_once(
    engine, webhook_receiver, local_server, records, make_record
):
    webhook_receiver.contacts = {
        ("x", "x-test-0001"): "contact-a",
        ("bluesky", "did:plc:testresidentb0002"): "contact-b",
    }
    crm = webhook_crm(webhook_receiver)
    enqueued(engine, records)
    webhook_receiver.outage = 503

    during = [deliver(engine, crm, NOW + hour * HOUR) for hour in range(12)]
    late = make_record(RecordKind.NOTE, native_id="late")
    enqueued(engine, [late], NOW + 12 * HOUR)  # life goes on while the CRM is down

    assert all(counts == DeliveryCounts(retrying=1) for counts in during)
    assert states(engine) == {OutboxState.PENDING: 7}
    assert webhook_receiver.accepted == {}

    webhook_receiver.outage = None
    after = deliver(engine, crm, NOW + 13 * HOUR)

    assert after == DeliveryCounts(delivered=7)
    keys = [record.idempotency_key for record in records + [late]]
    assert webhook_receiver.accepted == dict.fromkeys(keys, 1)
    assert webhook_receiver.duplicates == {}
    assert {key: entry["contact_id"] for key, entry in webhook_receiver.entries.items()} == {
        key: "contact-b" if ":bluesky:" in key else "contact-a" for key in keys
    }

    sent = len(local_server.requests)
    enqueued(engine, records + [late], NOW + 14 * HOUR)  # a re-run of the whole period
    assert deliver(engine, crm, NOW + 40 * HOUR) == DeliveryCounts()
    assert len(local_server.requests) == sent
    assert states(engine) == {OutboxState.DELIVERED: 7}


def test_an_entry_whose_delivery_was_not_marked_is_sent_again_and_kept_once(
    engine, webhook_receiver, make_record, resident_a
):
    link(engine, resident_a, "contact-a")
    note = make_record(RecordKind.NOTE)
    enqueued(engine, [note])
    crm = webhook_crm(webhook_receiver)
    crm.add_note(note, "contact-a")  # a run delivered it, then died before marking it

    assert deliver(engine, crm, NOW) == DeliveryCounts(delivered=1)
    assert webhook_receiver.accepted == {"note:x:9001": 1}
    assert webhook_receiver.duplicates == {"note:x:9001": 1}


def test_dataverse_throttling_then_recovery_writes_the_note_once(
    engine, dataverse, make_record, resident_a
):
    contact = dataverse.add_contact(trident_xuserid=resident_a.user_id)
    enqueued(engine, [make_record(RecordKind.NOTE)])
    crm = DataverseCustomerRecords(
        DataverseSettings(
            org_url=dataverse.org_url,
            tenant_id=dataverse.tenant,
            client_id=dataverse.client_id,
            client_secret=dataverse.client_secret,
            authority_url=dataverse.authority_url,
            timeout=5,
        )
    )
    dataverse.fail_next(429, {"Retry-After": "3600"})
    dataverse.fail_next(503)

    assert deliver(engine, crm, NOW) == DeliveryCounts(retrying=1)
    assert outbox_rows(engine)[0]["next_attempt_at"] == NOW + HOUR
    assert deliver(engine, crm, NOW + HOUR) == DeliveryCounts(retrying=1)
    assert deliver(engine, crm, NOW + 2 * HOUR) == DeliveryCounts(delivered=1)
    assert deliver(engine, crm, NOW + 3 * HOUR) == DeliveryCounts()

    (note,) = dataverse.annotations.values()
    assert note["objectid_contact@odata.bind"] == f"/contacts({contact})"
    assert set(dataverse.writes.values()) == {1}


def test_the_embedded_crm_gets_each_entry_once_across_re_runs(
    engine, records, resident_a, resident_b
):
    crm = EmbeddedCustomerRecords(engine, clock=lambda: NOW)
    crm.add_account("TENANCY-0042", Platform.X, user_id=resident_a.user_id)
    crm.add_account("TENANCY-0077", Platform.BLUESKY, handle=resident_b.handle)
    enqueued(engine, records)

    assert deliver(engine, crm, NOW) == DeliveryCounts(delivered=6)
    enqueued(engine, records, NOW + HOUR)
    assert deliver(engine, crm, NOW + HOUR) == DeliveryCounts()

    with engine.connect() as connection:
        stored = connection.execute(select(crm_communications)).mappings().all()
    assert sorted((row["idempotency_key"], row["contact_id"]) for row in stored) == [
        ("communication:bluesky:3kpost1", "TENANCY-0077"),
        ("communication:x:9001", "TENANCY-0042"),
    ]
