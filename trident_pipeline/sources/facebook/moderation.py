"""Moderation on the organisation's Facebook page through the Graph API, and what it allows.

Capability matrix (:data:`CAPABILITIES`):

- hide: automatic for comments on the page's posts (``POST /{comment-id}`` with
  ``is_hidden=true``); other items are hidden or removed by hand.
- reply: automatic: a comment in reply to a post or comment, or a Messenger message in reply to
  a message.
- direct message: automatic through the Send API (``POST /{page-id}/messages``,
  ``messaging_type=RESPONSE``), but only to someone who wrote to the page in the last 24 hours;
  otherwise the result is ``not_possible``.
- block: automatic (``POST /{page-id}/blocked``): the person can no longer comment, react,
  message or post on the page. Mute: Facebook pages have none, so it is not in the matrix.

Idempotency: hiding sets a state, so hiding again is harmless. Blocking first asks whether the
person is blocked already (``GET /{page-id}/blocked?user=``) and then reports
``already_done``. A reply or a message creates a new comment or message each time it is sent:
the caller (the store-backed action log) passes an ``idempotency_key``, records the result under
it, and calls at most once per key. This module does not look for an earlier reply on Facebook.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from functools import partial
from types import MappingProxyType

import facebook

from trident_pipeline.domain.models import InboxItem, Kind, Platform
from trident_pipeline.sources.base import Account
from trident_pipeline.sources.errors import FatalError
from trident_pipeline.sources.facebook.client import ActionRefused, GraphGateway
from trident_pipeline.sources.moderation import (
    Action,
    ActionResult,
    Capabilities,
    Outcome,
    Support,
    check_message_text,
)
from trident_pipeline.sources.retry import RetryPolicy

__all__ = ["CAPABILITIES", "FacebookModerator"]

log = logging.getLogger(__name__)

CAPABILITIES: Capabilities = MappingProxyType(
    {
        Action.HIDE: Support.AUTOMATIC,
        Action.REPLY: Support.AUTOMATIC,
        Action.DIRECT_MESSAGE: Support.AUTOMATIC,
        Action.BLOCK: Support.AUTOMATIC,
    }
)


class FacebookModerator:
    """A :class:`~trident_pipeline.sources.moderation.Moderator` for the organisation's page.

    Args:
        graph: a client from :func:`~trident_pipeline.sources.facebook.client.build_graph`
            holding the page's access token.
        account: the organisation's page (``user_id`` is the page id).
        retry: retries for failed calls; five attempts by default.

    Raises:
        ValueError: when ``account`` is not on Facebook.
    """

    platform = Platform.FACEBOOK
    capabilities: Capabilities = CAPABILITIES

    def __init__(
        self, graph: facebook.GraphAPI, account: Account, *, retry: RetryPolicy | None = None
    ) -> None:
        if account.platform is not Platform.FACEBOOK:
            raise ValueError("a Facebook moderator needs the organisation's Facebook page")
        self.account = account
        self._gateway = GraphGateway(graph, retry=retry or RetryPolicy())
        # self._result(action, outcome, reference=..., detail=...): a result on Facebook.
        self._result = partial(ActionResult, self.platform)

    def hide(self, item: InboxItem) -> ActionResult:
        """Hide a comment on the page's posts; hiding it again is harmless.

        Raises:
            ValueError: when ``item`` is not from Facebook.
            RetriableError: when the Graph API keeps failing after the retries.
            NotPermitted: when the token lacks ``pages_manage_engagement``.
            FatalError: for any other failure.
        """
        _check_platform(item)
        if item.kind is not Kind.COMMENT or item.is_ours:
            detail = "only comments by others are hidden through the API"
            return self._result(Action.HIDE, Outcome.NOT_POSSIBLE, detail=detail)
        try:
            body = self._gateway.post("Facebook hide", item.native_id, {"is_hidden": "true"})
        except ActionRefused as refusal:
            return self._result(Action.HIDE, Outcome.NOT_POSSIBLE, detail=refusal.reason)
        if not (isinstance(body, Mapping) and body.get("success") is True):
            raise FatalError("Facebook hide: the Graph API did not confirm success")
        return self._result(Action.HIDE, Outcome.DONE, reference=item.native_id)

    def reply(self, item: InboxItem, text: str, idempotency_key: str) -> ActionResult:
        """Reply as the page: a comment under a post or comment, or a message in Messenger.

        Call once per ``idempotency_key``: every call sends a new reply.

        Raises:
            ValueError: when ``item`` is not from Facebook, has no author to message, or
                ``text`` is empty.
            RetriableError: when the Graph API keeps failing after the retries.
            NotPermitted: when the token or its permissions do not allow it.
            FatalError: for any other failure.
        """
        _check_platform(item)
        check_message_text(text)
        if item.kind is Kind.DIRECT_MESSAGE:
            if item.author.user_id is None:
                raise ValueError("a Messenger reply needs the author's page-scoped id")
            result = self._send(item.author.user_id, text, idempotency_key)
            return self._result(
                Action.REPLY, result.outcome, reference=result.reference, detail=result.detail
            )
        try:
            body = self._gateway.post(
                "Facebook reply", f"{item.native_id}/comments", {"message": text}
            )
        except ActionRefused as refusal:
            return self._result(Action.REPLY, Outcome.NOT_POSSIBLE, detail=refusal.reason)
        reference = _created_id(body, "id")
        log.info("Facebook reply for action %s sent as %s", idempotency_key, reference)
        return self._result(Action.REPLY, Outcome.DONE, reference=reference)

    def send_direct_message(self, user_id: str, text: str, idempotency_key: str) -> ActionResult:
        """Send a Messenger message as the page to a page-scoped user id.

        Call once per ``idempotency_key``: every call sends a new message.

        Raises:
            ValueError: when ``user_id`` or ``text`` is empty.
            RetriableError: when the Graph API keeps failing after the retries.
            NotPermitted: when the token lacks ``pages_messaging``.
            FatalError: for any other failure.
        """
        if not user_id:
            raise ValueError("a message needs a recipient")
        check_message_text(text)
        return self._send(user_id, text, idempotency_key)

    def block(self, user_id: str, idempotency_key: str) -> ActionResult:
        """Block a page-scoped user id from the page; ``already_done`` when blocked before.

        Raises:
            ValueError: when ``user_id`` is empty.
            RetriableError: when the Graph API keeps failing after the retries.
            NotPermitted: when the token or its permissions do not allow it.
            FatalError: for any other failure.
        """
        if not user_id:
            raise ValueError("blocking needs a user id")
        path = f"{self.account.user_id}/blocked"
        blocked = self._gateway.get("Facebook blocked", path, {"user": user_id})
        if isinstance(blocked, Mapping) and blocked.get("data"):
            return self._result(Action.BLOCK, Outcome.ALREADY_DONE, reference=user_id)
        try:
            body = self._gateway.post("Facebook block", path, {"user": json.dumps([user_id])})
        except ActionRefused as refusal:
            return self._result(Action.BLOCK, Outcome.NOT_POSSIBLE, detail=refusal.reason)
        if not (isinstance(body, Mapping) and body.get(user_id) is True):
            detail = "Facebook did not block the person"
            return self._result(Action.BLOCK, Outcome.NOT_POSSIBLE, detail=detail)
        log.info("Facebook block for action %s done", idempotency_key)
        return self._result(Action.BLOCK, Outcome.DONE, reference=user_id)

    def _send(self, user_id: str, text: str, idempotency_key: str) -> ActionResult:
        data = {
            "recipient": json.dumps({"id": user_id}),
            "messaging_type": "RESPONSE",
            "message": json.dumps({"text": text}, ensure_ascii=False),
        }
        try:
            body = self._gateway.post("Facebook message", f"{self.account.user_id}/messages", data)
        except ActionRefused as refusal:
            return self._result(Action.DIRECT_MESSAGE, Outcome.NOT_POSSIBLE, detail=refusal.reason)
        reference = _created_id(body, "message_id")
        log.info("Facebook message for action %s sent as %s", idempotency_key, reference)
        return self._result(Action.DIRECT_MESSAGE, Outcome.DONE, reference=reference)


def _check_platform(item: InboxItem) -> None:
    if item.platform is not Platform.FACEBOOK:
        raise ValueError("a Facebook moderator acts on Facebook items only")


def _created_id(body: object, field: str) -> str:
    """The id the Graph API gave what was created.

    Raises:
        FatalError: when the body carries no such id.
    """
    value = body.get(field) if isinstance(body, Mapping) else None
    if not isinstance(value, str) or not value:
        raise FatalError(f"the Graph API returned no {field}")
    return value
