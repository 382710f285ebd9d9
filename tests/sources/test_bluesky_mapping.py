"""Bluesky bodies to inbox items: notifications, our feed and chat; skipped and rejected records."""

import copy
from datetime import UTC, datetime

import pytest

from trident_pipeline.domain.models import Author, Channel, Kind, Platform
from trident_pipeline.sources.base import Page
from trident_pipeline.sources.bluesky.mapping import (
    CHAT,
    CONVO_ID,
    NOTIFICATIONS,
    OWN_POSTS,
    chat_context,
    map_page,
)

OURS = "did:plc:tridentgrp0000000000000001"
DAN = "did:plc:s7ntv6ds2ww3gx4gl6guuoyf"
ROOT = f"{OURS}/app.bsky.feed.post/3mivegbeuucxz"
CID = "bafyreibay6dm5ftm34qryxvftwyqkdnsxce3h2sitoz3yripxhwksy7iza"


def profile(did: str = DAN, handle: str = "danwhitlow.bsky.social", **fields: object) -> dict:
    shown = {
        "did": did,
        "handle": handle,
        "displayName": "Dan Whitlow",
        "viewer": {"muted": False, "blockedBy": False},
        "labels": [],
        "createdAt": "2024-11-11T00:43:00.000Z",
    }
    shown.update(fields)
    return shown


def post_record(text: str = "@tridentgrp.bsky.social mould again", **fields: object) -> dict:
    record = {
        "text": text,
        "$type": "app.bsky.feed.post",
        "langs": ["en"],
        "createdAt": "2026-03-24T20:10:41.834Z",
    }
    record.update(fields)
    return record


def reply_to(root: str, parent: str) -> dict:
    return {
        "root": {"cid": CID, "uri": f"at://{root}"},
        "parent": {"cid": CID, "uri": f"at://{parent}"},
    }


def notification(rkey: str, reason: str = "mention", record: object = None, **fields) -> dict:
    shown = {
        "uri": f"at://{DAN}/app.bsky.feed.post/{rkey}",
        "cid": CID,
        "author": profile(indexedAt="2024-11-11T00:43:00.000Z"),
        "reason": reason,
        "record": post_record() if record is None else record,
        "isRead": False,
        "indexedAt": "2026-03-24T20:10:42.133Z",
        "labels": [],
    }
    shown.update(fields)
    return shown


def like(rkey: str) -> dict:
    return {
        "uri": f"at://{DAN}/app.bsky.feed.like/{rkey}",
        "cid": CID,
        "author": profile(),
        "reason": "like",
        "reasonSubject": f"at://{ROOT}",
        "record": {
            "$type": "app.bsky.feed.like",
            "subject": {"cid": CID, "uri": f"at://{ROOT}"},
            "createdAt": "2026-03-24T20:11:00.000Z",
        },
        "isRead": False,
        "indexedAt": "2026-03-24T20:11:00.200Z",
        "labels": [],
    }


def notifications(*records: object) -> dict:
    return {"notifications": list(records), "seenAt": "2026-04-07T15:05:00.000Z"}


def test_a_mention_maps_with_its_uri_author_link_and_utc_time(bluesky_account):
    mapped = map_page(Page(NOTIFICATIONS, notifications(notification("3mio1"))), bluesky_account)

    assert mapped.rejected == []
    (item,) = mapped.items
    uri = f"at://{DAN}/app.bsky.feed.post/3mio1"
    assert item.platform is Platform.BLUESKY
    assert item.kind is Kind.MENTION
    assert (item.native_id, item.thread_id, item.in_reply_to_id) == (uri, uri, None)
    assert item.author == Author(DAN, "danwhitlow.bsky.social", "Dan Whitlow")
    assert item.url == "https://bsky.app/profile/danwhitlow.bsky.social/post/3mio1"
    assert item.created_at == datetime(2026, 3, 24, 20, 10, 41, 834000, tzinfo=UTC)
    assert item.channel is Channel.PUBLIC
    assert item.is_ours is False


