"""Map Facebook Graph API response bodies to inbox items.

Each stream is the body of one Graph API edge, ``{"data": [...], "paging"?: {...}}``:

- ``feed``: ``GET /{page-id}/feed?fields=id,message,created_time,from,permalink_url``: the
  page's own posts and visitors' posts, all of kind post, each the root of its own thread.
- ``comments``: ``GET /{post-id}/comments?fields=id,message,created_time,from,parent{id},
  permalink_url&filter=stream``: every comment on one post, replies to comments included. The
  body does not name the post, so the page context must: ``{"post_id": "<post-id>"}``. The
  ``thread_id`` is the post; ``in_reply_to_id`` the parent comment, or the post itself.
- ``messages``: ``GET /{conversation-id}/messages?fields=id,message,created_time,from,to``: one
  Messenger conversation, with the page context ``{"conversation_id": "<conversation-id>"}``,
  which is the items' ``thread_id``. Messages are private; they have no link.

The author is ``from`` (a page-scoped user id and name; Facebook has no handles). Facebook
leaves ``from`` out for some people: such an item maps with ``Author(user_id=None)``. A post or
comment without ``message`` (a photo or a sticker alone) maps with empty text. Times look like
``2026-03-23T09:15:00+0000``.

A record that cannot be mapped is returned as rejected with one of these reasons: ``record is
not an object``, ``record has no id``, ``<field> is not a string``, ``record has no
created_time``, ``created_time is not an ISO 8601 time``, ``created_time has no time zone``,
``from is not an object``, ``from has no id``, ``parent is not an object`` or ``parent has no
id``. A page that is not a body of this shape is rejected whole: ``page is not an object``,
``data is not a list``, ``page context has no post_id`` or ``page context has no
conversation_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.sources._fields import (
    Unmappable,
    map_records,
    optional_string,
    reject_page,
    require_identifier,
    require_object,
    require_time,
)
from trident_pipeline.sources.base import Account, MappedPage, Page

__all__ = [
    "COMMENTS",
    "CONVERSATION_ID",
    "FEED",
    "MESSAGES",
    "POST_ID",
    "STREAMS",
    "map_page",
]

FEED = "feed"
COMMENTS = "comments"
MESSAGES = "messages"
STREAMS: tuple[str, ...] = (FEED, COMMENTS, MESSAGES)

POST_ID = "post_id"
CONVERSATION_ID = "conversation_id"

_CONTEXT_KEY = {COMMENTS: POST_ID, MESSAGES: CONVERSATION_ID}


def map_page(page: Page, account: Account) -> MappedPage:
    """Map one Graph API response body to inbox items, rejecting the records that do not fit.

    Args:
        page: a body of the ``feed``, ``comments`` or ``messages`` stream; ``comments`` and
            ``messages`` pages carry the context described in this module's docstring.
        account: the organisation's Facebook page; items it wrote are marked as ours.

    Returns:
        The page's items in the order Facebook sent them, and its rejected records. A body
        that is not of the expected shape gives one rejected record holding the whole body.

    Raises:
        ValueError: when ``page.stream`` is not one of :data:`STREAMS`.
    """
    if page.stream not in STREAMS:
        raise ValueError(f"Facebook has no stream {page.stream!r}")
    try:
        records = _records(page)
    except Unmappable as problem:
        return reject_page(Platform.FACEBOOK, page, problem)
    map_record = partial(_map_record, page=page, account=account)
    return map_records(Platform.FACEBOOK, page, records, map_record)


def _records(page: Page) -> list[object]:
    if not isinstance(page.payload, Mapping):
        raise Unmappable("page is not an object")
    records = page.payload.get("data")
    if not isinstance(records, list):
        raise Unmappable("data is not a list")
    context_key = _CONTEXT_KEY.get(page.stream)
    if context_key is not None and not page.context.get(context_key):
        raise Unmappable(f"page context has no {context_key}")
    return records


def _map_record(raw: object, page: Page, account: Account) -> InboxItem:
    record = require_object(raw)
    native_id = require_identifier(record, "id")
    text = optional_string(record, "message") or ""
    created_at = require_time(record, "created_time")
    author = _author(record.get("from"))
    in_reply_to_id: str | None = None
    if page.stream == FEED:
        kind, thread_id = Kind.POST, native_id
    elif page.stream == COMMENTS:
        kind, thread_id = Kind.COMMENT, page.context[POST_ID]
        in_reply_to_id = _parent_id(record.get("parent")) or thread_id
    else:
        kind, thread_id = Kind.DIRECT_MESSAGE, page.context[CONVERSATION_ID]
    private = kind is Kind.DIRECT_MESSAGE
    return InboxItem(
        platform=Platform.FACEBOOK,
        kind=kind,
        native_id=native_id,
        thread_id=thread_id,
        author=author,
        text=text,
        created_at=created_at,
        is_ours=author.user_id == account.user_id,
        in_reply_to_id=in_reply_to_id,
        url=None if private else optional_string(record, "permalink_url"),
        channel=Channel.PRIVATE if private else Channel.PUBLIC,
    )


def _author(value: object) -> Author:
    if value is None:
        return Author(user_id=None)
    if not isinstance(value, Mapping):
        raise Unmappable("from is not an object")
    user_id = value.get("id")
    if not isinstance(user_id, str) or not user_id:
        raise Unmappable("from has no id")
    name = value.get("name")
    return Author(user_id=user_id, display_name=name if isinstance(name, str) and name else None)


def _parent_id(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise Unmappable("parent is not an object")
    parent_id = value.get("id")
    if not isinstance(parent_id, str) or not parent_id:
        raise Unmappable("parent has no id")
    return parent_id
