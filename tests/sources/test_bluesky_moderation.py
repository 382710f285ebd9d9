"""Bluesky moderation through the real atproto client, against an in-memory PDS at the transport.

:class:`FakePds` keeps our repository's records (``com.atproto.repo.*`` with ``swapRecord``),
answers ``getPosts`` and ``getProfile`` from fixtures, and runs a small chat service, all in the
XRPC wire format, so every action's reads, writes and idempotency are exercised end to end.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import time_machine
from atproto_client.models.string_formats import TID_RE

from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.sources.base import Account
from trident_pipeline.sources.bluesky.client import BlueskyGateway
from trident_pipeline.sources.bluesky.moderation import (
    CAPABILITIES,
    BlueskyModerator,
    record_key,
)
from trident_pipeline.sources.bluesky.session import Credentials
from trident_pipeline.sources.errors import FatalError, RetriableError
from trident_pipeline.sources.moderation import Action, Outcome, Support
from trident_pipeline.sources.retry import RetryPolicy

ORG = "did:plc:tridentgrp0000000000000001"
RESIDENT = "did:plc:residentone000000000000001"
SUSPENDED = "did:plc:residentgone00000000000004"
NOW = datetime(2026, 3, 24, 14, 0, tzinfo=timezone.utc)
OUR_ROOT = f"at://{ORG}/app.bsky.feed.post/3mhsd6ga4s225"
THEIR_REPLY = f"at://{RESIDENT}/app.bsky.feed.post/3mhsffx2cs225"
THEIR_ROOT = f"at://{RESIDENT}/app.bsky.feed.post/3mhsel4qik225"


def _b64(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def fake_jwt(expires: datetime) -> str:
    """An unsigned JWT with the claims atproto reads (``exp`` above all)."""
    claims = {"scope": "com.atproto.appPassPrivileged", "sub": ORG, "exp": int(expires.timestamp())}
    return f"{_b64({'typ': 'at+jwt', 'alg': 'ES256K'})}.{_b64(claims)}.c2lnbmF0dXJl"


def cid_of(value: Any) -> str:
    digest = hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()
    return "bafyrei" + digest[:52]


def post_view(uri: str, text: str, reply: dict[str, Any] | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": "2026-03-24T10:45:00.000Z",
        "langs": ["en"],
    }
    if reply:
        record["reply"] = reply
    did = uri.split("/")[2]
    return {
        "uri": uri,
        "cid": cid_of(uri),
        "author": {"did": did, "handle": "resident-one.test", "labels": []},
        "record": record,
        "replyCount": 0,
        "repostCount": 0,
        "likeCount": 0,
        "quoteCount": 0,
        "indexedAt": "2026-03-24T10:45:00.300Z",
        "viewer": {"threadMuted": False},
        "labels": [],
    }


def error(status: int, name: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"error": name, "message": message})


class FakePds:
    """An in-memory PDS (and chat service) for our account, speaking XRPC over MockTransport."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], dict[str, Any]] = {}
        self.posts: dict[str, dict[str, Any]] = {
            THEIR_REPLY: post_view(
                THEIR_REPLY,
                "@tridentgrp.bsky.social the lift is broken 😤",
                {
                    "root": {"uri": OUR_ROOT, "cid": cid_of(OUR_ROOT)},
                    "parent": {"uri": OUR_ROOT, "cid": cid_of(OUR_ROOT)},
                },
            )
        }
        self.profiles: dict[str, dict[str, Any]] = {
            RESIDENT: {"did": RESIDENT, "handle": "resident-one.test", "viewer": {"muted": False}}
        }
        self.can_chat = True
        self.convo: dict[str, Any] | None = {
            "id": "3lkconvoone22",
            "rev": "3mhsfxtauc22g",
            "members": [],
            "muted": False,
            "unreadCount": 0,
        }
        self.sent: list[dict[str, Any]] = []
        self.calls: list[str] = []
        self.refuse: dict[str, list[httpx.Response]] = {}  # answered before doing anything
        self.lose: dict[str, list[Exception]] = {}  # raised after the call took effect

    def __call__(self, request: httpx.Request) -> httpx.Response:
        nsid = request.url.path.removeprefix("/xrpc/")
        self.calls.append(nsid)
        if nsid == "com.atproto.server.createSession":
            return httpx.Response(200, json=self._session())
        assert request.url.host == "pds.test"
        assert request.headers["authorization"].startswith("Bearer ")
        is_chat = request.headers.get("atproto-proxy") == "did:web:api.bsky.chat#bsky_chat"
        assert is_chat == nsid.startswith("chat.")
        if self.refuse.get(nsid):
            return self.refuse[nsid].pop(0)
        body = json.loads(request.content) if request.method == "POST" else None
        params = dict(request.url.params.multi_items())
        response = getattr(self, "_" + nsid.replace(".", "_"))(params, body)
        if self.lose.get(nsid):
            raise self.lose[nsid].pop(0)
        return response

    def _session(self) -> dict[str, Any]:
        return {
            "did": ORG,
            "handle": "tridentgrp.bsky.social",
            "accessJwt": fake_jwt(NOW + timedelta(hours=2)),
            "refreshJwt": fake_jwt(NOW + timedelta(days=60)),
            "didDoc": {
                "id": ORG,
                "alsoKnownAs": ["at://tridentgrp.bsky.social"],
                "verificationMethod": [],
                "service": [
                    {
                        "id": "#atproto_pds",
                        "type": "AtprotoPersonalDataServer",
                        "serviceEndpoint": "https://pds.test",
                    }
                ],
            },
        }

    # com.atproto.repo -------------------------------------------------------------------

    def _com_atproto_repo_getRecord(self, params, _body):
        assert params["repo"] == ORG
        key = (params["collection"], params["rkey"])
        if key not in self.records:
            return error(400, "RecordNotFound", f"Could not locate record: {params['rkey']}")
        value = self.records[key]
        uri = f"at://{ORG}/{key[0]}/{key[1]}"
        return httpx.Response(200, json={"uri": uri, "cid": cid_of(value), "value": value})

    def _com_atproto_repo_createRecord(self, _params, body):
        assert body["repo"] == ORG
        key = (body["collection"], body["rkey"])
        if key in self.records:
            return error(400, "InvalidRequest", "Record already exists")
        assert TID_RE.match(body["rkey"]) or body["collection"] == "app.bsky.feed.threadgate"
        self.records[key] = body["record"]
        return self._written(key)

    def _com_atproto_repo_putRecord(self, _params, body):
        key = (body["collection"], body["rkey"])
        if body.get("swapRecord") != cid_of(self.records.get(key)):
            return error(400, "InvalidSwap", "Record was at a different cid")
        self.records[key] = body["record"]
        return self._written(key)

    def _written(self, key: tuple[str, str]) -> httpx.Response:
        uri = f"at://{ORG}/{key[0]}/{key[1]}"
        return httpx.Response(
            200,
            json={
                "uri": uri,
                "cid": cid_of(self.records[key]),
                "commit": {"cid": cid_of(uri), "rev": "3mhsz2222222a"},
                "validationStatus": "valid",
            },
        )

    # app.bsky ---------------------------------------------------------------------------

    def _app_bsky_feed_getPosts(self, params, _body):
        found = [self.posts[params["uris"]]] if params["uris"] in self.posts else []
        return httpx.Response(200, json={"posts": found})

    def _app_bsky_actor_getProfile(self, params, _body):
        if params["actor"] == SUSPENDED:
            return error(400, "AccountTakedown", "Account has been suspended")
        return httpx.Response(200, json=self.profiles[params["actor"]])

    # chat.bsky.convo --------------------------------------------------------------------

    def _chat_bsky_convo_getConvoAvailability(self, params, _body):
        body: dict[str, Any] = {"canChat": self.can_chat}
        if self.convo is not None:
            body["convo"] = self.convo
        return httpx.Response(200, json=body)

    def _chat_bsky_convo_getConvoForMembers(self, params, _body):
        self.convo = {
            "id": "3lkconvonew22",
            "rev": "3mhsz2222222b",
            "members": [],
            "muted": False,
            "unreadCount": 0,
        }
        return httpx.Response(200, json={"convo": self.convo})

    def _chat_bsky_convo_sendMessage(self, _params, body):
        self.sent.append(body)
        return httpx.Response(
            200,
            json={
                "$type": "chat.bsky.convo.defs#messageView",
                "id": f"3mhsmsg{len(self.sent):06d}",
                "rev": "3mhsz2222222c",
                "text": body["message"]["text"],
                "sender": {"did": ORG},
                "sentAt": "2026-03-24T14:00:00.000Z",
            },
        )


