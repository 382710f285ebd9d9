"""Facebook moderation through facebook-sdk, with HTTP faked at the transport by ``responses``.

Bodies are the Graph API's; the people are invented.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
import responses
from responses import matchers

from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.sources.base import Account
from trident_pipeline.sources.errors import NotPermitted
from trident_pipeline.sources.facebook.client import build_graph
from trident_pipeline.sources.facebook.moderation import CAPABILITIES, FacebookModerator
from trident_pipeline.sources.moderation import Action, Outcome, Support
from trident_pipeline.sources.retry import RetryPolicy

GRAPH = "https://graph.facebook.com/v26.0"
PAGE = "100000000000001"
ACCOUNT = Account(Platform.FACEBOOK, PAGE, "tridentgrp")
COMMENT = "122100000000000012_1830000000000004"
POST = f"{PAGE}_122100000000000012"
RESIDENT = "7100000000000301"
AT = datetime(2026, 3, 24, 10, 30, tzinfo=timezone.utc)


def moderator() -> FacebookModerator:
    graph = build_graph("EAAtestPageAccessToken0123456789")
    return FacebookModerator(graph, ACCOUNT, retry=RetryPolicy(sleep=lambda _: None))


def item(kind: Kind = Kind.COMMENT, native_id: str = COMMENT, **fields) -> InboxItem:
    defaults = {
        "platform": Platform.FACEBOOK,
        "kind": kind,
        "native_id": native_id,
        "thread_id": POST,
        "author": Author("6100000000000203", None, "Jo Placeholder"),
        "text": "𝓣𝓻𝓲𝓭𝓮𝓷𝓽 never fix anything 😡",
        "created_at": AT,
        "is_ours": False,
        "channel": Channel.PRIVATE if kind is Kind.DIRECT_MESSAGE else Channel.PUBLIC,
    }
    return InboxItem(**{**defaults, **fields})


def error_body(code: int, message: str, subcode: int | None = None) -> dict:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


def test_the_capability_matrix_has_no_mute():
    assert CAPABILITIES == {
        Action.HIDE: Support.AUTOMATIC,
        Action.REPLY: Support.AUTOMATIC,
        Action.DIRECT_MESSAGE: Support.AUTOMATIC,
        Action.BLOCK: Support.AUTOMATIC,
    }
    assert Action.MUTE not in moderator().capabilities


def test_hiding_a_comment_twice_is_harmless():
    with responses.RequestsMock() as mock:
        hide = mock.post(
            f"{GRAPH}/{COMMENT}",
            json={"success": True},
            match=[matchers.urlencoded_params_matcher({"is_hidden": "true"})],
        )
        facebook = moderator()
        results = [facebook.hide(item()), facebook.hide(item())]
    assert hide.call_count == 2
    assert [result.outcome for result in results] == [Outcome.DONE, Outcome.DONE]


def test_hiding_a_comment_that_is_gone_is_not_possible():
    body = error_body(100, "Unsupported post request. Object with ID does not exist", 33)
    with responses.RequestsMock() as mock:
        mock.post(f"{GRAPH}/{COMMENT}", status=400, json=body)
        result = moderator().hide(item())
    assert (result.outcome, result.detail) == (
        Outcome.NOT_POSSIBLE,
        "the item no longer exists or cannot be seen",
    )


def test_posts_and_our_own_comments_are_not_hidden_through_the_api():
    with responses.RequestsMock() as mock:
        facebook = moderator()
        results = [facebook.hide(item(Kind.POST, POST)), facebook.hide(item(is_ours=True))]
        assert len(mock.calls) == 0
    assert {result.outcome for result in results} == {Outcome.NOT_POSSIBLE}


def test_a_token_without_permission_raises():
    body = error_body(200, "(#200) Requires pages_manage_engagement permission")
    with responses.RequestsMock() as mock:
        mock.post(f"{GRAPH}/{COMMENT}", status=403, json=body)
        with pytest.raises(NotPermitted, match="code 200"):
            moderator().hide(item())


def test_a_reply_is_a_comment_under_the_item():
    text = "Sorry to read this. Please message us privately 🙏 ^Nia"
    with responses.RequestsMock() as mock:
        mock.post(
            f"{GRAPH}/{COMMENT}/comments",
            json={"id": "122100000000000012_1830000000000005"},
            match=[matchers.urlencoded_params_matcher({"message": text})],
        )
        result = moderator().reply(item(), text, idempotency_key="reply:facebook:1")
    assert (result.action, result.outcome, result.reference) == (
        Action.REPLY,
        Outcome.DONE,
        "122100000000000012_1830000000000005",
    )


def test_a_reply_to_a_message_goes_through_the_send_api():
    message = item(
        Kind.DIRECT_MESSAGE,
        "m_Aa3Qx7Zk2Lw9",
        thread_id="t_10160000000000003",
        author=Author(RESIDENT, None, "Kai Fictional"),
    )
    expected = {
        "recipient": json.dumps({"id": RESIDENT}),
        "messaging_type": "RESPONSE",
        "message": json.dumps({"text": "Yes, by card 𝒳"}, ensure_ascii=False),
    }
    with responses.RequestsMock() as mock:
        mock.post(
            f"{GRAPH}/{PAGE}/messages",
            json={"recipient_id": RESIDENT, "message_id": "m_Bb9Qx7Zk2Lw9"},
            match=[matchers.urlencoded_params_matcher(expected)],
        )
        result = moderator().reply(message, "Yes, by card 𝒳", idempotency_key="reply:facebook:2")
    assert (result.action, result.outcome, result.reference) == (
        Action.REPLY,
        Outcome.DONE,
        "m_Bb9Qx7Zk2Lw9",
    )


def test_a_message_outside_the_24_hour_window_is_not_possible():
    body = error_body(10, "(#10) This message is sent outside of allowed window.", 2018278)
    with responses.RequestsMock() as mock:
        mock.post(f"{GRAPH}/{PAGE}/messages", status=400, json=body)
        result = moderator().send_direct_message(RESIDENT, "Hello", idempotency_key="dm:1")
    assert (result.action, result.outcome, result.detail) == (
        Action.DIRECT_MESSAGE,
        Outcome.NOT_POSSIBLE,
        "outside Messenger's 24-hour reply window",
    )


def test_blocking_twice_blocks_once():
    blocked_url = f"{GRAPH}/{PAGE}/blocked"
    with responses.RequestsMock() as mock:
        check = matchers.query_param_matcher({"user": RESIDENT})
        mock.get(blocked_url, json={"data": []}, match=[check])
        block = mock.post(
            blocked_url,
            json={RESIDENT: True},
            match=[matchers.urlencoded_params_matcher({"user": json.dumps([RESIDENT])})],
        )
        mock.get(
            blocked_url, json={"data": [{"id": RESIDENT, "name": "Kai Fictional"}]}, match=[check]
        )
        facebook = moderator()
        first, again = facebook.block(RESIDENT, "block:1"), facebook.block(RESIDENT, "block:1")
    assert block.call_count == 1
    assert (first.outcome, again.outcome) == (Outcome.DONE, Outcome.ALREADY_DONE)
    assert first.reference == again.reference == RESIDENT


def test_a_block_facebook_declines_is_not_possible():
    with responses.RequestsMock() as mock:
        mock.get(f"{GRAPH}/{PAGE}/blocked", json={"data": []})
        mock.post(f"{GRAPH}/{PAGE}/blocked", json={RESIDENT: False})
        result = moderator().block(RESIDENT, "block:2")
    assert result.outcome is Outcome.NOT_POSSIBLE


def test_actions_refuse_items_from_other_platforms_and_empty_text():
    with pytest.raises(ValueError, match="Facebook items only"):
        moderator().hide(item(platform=Platform.X, kind=Kind.REPLY))
    with pytest.raises(ValueError, match="needs text"):
        moderator().send_direct_message(RESIDENT, "", idempotency_key="dm:2")