def test_a_reply_is_threaded_by_its_root_and_parent(bluesky_account):
    record = post_record("fair enough, DM'd", reply=reply_to(ROOT, f"{OURS}/app.bsky.feed.post/p"))

    (item,) = map_page(
        Page(NOTIFICATIONS, notifications(notification("3mio2", "reply", record))),
        bluesky_account,
    ).items

    assert item.kind is Kind.REPLY
    assert item.thread_id == f"at://{ROOT}"
    assert item.in_reply_to_id == f"at://{OURS}/app.bsky.feed.post/p"


def test_a_quote_is_a_quote(bluesky_account):
    embed = {"$type": "app.bsky.embed.record", "record": {"cid": CID, "uri": f"at://{ROOT}"}}
    record = post_record("open a window, they say 🙄", embed=embed)

    (item,) = map_page(
        Page(NOTIFICATIONS, notifications(notification("3mio3", "quote", record))),
        bluesky_account,
    ).items

    assert item.kind is Kind.QUOTE
    assert item.in_reply_to_id is None


@pytest.mark.parametrize(
    "reason", ["like", "repost", "follow", "starterpack-joined", "like-via-repost", "verified"]
)
def test_notifications_that_are_not_correspondence_are_skipped(bluesky_account, reason):
    skipped = like("3mil1") | {"reason": reason}

    mapped = map_page(
        Page(NOTIFICATIONS, notifications(skipped, notification("3mio4"))), bluesky_account
    )

    assert [item.native_id.rsplit("/", 1)[1] for item in mapped.items] == ["3mio4"]
    assert mapped.rejected == []


def test_a_handle_that_failed_verification_is_no_handle_and_the_link_uses_the_did(
    bluesky_account,
):
    record = notification("3mio5", author=profile(handle="handle.invalid"))

    (item,) = map_page(Page(NOTIFICATIONS, notifications(record)), bluesky_account).items

    assert item.author.handle is None
    assert item.url == f"https://bsky.app/profile/{DAN}/post/3mio5"


def test_an_author_without_a_display_name_has_none(bluesky_account):
    author = profile()
    del author["displayName"]

    (item,) = map_page(
        Page(NOTIFICATIONS, notifications(notification("3mio6", author=author))),
        bluesky_account,
    ).items

    assert item.author == Author(DAN, "danwhitlow.bsky.social", None)


def test_text_with_zero_width_and_non_bmp_characters_is_kept_exactly(bluesky_account):
    text = "sc\u200bum landlords 𝗨𝗦𝗘𝗟𝗘𝗦𝗦 🧹✨ Tŷ Gwyn"

    (item,) = map_page(
        Page(NOTIFICATIONS, notifications(notification("3mio7", record=post_record(text)))),
        bluesky_account,
    ).items

    assert item.text == text


def test_a_time_with_an_offset_becomes_utc(bluesky_account):
    record = post_record(createdAt="2026-03-29T02:30:00+01:00")

    (item,) = map_page(
        Page(NOTIFICATIONS, notifications(notification("3mio8", record=record))),
        bluesky_account,
    ).items

    assert item.created_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def post_view(rkey: str, record: dict, author: dict | None = None) -> dict:
    return {
        "uri": f"at://{OURS}/app.bsky.feed.post/{rkey}",
        "cid": CID,
        "author": author or profile(OURS, "tridentgrp.bsky.social", displayName="Trident Group"),
        "record": record,
        "replyCount": 0,
        "repostCount": 0,
        "likeCount": 1,
        "quoteCount": 0,
        "indexedAt": "2026-03-25T09:40:00.618Z",
        "viewer": {"threadMuted": False, "embeddingDisabled": False},
        "labels": [],
    }


def test_our_feed_holds_our_posts_and_replies(bluesky_account):
    reply = post_record(
        "Hi Dan, please DM us -Alex",
        reply=reply_to(f"{DAN}/app.bsky.feed.post/r", f"{DAN}/app.bsky.feed.post/p"),
    )
    feed = {
        "feed": [
            {"post": post_view("a", post_record("Clocks go forward 🔔"))},
            {"post": post_view("b", reply)},
        ]
    }

    items = map_page(Page(OWN_POSTS, feed), bluesky_account).items

    assert [item.kind for item in items] == [Kind.POST, Kind.REPLY]
    assert all(item.is_ours for item in items)
    assert items[0].thread_id == items[0].native_id == f"at://{OURS}/app.bsky.feed.post/a"
    assert items[1].thread_id == f"at://{DAN}/app.bsky.feed.post/r"
    assert items[1].in_reply_to_id == f"at://{DAN}/app.bsky.feed.post/p"
    assert items[0].url == "https://bsky.app/profile/tridentgrp.bsky.social/post/a"