class MemoryStore:
    value: str | None = None

    def load(self) -> str | None:
        return self.value

    def save(self, session_string: str) -> None:
        self.value = session_string


@pytest.fixture
def pds():
    with time_machine.travel(NOW, tick=False):
        yield FakePds()


def moderator(pds: FakePds, **retry: Any) -> tuple[BlueskyModerator, BlueskyGateway]:
    gateway = BlueskyGateway(
        service_url="https://entryway.test",
        credentials=Credentials("tridentgrp.bsky.social", "app-pass-word-abcd"),
        session_store=MemoryStore(),
        retry=RetryPolicy(sleep=lambda _: None, **retry),
        transport=httpx.MockTransport(pds),
    )
    account = Account(Platform.BLUESKY, ORG, "tridentgrp.bsky.social")
    return BlueskyModerator(account, gateway, clock=lambda: NOW), gateway


def reply_item(uri: str = THEIR_REPLY, root: str = OUR_ROOT, kind: Kind = Kind.REPLY) -> InboxItem:
    return InboxItem(
        platform=Platform.BLUESKY,
        kind=kind,
        native_id=uri,
        thread_id=root,
        author=Author(RESIDENT, "resident-one.test"),
        text="the lift is broken 😤",
        created_at=NOW - timedelta(hours=3),
        is_ours=False,
        in_reply_to_id=root if uri != root else None,
    )


