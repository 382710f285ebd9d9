"""The inbox queue page and an operator's mark, through Airflow's API server."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone

import pytest

from trident_pipeline.store.schema import response_marks, response_records

pytestmark = [
    pytest.mark.airflow,
    # Airflow's own development fallback: a generated JWT secret shorter than SHA-512 likes.
    pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning"),
]

_ITEM_KEYS = re.compile(r'name="item_key" value="([^"]+)"')
NOW = datetime(2026, 4, 8, 9, tzinfo=timezone.utc)
"""The pages' frozen time (see conftest)."""


def queue_keys(page: str) -> list[str]:
    """The keys of the items listed, in order (from each row's mark form)."""
    return [html.unescape(key) for key in _ITEM_KEYS.findall(page)]


def waiting(row) -> bool:
    return row.excluded is None and row.responded_at is None


def records(pages) -> dict:
    """The response records of inbound items (the queue never lists our own posts)."""
    return {row.key: row for row in pages.rows(response_records) if row.excluded != "ours"}


def test_the_queue_lists_every_waiting_item_soonest_deadline_first(pages):
    response = pages.get("/inbox", "priya")
    assert response.status_code == 200
    listed = queue_keys(response.text)
    stored = records(pages)
    expected = {key for key, row in stored.items() if waiting(row)}
    assert expected, "the sample leaves items waiting for a response"
    assert set(listed) == expected
    assert len(listed) == len(expected), "each item once"
    deadlines = [stored[key].deadline for key in listed]
    assert deadlines == sorted(deadlines)
    assert f"{len(expected)} items; page 1 of 1." in response.text


def test_time_left_and_how_long_overdue_are_shown_against_the_pages_clock(pages):
    stored = records(pages)
    soonest = min(row.deadline for row in stored.values() if waiting(row))
    pages.set_clock(soonest - timedelta(hours=1, minutes=30))
    assert "1 h 30 min left" in pages.get("/inbox", "priya").text

    pages.set_clock(soonest + timedelta(days=2, hours=3, minutes=4, seconds=59))
    text = pages.get("/inbox", "priya").text
    assert "overdue by 2 d 3 h 4 min" in text
    assert 'class="overdue"' in text


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        ({"platform": "x"}, lambda row: waiting(row) and row.platform == "x"),
        ({"channel": "private"}, lambda row: waiting(row) and row.channel == "private"),
        ({"status": "overdue"}, lambda row: waiting(row) and row.deadline < NOW),
        (
            {"status": "answered", "platform": "x"},
            lambda row: row.excluded is None and row.responded_at and row.platform == "x",
        ),
        (
            {"status": "no_response_needed", "platform": "bluesky"},
            lambda row: row.excluded is not None and row.platform == "bluesky",
        ),
        (
            {"status": "all", "platform": "facebook", "channel": "private"},
            lambda row: row.platform == "facebook" and row.channel == "private",
        ),
    ],
    ids=["platform", "channel", "overdue", "answered-on-x", "no-response-on-bluesky", "all"],
)
def test_filters_list_exactly_the_matching_items(pages, query, wanted):
    response = pages.get("/inbox", "priya", **query)
    assert response.status_code == 200
    expected = {key for key, row in records(pages).items() if wanted(row)}
    assert expected, "each filter matches something in the sample"
    assert set(queue_keys(response.text)) == expected
    for name, value in query.items():
        assert f'<option value="{value}" selected>' in response.text, name


def test_the_whole_queue_pages_by_a_hundred(pages):
    total = len(records(pages))
    pages_count = -(-total // 100)
    first = queue_keys(pages.get("/inbox", "priya", status="all").text)
    second_page = pages.get("/inbox", "priya", status="all", page="2")
    second = queue_keys(second_page.text)
    assert len(first) == 100
    assert second and not set(first) & set(second)
    assert f"page 2 of {pages_count}" in second_page.text
    assert "Next page" in second_page.text and "Previous page" in second_page.text
    beyond = pages.get("/inbox", "priya", status="all", page=str(pages_count + 1))
    assert beyond.status_code == 200
    assert "No items match these filters." in beyond.text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "bogus"}, "Status"),
        ({"platform": "myspace"}, "Platform"),
        ({"channel": "dm"}, "Channel"),
        ({"page": "0"}, "Page"),
        ({"page": "two"}, "Page"),
    ],
)
def test_a_bad_filter_is_refused_with_the_field_named(pages, query, field):
    response = pages.get("/inbox", "priya", **query)
    assert response.status_code == 422
    assert "Please correct the form" in response.text
    assert re.search(rf"<li>{field}: [^<]+</li>", response.text), response.text


