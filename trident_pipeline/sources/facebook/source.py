"""Read the organisation's Facebook page through the Graph API (facebook-sdk): posts on the
page, comments on them, and Messenger conversations, as pages the mapping module turns into
inbox items.

Streams, with the fields :mod:`trident_pipeline.sources.facebook.mapping` reads:

- ``feed``: ``GET /{page-id}/feed`` with ``since``/``until`` (Unix seconds): visitors' posts
  to the page and the page's own posts, newest first.
- ``comments``: ``GET /{post-id}/comments?filter=stream&order=reverse_chronological`` for each
  post with new activity (found as ``FacebookSource._active_post_ids`` explains, with its cost
  trade-off): every comment, replies and the page's own answers included.
- ``messages``: ``GET /{page-id}/conversations?platform=messenger`` (most recently updated
  first), then ``GET /{conversation-id}/messages`` (newest first, no time-based paging) for
  each conversation updated since the cursor, both ways.

Cursors and windows. A stream's cursor is the creation time (ISO 8601, UTC) of the newest item
it stored; it never passes the span's end. An incremental read asks for what was created after
the cursor (``since`` = the next whole second: Graph API times have whole seconds), a window
for ``[start, end)``. Newest-first listings stop after the page that reaches the cursor (or the
window's start), so consecutive runs do not read an item twice. Messenger has no time bounds:
a window reads every conversation updated since its start, and their messages back to it.
Items outside the span are dropped before they are stored, whatever Facebook's boundary rules;
a window never reads or moves a cursor. Requests are counted in
:attr:`FacebookSource.requests_made`, retries included.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import facebook

from trident_pipeline.domain.models import InboxItem, Platform
from trident_pipeline.sources.base import Account, MappedPage, Page, Span
from trident_pipeline.sources.facebook.client import GraphGateway
from trident_pipeline.sources.facebook.mapping import (
    COMMENTS,
    CONVERSATION_ID,
    FEED,
    MESSAGES,
    POST_ID,
    STREAMS,
    map_page,
)
from trident_pipeline.sources.pagination import TokenPaginator
from trident_pipeline.sources.retry import RetryPolicy

__all__ = ["DEFAULT_COMMENT_LOOKBACK", "FacebookSource"]

log = logging.getLogger(__name__)

DEFAULT_COMMENT_LOOKBACK = timedelta(days=28)

_FEED_FIELDS = "id,message,created_time,from,permalink_url"
_POST_ACTIVITY_FIELDS = "id,created_time,updated_time"
_COMMENT_FIELDS = "id,message,created_time,from,parent{id},permalink_url"
_CONVERSATION_FIELDS = "id,updated_time"
_MESSAGE_FIELDS = "id,message,created_time,from,to"
# Parameters of a ``paging.next`` URL that are credentials, never request parameters of ours.
_CREDENTIAL_PARAMS = frozenset({"access_token", "appsecret_proof"})


@dataclass(frozen=True, slots=True)
class _Bounds:
    """What counts as new in one read: after the cursor, or from the span's start."""

    lower: datetime
    inclusive: bool
    end: datetime

    @classmethod
    def of(cls, span: Span) -> _Bounds:
        if span.cursor:
            return cls(datetime.fromisoformat(span.cursor), inclusive=False, end=span.end)
        if span.start is None:
            raise ValueError("a Facebook read needs a cursor or a start")
        return cls(span.start, inclusive=True, end=span.end)

    def is_new(self, moment: datetime) -> bool:
        return moment >= self.lower if self.inclusive else moment > self.lower

    def keeps(self, moment: datetime) -> bool:
        return self.is_new(moment) and moment < self.end

    @property
    def since(self) -> int:
        seconds = int(self.lower.timestamp())
        return seconds if self.inclusive else seconds + 1

    @property
    def until(self) -> int:
        return int(self.end.timestamp())