def test_the_capability_matrix():
    assert dict(CAPABILITIES) == {
        Action.HIDE: Support.OUR_THREADS_ONLY,
        Action.REPLY: Support.AUTOMATIC,
        Action.DIRECT_MESSAGE: Support.AUTOMATIC,
        Action.BLOCK: Support.AUTOMATIC,
        Action.MUTE: Support.BY_HAND,
    }


def test_record_keys_are_tids_fixed_by_the_idempotency_key():
    key = record_key("bluesky:at://x/app.bsky.feed.post/1:clause-3.1-abuse:block")
    assert TID_RE.match(key)
    assert key == record_key("bluesky:at://x/app.bsky.feed.post/1:clause-3.1-abuse:block")
    assert key != record_key("bluesky:at://x/app.bsky.feed.post/2:clause-3.1-abuse:block")
    with pytest.raises(ValueError, match="idempotency key"):
        record_key("")


# -- hide ----------------------------------------------------------------------------------


def test_hide_creates_the_threadgate_then_finds_the_reply_already_hidden(pds):
    hider, _ = moderator(pds)
    first = hider.hide(reply_item())
    assert (first.outcome, first.reference) == (
        Outcome.DONE,
        f"at://{ORG}/app.bsky.feed.threadgate/3mhsd6ga4s225",
    )
    assert pds.records[("app.bsky.feed.threadgate", "3mhsd6ga4s225")] == {
        "$type": "app.bsky.feed.threadgate",
        "post": OUR_ROOT,
        "createdAt": "2026-03-24T14:00:00Z",
        "hiddenReplies": [THEIR_REPLY],
    }
    again = hider.hide(reply_item())
    assert (again.action, again.outcome) == (Action.HIDE, Outcome.ALREADY_DONE)
    assert pds.calls.count("com.atproto.repo.createRecord") == 1
    assert "com.atproto.repo.putRecord" not in pds.calls


