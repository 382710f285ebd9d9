"""X API v2 bodies to inbox items: kinds, threading, authors, skipped and rejected records."""

import copy
from datetime import UTC, datetime

import pytest

from trident_pipeline.domain.models import Author, Channel, Kind, Platform
from trident_pipeline.sources.base import Page
from trident_pipeline.sources.x.mapping import DM_EVENTS, MENTIONS, OWN_TWEETS, map_page

OURS = "1500000000000000001"
JO = "1436012459876543210"
GONE = "987654321"
USERS = [
    {"id": JO, "name": "Jo Featherstone", "username": "jofeathers"},
    {"id": OURS, "name": "Trident Group", "username": "tridentgrp"},
]


def tweet(tweet_id: str, author: str = JO, **fields: object) -> dict:
    record = {
        "edit_history_tweet_ids": [tweet_id],
        "conversation_id": tweet_id,
        "author_id": author,
        "created_at": "2026-03-23T09:15:00.000Z",
        "id": tweet_id,
        "text": "@tridentgrp the lift is out again",
    }
    record.update(fields)
    return record


def body(*records: object, users: list | None = None) -> dict:
    return {
        "data": list(records),
        "includes": {"users": USERS if users is None else users},
        "meta": {"result_count": len(records), "newest_id": "2", "oldest_id": "1"},
    }


def dm(event_id: str, sender: str = JO, **fields: object) -> dict:
    record = {
        "id": event_id,
        "text": "Flat 2, 41 Quillon Close, EX4 7NQ. 07700 900412",
        "event_type": "MessageCreate",
        "dm_conversation_id": f"{JO}-{OURS}",
        "created_at": "2026-03-23T10:14:00.000Z",
        "sender_id": sender,
    }
    record.update(fields)
    return record


def test_a_mention_maps_with_its_author_thread_link_and_utc_time(x_account):
    mapped = map_page(Page(MENTIONS, body(tweet("2036001855109713510"))), x_account)

    assert mapped.rejected == []
    (item,) = mapped.items
    assert item.platform is Platform.X
    assert item.kind is Kind.MENTION
    assert item.native_id == "2036001855109713510"
    assert item.key == "x:2036001855109713510"
    assert item.thread_id == "2036001855109713510"
    assert item.in_reply_to_id is None
    assert item.author == Author(JO, "jofeathers", "Jo Featherstone")
    assert item.text == "@tridentgrp the lift is out again"
    assert item.created_at == datetime(2026, 3, 23, 9, 15, tzinfo=UTC)
    assert item.created_at.tzinfo is UTC
    assert item.url == "https://x.com/jofeathers/status/2036001855109713510"
    assert item.channel is Channel.PUBLIC
    assert item.is_ours is False


def test_a_reply_carries_its_conversation_and_the_post_it_answers(x_account):
    reply = tweet(
        "12",
        conversation_id="10",
        in_reply_to_user_id=OURS,
        referenced_tweets=[{"type": "replied_to", "id": "11"}],
    )

    (item,) = map_page(Page(MENTIONS, body(reply)), x_account).items

    assert item.kind is Kind.REPLY
    assert item.thread_id == "10"
    assert item.in_reply_to_id == "11"


def test_a_quote_is_a_quote_and_a_quoting_reply_is_a_reply(x_account):
    quote = tweet("20", referenced_tweets=[{"type": "quoted", "id": "5"}])
    both = tweet(
        "21",
        referenced_tweets=[{"type": "quoted", "id": "5"}, {"type": "replied_to", "id": "6"}],
    )

    items = map_page(Page(MENTIONS, body(quote, both)), x_account).items

    assert [(item.kind, item.in_reply_to_id) for item in items] == [
        (Kind.QUOTE, None),
        (Kind.REPLY, "6"),
    ]


def test_own_tweets_are_posts_or_replies_and_ours(x_account):
    post = tweet("30", author=OURS)
    reply = tweet("31", author=OURS, referenced_tweets=[{"type": "replied_to", "id": "29"}])

    items = map_page(Page(OWN_TWEETS, body(post, reply)), x_account).items

    assert [item.kind for item in items] == [Kind.POST, Kind.REPLY]
    assert all(item.is_ours for item in items)
    assert items[0].url == "https://x.com/tridentgrp/status/30"


def test_a_retweet_is_skipped(x_account):
    retweet = tweet("40", author=OURS, referenced_tweets=[{"type": "retweeted", "id": "39"}])

    mapped = map_page(Page(OWN_TWEETS, body(retweet, tweet("41", author=OURS))), x_account)

    assert [item.native_id for item in mapped.items] == ["41"]
    assert mapped.rejected == []


def test_an_author_missing_from_includes_keeps_the_id_and_links_without_a_username(x_account):
    payload = body(tweet("50", author=GONE))
    payload["errors"] = [
        {
            "value": GONE,
            "detail": f"Could not find user with author_id: [{GONE}].",
            "title": "Not Found Error",
            "resource_type": "user",
            "parameter": "author_id",
            "resource_id": GONE,
            "type": "https://api.twitter.com/2/problems/resource-not-found",
        }
    ]

    (item,) = map_page(Page(MENTIONS, payload), x_account).items

    assert item.author == Author(GONE, None, None)
    assert item.url == "https://x.com/i/web/status/50"


