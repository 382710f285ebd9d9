"""Moderation on X through the X API v2 (tweepy), and what X lets a self-serve account do.

Capability matrix (:data:`CAPABILITIES`):

- hide: only replies, and only in conversations the account started (``PUT
  /2/tweets/:id/hidden``); X refuses the rest and the result says so.
- reply and direct message: automatic, unless the author restricted replies or takes no
  messages from the account (then the result is ``not_possible``).
- mute: automatic (``POST /2/users/:id/muting``).
- block: by hand. Blocking through the API needs an Enterprise plan, so :meth:`XModerator.block`
  mutes the person and blocks their direct messages (``POST /2/users/:id/dm/block``, where the
  plan allows it), and reports the block itself as needing completion in the X app.

Idempotency: hiding, muting and blocking messages set a state, so repeating them is harmless
and reports the same. A reply or a message creates a new post or message each time it is sent:
the caller (the store-backed action log) passes an ``idempotency_key``, records the result
under it, and calls at most once per key. This module does not try to find an earlier reply on
X, which would cost a billed read and still race.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from types import MappingProxyType
from typing import Any

import tweepy

from trident_pipeline.domain.models import InboxItem, Kind, Platform
from trident_pipeline.sources.base import Account
from trident_pipeline.sources.errors import FatalError, NotPermitted
from trident_pipeline.sources.moderation import (
    Action,
    ActionResult,
    Capabilities,
    Outcome,
    Support,
    check_message_text,
)
from trident_pipeline.sources.retry import RetryPolicy
from trident_pipeline.sources.x.client import ActionRefused, XGateway

__all__ = ["CAPABILITIES", "XModerator"]

log = logging.getLogger(__name__)

CAPABILITIES: Capabilities = MappingProxyType(
    {
        Action.HIDE: Support.OUR_THREADS_ONLY,
        Action.REPLY: Support.AUTOMATIC,
        Action.DIRECT_MESSAGE: Support.AUTOMATIC,
        Action.MUTE: Support.AUTOMATIC,
        Action.BLOCK: Support.BY_HAND,
    }
)

_BLOCK_BY_HAND = "X allows blocking only in its app (the API needs an Enterprise plan)"


class XModerator:
    """A :class:`~trident_pipeline.sources.moderation.Moderator` for the organisation's X account.

    Args:
        client: a client from :func:`~trident_pipeline.sources.x.client.build_client` for
            ``account`` (OAuth 1.0a with read, write and direct-message permission).
        account: the organisation's X account.
        retry: retries for failed calls; five attempts by default.
        wall_clock: the current Unix time, for X's rate-limit reset headers.

    Raises:
        ValueError: when ``account`` is not on X or the client does not return raw bodies.
    """

    platform = Platform.X
    capabilities: Capabilities = CAPABILITIES

    def __init__(
        self,
        client: tweepy.Client,
        account: Account,
        *,
        retry: RetryPolicy | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if account.platform is not Platform.X:
            raise ValueError("an X moderator needs the organisation's X account")
        self.account = account
        self._gateway = XGateway(client, retry=retry or RetryPolicy(), wall_clock=wall_clock)
        # self._result(action, outcome, reference=..., detail=...): a result on X.
        self._result = partial(ActionResult, self.platform)

    def hide(self, item: InboxItem) -> ActionResult:
        """Hide a reply in a conversation the account started; hiding it again is harmless.

        Raises:
            ValueError: when ``item`` is not from X.
            RetriableError: when X keeps failing after the retries.
            NotPermitted: when the credentials, permissions or plan do not allow hiding.
            FatalError: for any other failure.
        """
        _check_platform(item)
        if item.kind is not Kind.REPLY or item.is_ours:
            return self._result(Action.HIDE, Outcome.NOT_POSSIBLE, detail="X hides replies only")
        client = self._gateway.client
        try:
            body = self._gateway.call("X hide reply", lambda: client.hide_reply(item.native_id))
        except ActionRefused:
            detail = "X hides replies only in conversations the account started"
            return self._result(Action.HIDE, Outcome.NOT_POSSIBLE, detail=detail)
        _expect(body, "hidden", "X hide reply")
        return self._result(Action.HIDE, Outcome.DONE, reference=item.native_id)

    def reply(self, item: InboxItem, text: str, idempotency_key: str) -> ActionResult:
        """Reply publicly to a post, or in the conversation of a direct message.

        Call once per ``idempotency_key``: every call sends a new reply.

        Raises:
            ValueError: when ``item`` is not from X or ``text`` is empty.
            RetriableError: when X keeps failing after the retries.
            NotPermitted: when the credentials, permissions or plan do not allow it.
            FatalError: for any other failure.
        """
        _check_platform(item)
        check_message_text(text)
        client = self._gateway.client
        if item.kind is Kind.DIRECT_MESSAGE:
            operation, created = "X direct message", "dm_event_id"
            request: Callable[[], Any] = partial(
                client.create_direct_message, dm_conversation_id=item.thread_id, text=text
            )
        else:
            operation, created = "X reply", "id"
            request = partial(client.create_tweet, text=text, in_reply_to_tweet_id=item.native_id)
        try:
            body = self._gateway.call(operation, request)
        except ActionRefused:
            detail = "X refused the reply: the author limits who may reply or message"
            return self._result(Action.REPLY, Outcome.NOT_POSSIBLE, detail=detail)
        reference = _created_id(body, created)
        log.info("X reply for action %s sent as %s", idempotency_key, reference)
        return self._result(Action.REPLY, Outcome.DONE, reference=reference)

    def send_direct_message(self, user_id: str, text: str, idempotency_key: str) -> ActionResult:
        """Send a direct message to ``user_id`` (one-to-one conversation).

        Call once per ``idempotency_key``: every call sends a new message.

        Raises:
            ValueError: when ``user_id`` or ``text`` is empty.
            RetriableError: when X keeps failing after the retries.
            NotPermitted: when the credentials, permissions or plan do not allow it.
            FatalError: for any other failure.
        """
        if not user_id:
            raise ValueError("a direct message needs a recipient")
        check_message_text(text)
        client = self._gateway.client
        try:
            body = self._gateway.call(
                "X direct message",
                lambda: client.create_direct_message(participant_id=user_id, text=text),
            )
        except ActionRefused:
            detail = "X refused the message: the person takes no messages from the account"
            return self._result(Action.DIRECT_MESSAGE, Outcome.NOT_POSSIBLE, detail=detail)
        reference = _created_id(body, "dm_event_id")
        log.info("X direct message for action %s sent as %s", idempotency_key, reference)
        return self._result(Action.DIRECT_MESSAGE, Outcome.DONE, reference=reference)

    def mute(self, user_id: str, idempotency_key: str) -> ActionResult:
        """Mute ``user_id``; muting again is harmless.

        Raises:
            ValueError: when ``user_id`` is empty.
            RetriableError: when X keeps failing after the retries.
            NotPermitted: when the credentials, permissions or plan do not allow it.
            FatalError: for any other failure.
        """
        if not user_id:
            raise ValueError("muting needs a user id")
        client = self._gateway.client
        body = self._gateway.call("X mute", lambda: client.mute(user_id))
        _expect(body, "muting", "X mute")
        log.info("X mute for action %s done", idempotency_key)
        return self._result(Action.MUTE, Outcome.DONE, reference=user_id)

    def block(self, user_id: str, idempotency_key: str) -> ActionResult:
        """Mute ``user_id`` and block their messages, then hand the block itself to a person.

        Both steps set a state, so repeating the action is harmless.

        Raises:
            ValueError: when ``user_id`` is empty.
            RetriableError: when X keeps failing after the retries.
            NotPermitted: when the credentials, permissions or plan do not allow muting.
            FatalError: for any other failure.
        """
        self.mute(user_id, idempotency_key)
        client = self._gateway.client
        try:
            response = self._gateway.call(
                "X block messages",
                lambda: client.request("POST", f"/2/users/{user_id}/dm/block", user_auth=True),
            )
            _expect(response.json(), "blocked", "X block messages")
        except NotPermitted as refusal:
            log.warning("X block messages for action %s not allowed: %s", idempotency_key, refusal)
            detail = f"muted; messages not blocked (not allowed); {_BLOCK_BY_HAND}"
        else:
            detail = f"muted and messages blocked; {_BLOCK_BY_HAND}"
        return self._result(Action.BLOCK, Outcome.NEEDS_HAND, reference=user_id, detail=detail)


def _check_platform(item: InboxItem) -> None:
    if item.platform is not Platform.X:
        raise ValueError("an X moderator acts on X items only")


def _expect(body: object, flag: str, operation: str) -> None:
    """Check that X confirmed the state (``{"data": {flag: true}}``).

    Raises:
        FatalError: when the body does not confirm it.
    """
    data = body.get("data") if isinstance(body, dict) else None
    if not (isinstance(data, dict) and data.get(flag) is True):
        raise FatalError(f"{operation}: X did not confirm {flag}")


def _created_id(body: object, field: str) -> str:
    """The id X gave what was created (``{"data": {field: "..."}}``).

    Raises:
        FatalError: when the body carries no such id.
    """
    data = body.get("data") if isinstance(body, dict) else None
    value = data.get(field) if isinstance(data, dict) else None
    if not isinstance(value, str) or not value:
        raise FatalError(f"X returned no {field}")
    return value
