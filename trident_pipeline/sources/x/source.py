"""Read the organisation's X account through the X API v2 (tweepy): mentions, its own posts,
and its direct messages, as pages the mapping module turns into inbox items.

Streams, with the fields :mod:`trident_pipeline.sources.x.mapping` reads:

- ``mentions``: ``GET /2/users/:id/mentions``: posts that mention the account, replies to its
  posts and quotes that name it included. X reaches only the newest 800.
- ``own_tweets``: ``GET /2/users/:id/tweets?exclude=retweets``: the organisation's own posts
  and replies, which response times need.
- ``dm_events``: ``GET /2/dm_events?event_types=MessageCreate``: direct messages both ways
  (X keeps 30 days of them).

X bills every post read, so no run reads a record an earlier run read:

- The cursor is the id of the newest record read (X ids grow with time) among those created
  before the span's end, skipped retweets and quarantined records included, so none of them is
  read again either. It never passes the span's end.
- Mentions and own posts: ``since_id`` = cursor (``start_time`` on the very first run), and
  ``end_time`` = the span's end; a window sends ``start_time`` and ``end_time`` only.
- DM events take no ``since_id`` and no time bounds: pages come newest first and reading stops
  after the page that reaches the cursor's id (a window, or the first run: the span's start).
  Since that page may hold up to ``page_size`` events read before, an incremental read first
  asks for the newest event alone: when it is the stored one (a quiet hour), the read ends
  there, one event read again; only when there is something new are full pages read, from the
  newest. A window reads every page newer than its end as well.
- Items outside the span (created at or after its end, or not newer than the cursor) are
  dropped before they are stored, whatever X's boundary rules; a window never reads or moves a
  cursor. Requests are counted in :attr:`XSource.requests_made`, retries included.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any

import tweepy

from trident_pipeline.domain.models import InboxItem, Platform
from trident_pipeline.sources.base import Account, MappedPage, Page, Span
from trident_pipeline.sources.pagination import TokenPaginator
from trident_pipeline.sources.retry import RetryPolicy
from trident_pipeline.sources.x.client import XGateway
from trident_pipeline.sources.x.mapping import DM_EVENTS, MENTIONS, STREAMS, map_page

__all__ = ["XSource"]

log = logging.getLogger(__name__)

_TWEET_FIELDS = [
    "author_id",
    "conversation_id",
    "created_at",
    "in_reply_to_user_id",
    "referenced_tweets",
]
_USER_FIELDS = ["name", "username"]
_DM_EVENT_FIELDS = [
    "created_at",
    "dm_conversation_id",
    "event_type",
    "id",
    "participant_ids",
    "sender_id",
    "text",
]


class XSource:
    """A :class:`~trident_pipeline.sources.base.Source` over the X API v2.

    Args:
        client: a client from :func:`~trident_pipeline.sources.x.client.build_client`.
        account: the organisation's X account; its mentions, posts and messages are read.
        retry: retries and the run's time budget (its ``deadline``); five attempts by default.
        max_requests: the run's request budget; ``None`` for no limit.
        page_size: records per request, 5 to 100 (X's limits for timelines).
        wall_clock: the current Unix time, for X's rate-limit reset headers.

    Raises:
        ValueError: when ``account`` is not on X, ``page_size`` is out of range, or the client
            does not return raw bodies.
    """

    streams: tuple[str, ...] = STREAMS

    def __init__(
        self,
        client: tweepy.Client,
        account: Account,
        *,
        retry: RetryPolicy | None = None,
        max_requests: int | None = None,
        page_size: int = 100,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if account.platform is not Platform.X:
            raise ValueError("an X source needs the organisation's X account")
        if not 5 <= page_size <= 100:
            raise ValueError("X pages hold 5 to 100 records")
        self.account = account
        self._gateway = XGateway(
            client, retry=retry or RetryPolicy(), max_requests=max_requests, wall_clock=wall_clock
        )
        self._page_size = page_size
        self._newest: dict[str, str] = {}

    @property
    def requests_made(self) -> int:
        """HTTP requests made to X so far, retries included."""
        return self._gateway.requests_made

    def read(self, stream: str, span: Span) -> Iterator[MappedPage]:
        """Fetch ``stream`` page by page for ``span``; yield each page mapped and kept to the span.

        Raises:
            ValueError: when ``stream`` is not one of X's streams, or the span's cursor is not
                an X id (say, a time stored by the sample inbox's replay for the same account).
            BudgetExhausted: when the run's request or time budget is spent.
            RetriableError: when X keeps failing or rate-limiting after the retries.
            NotPermitted: when the credentials, their permissions or the plan do not allow it.
            FatalError: for any other refusal, a body that is not JSON, or a paging loop.
        """
        if stream not in STREAMS:
            raise ValueError(f"X has no stream {stream!r}")
        if span.cursor and not span.cursor.isdigit():
            raise ValueError(f"the stored X {stream} cursor is not an X id")
        self._newest.pop(stream, None)
        if stream == DM_EVENTS:
            bodies = self._dm_bodies(span)
        else:
            bodies = self._timeline_bodies(stream, span)
        for body in bodies:
            self._remember_newest(stream, body, span)
            mapped = map_page(Page(stream, body), self.account)
            kept = [item for item in mapped.items if _inside(item.native_id, item.created_at, span)]
            log.debug("X %s: page kept %s of %s items", stream, len(kept), len(mapped.items))
            yield MappedPage(kept, mapped.rejected)

    def next_cursor(self, stream: str, span: Span, items: Sequence[InboxItem]) -> str | None:
        """The id of the newest record read (an item, a skipped or a quarantined record).

        Falls back to the span's cursor when nothing newer was read. Never past the span's end.
        """
        candidates = [item.native_id for item in items]
        candidates += [value for value in (self._newest.get(stream), span.cursor) if value]
        return max(candidates, key=_id_order, default=None)

    def _timeline_bodies(self, stream: str, span: Span) -> Iterator[Any]:
        client = self._gateway.client
        fetch = (
            client.get_users_mentions
            if stream == MENTIONS
            else partial(client.get_users_tweets, exclude=["retweets"])
        )
        params: dict[str, Any] = {
            "max_results": self._page_size,
            "tweet_fields": _TWEET_FIELDS,
            "expansions": ["author_id"],
            "user_fields": _USER_FIELDS,
            "end_time": span.end,
            "user_auth": True,
        }
        if span.cursor:
            params["since_id"] = span.cursor
        elif span.start is not None:
            params["start_time"] = span.start
        operation = f"X {stream}"
        paginator = TokenPaginator(operation)
        while paginator.has_more:
            body = self._gateway.call(
                operation,
                partial(
                    fetch, self.account.user_id, pagination_token=paginator.current_value, **params
                ),
            )
            yield body
            paginator.advance(_next_token(body))

    def _dm_bodies(self, span: Span) -> Iterator[Any]:
        client = self._gateway.client
        params: dict[str, Any] = {
            "dm_event_fields": _DM_EVENT_FIELDS,
            "event_types": "MessageCreate",
            "expansions": ["sender_id"],
            "user_fields": _USER_FIELDS,
            "max_results": self._page_size,
            "user_auth": True,
        }
        if span.cursor:
            probe = self._gateway.call(
                "X dm_events",
                partial(client.get_direct_message_events, **{**params, "max_results": 1}),
            )
            if not _records(probe) or _reaches_back(probe, span):
                return
        paginator = TokenPaginator("X dm_events")
        while paginator.has_more:
            body = self._gateway.call(
                "X dm_events",
                partial(
                    client.get_direct_message_events,
                    pagination_token=paginator.current_value,
                    **params,
                ),
            )
            yield body
            paginator.advance(None if _reaches_back(body, span) else _next_token(body))

    def _remember_newest(self, stream: str, body: object, span: Span) -> None:
        for record in _records(body):
            native_id, created_at = record.get("id"), _created_at(record)
            if not (isinstance(native_id, str) and native_id and created_at is not None):
                continue
            newest = self._newest.get(stream)
            if _inside(native_id, created_at, span) and (
                newest is None or _id_order(native_id) > _id_order(newest)
            ):
                self._newest[stream] = native_id


def _inside(native_id: str, created_at: datetime, span: Span) -> bool:
    """Whether a record belongs to the span: in its time bounds and newer than its cursor."""
    return span.contains(created_at) and (
        span.cursor is None or _id_order(native_id) > _id_order(span.cursor)
    )


def _reaches_back(body: object, span: Span) -> bool:
    """Whether a newest-first page reaches what is already stored, or the span's start."""
    for record in _records(body):
        native_id, created_at = record.get("id"), _created_at(record)
        if span.cursor and isinstance(native_id, str):
            if _id_order(native_id) <= _id_order(span.cursor):
                return True
        elif span.start is not None and created_at is not None and created_at < span.start:
            return True
    return False


def _id_order(native_id: str) -> tuple[int, str]:
    """Orders X ids (decimal strings of 64-bit integers) numerically without converting them."""
    return len(native_id), native_id


def _records(body: object) -> list[Mapping[str, Any]]:
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, list):
        return []
    return [record for record in data if isinstance(record, Mapping)]


def _next_token(body: object) -> str | None:
    meta = body.get("meta") if isinstance(body, Mapping) else None
    token = meta.get("next_token") if isinstance(meta, Mapping) else None
    return token if isinstance(token, str) else None


def _created_at(record: Mapping[str, Any]) -> datetime | None:
    value = record.get("created_at")
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.utcoffset() is not None else None