def test_the_board_sees_redacted_text_and_no_handles(pages):
    query = {"status": "no_response_needed", "platform": "bluesky", "channel": "public"}
    officer = pages.get("/inbox", "priya", **query).text
    board = pages.get("/inbox", "board", **query).text
    assert "07700 900777" in officer
    assert "@decmarsh.bsky.social" in officer
    assert "call me on [phone]" in board
    assert "Text (redacted)" in board
    for personal in pages.personal_data:
        assert personal not in board
    assert "Open on BlueSky" not in board, "no links to the residents' posts"
    assert "Open on" in officer
    assert queue_keys(board) == [], "the board may not mark items"
    assert "personal data is redacted" in board


def test_no_page_of_the_whole_queue_shows_the_board_personal_data(pages):
    for number in range(1, -(-len(records(pages)) // 100) + 1):
        page = pages.get("/inbox", "board", status="all", page=str(number)).text
        for personal in pages.personal_data:
            assert personal not in page, (number, personal)


def test_our_own_posts_are_never_in_the_queue(pages):
    ours = {row.key for row in pages.rows(response_records) if row.excluded == "ours"}
    assert ours, "the sample has the organisation's own replies"
    listed = set()
    for number in range(1, 5):
        listed |= set(queue_keys(pages.get("/inbox", "priya", status="all", page=str(number)).text))
    assert listed == set(records(pages))
    assert not listed & ours


def first_waiting_key(pages) -> str:
    stored = records(pages)
    return min((row.deadline, key) for key, row in stored.items() if waiting(row))[1]


def test_a_mark_records_who_and_why_and_takes_the_item_out_of_the_queue(pages):
    key = first_waiting_key(pages)
    response = pages.post(
        "/inbox/mark",
        "priya",
        {
            "item_key": key,
            "needs_response": "no",
            "reason": "  A bot's automated reply  ",
            "back": "/trident/inbox?status=waiting&platform=",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/trident/inbox?status=waiting&done=marked"

    (mark,) = pages.rows(response_marks, response_marks.c.item_key == key)
    assert (mark.operator, mark.reason, mark.needs_response) == (
        "priya",
        "A bot's automated reply",
        False,
    )
    assert mark.marked_at == pages.now
    assert records(pages)[key].excluded is not None
    assert key not in queue_keys(pages.get("/inbox", "priya").text)
    platform = key.split(":", 1)[0]
    excluded = pages.get("/inbox", "priya", status="no_response_needed", platform=platform).text
    assert key in queue_keys(excluded)
    assert "Marked by priya: A bot&#39;s automated reply" in excluded
    notice = pages.get("/inbox", "priya", done="marked").text
    assert "The item&#39;s mark is recorded" in notice


def test_marking_an_excluded_item_as_needing_a_response_puts_it_in_the_queue(pages):
    stored = records(pages)
    (key,) = [key for key, row in stored.items() if row.excluded == "thanks"]
    response = pages.post(
        "/inbox/mark",
        "sam",
        {"item_key": key, "needs_response": "yes", "reason": "They asked a question too"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/trident/inbox?done=marked"
    after = records(pages)[key]
    assert after.excluded is None and after.deadline is not None
    assert after.responded_at is not None, "the sample has a late reply to it"
    answered = pages.get("/inbox", "sam", status="answered", platform="bluesky").text
    assert key in queue_keys(answered)
    excluded = pages.get("/inbox", "sam", status="no_response_needed", platform="bluesky").text
    assert key not in queue_keys(excluded)


def test_a_mark_never_sends_the_operator_to_another_site(pages):
    response = pages.post(
        "/inbox/mark",
        "priya",
        {
            "item_key": first_waiting_key(pages),
            "needs_response": "no",
            "reason": "spam",
            "back": "https://evil.example/trident/inbox",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/trident/inbox?done=marked"


def test_marking_an_unknown_item_is_not_found_and_writes_nothing(pages):
    response = pages.post(
        "/inbox/mark", "priya", {"item_key": "x:404", "needs_response": "no", "reason": "spam"}
    )
    assert response.status_code == 404
    assert "Not found" in response.text
    assert pages.rows(response_marks) == []


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"needs_response": "maybe"}, "Decision"),
        ({"reason": "  "}, "Reason"),
        ({"reason": "x" * 1001}, "Reason"),
        ({"item_key": "not a key"}, "Item"),
        ({"item_key": "myspace:1"}, "Item"),
    ],
)
def test_a_bad_mark_is_refused_with_the_field_named_and_writes_nothing(pages, form, field):
    sent = {"item_key": first_waiting_key(pages), "needs_response": "no", "reason": "spam"}
    response = pages.post("/inbox/mark", "priya", sent | form)
    assert response.status_code == 422
    assert re.search(rf"<li>{field}: [^<]+</li>", response.text), response.text
    assert pages.rows(response_marks) == []
