"""Every communication with a resident is queued once for their customer record."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from trident_pipeline.crm.records import Direction
from trident_pipeline.customer_records import communications, record_communications
from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.store import upsert_items
from trident_pipeline.store.schema import crm_outbox

T0 = datetime(2026, 3, 24, 9, tzinfo=timezone.utc)
OURS = Author("1500000000000000001", "tridentgrp")
RESIDENT = Author("2244994945", "resident_one", "Resident One")
NEIGHBOUR = Author("3355005056", "resident_two")


def post(native_id, author, minutes, *, reply_to=None, kind=Kind.REPLY, thread="100"):
    return InboxItem(
        platform=Platform.X,
        kind=kind,
        channel=Channel.PRIVATE if kind is Kind.DIRECT_MESSAGE else Channel.PUBLIC,
        native_id=native_id,
        thread_id=thread,
        in_reply_to_id=reply_to,
        author=author,
        text=f"message {native_id}",
        created_at=T0 + timedelta(minutes=minutes),
        is_ours=author is OURS,
    )


THREAD = [
    post("100", RESIDENT, 0, kind=Kind.MENTION),
    post("101", NEIGHBOUR, 5, reply_to="100"),
    post("102", OURS, 30, reply_to="100"),
    post("103", OURS, 40, reply_to="101"),
    post("d1", RESIDENT, 50, kind=Kind.DIRECT_MESSAGE, thread="dm-1"),
    post("d2", OURS, 55, kind=Kind.DIRECT_MESSAGE, thread="dm-1"),
    post("104", Author(None), 60, reply_to="100"),
]


def test_each_message_goes_to_the_person_it_is_from_or_answers():
    records = communications(THREAD, T0, T0 + timedelta(hours=2))
    found = {r.item_key: (r.direction, r.customer.user_id) for r in records}
    assert found == {
        "x:100": (Direction.INBOUND, RESIDENT.user_id),
        "x:101": (Direction.INBOUND, NEIGHBOUR.user_id),
        "x:102": (Direction.OUTBOUND, RESIDENT.user_id),
        "x:103": (Direction.OUTBOUND, NEIGHBOUR.user_id),
        "x:d1": (Direction.INBOUND, RESIDENT.user_id),
        "x:d2": (Direction.OUTBOUND, RESIDENT.user_id),
    }
    assert records[0].subject == "Public mention on X from the resident"
    assert {r.idempotency_key for r in records} == {f"communication:{k}" for k in found}


def test_only_the_span_is_recorded_but_earlier_items_still_name_the_person():
    records = communications(THREAD, T0 + timedelta(minutes=20), T0 + timedelta(minutes=45))
    assert [(r.item_key, r.customer.user_id) for r in records] == [
        ("x:102", RESIDENT.user_id),
        ("x:103", NEIGHBOUR.user_id),
    ]


def test_recording_a_span_twice_queues_each_communication_once(engine):
    with engine.begin() as connection:
        upsert_items(connection, THREAD, T0)
    end = T0 + timedelta(hours=2)
    assert record_communications(engine, T0, end, end) == 6
    assert record_communications(engine, T0, end, end) == 0
    with engine.connect() as connection:
        assert len(connection.execute(select(crm_outbox)).all()) == 6
