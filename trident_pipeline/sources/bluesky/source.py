"""Read the organisation's Bluesky account into the inbox: notifications, its own posts, and chat.

Three streams, each newest-first with an opaque page cursor and no ``since`` parameter, so each
reads back only until it reaches what the previous run stored:

- ``notifications``: ``app.bsky.notification.listNotifications`` asked only for the reasons
  ``mention``, ``reply`` and ``quote``. ``isRead`` and ``updateSeen`` are never used: the seen
  state is shared with the staff who use the app.
- ``own_posts``: ``app.bsky.feed.getAuthorFeed`` for the account with ``posts_with_replies``:
  the organisation's posts and replies, marked as ours, which response times need.
- ``chat``: ``chat.bsky.convo.listConvos`` (newest activity first), then
  ``chat.bsky.convo.getMessages`` (newest first) for each conversation with a message newer
  than the watermark, through ``with_bsky_chat_proxy()``. Our own messages are read too.

**Positions.** A record's place in its listing is the time the server sorts it by, not the
``createdAt`` its author's app wrote: a notification's ``indexedAt`` (the AppView fills it with
the notification's sort time), a feed entry's ``min(indexedAt, createdAt)`` (the AppView's
``sortAt``; a repost's own ``indexedAt``), a message's ``sentAt`` (set by the chat service).

**Incremental** spans keep the records positioned after the stored watermark (or from
``start`` on a first run) and before ``end``; a record positioned at or after ``end`` is left
for the next run, so consecutive runs never read one item twice. Paging stops after the first
page that reaches the watermark. The cursor proposed afterwards is the position of the newest
record kept (never past ``end``), else the previous cursor, else ``start``: notifications and
own posts store it as an ISO 8601 time.

Chat stores a small JSON object, ``{"sent_at": <time>, "rev": <rev>}``: ``sent_at`` is that
message watermark; ``rev`` is the newest conversation ``rev`` listed. A conversation's ``rev``
moves with any activity in it (a reaction, a request accepted in the app), and revs are the
chat service's sortable TIDs, so listing stops at the first conversation whose ``rev`` is not
newer than the stored one; a conversation listed above it whose last message is not newer than
``sent_at`` costs no further request. One global watermark rather than a rev per
conversation keeps the cursor small however many residents write. When a message was left for
the next run, ``rev`` does not move, so that run lists its conversation again.

**Windows** (backfills) read every conversation and page back past ``start``; they keep the
items whose ``createdAt``/``sentAt`` falls in ``[start, end)``, like the store's own queries,
and never read or propose a cursor.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from atproto_client import models

from trident_pipeline.domain.models import InboxItem, Platform, Rejected
from trident_pipeline.sources.base import Account, MappedPage, Page, Span
from trident_pipeline.sources.bluesky.client import BlueskyGateway
from trident_pipeline.sources.bluesky.mapping import (
    CHAT,
    NOTIFICATIONS,
    OWN_POSTS,
    STREAMS,
    chat_context,
    map_page,
)
from trident_pipeline.sources.errors import FatalError
from trident_pipeline.sources.pagination import TokenPaginator

__all__ = ["NOTIFIED_REASONS", "BlueskySource"]

NOTIFIED_REASONS: tuple[str, ...] = ("mention", "reply", "quote")
_MAX_PAGE = 100


def _time(value: object) -> datetime | None:
    """An ISO 8601 time with a zone, or ``None`` for anything else."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


def _notification_position(record: object) -> datetime | None:
    return _time(record.get("indexedAt")) if isinstance(record, Mapping) else None


def _feed_position(record: object) -> datetime | None:
    if not isinstance(record, Mapping):
        return None
    reason = record.get("reason")
    if isinstance(reason, Mapping) and reason.get("indexedAt"):
        return _time(reason.get("indexedAt"))
    post = record.get("post")
    if not isinstance(post, Mapping):
        return None
    body = post.get("record")
    created = _time(body.get("createdAt")) if isinstance(body, Mapping) else None
    times = [moment for moment in (_time(post.get("indexedAt")), created) if moment is not None]
    return min(times, default=None)


def _message_position(record: object) -> datetime | None:
    return _time(record.get("sentAt")) if isinstance(record, Mapping) else None


@dataclass(frozen=True, slots=True)
class _Bounds:
    """Which records of a newest-first listing a span wants, by position."""

    span: Span
    after: datetime | None

    @classmethod
    def of(cls, span: Span, watermark: datetime | None) -> _Bounds:
        return cls(span, None if span.is_window else watermark)

    def is_behind(self, position: datetime) -> bool:
        """At or before what this span reads: paging can stop here."""
        if self.after is not None:
            return position <= self.after
        assert self.span.start is not None
        return position < self.span.start

    def is_ahead(self, position: datetime) -> bool:
        """After what an incremental span reads: left for the next run."""
        return not self.span.is_window and position >= self.span.end