def test_hide_keeps_the_threadgate_rules_and_writes_with_swap(pds):
    gate = {
        "$type": "app.bsky.feed.threadgate",
        "post": OUR_ROOT,
        "createdAt": "2026-03-20T09:00:00.000Z",
        "allow": [{"$type": "app.bsky.feed.threadgate#followingRule"}],
        "hiddenReplies": [f"at://{SUSPENDED}/app.bsky.feed.post/3mhsdhedfk225"],
    }
    pds.records[("app.bsky.feed.threadgate", "3mhsd6ga4s225")] = gate
    pds.refuse["com.atproto.repo.putRecord"] = [error(400, "InvalidSwap", "changed meanwhile")]
    hider, _ = moderator(pds)
    result = hider.hide(reply_item())
    assert result.outcome is Outcome.DONE
    assert pds.records[("app.bsky.feed.threadgate", "3mhsd6ga4s225")] == {
        **gate,
        "hiddenReplies": [f"at://{SUSPENDED}/app.bsky.feed.post/3mhsdhedfk225", THEIR_REPLY],
    }
    assert pds.calls.count("com.atproto.repo.getRecord") == 2  # read again after the conflict


def test_hide_outside_our_threads_is_handed_to_a_person_without_a_request(pds):
    hider, gateway = moderator(pds)
    theirs = hider.hide(reply_item(root=THEIR_ROOT))
    a_root = hider.hide(reply_item(uri=OUR_ROOT, root=OUR_ROOT, kind=Kind.POST))
    assert [(r.outcome, r.detail) for r in (theirs, a_root)] == [
        (Outcome.NEEDS_HAND, "our_threads_only"),
        (Outcome.NEEDS_HAND, "our_threads_only"),
    ]
    assert gateway.requests_made == 0


# -- reply -----------------------------------------------------------------------------------


def test_reply_posts_once_per_idempotency_key(pds):
    replier, _ = moderator(pds)
    text = "Sorry about the lift 🛠️ an engineer is on the way. -Priya"
    first = replier.reply(reply_item(), text, "bluesky:reply:42")
    rkey = record_key("bluesky:reply:42")
    assert (first.outcome, first.reference) == (
        Outcome.DONE,
        f"at://{ORG}/app.bsky.feed.post/{rkey}",
    )
    strong_ref = "com.atproto.repo.strongRef"
    assert pds.records[("app.bsky.feed.post", rkey)] == {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": "2026-03-24T14:00:00Z",
        "langs": ["en"],
        "reply": {
            "$type": "app.bsky.feed.post#replyRef",
            "root": {"$type": strong_ref, "uri": OUR_ROOT, "cid": cid_of(OUR_ROOT)},
            "parent": {"$type": strong_ref, "uri": THEIR_REPLY, "cid": cid_of(THEIR_REPLY)},
        },
    }
    again = replier.reply(reply_item(), text, "bluesky:reply:42")
    assert (again.outcome, again.reference) == (Outcome.ALREADY_DONE, first.reference)
    assert pds.calls.count("app.bsky.feed.getPosts") == 1
    assert pds.calls.count("com.atproto.repo.createRecord") == 1


def test_a_reply_whose_response_timed_out_is_not_posted_twice(pds):
    pds.lose["com.atproto.repo.createRecord"] = [httpx.ReadTimeout("timed out")]
    replier, _ = moderator(pds)
    result = replier.reply(reply_item(), "On it. -Alex", "bluesky:reply:43")
    assert result.outcome is Outcome.ALREADY_DONE  # the retry found the stored reply
    assert len([key for key in pds.records if key[0] == "app.bsky.feed.post"]) == 1


def test_a_reply_to_a_deleted_post_is_not_possible(pds):
    gone = f"at://{RESIDENT}/app.bsky.feed.post/3mhsgone22225"
    replier, _ = moderator(pds)
    result = replier.reply(reply_item(uri=gone), "Hello", "bluesky:reply:44")
    assert (result.outcome, result.detail) == (Outcome.NOT_POSSIBLE, "the post is gone")
    assert "com.atproto.repo.createRecord" not in pds.calls


def test_a_reply_too_long_for_a_post_is_fatal_and_nothing_is_written(pds):
    replier, _ = moderator(pds)
    with pytest.raises(FatalError, match="Bluesky reply: the request does not fit the lexicon"):
        replier.reply(reply_item(), "🏠" * 3001, "bluesky:reply:46")
    assert "com.atproto.repo.createRecord" not in pds.calls


