"""The one small protocol every platform source speaks.

A source fetches raw pages in the platform's own wire format for a :class:`Span`, maps each page
with its platform's mapping module to :class:`~trident_pipeline.domain.models.InboxItem` values,
and keeps only the items inside the span. A record that cannot be mapped comes back as
:class:`~trident_pipeline.domain.models.Rejected` so the store can quarantine it while the rest of
the page goes on.

Two kinds of span, after the Singer SDK's bookmark rule and dlt's stateless end value:

- incremental: everything after the stored ``cursor`` (or after ``start`` on the very first
  run), up to ``end``. The cursor the source proposes afterwards never passes ``end``.
- window (a backfill): exactly ``[start, end)``; the stored cursor is neither read nor moved.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from trident_pipeline.domain.models import InboxItem, Platform, Rejected

__all__ = ["Account", "MappedPage", "Page", "Source", "Span"]


@dataclass(frozen=True, slots=True)
class Account:
    """One of the organisation's own accounts on a platform.

    ``user_id`` is the stable id (X numeric user id, Bluesky DID, Facebook page id); items
    whose author has this id are marked as ours.
    """

    platform: Platform
    user_id: str
    handle: str


@dataclass(frozen=True, slots=True)
class Span:
    """What one pull of one stream asks for.

    Raises:
        ValueError: when the span is empty or inverted, or a window also carries a cursor.
    """

    end: datetime
    start: datetime | None = None
    cursor: str | None = None
    is_window: bool = False

    def __post_init__(self) -> None:
        if self.start is not None and self.start >= self.end:
            raise ValueError("a span must end after it starts")
        if self.is_window and (self.start is None or self.cursor is not None):
            raise ValueError("a window has a start and no cursor")

    @classmethod
    def window(cls, start: datetime, end: datetime) -> Span:
        """An explicit backfill window ``[start, end)``."""
        return cls(end=end, start=start, is_window=True)

    @classmethod
    def incremental(cls, cursor: str | None, *, first_start: datetime, end: datetime) -> Span:
        """Everything after ``cursor`` up to ``end``; from ``first_start`` when there is none."""
        return cls(end=end, start=None if cursor else first_start, cursor=cursor)

    def contains(self, moment: datetime) -> bool:
        """Whether a timestamp falls inside the span's time bounds (the cursor aside)."""
        return (self.start is None or moment >= self.start) and moment < self.end


@dataclass(frozen=True, slots=True)
class Page:
    """One response body from a platform, exactly as it was received.

    ``context`` carries what the request knew but the body does not repeat, such as the post
    whose comments these are or the conversation whose messages these are.
    """

    stream: str
    payload: Mapping[str, Any]
    context: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class MappedPage:
    """The items one page mapped to, and the records that could not be mapped."""

    items: list[InboxItem] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


class Source(Protocol):
    """A platform source: read mapped pages for a span, then propose the next cursor."""

    account: Account
    streams: tuple[str, ...]

    @property
    def requests_made(self) -> int:
        """How many HTTP requests (or replayed pages) this source has made so far."""
        ...

    def read(self, stream: str, span: Span) -> Iterator[MappedPage]:
        """Fetch ``stream`` page by page for ``span``; yield each page mapped and kept to the span.

        A record that cannot be mapped is yielded as rejected, never raised.
        """
        ...

    def next_cursor(self, stream: str, span: Span, items: Sequence[InboxItem]) -> str | None:
        """The cursor to store after a complete incremental pull that read ``items``."""
        ...