def test_a_repost_in_our_feed_is_skipped(bluesky_account):
    council = profile("did:plc:exampletonbc0000000000001", "exampletonbc.bsky.social")
    repost = {
        "post": post_view("c", post_record("Bulky waste resumes 7 April"), author=council),
        "reason": {
            "$type": "app.bsky.feed.defs#reasonRepost",
            "by": profile(OURS, "tridentgrp.bsky.social"),
            "indexedAt": "2026-03-31T08:50:00.000Z",
        },
    }

    mapped = map_page(Page(OWN_POSTS, {"feed": [repost]}), bluesky_account)

    assert mapped.items == [] and mapped.rejected == []


def message(message_id: str, sender: str = DAN, **fields: object) -> dict:
    view = {
        "$type": "chat.bsky.convo.defs#messageView",
        "id": message_id,
        "rev": message_id + "r",
        "text": "15 Fenwick Terrace, EX3 1RB. 07700 900238",
        "sender": {"did": sender},
        "sentAt": "2026-03-25T09:52:00.477Z",
    }
    view.update(fields)
    return view


CONTEXT = {
    CONVO_ID: "3mivhoutmo2up",
    f"handle:{DAN}": "danwhitlow.bsky.social",
    f"display_name:{DAN}": "Dan Whitlow",
    f"handle:{OURS}": "tridentgrp.bsky.social",
}


def test_chat_messages_are_private_and_threaded_by_the_conversation_in_the_context(
    bluesky_account,
):
    page = Page(
        CHAT, {"messages": [message("m2", OURS, text="Thanks Dan"), message("m1")]}, CONTEXT
    )

    items = map_page(page, bluesky_account).items

    assert [item.kind for item in items] == [Kind.DIRECT_MESSAGE] * 2
    assert all(item.channel is Channel.PRIVATE and item.url is None for item in items)
    assert {item.thread_id for item in items} == {"3mivhoutmo2up"}
    assert [item.native_id for item in items] == ["m2", "m1"]
    assert [item.is_ours for item in items] == [True, False]
    assert items[0].author == Author(OURS, "tridentgrp.bsky.social", None)
    assert items[1].author == Author(DAN, "danwhitlow.bsky.social", "Dan Whitlow")


def test_a_sender_the_context_does_not_name_keeps_the_did_only(bluesky_account):
    page = Page(CHAT, {"messages": [message("m3")]}, {CONVO_ID: "3mivhoutmo2up"})

    (item,) = map_page(page, bluesky_account).items

    assert item.author == Author(DAN, None, None)


@pytest.mark.parametrize(
    "message_type",
    ["chat.bsky.convo.defs#deletedMessageView", "chat.bsky.convo.defs#systemMessageView"],
)
def test_deleted_and_system_messages_are_skipped(bluesky_account, message_type):
    skipped = {"$type": message_type, "id": "m4", "rev": "m4r", "sentAt": "2026-03-26T15:11:00Z"}

    mapped = map_page(Page(CHAT, {"messages": [skipped, message("m5")]}, CONTEXT), bluesky_account)

    assert [item.native_id for item in mapped.items] == ["m5"]
    assert mapped.rejected == []


def test_chat_context_names_each_member_by_did():
    members = [
        {"did": OURS, "handle": "tridentgrp.bsky.social", "displayName": "Trident Group"},
        {"did": DAN, "handle": "handle.invalid"},
        {"handle": "no-did.bsky.social"},
    ]

    assert chat_context("3mivhoutmo2up", members) == {
        CONVO_ID: "3mivhoutmo2up",
        f"handle:{OURS}": "tridentgrp.bsky.social",
        f"display_name:{OURS}": "Trident Group",
    }


