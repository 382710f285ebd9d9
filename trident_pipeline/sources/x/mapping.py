"""Map X API v2 response bodies to inbox items.

Each stream is the body of one endpoint, requested with these fields:

- ``mentions``: ``GET /2/users/:id/mentions`` with ``tweet.fields=created_at,conversation_id,
  in_reply_to_user_id,referenced_tweets,author_id``, ``expansions=author_id`` and
  ``user.fields=username,name``: posts that mention the account, replies to its posts included.
- ``own_tweets``: ``GET /2/users/:id/tweets`` with the same fields: the account's own posts and
  replies.
- ``dm_events``: ``GET /2/dm_events`` with ``dm_event.fields=id,text,event_type,created_at,
  dm_conversation_id,sender_id,participant_ids``, ``expansions=sender_id`` and
  ``user.fields=username,name``: the account's direct messages, both ways.

A body is ``{"data": [...], "includes": {"users": [...]}, "meta": {...}}``, with ``errors``
beside them for expansions X could not resolve; an empty page has no ``data``.

- Kind: a reply when ``referenced_tweets`` has ``replied_to``, else a quote when it has
  ``quoted``, else a mention (``mentions``) or a post (``own_tweets``). ``thread_id`` is the
  ``conversation_id``; ``in_reply_to_id`` the ``replied_to`` post.
- A post whose author is missing from ``includes.users`` (a suspended or deleted account, which
  X lists under ``errors``) keeps its ``author_id`` with no handle or name, and its link is
  ``https://x.com/i/web/status/{id}``.
- X escapes ``&``, ``<`` and ``>`` in post text as HTML entities; they are unescaped here.
- Skipped as not correspondence: retweets (a repeat of someone else's post) and DM events
  other than ``MessageCreate`` (people joining or leaving a group conversation).

A record that cannot be mapped is returned as rejected with one of these reasons: ``record is
not an object``, ``record has no <field>``, ``<field> is not a string``, ``created_at is not
an ISO 8601 time``, ``created_at has no time zone``, ``referenced_tweets is not a list`` or
``referenced_tweets has an entry without type and id``. A page that is not a body of this
shape is rejected whole: ``page is not an object``, ``data is not a list``, ``includes is not
an object`` or ``includes.users is not a list``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.sources._fields import (
    Unmappable,
    map_records,
    optional_string,
    reject_page,
    require_identifier,
    require_object,
    require_text,
    require_time,
)
from trident_pipeline.sources.base import Account, MappedPage, Page

__all__ = ["DM_EVENTS", "MENTIONS", "OWN_TWEETS", "STREAMS", "map_page"]

MENTIONS = "mentions"
OWN_TWEETS = "own_tweets"
DM_EVENTS = "dm_events"
STREAMS: tuple[str, ...] = (MENTIONS, OWN_TWEETS, DM_EVENTS)

_MESSAGE_CREATE = "MessageCreate"
# Order matters: "&amp;lt;" is a literal "&lt;" typed by the author.
_HTML_ESCAPES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))

_Users = Mapping[str, Mapping[str, Any]]


def map_page(page: Page, account: Account) -> MappedPage:
    """Map one X response body to inbox items, rejecting the records that do not fit.

    Args:
        page: a body of the ``mentions``, ``own_tweets`` or ``dm_events`` stream.
        account: the organisation's X account; items it wrote are marked as ours.

    Returns:
        The page's items in the order X sent them, and its rejected records. A body that is
        not of the expected shape gives one rejected record holding the whole body.

    Raises:
        ValueError: when ``page.stream`` is not one of :data:`STREAMS`.
    """
    if page.stream not in STREAMS:
        raise ValueError(f"X has no stream {page.stream!r}")
    try:
        records, users = _unpack(page.payload)
    except Unmappable as problem:
        return reject_page(Platform.X, page, problem)
    map_record: Callable[[object], InboxItem | None]
    if page.stream == DM_EVENTS:
        map_record = partial(_map_dm_event, users=users, account=account)
    else:
        unreferenced = Kind.MENTION if page.stream == MENTIONS else Kind.POST
        map_record = partial(_map_post, unreferenced=unreferenced, users=users, account=account)
    return map_records(Platform.X, page, records, map_record)


def _unpack(payload: object) -> tuple[list[object], dict[str, Mapping[str, Any]]]:
    if not isinstance(payload, Mapping):
        raise Unmappable("page is not an object")
    records = payload.get("data", [])
    if not isinstance(records, list):
        raise Unmappable("data is not a list")
    includes = payload.get("includes", {})
    if not isinstance(includes, Mapping):
        raise Unmappable("includes is not an object")
    users = includes.get("users", [])
    if not isinstance(users, list):
        raise Unmappable("includes.users is not a list")
    by_id = {
        user["id"]: user
        for user in users
        if isinstance(user, Mapping) and isinstance(user.get("id"), str)
    }
    return records, by_id


def _map_post(
    record: object, unreferenced: Kind, users: _Users, account: Account
) -> InboxItem | None:
    post = require_object(record)
    references = _references(post)
    if "retweeted" in references:
        return None
    native_id = require_identifier(post, "id")
    text = _unescape(require_text(post, "text"))
    created_at = require_time(post, "created_at")
    author = _author(optional_string(post, "author_id"), users)
    replied_to = references.get("replied_to")
    if replied_to is not None:
        kind = Kind.REPLY
    elif "quoted" in references:
        kind = Kind.QUOTE
    else:
        kind = unreferenced
    return InboxItem(
        platform=Platform.X,
        kind=kind,
        native_id=native_id,
        thread_id=optional_string(post, "conversation_id") or native_id,
        author=author,
        text=text,
        created_at=created_at,
        is_ours=author.user_id == account.user_id,
        in_reply_to_id=replied_to,
        url=f"https://x.com/{author.handle or 'i/web'}/status/{native_id}",
    )


def _map_dm_event(record: object, users: _Users, account: Account) -> InboxItem | None:
    event = require_object(record)
    if require_identifier(event, "event_type") != _MESSAGE_CREATE:
        return None
    native_id = require_identifier(event, "id")
    text = require_text(event, "text")
    created_at = require_time(event, "created_at")
    thread_id = require_identifier(event, "dm_conversation_id")
    author = _author(optional_string(event, "sender_id"), users)
    return InboxItem(
        platform=Platform.X,
        kind=Kind.DIRECT_MESSAGE,
        native_id=native_id,
        thread_id=thread_id,
        author=author,
        text=text,
        created_at=created_at,
        is_ours=author.user_id == account.user_id,
        channel=Channel.PRIVATE,
    )


def _references(post: Mapping[str, Any]) -> dict[str, str]:
    references = post.get("referenced_tweets", [])
    if not isinstance(references, list):
        raise Unmappable("referenced_tweets is not a list")
    by_type: dict[str, str] = {}
    for reference in references:
        if not (
            isinstance(reference, Mapping)
            and isinstance(reference.get("type"), str)
            and isinstance(reference.get("id"), str)
        ):
            raise Unmappable("referenced_tweets has an entry without type and id")
        by_type[reference["type"]] = reference["id"]
    return by_type


def _author(user_id: str | None, users: _Users) -> Author:
    user = users.get(user_id, {}) if user_id is not None else {}
    username, name = user.get("username"), user.get("name")
    return Author(
        user_id=user_id,
        handle=username if isinstance(username, str) and username else None,
        display_name=name if isinstance(name, str) and name else None,
    )


def _unescape(text: str) -> str:
    for entity, character in _HTML_ESCAPES:
        text = text.replace(entity, character)
    return text