def test_a_direct_message_item_cannot_be_replied_to_in_public(pds):
    replier, _ = moderator(pds)
    message = InboxItem(
        Platform.BLUESKY,
        Kind.DIRECT_MESSAGE,
        "3mhsfxtauc22f",
        "3lkconvoone22",
        Author(RESIDENT),
        "hi",
        NOW,
        False,
        channel=Channel.PRIVATE,
    )
    with pytest.raises(ValueError, match="public Bluesky item"):
        replier.reply(message, "Hello", "bluesky:reply:45")


# -- block -----------------------------------------------------------------------------------


def test_block_creates_one_record_per_idempotency_key(pds):
    blocker, _ = moderator(pds)
    first = blocker.block(RESIDENT, "bluesky:block:7")
    rkey = record_key("bluesky:block:7")
    assert (first.outcome, first.reference) == (
        Outcome.DONE,
        f"at://{ORG}/app.bsky.graph.block/{rkey}",
    )
    assert pds.records[("app.bsky.graph.block", rkey)] == {
        "$type": "app.bsky.graph.block",
        "subject": RESIDENT,
        "createdAt": "2026-03-24T14:00:00Z",
    }
    again = blocker.block(RESIDENT, "bluesky:block:7")
    assert (again.outcome, again.reference) == (Outcome.ALREADY_DONE, first.reference)
    assert pds.calls.count("com.atproto.repo.createRecord") == 1


def test_a_block_made_by_hand_in_the_app_counts_as_done(pds):
    by_hand = f"at://{ORG}/app.bsky.graph.block/3mhrzzzzzz225"
    pds.profiles[RESIDENT]["viewer"] = {"muted": False, "blocking": by_hand}
    blocker, _ = moderator(pds)
    result = blocker.block(RESIDENT, "bluesky:block:8")
    assert (result.outcome, result.reference) == (Outcome.ALREADY_DONE, by_hand)
    assert "com.atproto.repo.createRecord" not in pds.calls


def test_a_suspended_account_is_blocked_by_its_did(pds):
    blocker, _ = moderator(pds)
    result = blocker.block(SUSPENDED, "bluesky:block:9")
    assert result.outcome is Outcome.DONE
    assert (
        pds.records[("app.bsky.graph.block", record_key("bluesky:block:9"))]["subject"] == SUSPENDED
    )


# -- direct messages -------------------------------------------------------------------------


def test_a_direct_message_goes_to_the_existing_conversation(pds):
    sender, _ = moderator(pds)
    result = sender.send_direct_message(RESIDENT, "Please send us your address here 📮", "dm:1")
    assert (result.action, result.outcome, result.reference) == (
        Action.DIRECT_MESSAGE,
        Outcome.DONE,
        "3mhsmsg000001",
    )
    assert pds.sent == [
        {
            "convoId": "3lkconvoone22",
            "message": {
                "$type": "chat.bsky.convo.defs#messageInput",
                "text": "Please send us your address here 📮",
            },
        }
    ]


def test_a_first_direct_message_opens_the_conversation(pds):
    pds.convo = None
    sender, _ = moderator(pds)
    assert sender.send_direct_message(RESIDENT, "Hello", "dm:2").outcome is Outcome.DONE
    assert pds.sent[0]["convoId"] == "3lkconvonew22"
    assert "chat.bsky.convo.getConvoForMembers" in pds.calls


def test_a_person_who_takes_no_messages_from_us_is_not_possible(pds):
    pds.can_chat = False
    sender, _ = moderator(pds)
    result = sender.send_direct_message(RESIDENT, "Hello", "dm:3")
    assert result.outcome is Outcome.NOT_POSSIBLE
    assert pds.sent == []


def test_a_failed_send_is_tried_once_and_reported_as_retriable(pds):
    pds.refuse["chat.bsky.convo.sendMessage"] = [error(502, "UpstreamFailure", "upstream")]
    sender, _ = moderator(pds)
    with pytest.raises(RetriableError, match=r"HTTP 502 \(UpstreamFailure\)"):
        sender.send_direct_message(RESIDENT, "Hello", "dm:4")
    assert pds.calls.count("chat.bsky.convo.sendMessage") == 1
