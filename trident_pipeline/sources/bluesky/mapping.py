"""Map Bluesky (AT Protocol) response bodies to inbox items.

Each stream is the body of one XRPC query:

- ``notifications``: ``app.bsky.notification.listNotifications``,
  ``{"notifications": [...], "cursor"?, "seenAt"?}``. Notifications for the reasons ``mention``,
  ``reply`` and ``quote`` become items of those kinds; every other reason (``like``, ``repost``,
  ``follow``, ``starterpack-joined``, ...) is not correspondence and is skipped.
- ``own_posts``: ``app.bsky.feed.getAuthorFeed`` for the account with
  ``filter=posts_with_replies``, ``{"feed": [{"post": {...}, "reply"?, "reason"?}], "cursor"?}``:
  its posts (kind post) and replies (kind reply). A repost (``reason`` of type
  ``app.bsky.feed.defs#reasonRepost``) is someone else's post and is skipped.
- ``chat``: ``chat.bsky.convo.getMessages`` for one conversation, ``{"messages": [...],
  "cursor"?}``. Message views become direct messages; deleted messages and system messages are
  skipped. A message view names neither its conversation nor its sender's handle, so the page
  context carries them (:func:`chat_context` builds it from the conversation's ``members``):

  ======================== ===========================================================
  ``convo_id``             the conversation's id (required): the items' ``thread_id``
  ``handle:<did>``         a member's handle
  ``display_name:<did>``   a member's display name, when they have one
  ======================== ===========================================================

- A post's ``native_id`` is its ``at://`` URI; ``thread_id`` is the URI of its thread's root
  (``record.reply.root``), or its own for a post that starts a thread; ``in_reply_to_id`` is
  ``record.reply.parent``. Its time is the record's ``createdAt``; a message's is ``sentAt``.
- Links are ``https://bsky.app/profile/{handle}/post/{rkey}``. A handle that failed
  verification (``handle.invalid``) is no handle: the link uses the DID instead.

A record that cannot be mapped is returned as rejected with one of these reasons: ``record is
not an object``, ``record has no <field>``, ``<field> is not a string``, ``createdAt`` or
``sentAt`` ``is not an ISO 8601 time`` or ``has no time zone``, ``uri is not an at:// post
uri``, ``author is not an object``, ``author has no did``, ``post is not an object``, ``post
record is not an object``, ``reply is not an object``, ``reply has no root uri``, ``reply has
no parent uri``, ``sender is not an object``, ``sender has no did`` or ``record is not a chat
message view``. A page that is not a body of this shape is rejected whole: ``page is not an
object``, ``<notifications|feed|messages> is not a list`` or ``page context has no convo_id``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.sources._fields import (
    Unmappable,
    map_records,
    reject_page,
    require_identifier,
    require_object,
    require_text,
    require_time,
)
from trident_pipeline.sources.base import Account, MappedPage, Page

__all__ = [
    "CHAT",
    "CONVO_ID",
    "NOTIFICATIONS",
    "OWN_POSTS",
    "STREAMS",
    "chat_context",
    "map_page",
]

NOTIFICATIONS = "notifications"
OWN_POSTS = "own_posts"
CHAT = "chat"
STREAMS: tuple[str, ...] = (NOTIFICATIONS, OWN_POSTS, CHAT)

CONVO_ID = "convo_id"
_HANDLE = "handle:"
_DISPLAY_NAME = "display_name:"

_RECORDS_KEY = {NOTIFICATIONS: "notifications", OWN_POSTS: "feed", CHAT: "messages"}
_NOTIFIED_KINDS = {"mention": Kind.MENTION, "reply": Kind.REPLY, "quote": Kind.QUOTE}
_REPOST = "app.bsky.feed.defs#reasonRepost"
_MESSAGE_VIEW = "chat.bsky.convo.defs#messageView"
_NOT_CORRESPONDENCE = frozenset(
    {"chat.bsky.convo.defs#deletedMessageView", "chat.bsky.convo.defs#systemMessageView"}
)
_POST_URI = re.compile(r"at://[^/]+/app\.bsky\.feed\.post/(?P<rkey>[^/]+)")
_INVALID_HANDLE = "handle.invalid"


def map_page(page: Page, account: Account) -> MappedPage:
    """Map one Bluesky response body to inbox items, rejecting the records that do not fit.

    Args:
        page: a body of the ``notifications``, ``own_posts`` or ``chat`` stream; a ``chat``
            page carries the context described in this module's docstring.
        account: the organisation's Bluesky account; items its DID wrote are marked as ours.

    Returns:
        The page's items in the order Bluesky sent them, and its rejected records. A body that
        is not of the expected shape gives one rejected record holding the whole body.

    Raises:
        ValueError: when ``page.stream`` is not one of :data:`STREAMS`.
    """
    if page.stream not in STREAMS:
        raise ValueError(f"Bluesky has no stream {page.stream!r}")
    try:
        records = _records(page)
    except Unmappable as problem:
        return reject_page(Platform.BLUESKY, page, problem)
    map_record: Callable[[object], InboxItem | None]
    if page.stream == NOTIFICATIONS:
        map_record = partial(_map_notification, account=account)
    elif page.stream == OWN_POSTS:
        map_record = partial(_map_feed_item, account=account)
    else:
        map_record = partial(_map_message, context=page.context, account=account)
    return map_records(Platform.BLUESKY, page, records, map_record)


def chat_context(convo_id: str, members: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The page context for a ``chat`` page of conversation ``convo_id``.

    Args:
        convo_id: the conversation's id.
        members: the conversation's ``members`` as ``chat.bsky.convo.getConvo`` or
            ``listConvos`` return them (``{"did", "handle", "displayName"?}``).

    Returns:
        ``convo_id``, plus ``handle:<did>`` and ``display_name:<did>`` for each member that has
        them. It never raises: a member without a DID is left out.
    """
    context = {CONVO_ID: convo_id}
    for member in members:
        did = member.get("did")
        if not isinstance(did, str) or not did:
            continue
        handle, display_name = member.get("handle"), member.get("displayName")
        if isinstance(handle, str) and handle and handle != _INVALID_HANDLE:
            context[_HANDLE + did] = handle
        if isinstance(display_name, str) and display_name:
            context[_DISPLAY_NAME + did] = display_name
    return context