@dataclass(slots=True)
class _Sieve:
    """Sorts one page's records by position and remembers the newest kept across pages."""

    bounds: _Bounds
    newest: datetime | None = None
    held_back: bool = False
    reached_end: bool = False

    def keep(
        self, records: Iterable[object], position_of: Callable[[object], datetime | None]
    ) -> list[object]:
        """The records the span wants, in order; notes where the listing reached the bounds."""
        kept = []
        for record in records:
            position = position_of(record)
            if position is not None and self.bounds.is_behind(position):
                self.reached_end = True
            elif position is not None and self.bounds.is_ahead(position):
                self.held_back = True
            else:
                kept.append(record)
                if position is not None and (self.newest is None or position > self.newest):
                    self.newest = position
        return kept


@dataclass(frozen=True, slots=True)
class _ChatMark:
    """The chat cursor: the message watermark and the newest conversation rev listed."""

    sent_at: datetime
    rev: str | None

    @classmethod
    def parse(cls, cursor: str) -> _ChatMark:
        """Read a stored chat cursor; a bare ISO time (the sample inbox's) has no rev.

        Raises:
            ValueError: when the cursor is neither.
        """
        if not cursor.startswith("{"):
            return cls(datetime.fromisoformat(cursor), None)
        fields = json.loads(cursor)
        sent_at, rev = fields.get("sent_at"), fields.get("rev")
        if not isinstance(sent_at, str) or not isinstance(rev, str | None):
            raise ValueError("the stored Bluesky chat cursor is not of the expected shape")
        return cls(datetime.fromisoformat(sent_at), rev)

    def dump(self) -> str:
        """The cursor as stored: JSON, without ``rev`` when there is none."""
        fields = {"sent_at": self.sent_at.isoformat(), "rev": self.rev}
        return json.dumps({key: value for key, value in fields.items() if value is not None})


