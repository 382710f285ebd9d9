"""Moderation actions on Bluesky, through atproto, each safe to repeat.

=================== ================== ===============================================
action              support            how
=================== ================== ===============================================
hide                our threads only   add the reply to ``hiddenReplies`` of the root
                                       post's ``app.bsky.feed.threadgate`` (same rkey
                                       as the root); only a thread's author may
reply               automatic          an ``app.bsky.feed.post`` replying to the item
direct message      automatic          ``chat.bsky.convo.sendMessage`` (an app password
                                       with direct-message access)
block               automatic          an ``app.bsky.graph.block`` record
mute                by hand            not automated here
=================== ================== ===============================================

**Idempotency.** A reply and a block are created with a record key derived from the caller's
idempotency key (:func:`record_key`, a valid TID), and each action first reads that record:
when it exists the result is ``ALREADY_DONE`` with its URI, so a retry after a timeout, a
re-run or a second call with the same key never posts or blocks twice. A block also reads the
person's profile: ``viewer.blocking`` shows a block made by hand in the app (the PDS would
otherwise replace that record with ours, as it keeps one block per person). Hiding reads the
threadgate and writes it back with ``swapRecord``, so a concurrent edit is never overwritten.
Each action's reads and write are retried together, so a retry reads again first.

**Direct messages** cannot be made idempotent on Bluesky: the chat service takes no
client-chosen id. The contract is therefore the caller's: the action log calls
:meth:`BlueskyModerator.send_direct_message` once per idempotency key and records the result;
the message is sent with a single attempt (no automatic retry), and a ``RetriableError`` means
it may or may not have been sent, for a person to check before trying again. A ``RateLimited``
error is the exception: Bluesky refused the request, so nothing was sent.

Logs and results name the action, outcome and record URIs of our own repository only.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any

from atproto_client import Client, models
from atproto_client.exceptions import BadRequestError
from atproto_core.exceptions import InvalidAtUriError
from atproto_core.uri import AtUri

from trident_pipeline.domain.models import Channel, InboxItem, Platform
from trident_pipeline.sources.base import Account
from trident_pipeline.sources.bluesky.client import BlueskyGateway, query_json, xrpc_error
from trident_pipeline.sources.moderation import (
    Action,
    ActionResult,
    Capabilities,
    Outcome,
    Support,
)

__all__ = ["CAPABILITIES", "BlueskyModerator", "record_key"]

log = logging.getLogger(__name__)

CAPABILITIES: Capabilities = MappingProxyType(
    {
        Action.HIDE: Support.OUR_THREADS_ONLY,
        Action.REPLY: Support.AUTOMATIC,
        Action.DIRECT_MESSAGE: Support.AUTOMATIC,
        Action.BLOCK: Support.AUTOMATIC,
        Action.MUTE: Support.BY_HAND,
    }
)

_POST = "app.bsky.feed.post"
_BLOCK = "app.bsky.graph.block"
_THREADGATE = "app.bsky.feed.threadgate"
_MAX_HIDDEN_REPLIES = 300
# What getProfile answers for an account that is suspended, deactivated or gone.
_NO_PROFILE_ERRORS = frozenset({"AccountTakedown", "AccountDeactivated", "InvalidRequest"})
_S32 = "234567abcdefghijklmnopqrstuvwxyz"
# Derived record keys are TIDs dated between 2020-09-13 and early 2025: always in the past.
_TID_FLOOR_MICROS = 1_600_000_000_000_000
_TID_SPREAD_MICROS = 1 << 47


def record_key(idempotency_key: str) -> str:
    """The record key for the action with this idempotency key: the same key, the same record.

    It is a valid TID (13 base32-sortable characters), which ``app.bsky.feed.post`` and
    ``app.bsky.graph.block`` records require as keys.

    Raises:
        ValueError: when the idempotency key is empty.
    """
    if not idempotency_key:
        raise ValueError("an action needs an idempotency key")
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode("utf-8")).digest()[:8], "big")
    micros = _TID_FLOOR_MICROS + (digest >> 10) % _TID_SPREAD_MICROS
    value = (micros << 10) | (digest & 0x3FF)
    return "".join(_S32[(value >> shift) & 31] for shift in range(60, -1, -5))


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class BlueskyModerator:
    """Carries out moderation actions as the organisation's Bluesky account.

    Args:
        account: the organisation's account; its ``user_id`` is the repository written to.
        gateway: the gateway logged in as that account.
        clock: the current time, for the ``createdAt`` of records written.

    Raises:
        ValueError: when the account is not a Bluesky account.
    """

    platform = Platform.BLUESKY
    capabilities = CAPABILITIES

    def __init__(
        self,
        account: Account,
        gateway: BlueskyGateway,
        *,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        if account.platform is not Platform.BLUESKY:
            raise ValueError("a Bluesky moderator needs a Bluesky account")
        self._did = account.user_id
        self._gateway = gateway
        self._clock = clock

    def hide(self, item: InboxItem) -> ActionResult:
        """Hide a reply in one of our threads by adding it to the thread's ``hiddenReplies``.

        Returns:
            ``DONE`` or ``ALREADY_DONE`` with the threadgate's URI; ``NEEDS_HAND`` (detail
            ``our_threads_only``) for an item that is not a reply in a thread we started;
            ``NOT_POSSIBLE`` when the threadgate already hides as many replies as it can.

        Raises:
            ValueError: when the item is not a public Bluesky item.
            SourceError: when Bluesky fails (see
                :func:`~trident_pipeline.sources.bluesky.client.classify_failure`).
        """
        self._check(item)
        root = _our_thread_root(item, self._did)
        if root is None:
            return self._result(
                Action.HIDE, Outcome.NEEDS_HAND, detail=Support.OUR_THREADS_ONLY.value
            )
        return self._gateway.call(
            "Bluesky hide", lambda client: self._hide(client, root, item.native_id)
        )

    def reply(self, item: InboxItem, text: str, idempotency_key: str) -> ActionResult:
        """Reply publicly to ``item`` from the corporate account, once per idempotency key.

        Returns:
            ``DONE`` or ``ALREADY_DONE`` with the reply's URI; ``NOT_POSSIBLE`` when the post
            is gone or its author closed replies to us.

        Raises:
            ValueError: when the item is not a public Bluesky item, or the key is empty.
            SourceError: when Bluesky fails.
        """
        self._check(item)
        rkey = record_key(idempotency_key)
        return self._gateway.call(
            "Bluesky reply", lambda client: self._reply(client, item.native_id, text, rkey)
        )

    def send_direct_message(self, user_id: str, text: str, idempotency_key: str) -> ActionResult:
        """Send a private message to a Bluesky user (by DID), under the caller's contract.

        The caller calls once per ``idempotency_key`` (see the module's docstring); the key is
        checked but Bluesky has nowhere to keep it.

        Returns:
            ``DONE`` with the message's id; ``NOT_POSSIBLE`` when the person does not accept
            messages from us.

        Raises:
            ValueError: when the key is empty or the text is longer than a message may be.
            SourceError: when Bluesky fails; a ``RetriableError`` while sending means the
                message may have been sent.
        """
        if not idempotency_key:
            raise ValueError("an action needs an idempotency key")
        availability = self._gateway.query(
            "Bluesky message availability",
            "chat.bsky.convo.getConvoAvailability",
            models.ChatBskyConvoGetConvoAvailability.Params(members=[user_id]),
            chat=True,
        )
        if availability.get("canChat") is not True:
            return self._result(
                Action.DIRECT_MESSAGE, Outcome.NOT_POSSIBLE, detail="does not accept messages"
            )
        convo = availability.get("convo")
        if not isinstance(convo, Mapping):
            convo = self._gateway.query(
                "Bluesky conversation",
                "chat.bsky.convo.getConvoForMembers",
                models.ChatBskyConvoGetConvoForMembers.Params(members=[user_id]),
                chat=True,
            ).get("convo")
        convo_id = convo.get("id") if isinstance(convo, Mapping) else None
        if not isinstance(convo_id, str):
            return self._result(
                Action.DIRECT_MESSAGE, Outcome.NOT_POSSIBLE, detail="no conversation"
            )
        data = models.ChatBskyConvoSendMessage.Data(
            convo_id=convo_id, message=models.ChatBskyConvoDefs.MessageInput(text=text)
        )
        sent = self._gateway.call(
            "Bluesky direct message",
            lambda client: client.chat.bsky.convo.send_message(data),
            chat=True,
            retry=False,
        )
        return self._result(Action.DIRECT_MESSAGE, Outcome.DONE, reference=sent.id)

    def block(self, user_id: str, idempotency_key: str) -> ActionResult:
        """Block a Bluesky user (by DID) from the corporate account, once per idempotency key.

        Returns:
            ``DONE`` with the new block record's URI; ``ALREADY_DONE`` with the URI of the
            block record that exists (ours for this key, or one made by hand in the app).

        Raises:
            ValueError: when the key is empty.
            SourceError: when Bluesky fails.
        """
        rkey = record_key(idempotency_key)
        return self._gateway.call(
            "Bluesky block", lambda client: self._block(client, user_id, rkey)
        )

    # -- the units each retry repeats whole -------------------------------------------------

    def _hide(self, client: Client, root: AtUri, reply_uri: str) -> ActionResult:
        gate = self._get_record(client, _THREADGATE, root.rkey)
        if gate is None:
            record = {
                "$type": _THREADGATE,
                "post": str(root),
                "createdAt": self._now(),
                "hiddenReplies": [reply_uri],
            }
            created = client.com.atproto.repo.create_record(
                models.ComAtprotoRepoCreateRecord.Data(
                    repo=self._did, collection=_THREADGATE, rkey=root.rkey, record=record
                )
            )
            return self._result(Action.HIDE, Outcome.DONE, reference=created.uri)
        value = gate.get("value")
        value = dict(value) if isinstance(value, Mapping) else {"$type": _THREADGATE}
        hidden = value.get("hiddenReplies")
        hidden = [uri for uri in hidden if isinstance(uri, str)] if isinstance(hidden, list) else []
        if reply_uri in hidden:
            return self._result(Action.HIDE, Outcome.ALREADY_DONE, reference=gate.get("uri"))
        if len(hidden) >= _MAX_HIDDEN_REPLIES:
            return self._result(
                Action.HIDE, Outcome.NOT_POSSIBLE, detail="the thread hides the most replies"
            )
        written = client.com.atproto.repo.put_record(
            models.ComAtprotoRepoPutRecord.Data(
                repo=self._did,
                collection=_THREADGATE,
                rkey=root.rkey,
                record={**value, "hiddenReplies": [*hidden, reply_uri]},
                swap_record=gate.get("cid"),
            )
        )
        return self._result(Action.HIDE, Outcome.DONE, reference=written.uri)

    def _reply(self, client: Client, post_uri: str, text: str, rkey: str) -> ActionResult:
        existing = self._get_record(client, _POST, rkey)
        if existing is not None:
            return self._result(Action.REPLY, Outcome.ALREADY_DONE, reference=existing.get("uri"))
        posts = query_json(
            client, "app.bsky.feed.getPosts", models.AppBskyFeedGetPosts.Params(uris=[post_uri])
        ).get("posts")
        view = posts[0] if isinstance(posts, list) and posts else None
        if not isinstance(view, Mapping) or not view.get("cid"):
            return self._result(Action.REPLY, Outcome.NOT_POSSIBLE, detail="the post is gone")
        viewer = view.get("viewer")
        if isinstance(viewer, Mapping) and viewer.get("replyDisabled") is True:
            return self._result(Action.REPLY, Outcome.NOT_POSSIBLE, detail="replies are closed")
        parent = models.ComAtprotoRepoStrongRef.Main(uri=post_uri, cid=view["cid"])
        record = models.AppBskyFeedPost.Record(
            text=text,
            created_at=self._now(),
            langs=["en"],
            reply=models.AppBskyFeedPost.ReplyRef(root=_root_ref(view) or parent, parent=parent),
        )
        created = client.app.bsky.feed.post.create(self._did, record, rkey=rkey)
        return self._result(Action.REPLY, Outcome.DONE, reference=created.uri)

    def _block(self, client: Client, user_id: str, rkey: str) -> ActionResult:
        existing = self._get_record(client, _BLOCK, rkey)
        if existing is not None:
            return self._result(Action.BLOCK, Outcome.ALREADY_DONE, reference=existing.get("uri"))
        blocking = self._blocking(client, user_id)
        if blocking is not None:
            return self._result(Action.BLOCK, Outcome.ALREADY_DONE, reference=blocking)
        record = models.AppBskyGraphBlock.Record(subject=user_id, created_at=self._now())
        created = client.app.bsky.graph.block.create(self._did, record, rkey=rkey)
        return self._result(Action.BLOCK, Outcome.DONE, reference=created.uri)

    # -- helpers ----------------------------------------------------------------------------

    def _get_record(self, client: Client, collection: str, rkey: str) -> Mapping[str, Any] | None:
        """One of our records as stored (``uri``, ``cid``, ``value``), or ``None`` if absent."""
        params = models.ComAtprotoRepoGetRecord.Params(
            repo=self._did, collection=collection, rkey=rkey
        )
        try:
            return query_json(client, "com.atproto.repo.getRecord", params)
        except BadRequestError as error:
            if xrpc_error(error) == "RecordNotFound":
                return None
            raise

    @staticmethod
    def _blocking(client: Client, user_id: str) -> str | None:
        """The URI of our block of ``user_id``, if the AppView shows one.

        A suspended, deactivated or deleted account has no profile to read (HTTP 400): it is
        blocked all the same, by its DID.
        """
        params = models.AppBskyActorGetProfile.Params(actor=user_id)
        try:
            profile = query_json(client, "app.bsky.actor.getProfile", params)
        except BadRequestError as error:
            if xrpc_error(error) in _NO_PROFILE_ERRORS:
                return None
            raise
        viewer = profile.get("viewer")
        blocking = viewer.get("blocking") if isinstance(viewer, Mapping) else None
        return blocking if isinstance(blocking, str) else None

    def _check(self, item: InboxItem) -> None:
        if item.platform is not Platform.BLUESKY or item.channel is not Channel.PUBLIC:
            raise ValueError("only a public Bluesky item can be hidden or replied to")

    def _now(self) -> str:
        return self._clock().astimezone(timezone.utc).isoformat().replace("+00:00", "Z")

    def _result(
        self,
        action: Action,
        outcome: Outcome,
        *,
        reference: str | None = None,
        detail: str | None = None,
    ) -> ActionResult:
        log.info("Bluesky %s: %s", action.value, outcome.value)
        return ActionResult(Platform.BLUESKY, action, outcome, reference=reference, detail=detail)


def _our_thread_root(item: InboxItem, did: str) -> AtUri | None:
    """The root post of the item's thread when we started it and the item replies in it."""
    if item.native_id == item.thread_id:
        return None
    try:
        root = AtUri.from_str(item.thread_id)
    except InvalidAtUriError:
        return None
    return root if root.host == did and root.collection == _POST else None


def _root_ref(view: Mapping[str, Any]) -> models.ComAtprotoRepoStrongRef.Main | None:
    """The strong reference to the thread's root that a post view's record replies to."""
    record = view.get("record")
    reply = record.get("reply") if isinstance(record, Mapping) else None
    root = reply.get("root") if isinstance(reply, Mapping) else None
    if isinstance(root, Mapping) and isinstance(root.get("uri"), str) and root.get("cid"):
        return models.ComAtprotoRepoStrongRef.Main(uri=root["uri"], cid=root["cid"])
    return None
