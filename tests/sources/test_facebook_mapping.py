"""Graph API bodies to inbox items: page feed, comments, Messenger; rejected records."""

import copy
from datetime import UTC, datetime

import pytest

from trident_pipeline.domain.models import Author, Channel, Kind, Platform
from trident_pipeline.sources.base import Page
from trident_pipeline.sources.facebook.mapping import (
    COMMENTS,
    CONVERSATION_ID,
    FEED,
    MESSAGES,
    POST_ID,
    map_page,
)

PAGE = "100000000000001"
MARCIA = "2753621461747369"
POST = f"{PAGE}_9855596671897401"
TRIDENT = {"name": "Trident Group", "id": PAGE}


def post(post_id: str = POST, author: dict | None = None, **fields: object) -> dict:
    record = {
        "id": post_id,
        "message": "Can someone from repairs call me? The bathroom ceiling is coming down",
        "created_time": "2026-03-25T08:30:12+0000",
        "from": author or {"name": "Marcia Lennox", "id": MARCIA},
        "permalink_url": f"https://www.facebook.com/permalink.php?story_fbid=9855596671897401&id={PAGE}",
    }
    record.update(fields)
    return record


def comment(number: str, author: dict | None = None, **fields: object) -> dict:
    record = {
        "id": f"9855596671897401_{number}",
        "message": "Will there be anything for the little ones? 🐣🐰",
        "created_time": "2026-03-30T10:15:34+0000",
        "from": author or {"name": "Siân Morgan", "id": "32440742792911223"},
        "permalink_url": f"https://www.facebook.com/tridentgrp/posts/9855596671897401?comment_id={number}",
    }
    record.update(fields)
    return record


def message(message_id: str, sender: dict | None = None, **fields: object) -> dict:
    sender = sender or {"name": "Marcia Lennox", "email": f"{MARCIA}@facebook.com", "id": MARCIA}
    to = TRIDENT if sender["id"] == MARCIA else {"name": "Marcia Lennox", "id": MARCIA}
    record = {
        "id": message_id,
        "message": "anytime today. it's 12 Acacia Avenue EX7 2QJ",
        "created_time": "2026-03-25T09:30:02+0000",
        "from": sender,
        "to": {"data": [to]},
    }
    record.update(fields)
    return record


def data(*records: object) -> dict:
    return {
        "data": list(records),
        "paging": {"cursors": {"before": "QVFIUCUbaFM53PKM", "after": "QVFIUFCsepCHPGPs"}},
    }


def test_a_visitor_post_is_a_post_of_its_own_thread_with_its_permalink(facebook_account):
    mapped = map_page(Page(FEED, data(post())), facebook_account)

    assert mapped.rejected == []
    (item,) = mapped.items
    assert item.platform is Platform.FACEBOOK
    assert item.kind is Kind.POST
    assert item.native_id == item.thread_id == POST
    assert item.key == f"facebook:{POST}"
    assert item.in_reply_to_id is None
    assert item.author == Author(MARCIA, None, "Marcia Lennox")
    assert item.url.startswith("https://www.facebook.com/permalink.php?story_fbid=")
    assert item.created_at == datetime(2026, 3, 25, 8, 30, 12, tzinfo=UTC)
    assert item.channel is Channel.PUBLIC
    assert item.is_ours is False


def test_the_pages_own_post_is_ours(facebook_account):
    (item,) = map_page(Page(FEED, data(post(author=TRIDENT))), facebook_account).items

    assert item.is_ours is True


def test_a_post_without_a_message_or_permalink_maps_with_empty_text_and_no_link(
    facebook_account,
):
    photo = post()
    del photo["message"], photo["permalink_url"]

    (item,) = map_page(Page(FEED, data(photo)), facebook_account).items

    assert item.text == ""
    assert item.url is None


def test_comments_are_threaded_by_the_post_in_the_context(facebook_account):
    top = comment("3475733778889849")
    answer = comment(
        "9761547655951921",
        author=TRIDENT,
        message="Hi Siân, yes, there's a toddler trail too!\nSam",
        parent={"id": "9855596671897401_3475733778889849"},
    )

    items = map_page(Page(COMMENTS, data(answer, top), {POST_ID: POST}), facebook_account).items

    assert [item.kind for item in items] == [Kind.COMMENT, Kind.COMMENT]
    assert {item.thread_id for item in items} == {POST}
    assert [item.in_reply_to_id for item in items] == ["9855596671897401_3475733778889849", POST]
    assert [item.is_ours for item in items] == [True, False]
    assert items[1].text == "Will there be anything for the little ones? 🐣🐰"
    assert items[1].url.endswith("?comment_id=3475733778889849")