class BlueskySource:
    """A :class:`~trident_pipeline.sources.base.Source` for one Bluesky account.

    Args:
        account: the organisation's account; its ``user_id`` is the account's DID.
        gateway: the run's gateway, logged in as that account.
        page_size: records asked for per request, 1 to 100.

    Raises:
        ValueError: when the account is not a Bluesky account or ``page_size`` is out of range.
    """

    streams: tuple[str, ...] = STREAMS

    def __init__(self, account: Account, gateway: BlueskyGateway, *, page_size: int = _MAX_PAGE):
        if account.platform is not Platform.BLUESKY:
            raise ValueError("a Bluesky source needs a Bluesky account")
        if not 1 <= page_size <= _MAX_PAGE:
            raise ValueError(f"page_size must be between 1 and {_MAX_PAGE}")
        self.account = account
        self._gateway = gateway
        self._page_size = page_size
        self._proposed: dict[str, str] = {}

    @property
    def requests_made(self) -> int:
        """HTTP requests made so far, logins and retries included."""
        return self._gateway.requests_made

    def read(self, stream: str, span: Span) -> Iterator[MappedPage]:
        """Fetch ``stream`` newest-first for ``span``; yield each page mapped and kept to it.

        Raises:
            ValueError: when ``stream`` is not one of :attr:`streams`, or the stored cursor
                cannot be read.
            SourceError: when a request fails (see
                :func:`~trident_pipeline.sources.bluesky.client.classify_failure`); what was
                yielded stays valid and the cursor is not proposed.
        """
        self._proposed.pop(stream, None)
        if stream == NOTIFICATIONS:
            yield from self._read_listing(stream, span, self._notifications_page, "notifications")
        elif stream == OWN_POSTS:
            yield from self._read_listing(stream, span, self._feed_page, "feed")
        elif stream == CHAT:
            yield from self._read_chat(span)
        else:
            raise ValueError(f"Bluesky has no stream {stream!r}")

    def next_cursor(self, stream: str, span: Span, items: Sequence[InboxItem]) -> str | None:
        """The cursor worked out by the complete :meth:`read` of ``stream`` that just ended.

        ``items`` are not needed: positions are server times, which items do not carry.

        Raises:
            RuntimeError: when no read of ``stream`` has completed since the last call.
        """
        try:
            return self._proposed.pop(stream)
        except KeyError:
            raise RuntimeError(
                f"no complete read of Bluesky {stream} to take a cursor from"
            ) from None

    # -- notifications and own posts ------------------------------------------------------

    def _notifications_page(self, cursor: str | None) -> Mapping[str, Any]:
        params = models.AppBskyNotificationListNotifications.Params(
            limit=self._page_size, cursor=cursor, reasons=list(NOTIFIED_REASONS)
        )
        return self._gateway.query(
            "Bluesky notifications", "app.bsky.notification.listNotifications", params
        )

    def _feed_page(self, cursor: str | None) -> Mapping[str, Any]:
        params = models.AppBskyFeedGetAuthorFeed.Params(
            actor=self.account.user_id,
            filter="posts_with_replies",
            limit=self._page_size,
            cursor=cursor,
        )
        return self._gateway.query("Bluesky own posts", "app.bsky.feed.getAuthorFeed", params)

    def _read_listing(
        self,
        stream: str,
        span: Span,
        fetch: Callable[[str | None], Mapping[str, Any]],
        key: str,
    ) -> Iterator[MappedPage]:
        watermark = _time(span.cursor) if span.cursor else None
        if span.cursor and watermark is None:
            raise ValueError(f"the stored Bluesky {stream} cursor is not an ISO 8601 time")
        position_of = _notification_position if stream == NOTIFICATIONS else _feed_position
        sieve = _Sieve(_Bounds.of(span, watermark))
        pages = TokenPaginator(f"Bluesky {stream}")
        while pages.has_more:
            payload = fetch(pages.current_value)
            records = payload.get(key)
            if not isinstance(records, list):
                yield self._map(Page(stream, payload), span)
                raise _unreadable_page(stream)
            kept = sieve.keep(records, position_of)
            yield self._map(Page(stream, {**payload, key: kept}), span)
            if sieve.reached_end:
                break
            pages.advance(payload.get("cursor"))
        floor = watermark or span.start
        assert floor is not None, "an incremental span without a cursor has a start"
        self._proposed[stream] = (sieve.newest or floor).isoformat()

    # -- chat -----------------------------------------------------------------------------

    def _read_chat(self, span: Span) -> Iterator[MappedPage]:
        mark = _ChatMark.parse(span.cursor) if span.cursor else None
        sieve = _Sieve(_Bounds.of(span, mark.sent_at if mark else None))
        rev_floor = mark.rev if mark and not span.is_window else None
        newest_rev: str | None = None
        listing = TokenPaginator("Bluesky conversations")
        while listing.has_more:
            params = models.ChatBskyConvoListConvos.Params(
                limit=_MAX_PAGE, cursor=listing.current_value
            )
            payload = self._gateway.query(
                "Bluesky conversations", "chat.bsky.convo.listConvos", params, chat=True
            )
            convos = payload.get("convos")
            if not isinstance(convos, list):
                yield self._reject("convos is not a list", payload)
                raise _unreadable_page("conversations")
            caught_up = False
            for convo in convos:
                rev = convo.get("rev") if isinstance(convo, Mapping) else None
                if isinstance(rev, str):
                    if rev_floor is not None and rev <= rev_floor:
                        caught_up = True
                        break
                    newest_rev = max(rev, newest_rev or rev)
                yield from self._read_convo(convo, span, sieve)
            if caught_up:
                break
            listing.advance(payload.get("cursor"))
        floor = mark.sent_at if mark else span.start
        assert floor is not None, "an incremental span without a cursor has a start"
        rev_after = newest_rev if newest_rev and not sieve.held_back else rev_floor
        self._proposed[CHAT] = _ChatMark(sieve.newest or floor, rev_after).dump()

    def _read_convo(self, convo: object, span: Span, sieve: _Sieve) -> Iterator[MappedPage]:
        """Read one conversation's messages newest-first back to the watermark, into ``sieve``."""
        if not isinstance(convo, Mapping):
            yield self._reject("conversation is not an object", convo)
            return
        convo_id = convo.get("id")
        if not isinstance(convo_id, str) or not convo_id:
            yield self._reject("conversation has no id", convo)
            return
        last = convo.get("lastMessage")
        last_position = _message_position(last)
        if last is None or (last_position is not None and sieve.bounds.is_behind(last_position)):
            return
        members = _profiles(convo.get("members"))
        pages = TokenPaginator("Bluesky messages")
        while pages.has_more:
            params = models.ChatBskyConvoGetMessages.Params(
                convo_id=convo_id, limit=self._page_size, cursor=pages.current_value
            )
            payload = self._gateway.query(
                "Bluesky messages", "chat.bsky.convo.getMessages", params, chat=True
            )
            profiles = members + _profiles(payload.get("relatedProfiles"))
            context = chat_context(convo_id, profiles)
            records = payload.get("messages")
            if not isinstance(records, list):
                yield self._map(Page(CHAT, payload, context), span)
                raise _unreadable_page("messages")
            kept = sieve.keep(records, _message_position)
            yield self._map(Page(CHAT, {**payload, "messages": kept}, context), span)
            if sieve.reached_end:
                break
            pages.advance(payload.get("cursor"))
        sieve.reached_end = False

    # -- mapping --------------------------------------------------------------------------

    def _map(self, page: Page, span: Span) -> MappedPage:
        mapped = map_page(page, self.account)
        if span.is_window:
            mapped.items = [item for item in mapped.items if span.contains(item.created_at)]
        return mapped

    @staticmethod
    def _reject(reason: str, raw: object) -> MappedPage:
        return MappedPage(rejected=[Rejected(Platform.BLUESKY, CHAT, reason, raw)])


def _unreadable_page(listing: str) -> FatalError:
    """A page that lists nothing readable: stop the stream so its cursor stays where it was
    (the page itself went to quarantine), rather than skip what it would have listed."""
    return FatalError(f"Bluesky {listing}: a page is not of the expected shape")


def _profiles(value: object) -> list[Mapping[str, Any]]:
    """The profile objects in a ``members`` or ``relatedProfiles`` list (none if it is not one)."""
    if not isinstance(value, list):
        return []
    return [profile for profile in value if isinstance(profile, Mapping)]
