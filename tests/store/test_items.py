from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.store import count_items, items_between, upsert_items
from trident_pipeline.store.schema import inbox_items

NOW = datetime(2026, 3, 24, 12, 0, tzinfo=timezone.utc)


def make_item(native_id: str, **changes) -> InboxItem:
    item = InboxItem(
        platform=Platform.X,
        kind=Kind.MENTION,
        native_id=native_id,
        thread_id=native_id,
        author=Author("2244994945", "resident_one", "Resident One 🏠"),
        text="@tridentgrp the damp in the back bedroom is back 𝄞",
        created_at=datetime(2026, 3, 23, 9, 30, tzinfo=timezone.utc),
        is_ours=False,
        url=f"https://x.com/resident_one/status/{native_id}",
    )
    return replace(item, **changes)


def test_new_items_are_inserted_and_read_back_unchanged(engine):
    items = [make_item("1001"), make_item("1002", author=Author(None))]
    with engine.begin() as connection:
        counts = upsert_items(connection, items, NOW)
    assert (counts.new, counts.updated, counts.unchanged) == (2, 0, 0)
    with engine.connect() as connection:
        stored = items_between(connection, NOW - timedelta(days=2), NOW)
    assert stored == items
    assert stored[0].created_at.tzinfo is not None


def test_upserting_the_same_items_again_changes_nothing(engine):
    items = [make_item(str(1000 + n)) for n in range(3)]
    with engine.begin() as connection:
        upsert_items(connection, items, NOW)
        before = connection.execute(select(inbox_items).order_by(inbox_items.c.key)).all()
    with engine.begin() as connection:
        counts = upsert_items(connection, items, NOW + timedelta(hours=1))
        after = connection.execute(select(inbox_items).order_by(inbox_items.c.key)).all()
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 3)
    assert after == before


def test_an_edited_item_is_updated_in_place(engine):
    with engine.begin() as connection:
        upsert_items(connection, [make_item("1001")], NOW)
    edited = make_item("1001", text="edited: the damp is back")
    with engine.begin() as connection:
        counts = upsert_items(connection, [edited], NOW + timedelta(hours=1))
        rows = connection.execute(select(inbox_items)).mappings().all()
    assert (counts.new, counts.updated) == (0, 1)
    assert len(rows) == 1
    assert rows[0]["text"] == "edited: the damp is back"
    assert rows[0]["first_seen_at"] == NOW
    assert rows[0]["updated_at"] == NOW + timedelta(hours=1)


def test_duplicates_within_one_batch_are_stored_once(engine):
    with engine.begin() as connection:
        counts = upsert_items(connection, [make_item("1001"), make_item("1001")], NOW)
        total = connection.execute(select(func.count()).select_from(inbox_items)).scalar_one()
    assert counts.new == 1
    assert total == 1


def test_large_batches_are_split_and_all_stored(engine):
    items = [make_item(str(n)) for n in range(1234)]
    with engine.begin() as connection:
        counts = upsert_items(connection, items, NOW)
    assert counts.new == 1234
    with engine.connect() as connection:
        assert count_items(connection) == {("x", "public"): 1234}


def test_items_between_is_half_open_and_ordered(engine):
    base = datetime(2026, 3, 23, 9, 0, tzinfo=timezone.utc)
    items = [make_item(str(n), created_at=base + timedelta(hours=n)) for n in (2, 0, 1)]
    with engine.begin() as connection:
        upsert_items(connection, items, NOW)
    with engine.connect() as connection:
        stored = items_between(connection, base, base + timedelta(hours=2))
    assert [item.native_id for item in stored] == ["0", "1"]


def test_counts_are_per_platform_and_channel(engine):
    message = make_item(
        "dm-1", kind=Kind.DIRECT_MESSAGE, channel=Channel.PRIVATE, platform=Platform.FACEBOOK
    )
    with engine.begin() as connection:
        upsert_items(connection, [make_item("1"), message], NOW)
    with engine.connect() as connection:
        assert count_items(connection) == {("x", "public"): 1, ("facebook", "private"): 1}


def test_naive_timestamps_are_refused_by_the_store(engine):
    with engine.begin() as connection, pytest.raises(Exception, match="aware"):
        upsert_items(connection, [make_item("1")], NOW.replace(tzinfo=None))