def test_a_comment_without_from_has_an_unknown_author(facebook_account):
    anonymous = comment("5145757524381042")
    del anonymous["from"]

    (item,) = map_page(Page(COMMENTS, data(anonymous), {POST_ID: POST}), facebook_account).items

    assert item.author == Author(None)
    assert item.is_ours is False


def test_messages_are_private_threaded_by_the_conversation_and_unlinked(facebook_account):
    ours = message(
        "m_Fe62",
        sender={"name": "Trident Group", "email": f"{PAGE}@facebook.com", "id": PAGE},
        message="Thanks Marcia, a roofer will be with you by 2pm. ^PK",
    )
    page = Page(MESSAGES, data(ours, message("m_qZ-6")), {CONVERSATION_ID: "t_481090403528846"})

    items = map_page(page, facebook_account).items

    assert [item.kind for item in items] == [Kind.DIRECT_MESSAGE] * 2
    assert all(item.channel is Channel.PRIVATE and item.url is None for item in items)
    assert {item.thread_id for item in items} == {"t_481090403528846"}
    assert [item.is_ours for item in items] == [True, False]
    assert items[1].text == "anytime today. it's 12 Acacia Avenue EX7 2QJ"


def test_an_empty_page_maps_to_nothing(facebook_account):
    mapped = map_page(Page(COMMENTS, {"data": []}, {POST_ID: POST}), facebook_account)

    assert mapped.items == [] and mapped.rejected == []


def _without(record: dict, field: str) -> dict:
    spoiled = copy.deepcopy(record)
    del spoiled[field]
    return spoiled


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (None, "record is not an object"),
        ([post()], "record is not an object"),
        (_without(post(), "id"), "record has no id"),
        (post(id=9855596671897401), "id is not a string"),
        (post(message=["Third week without a working shower."]), "message is not a string"),
        (_without(post(), "created_time"), "record has no created_time"),
        (post(created_time="2026-03-31T25:61:00+0000"), "created_time is not an ISO 8601 time"),
        (post(created_time="2026-03-31T10:00:00"), "created_time has no time zone"),
        (post(**{"from": "Marcia Lennox"}), "from is not an object"),
        (post(**{"from": {"name": "Marcia Lennox"}}), "from has no id"),
        (post(permalink_url=42), "permalink_url is not a string"),
    ],
)
def test_a_bad_post_is_rejected_with_a_reason_and_the_page_goes_on(
    facebook_account, record, reason
):
    mapped = map_page(Page(FEED, data(record, post(f"{PAGE}_1"))), facebook_account)

    assert [item.native_id for item in mapped.items] == [f"{PAGE}_1"]
    (rejected,) = mapped.rejected
    assert (rejected.platform, rejected.stream, rejected.reason) == (
        Platform.FACEBOOK,
        FEED,
        reason,
    )
    assert rejected.raw == record


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (comment("1", parent="9855596671897401_3"), "parent is not an object"),
        (comment("1", parent={}), "parent has no id"),
    ],
)
def test_a_comment_with_a_bad_parent_is_rejected(facebook_account, record, reason):
    mapped = map_page(Page(COMMENTS, data(record), {POST_ID: POST}), facebook_account)

    assert [rejected.reason for rejected in mapped.rejected] == [reason]


@pytest.mark.parametrize(
    ("stream", "payload", "context", "reason"),
    [
        (FEED, "data", {}, "page is not an object"),
        (FEED, {"error": {"code": 4}}, {}, "data is not a list"),
        (COMMENTS, data(comment("1")), {}, "page context has no post_id"),
        (MESSAGES, data(message("m_1")), {"post_id": POST}, "page context has no conversation_id"),
    ],
)
def test_a_body_of_the_wrong_shape_is_one_rejected_page(
    facebook_account, stream, payload, context, reason
):
    mapped = map_page(Page(stream, payload, context), facebook_account)

    assert mapped.items == []
    (rejected,) = mapped.rejected
    assert (rejected.stream, rejected.reason, rejected.raw) == (stream, reason, payload)


def test_an_unknown_stream_is_a_programming_error(facebook_account):
    with pytest.raises(ValueError, match="no stream"):
        map_page(Page("reactions", data()), facebook_account)
