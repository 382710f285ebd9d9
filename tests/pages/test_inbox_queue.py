"""The inbox queue read model over the store, on each database under test. Everyone here is
invented."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.domain.responses import Exclusion, ResponseRecord
from trident_pipeline.pages.inbox_queue import (
    PAGE_SIZE,
    QueueFilter,
    QueuePage,
    QueueStatus,
    inbox_queue,
)
from trident_pipeline.store import upsert_items
from trident_pipeline.store.responses import mark_response, save_response_records
from trident_pipeline.store.screenings import ScreeningRow, save_screenings

NOW = datetime(2027, 3, 3, 12, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)


def item(platform: Platform, native_id: str, *, private: bool = False, at: datetime) -> InboxItem:
    return InboxItem(
        platform=platform,
        kind=Kind.DIRECT_MESSAGE if private else Kind.MENTION,
        channel=Channel.PRIVATE if private else Channel.PUBLIC,
        native_id=native_id,
        thread_id=f"thread-{native_id}",
        author=Author(f"50{native_id}", handle=f"resident_{native_id}", display_name="Res Ident"),
        text=f"Ring me on 07700 900{native_id:0>3} about the boiler",
        created_at=at,
        is_ours=False,
        url=f"https://example.invalid/{native_id}",
    )


def record(source: InboxItem, **fields) -> ResponseRecord:
    return ResponseRecord(
        key=source.key,
        platform=source.platform,
        channel=source.channel,
        kind=source.kind,
        arrived_at=source.created_at,
        arrived_on=source.created_at.date(),
        **fields,
    )


# key → (item, its response record's fields)
ITEMS = {
    "due-soon": item(Platform.X, "1", at=NOW - 20 * HOUR),
    "overdue": item(Platform.BLUESKY, "2", at=NOW - 40 * HOUR),
    "due-later": item(Platform.FACEBOOK, "3", private=True, at=NOW - 2 * HOUR),
    "answered": item(Platform.X, "4", at=NOW - 30 * HOUR),
    "thanks": item(Platform.X, "5", private=True, at=NOW - HOUR),
    "unscreened": item(Platform.FACEBOOK, "6", at=NOW - 3 * HOUR),
    "ours": item(Platform.X, "7", at=NOW - HOUR / 2),
}
RECORDS = {
    "due-soon": {"clock_start": NOW - 20 * HOUR, "deadline": NOW + 4 * HOUR},
    "overdue": {"clock_start": NOW - 40 * HOUR, "deadline": NOW - 16 * HOUR},
    "due-later": {"clock_start": NOW - 2 * HOUR, "deadline": NOW + 22 * HOUR},
    "answered": {
        "clock_start": NOW - 30 * HOUR,
        "deadline": NOW - 6 * HOUR,
        "responded_at": NOW - 10 * HOUR,
    },
    "thanks": {"excluded": Exclusion.THANKS},
    "unscreened": {"clock_start": NOW - 3 * HOUR, "deadline": NOW + 21 * HOUR},
    "ours": {"excluded": Exclusion.OURS},
}


@pytest.fixture
def store(engine):
    with engine.begin() as connection:
        upsert_items(connection, list(ITEMS.values()), NOW)
        save_screenings(
            connection,
            [
                ScreeningRow(
                    item_key=source.key,
                    screener_version="test",
                    violation=name == "overdue",
                    clauses=["personal_information"] if name == "overdue" else [],
                    findings=[
                        {"type": "phone", "start": 11, "end": 24, "score": 1.0, "rule": "r"},
                        {"type": "phone", "start": 30, "end": 31, "score": 1.0, "rule": "r"},
                        {"type": "email", "start": 0, "end": 1, "score": 1.0, "rule": "r"},
                    ],
                    redacted="Ring me on [phone] about the boiler",
                )
                for name, source in ITEMS.items()
                if name not in {"unscreened", "ours"}
            ],
            NOW,
        )
        save_response_records(
            connection, [record(ITEMS[name], **fields) for name, fields in RECORDS.items()]
        )
    return engine


def keys(page: QueuePage) -> list[str]:
    by_key = {source.key: name for name, source in ITEMS.items()}
    return [by_key[entry.key] for entry in page.entries]


WAITING = QueueFilter()


def queue(engine, wanted: QueueFilter = WAITING, **options) -> QueuePage:
    with engine.connect() as connection:
        return inbox_queue(connection, wanted, NOW, **options)


def test_waiting_items_come_soonest_deadline_first(store):
    page = queue(store)
    assert keys(page) == ["overdue", "due-soon", "unscreened", "due-later"]
    assert (page.total, page.page, page.pages) == (4, 1, 1)


def test_every_item_lists_the_waiting_first_then_the_rest_newest_first(store):
    assert keys(queue(store, QueueFilter(QueueStatus.ALL))) == [
        "overdue",
        "due-soon",
        "unscreened",
        "due-later",
        "thanks",
        "answered",
    ]


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        (QueueFilter(QueueStatus.OVERDUE), ["overdue"]),
        (QueueFilter(QueueStatus.ANSWERED), ["answered"]),
        (QueueFilter(QueueStatus.NO_RESPONSE_NEEDED), ["thanks"]),
        (QueueFilter(platform=Platform.X), ["due-soon"]),
        (QueueFilter(channel=Channel.PRIVATE), ["due-later"]),
        (QueueFilter(QueueStatus.ALL, Platform.X, Channel.PRIVATE), ["thanks"]),
        (QueueFilter(QueueStatus.ANSWERED, Platform.BLUESKY), []),
    ],
)
def test_filters(store, wanted, expected):
    page = queue(store, wanted)
    assert keys(page) == expected
    assert page.total == len(expected)


def test_our_own_posts_are_never_listed(store):
    for status in QueueStatus:
        assert "ours" not in keys(queue(store, QueueFilter(status))), status


def test_an_entry_carries_its_flags_clauses_and_redacted_text_but_no_personal_data(store):
    (overdue,) = queue(store, QueueFilter(QueueStatus.OVERDUE)).entries
    assert overdue.flags == ("email", "phone")
    assert overdue.clauses == ("personal_information",)
    assert overdue.redacted == "Ring me on [phone] about the boiler"
    assert (overdue.text, overdue.handle) == (None, None)
    assert overdue.url == "https://example.invalid/2"
    assert (overdue.platform, overdue.channel, overdue.kind) == (
        Platform.BLUESKY,
        Channel.PUBLIC,
        Kind.MENTION,
    )


def test_personal_data_is_read_only_when_asked_for(store):
    entries = queue(store, QueueFilter(QueueStatus.ALL), personal_data=True).entries
    by_key = {entry.key: entry for entry in entries}
    due_soon = by_key[ITEMS["due-soon"].key]
    assert due_soon.text == "Ring me on 07700 900001 about the boiler"
    assert due_soon.handle == "resident_1"


def test_an_unscreened_item_says_so_instead_of_showing_its_text(store):
    (entry,) = [e for e in queue(store).entries if e.key == ITEMS["unscreened"].key]
    assert entry.redacted == "(not screened yet)"
    assert entry.flags == entry.clauses == ()


def test_time_left_and_status(store):
    by_key = {e.key: e for e in queue(store, QueueFilter(QueueStatus.ALL)).entries}
    assert by_key[ITEMS["due-soon"].key].time_left(NOW) == 4 * HOUR
    assert by_key[ITEMS["overdue"].key].time_left(NOW) == -16 * HOUR
    assert by_key[ITEMS["answered"].key].time_left(NOW) is None
    assert by_key[ITEMS["thanks"].key].time_left(NOW) is None
    assert [by_key[ITEMS[name].key].status for name in ("overdue", "answered", "thanks")] == [
        QueueStatus.WAITING,
        QueueStatus.ANSWERED,
        QueueStatus.NO_RESPONSE_NEEDED,
    ]


def test_overdue_is_judged_at_the_time_asked(store):
    with store.connect() as connection:
        later = inbox_queue(connection, QueueFilter(QueueStatus.OVERDUE), NOW + 5 * HOUR)
    assert keys(later) == ["overdue", "due-soon"]


def test_an_operators_mark_is_shown_with_who_made_it(store):
    with store.begin() as connection:
        mark_response(
            connection,
            ITEMS["thanks"].key,
            needs_response=False,
            reason="Only said thank you",
            operator="priya",
            now=NOW,
        )
    (entry,) = queue(store, QueueFilter(QueueStatus.NO_RESPONSE_NEEDED)).entries
    assert (entry.mark_reason, entry.marked_by) == ("Only said thank you", "priya")


def test_the_queue_pages_by_page_size(engine):
    many = [item(Platform.X, str(n), at=NOW - HOUR) for n in range(PAGE_SIZE + 5)]
    with engine.begin() as connection:
        upsert_items(connection, many, NOW)
        save_response_records(
            connection,
            [record(s, clock_start=NOW, deadline=NOW + n * HOUR) for n, s in enumerate(many)],
        )
    first, second = queue(engine), queue(engine, QueueFilter(page=2))
    assert (len(first.entries), len(second.entries)) == (PAGE_SIZE, 5)
    assert (first.total, first.pages, second.page) == (PAGE_SIZE + 5, 2, 2)
    assert first.entries[0].key == many[0].key
    assert second.entries[-1].key == many[-1].key
    assert queue(engine, QueueFilter(page=3)).entries == []


def test_an_empty_queue_has_one_page():
    assert QueuePage([], 0, 1).pages == 1


def test_pages_are_numbered_from_one():
    with pytest.raises(ValueError, match="from 1"):
        QueueFilter(page=0)


def test_times_come_back_aware_as_stored(store):
    (entry,) = [e for e in queue(store).entries if e.key == ITEMS["due-soon"].key]
    assert entry.arrived_at == ITEMS["due-soon"].created_at
    assert entry.deadline == NOW + 4 * HOUR
    assert entry.deadline.utcoffset() == timedelta(0)