class FacebookSource:
    """A :class:`~trident_pipeline.sources.base.Source` over the Graph API.

    Args:
        graph: a client from :func:`~trident_pipeline.sources.facebook.client.build_graph`
            holding the page's access token.
        account: the organisation's page (``user_id`` is the page id).
        retry: retries and the run's time budget (its ``deadline``); five attempts by default.
        max_requests: the run's request budget; ``None`` for no limit.
        page_size: records per request (``limit``), 1 to 100.
        comment_lookback: how old a post may be and still have its new comments read.

    Raises:
        ValueError: when ``account`` is not on Facebook, or a size or lookback is out of range.
    """

    streams: tuple[str, ...] = STREAMS

    def __init__(
        self,
        graph: facebook.GraphAPI,
        account: Account,
        *,
        retry: RetryPolicy | None = None,
        max_requests: int | None = None,
        page_size: int = 100,
        comment_lookback: timedelta = DEFAULT_COMMENT_LOOKBACK,
    ) -> None:
        if account.platform is not Platform.FACEBOOK:
            raise ValueError("a Facebook source needs the organisation's Facebook page")
        if not 1 <= page_size <= 100:
            raise ValueError("Graph API pages hold 1 to 100 records")
        if comment_lookback < timedelta(0):
            raise ValueError("the comment lookback cannot be negative")
        self.account = account
        self._gateway = GraphGateway(graph, retry=retry or RetryPolicy(), max_requests=max_requests)
        self._page_size = page_size
        self._comment_lookback = comment_lookback

    @property
    def requests_made(self) -> int:
        """HTTP requests made to the Graph API so far, retries included."""
        return self._gateway.requests_made

    def read(self, stream: str, span: Span) -> Iterator[MappedPage]:
        """Fetch ``stream`` page by page for ``span``; yield each page mapped and kept to the span.

        Raises:
            ValueError: when ``stream`` is not one of Facebook's streams, or the span has
                neither a cursor (an ISO 8601 time) nor a start.
            BudgetExhausted: when the run's request or time budget is spent.
            RetriableError: when the Graph API keeps failing or throttling after the retries.
            NotPermitted: when the token or its permissions do not allow the read.
            FatalError: for any other failure, a body that is not JSON, or a paging loop.
        """
        if stream not in STREAMS:
            raise ValueError(f"Facebook has no stream {stream!r}")
        bounds = _Bounds.of(span)
        pages = {FEED: self._feed, COMMENTS: self._comments, MESSAGES: self._messages}[stream]
        for page in pages(bounds):
            mapped = map_page(page, self.account)
            kept = [item for item in mapped.items if bounds.keeps(item.created_at)]
            log.debug("Facebook %s: page kept %s of %s items", stream, len(kept), len(mapped.items))
            yield MappedPage(kept, mapped.rejected)

    def next_cursor(self, stream: str, span: Span, items: Sequence[InboxItem]) -> str | None:
        """The creation time of the newest item read, or the span's cursor when none was."""
        newest = max((item.created_at for item in items), default=None)
        return newest.isoformat() if newest is not None else span.cursor

    def _feed(self, bounds: _Bounds) -> Iterator[Page]:
        params = {"fields": _FEED_FIELDS, "since": bounds.since, "until": bounds.until}
        path = f"{self.account.user_id}/feed"
        for body in self._listing("Facebook feed", path, params, "created_time", bounds.is_new):
            yield Page(FEED, body)

    def _comments(self, bounds: _Bounds) -> Iterator[Page]:
        params = {
            "fields": _COMMENT_FIELDS,
            "filter": "stream",
            "order": "reverse_chronological",
            "since": bounds.since,
            "until": bounds.until,
        }
        for post_id in self._active_post_ids(bounds):
            path = f"{post_id}/comments"
            listing = self._listing(
                "Facebook comments", path, params, "created_time", bounds.is_new
            )
            for body in listing:
                yield Page(COMMENTS, body, {POST_ID: post_id})

    def _messages(self, bounds: _Bounds) -> Iterator[Page]:
        conversations = self._listing(
            "Facebook conversations",
            f"{self.account.user_id}/conversations",
            {"fields": _CONVERSATION_FIELDS, "platform": "messenger"},
            "updated_time",
            bounds.is_new,
        )
        updated = [
            record["id"]
            for body in conversations
            for record in _new_records(body, "updated_time", bounds)
        ]
        params = {"fields": _MESSAGE_FIELDS}
        for conversation_id in updated:
            path = f"{conversation_id}/messages"
            listing = self._listing(
                "Facebook messages", path, params, "created_time", bounds.is_new
            )
            for body in listing:
                yield Page(MESSAGES, body, {CONVERSATION_ID: conversation_id})

    def _active_post_ids(self, bounds: _Bounds) -> list[str]:
        """The page's posts that may hold new comments, newest first.

        The cost trade-off: the Graph API has no "comments on my page since" edge, and asking
        every post for its comments costs one request per post per run, however quiet the
        page. Instead one listing of the posts created within ``comment_lookback`` before the
        bounds (``fields=id,created_time,updated_time``, 100 a request) picks the posts whose
        ``updated_time`` (moved by Facebook when a post is commented on or edited) is new, and
        only those are asked for comments. A quiet hour costs one request; each post with new
        activity one more. A comment on a post older than the lookback is not seen: a longer
        lookback reaches older posts at the price of a longer listing every run.
        """
        oldest = bounds.lower - self._comment_lookback
        params = {
            "fields": _POST_ACTIVITY_FIELDS,
            "since": int(oldest.timestamp()),
            "until": bounds.until,
        }
        listing = self._listing(
            "Facebook posts",
            f"{self.account.user_id}/feed",
            params,
            "created_time",
            lambda moment: moment >= oldest,
        )
        return [
            record["id"]
            for body in listing
            for record in _new_records(body, "updated_time", bounds)
        ]

    def _listing(
        self,
        operation: str,
        path: str,
        params: Mapping[str, Any],
        time_field: str,
        is_new: Callable[[datetime], bool],
    ) -> Iterator[Any]:
        """Every page of a newest-first listing, until the page that reaches what is not new.

        Follows ``paging.next`` by its query parameters, as facebook-sdk's own
        ``get_all_connections`` does, on top of ``params`` (so ``since`` is never dropped).
        """
        base = {**params, "limit": self._page_size}
        paginator = TokenPaginator(operation)
        while paginator.has_more:
            request = {**base, **_query(paginator.current_value)}
            body = self._gateway.get(operation, path, request)
            yield body
            reached = any(
                moment is not None and not is_new(moment)
                for moment in (_time(record, time_field) for record in _records(body))
            )
            paginator.advance(None if reached else _next_url(body))


def _new_records(body: object, time_field: str, bounds: _Bounds) -> list[Mapping[str, Any]]:
    """The records of a listing page with an id and a ``time_field`` new for ``bounds``."""
    return [
        record
        for record in _records(body)
        if isinstance(record.get("id"), str)
        and record["id"]
        and (moment := _time(record, time_field)) is not None
        and bounds.is_new(moment)
    ]


def _records(body: object) -> list[Mapping[str, Any]]:
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, list):
        return []
    return [record for record in data if isinstance(record, Mapping)]


def _next_url(body: object) -> str | None:
    paging = body.get("paging") if isinstance(body, Mapping) else None
    url = paging.get("next") if isinstance(paging, Mapping) else None
    return url if isinstance(url, str) else None


def _query(url: str | None) -> dict[str, str]:
    """The request parameters of a ``paging.next`` URL, without credentials."""
    if url is None:
        return {}
    query = parse_qs(urlsplit(url).query)
    return {name: values[-1] for name, values in query.items() if name not in _CREDENTIAL_PARAMS}


def _time(record: Mapping[str, Any], field: str) -> datetime | None:
    value = record.get(field)
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.utcoffset() is not None else None
