"""X moderation through tweepy, with HTTP faked at the transport by ``responses``.

Bodies are X API v2's; the people are invented.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import responses
from responses import matchers

from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.sources.base import Account
from trident_pipeline.sources.errors import NotPermitted
from trident_pipeline.sources.moderation import Action, Outcome, Support
from trident_pipeline.sources.retry import RetryPolicy
from trident_pipeline.sources.x.client import build_client
from trident_pipeline.sources.x.moderation import CAPABILITIES, XModerator

API = "https://api.twitter.com"
OURS = "1500000000000000001"
RESIDENT = "1720000000000000101"
ACCOUNT = Account(Platform.X, OURS, "tridentgrp")
AT = datetime(2026, 3, 24, 9, 12, 5, tzinfo=timezone.utc)
REFUSED_REPLY = {
    "detail": "Reply to this conversation is not allowed because you have not been mentioned "
    "or otherwise engaged by the author of the post you are replying to.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
NOT_ENROLLED = {
    "client_id": "29000001",
    "title": "Client Forbidden",
    "required_enrollment": "Appropriate Level of API Access",
    "reason": "client-not-enrolled",
    "type": "https://api.twitter.com/2/problems/client-forbidden",
}


def moderator() -> XModerator:
    client = build_client(
        consumer_key="test-consumer-key",
        consumer_secret="test-consumer-secret",
        access_token=f"{OURS}-TestAccessToken",
        access_token_secret="test-access-token-secret",
    )
    return XModerator(client, ACCOUNT, retry=RetryPolicy(sleep=lambda _: None))


def item(kind: Kind = Kind.REPLY, native_id: str = "2036370454737977346", **fields) -> InboxItem:
    defaults = {
        "platform": Platform.X,
        "kind": kind,
        "native_id": native_id,
        "thread_id": "2036095622968377345",
        "author": Author(RESIDENT, "ffion_example", "Ffion Example"),
        "text": "The lift is broken again 🏠",
        "created_at": AT,
        "is_ours": False,
        "channel": Channel.PRIVATE if kind is Kind.DIRECT_MESSAGE else Channel.PUBLIC,
    }
    return InboxItem(**{**defaults, **fields})


def test_the_capability_matrix_hands_the_block_to_a_person():
    assert CAPABILITIES == {
        Action.HIDE: Support.OUR_THREADS_ONLY,
        Action.REPLY: Support.AUTOMATIC,
        Action.DIRECT_MESSAGE: Support.AUTOMATIC,
        Action.MUTE: Support.AUTOMATIC,
        Action.BLOCK: Support.BY_HAND,
    }
    assert moderator().capabilities is CAPABILITIES


def test_hiding_a_reply_twice_is_harmless():
    url = f"{API}/2/tweets/2036370454737977346/hidden"
    with responses.RequestsMock() as mock:
        mock.put(
            url,
            json={"data": {"hidden": True}},
            match=[matchers.json_params_matcher({"hidden": True})],
        )
        x = moderator()
        results = [x.hide(item()), x.hide(item())]
        assert len(mock.calls) == 2
    assert {result.outcome for result in results} == {Outcome.DONE}
    assert results[0].reference == "2036370454737977346"


def test_hiding_outside_our_conversations_is_reported_not_raised():
    with responses.RequestsMock() as mock:
        mock.put(f"{API}/2/tweets/2036370454737977346/hidden", status=403, json=REFUSED_REPLY)
        result = moderator().hide(item())
    assert result.outcome is Outcome.NOT_POSSIBLE
    assert "conversations the account started" in result.detail


def test_hiding_a_mention_or_our_own_reply_makes_no_request():
    with responses.RequestsMock() as mock:
        x = moderator()
        mention, ours = x.hide(item(Kind.MENTION)), x.hide(item(is_ours=True))
        assert len(mock.calls) == 0
    assert mention.outcome is ours.outcome is Outcome.NOT_POSSIBLE


def test_a_plan_that_forbids_hiding_raises_not_permitted():
    with responses.RequestsMock() as mock:
        mock.put(f"{API}/2/tweets/2036370454737977346/hidden", status=403, json=NOT_ENROLLED)
        with pytest.raises(NotPermitted, match="client-forbidden"):
            moderator().hide(item())


def test_a_reply_is_posted_in_reply_to_the_item():
    text = "Sorry to hear this 🙏 please DM us your address. ^Nia"
    expected = {"text": text, "reply": {"in_reply_to_tweet_id": "2036370454737977346"}}
    created = {
        "data": {
            "id": "2036377480197177352",
            "text": text,
            "edit_history_tweet_ids": ["2036377480197177352"],
        }
    }
    with responses.RequestsMock() as mock:
        mock.post(
            f"{API}/2/tweets",
            status=201,
            json=created,
            match=[matchers.json_params_matcher(expected)],
        )
        result = moderator().reply(item(), text, idempotency_key="reply:x:2036370454737977346:1")
    assert (result.action, result.outcome, result.reference) == (
        Action.REPLY,
        Outcome.DONE,
        "2036377480197177352",
    )


def test_a_reply_the_author_restricted_is_not_possible():
    with responses.RequestsMock() as mock:
        mock.post(f"{API}/2/tweets", status=403, json=REFUSED_REPLY)
        result = moderator().reply(item(Kind.MENTION), "Hello", idempotency_key="k1")
    assert result.outcome is Outcome.NOT_POSSIBLE and "limits who may reply" in result.detail


def test_a_reply_to_a_direct_message_goes_into_its_conversation():
    conversation = f"{OURS}-{RESIDENT}"
    dm = item(Kind.DIRECT_MESSAGE, native_id="2036378864317497446", thread_id=conversation)
    created = {"data": {"dm_conversation_id": conversation, "dm_event_id": "2036380500096057447"}}
    with responses.RequestsMock() as mock:
        mock.post(
            f"{API}/2/dm_conversations/{conversation}/messages",
            status=201,
            json=created,
            match=[matchers.json_params_matcher({"text": "We'll call you today. ^Nia"})],
        )
        result = moderator().reply(dm, "We'll call you today. ^Nia", idempotency_key="k2")
    assert (result.outcome, result.reference) == (Outcome.DONE, "2036380500096057447")


def test_a_direct_message_to_someone_who_takes_none_is_not_possible():
    url = f"{API}/2/dm_conversations/with/{RESIDENT}/messages"
    with responses.RequestsMock() as mock:
        mock.post(
            url, status=403, json={"title": "Forbidden", "type": "about:blank", "status": 403}
        )
        result = moderator().send_direct_message(RESIDENT, "Hello 𝒳", idempotency_key="k3")
    assert (result.action, result.outcome) == (Action.DIRECT_MESSAGE, Outcome.NOT_POSSIBLE)


def test_a_direct_message_is_sent_once_per_call():
    url = f"{API}/2/dm_conversations/with/{RESIDENT}/messages"
    created = {
        "data": {"dm_conversation_id": f"{OURS}-{RESIDENT}", "dm_event_id": "2036388804817977448"}
    }
    with responses.RequestsMock() as mock:
        mock.post(
            url, status=201, json=created, match=[matchers.json_params_matcher({"text": "Hi"})]
        )
        result = moderator().send_direct_message(RESIDENT, "Hi", idempotency_key="k4")
        assert len(mock.calls) == 1
    assert (result.outcome, result.reference) == (Outcome.DONE, "2036388804817977448")


def test_blocking_mutes_blocks_messages_and_hands_the_block_to_a_person():
    with responses.RequestsMock() as mock:
        mute = mock.post(
            f"{API}/2/users/{OURS}/muting",
            json={"data": {"muting": True}},
            match=[matchers.json_params_matcher({"target_user_id": RESIDENT})],
        )
        dm_block = mock.post(f"{API}/2/users/{RESIDENT}/dm/block", json={"data": {"blocked": True}})
        x = moderator()
        first, again = x.block(RESIDENT, "block:1"), x.block(RESIDENT, "block:1")
    assert mute.call_count == dm_block.call_count == 2
    assert first == again
    assert (first.action, first.outcome, first.reference) == (
        Action.BLOCK,
        Outcome.NEEDS_HAND,
        RESIDENT,
    )
    assert first.detail.startswith("muted and messages blocked") and "Enterprise" in first.detail


def test_blocking_where_the_plan_cannot_block_messages_still_mutes():
    with responses.RequestsMock() as mock:
        mock.post(f"{API}/2/users/{OURS}/muting", json={"data": {"muting": True}})
        mock.post(f"{API}/2/users/{RESIDENT}/dm/block", status=403, json=NOT_ENROLLED)
        result = moderator().block(RESIDENT, "block:2")
    assert result.outcome is Outcome.NEEDS_HAND
    assert result.detail.startswith("muted; messages not blocked")


def test_actions_refuse_items_from_other_platforms_and_empty_text():
    facebook_item = item(platform=Platform.FACEBOOK, kind=Kind.COMMENT)
    with pytest.raises(ValueError, match="X items only"):
        moderator().hide(facebook_item)
    with pytest.raises(ValueError, match="needs text"):
        moderator().reply(item(), "  ", idempotency_key="k5")