def _records(page: Page) -> list[object]:
    if not isinstance(page.payload, Mapping):
        raise Unmappable("page is not an object")
    key = _RECORDS_KEY[page.stream]
    records = page.payload.get(key)
    if not isinstance(records, list):
        raise Unmappable(f"{key} is not a list")
    if page.stream == CHAT and not page.context.get(CONVO_ID):
        raise Unmappable(f"page context has no {CONVO_ID}")
    return records


def _map_notification(record: object, account: Account) -> InboxItem | None:
    notification = require_object(record)
    kind = _NOTIFIED_KINDS.get(require_identifier(notification, "reason"))
    if kind is None:
        return None
    return _map_post_view(notification, kind, account)


def _map_feed_item(record: object, account: Account) -> InboxItem | None:
    item = require_object(record)
    reason = item.get("reason")
    if isinstance(reason, Mapping) and reason.get("$type") == _REPOST:
        return None
    view = item.get("post")
    if not isinstance(view, Mapping):
        raise Unmappable("post is not an object")
    return _map_post_view(view, None, account)


def _map_post_view(view: Mapping[str, Any], kind: Kind | None, account: Account) -> InboxItem:
    """Map a post view or a notification (both carry ``uri``, ``author`` and ``record``).

    ``kind`` ``None`` means the account's own feed: a reply when the record replies, else a post.
    """
    uri = require_identifier(view, "uri")
    rkey = _post_rkey(uri)
    author = _author(view.get("author"))
    post = view.get("record")
    if not isinstance(post, Mapping):
        raise Unmappable("post record is not an object")
    text = require_text(post, "text")
    created_at = require_time(post, "createdAt")
    root_uri, parent_uri = _reply_refs(post)
    if kind is None:
        kind = Kind.POST if parent_uri is None else Kind.REPLY
    return InboxItem(
        platform=Platform.BLUESKY,
        kind=kind,
        native_id=uri,
        thread_id=root_uri or uri,
        author=author,
        text=text,
        created_at=created_at,
        is_ours=author.user_id == account.user_id,
        in_reply_to_id=parent_uri,
        url=f"https://bsky.app/profile/{author.handle or author.user_id}/post/{rkey}",
    )


def _map_message(record: object, context: Mapping[str, str], account: Account) -> InboxItem | None:
    message = require_object(record)
    message_type = message.get("$type")
    if message_type in _NOT_CORRESPONDENCE:
        return None
    if message_type != _MESSAGE_VIEW:
        raise Unmappable("record is not a chat message view")
    native_id = require_identifier(message, "id")
    text = require_text(message, "text")
    created_at = require_time(message, "sentAt")
    sender = message.get("sender")
    if not isinstance(sender, Mapping):
        raise Unmappable("sender is not an object")
    did = sender.get("did")
    if not isinstance(did, str) or not did:
        raise Unmappable("sender has no did")
    return InboxItem(
        platform=Platform.BLUESKY,
        kind=Kind.DIRECT_MESSAGE,
        native_id=native_id,
        thread_id=context[CONVO_ID],
        author=Author(
            user_id=did,
            handle=context.get(_HANDLE + did),
            display_name=context.get(_DISPLAY_NAME + did),
        ),
        text=text,
        created_at=created_at,
        is_ours=did == account.user_id,
        channel=Channel.PRIVATE,
    )


def _post_rkey(uri: str) -> str:
    """The record key of ``at://<did>/app.bsky.feed.post/<rkey>``."""
    match = _POST_URI.fullmatch(uri)
    if match is None:
        raise Unmappable("uri is not an at:// post uri")
    return match["rkey"]


def _author(value: object) -> Author:
    if not isinstance(value, Mapping):
        raise Unmappable("author is not an object")
    did = value.get("did")
    if not isinstance(did, str) or not did:
        raise Unmappable("author has no did")
    handle, display_name = value.get("handle"), value.get("displayName")
    return Author(
        user_id=did,
        handle=handle if isinstance(handle, str) and handle not in ("", _INVALID_HANDLE) else None,
        display_name=display_name if isinstance(display_name, str) and display_name else None,
    )


def _reply_refs(post: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The root and parent URIs of a reply, or ``(None, None)`` for a post that is no reply."""
    reply = post.get("reply")
    if reply is None:
        return None, None
    if not isinstance(reply, Mapping):
        raise Unmappable("reply is not an object")
    return _ref_uri(reply, "root"), _ref_uri(reply, "parent")


def _ref_uri(reply: Mapping[str, Any], end: str) -> str:
    ref = reply.get(end)
    uri = ref.get("uri") if isinstance(ref, Mapping) else None
    if not isinstance(uri, str) or not uri:
        raise Unmappable(f"reply has no {end} uri")
    return uri