def _without(record: dict, field: str) -> dict:
    spoiled = copy.deepcopy(record)
    del spoiled[field]
    return spoiled


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (None, "record is not an object"),
        (_without(notification("1"), "reason"), "record has no reason"),
        (_without(notification("1"), "uri"), "record has no uri"),
        (notification("1", uri=f"at://{DAN}/app.bsky.feed.like/1"), "uri is not an at:// post uri"),
        (
            notification("1", uri="https://bsky.app/profile/x/post/1"),
            "uri is not an at:// post uri",
        ),
        (notification("1", author="danwhitlow"), "author is not an object"),
        (notification("1", author={"handle": "danwhitlow.bsky.social"}), "author has no did"),
        (notification("1", record="@tridentgrp hi"), "post record is not an object"),
        (notification("1", record=post_record(text=7)), "text is not a string"),
        (notification("1", record=_without(post_record(), "text")), "record has no text"),
        (notification("1", record=_without(post_record(), "createdAt")), "record has no createdAt"),
        (
            notification("1", record=post_record(createdAt="23/03/2026 14:05")),
            "createdAt is not an ISO 8601 time",
        ),
        (
            notification("1", record=post_record(createdAt="2026-03-27T11:30:00.000")),
            "createdAt has no time zone",
        ),
        (notification("1", record=post_record(reply="at://x")), "reply is not an object"),
        (
            notification("1", record=post_record(reply={"parent": {"uri": "at://p"}})),
            "reply has no root uri",
        ),
        (
            notification("1", record=post_record(reply={"root": {"uri": "at://r"}})),
            "reply has no parent uri",
        ),
    ],
)
def test_a_bad_notification_is_rejected_with_a_reason_and_the_page_goes_on(
    bluesky_account, record, reason
):
    mapped = map_page(
        Page(NOTIFICATIONS, notifications(record, notification("9"))), bluesky_account
    )

    assert len(mapped.items) == 1
    (rejected,) = mapped.rejected
    assert (rejected.platform, rejected.stream, rejected.reason) == (
        Platform.BLUESKY,
        NOTIFICATIONS,
        reason,
    )
    assert rejected.raw == record


def test_a_feed_item_without_a_post_is_rejected(bluesky_account):
    (rejected,) = map_page(Page(OWN_POSTS, {"feed": [{"reply": {}}]}), bluesky_account).rejected

    assert rejected.reason == "post is not an object"


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (None, "record is not an object"),
        (_without(message("1"), "$type"), "record is not a chat message view"),
        (_without(message("1"), "id"), "record has no id"),
        (message("1", text=None), "record has no text"),
        (message("1", sentAt="yesterday"), "sentAt is not an ISO 8601 time"),
        (_without(message("1"), "sender"), "sender is not an object"),
        (message("1", sender={}), "sender has no did"),
    ],
)
def test_a_bad_chat_message_is_rejected_with_a_reason(bluesky_account, record, reason):
    mapped = map_page(Page(CHAT, {"messages": [record]}, CONTEXT), bluesky_account)

    assert mapped.items == []
    assert [rejected.reason for rejected in mapped.rejected] == [reason]


@pytest.mark.parametrize(
    ("stream", "payload", "context", "reason"),
    [
        (NOTIFICATIONS, [], {}, "page is not an object"),
        (NOTIFICATIONS, {"cursor": "2026-04-04T10:28:16.385Z"}, {}, "notifications is not a list"),
        (OWN_POSTS, {"feed": {}}, {}, "feed is not a list"),
        (CHAT, {"messages": None}, CONTEXT, "messages is not a list"),
        (CHAT, {"messages": [message("1")]}, {}, "page context has no convo_id"),
    ],
)
def test_a_body_of_the_wrong_shape_is_one_rejected_page(
    bluesky_account, stream, payload, context, reason
):
    mapped = map_page(Page(stream, payload, context), bluesky_account)

    assert mapped.items == []
    (rejected,) = mapped.rejected
    assert (rejected.stream, rejected.reason, rejected.raw) == (stream, reason, payload)


def test_an_unknown_stream_is_a_programming_error(bluesky_account):
    with pytest.raises(ValueError, match="no stream"):
        map_page(Page("likes", {"notifications": []}), bluesky_account)