def test_html_entities_are_unescaped_once_and_emoji_outside_the_bmp_kept(x_account):
    text = "new kitchen &amp; bathroom 🙌 𝓽𝓱𝓪𝓷𝓴𝓼 &lt;3 &amp;lt;"

    (item,) = map_page(Page(MENTIONS, body(tweet("60", text=text))), x_account).items

    assert item.text == "new kitchen & bathroom 🙌 𝓽𝓱𝓪𝓷𝓴𝓼 <3 &lt;"


def test_an_empty_page_has_no_data_and_maps_to_nothing(x_account):
    mapped = map_page(Page(MENTIONS, {"meta": {"result_count": 0}}), x_account)

    assert mapped.items == [] and mapped.rejected == []


def test_a_time_with_an_offset_becomes_utc(x_account):
    late = tweet("70", created_at="2026-03-29T02:30:00+01:00")

    (item,) = map_page(Page(MENTIONS, body(late)), x_account).items

    assert item.created_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_a_missing_conversation_id_makes_the_post_its_own_thread(x_account):
    record = tweet("80")
    del record["conversation_id"]

    (item,) = map_page(Page(MENTIONS, body(record)), x_account).items

    assert item.thread_id == "80"


def test_a_direct_message_is_private_threaded_by_conversation_and_unlinked(x_account):
    payload = body(dm("90"), dm("91", sender=OURS, text="Thanks Jo ^SB"))

    items = map_page(Page(DM_EVENTS, payload), x_account).items

    assert [item.kind for item in items] == [Kind.DIRECT_MESSAGE] * 2
    assert all(item.channel is Channel.PRIVATE for item in items)
    assert {item.thread_id for item in items} == {f"{JO}-{OURS}"}
    assert [item.url for item in items] == [None, None]
    assert [item.is_ours for item in items] == [False, True]
    assert items[0].author == Author(JO, "jofeathers", "Jo Featherstone")
    assert items[0].text == "Flat 2, 41 Quillon Close, EX4 7NQ. 07700 900412"


def test_dm_events_other_than_message_create_are_skipped(x_account):
    joined = {
        "id": "92",
        "event_type": "ParticipantsJoin",
        "dm_conversation_id": "1512345678901234567",
        "created_at": "2026-03-30T17:00:49.000Z",
        "participant_ids": [OURS, JO],
    }

    mapped = map_page(Page(DM_EVENTS, body(joined, dm("93"))), x_account)

    assert [item.native_id for item in mapped.items] == ["93"]
    assert mapped.rejected == []


def _without(record: dict, field: str) -> dict:
    spoiled = copy.deepcopy(record)
    del spoiled[field]
    return spoiled


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (None, "record is not an object"),
        ("2036001855109713510", "record is not an object"),
        (_without(tweet("1"), "id"), "record has no id"),
        (tweet("1", id=2036001855109713510), "id is not a string"),
        (_without(tweet("1"), "text"), "record has no text"),
        (tweet("1", text={"full": "hello"}), "text is not a string"),
        (_without(tweet("1"), "created_at"), "record has no created_at"),
        (tweet("1", created_at="23/03/2026 09:15"), "created_at is not an ISO 8601 time"),
        (tweet("1", created_at=1774257300), "created_at is not an ISO 8601 time"),
        (tweet("1", created_at="2026-03-23T09:15:00"), "created_at has no time zone"),
        (tweet("1", author_id=42), "author_id is not a string"),
        (tweet("1", referenced_tweets={"type": "quoted"}), "referenced_tweets is not a list"),
        (
            tweet("1", referenced_tweets=[{"type": "quoted"}]),
            "referenced_tweets has an entry without type and id",
        ),
    ],
)
def test_a_bad_post_is_rejected_with_a_reason_and_the_page_goes_on(x_account, record, reason):
    mapped = map_page(Page(MENTIONS, body(record, tweet("99"))), x_account)

    assert [item.native_id for item in mapped.items] == ["99"]
    (rejected,) = mapped.rejected
    assert (rejected.platform, rejected.stream, rejected.reason) == (Platform.X, MENTIONS, reason)
    assert rejected.raw == record


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (_without(dm("1"), "event_type"), "record has no event_type"),
        (_without(dm("1"), "dm_conversation_id"), "record has no dm_conversation_id"),
        (_without(dm("1"), "created_at"), "record has no created_at"),
        (dm("1", text=None), "record has no text"),
    ],
)
def test_a_bad_dm_event_is_rejected_with_a_reason(x_account, record, reason):
    mapped = map_page(Page(DM_EVENTS, body(record)), x_account)

    assert mapped.items == []
    assert [rejected.reason for rejected in mapped.rejected] == [reason]


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (["not", "a", "body"], "page is not an object"),
        ({"data": {"id": "1"}}, "data is not a list"),
        ({"data": [], "includes": []}, "includes is not an object"),
        ({"data": [], "includes": {"users": {}}}, "includes.users is not a list"),
    ],
)
def test_a_body_of_the_wrong_shape_is_one_rejected_page(x_account, payload, reason):
    mapped = map_page(Page(MENTIONS, payload), x_account)

    assert mapped.items == []
    (rejected,) = mapped.rejected
    assert (rejected.reason, rejected.raw) == (reason, payload)


def test_a_reason_quotes_no_content(x_account):
    secret = "07700 900123 at 12 Acacia Avenue"
    record = tweet("1", text=secret, created_at=secret)

    (rejected,) = map_page(Page(MENTIONS, body(record)), x_account).rejected

    assert secret not in rejected.reason
    assert "07700" not in rejected.reason


def test_an_unknown_stream_is_a_programming_error(x_account):
    with pytest.raises(ValueError, match="no stream"):
        map_page(Page("likes", body()), x_account)
