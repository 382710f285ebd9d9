"""The bundled sample inbox, served as a platform would serve it.

``sample_inbox/<platform>/<stream>.json`` holds recorded pages (``{"context", "payload"}``) in
each platform's real wire format; the replay maps them with the same mapping code the live
sources use, so ``make run`` exercises the real path without credentials or network. Its cursor
is the creation time of the newest item read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from trident_pipeline.domain.models import InboxItem, Platform
from trident_pipeline.sources.base import Account, MappedPage, Page, Span
from trident_pipeline.sources.bluesky import mapping as bluesky_mapping
from trident_pipeline.sources.facebook import mapping as facebook_mapping
from trident_pipeline.sources.x import mapping as x_mapping

__all__ = ["SAMPLE_INBOX", "ReplaySource"]

SAMPLE_INBOX = Path(__file__).with_name("sample_inbox")

_MAPPERS: dict[Platform, Callable[[Page, Account], MappedPage]] = {
    Platform.X: x_mapping.map_page,
    Platform.BLUESKY: bluesky_mapping.map_page,
    Platform.FACEBOOK: facebook_mapping.map_page,
}


class ReplaySource:
    """A :class:`~trident_pipeline.sources.base.Source` over recorded pages.

    Raises:
        FileNotFoundError: when the folder has no ``accounts.json`` or no pages for the platform.
    """

    def __init__(self, platform: Platform, folder: Path = SAMPLE_INBOX) -> None:
        accounts = json.loads((folder / "accounts.json").read_text(encoding="utf-8"))
        self.account = Account(platform=platform, **accounts[platform.value])
        self._folder = folder / platform.value
        self.streams = tuple(sorted(path.stem for path in self._folder.glob("*.json")))
        if not self.streams:
            raise FileNotFoundError(f"no recorded pages for {platform.value} in {folder}")
        self._map = _MAPPERS[platform]
        self._requests = 0

    @property
    def requests_made(self) -> int:
        """Recorded pages served so far: each stands for one request to the platform."""
        return self._requests

    def read(self, stream: str, span: Span) -> Iterator[MappedPage]:
        """Yield every recorded page of ``stream`` mapped, keeping the items inside ``span``.

        Raises:
            ValueError: when a stored cursor is not an ISO 8601 time.
        """
        after = datetime.fromisoformat(span.cursor) if span.cursor else None
        recorded = json.loads((self._folder / f"{stream}.json").read_text(encoding="utf-8"))
        for exchange in recorded:
            self._requests += 1
            page = Page(stream, exchange["payload"], exchange.get("context", {}))
            mapped = self._map(page, self.account)
            kept = [
                item
                for item in mapped.items
                if span.contains(item.created_at) and (after is None or item.created_at > after)
            ]
            yield MappedPage(kept, mapped.rejected)

    def next_cursor(self, stream: str, span: Span, items: Sequence[InboxItem]) -> str | None:
        """The creation time of the newest item read, or the span's cursor when none was."""
        newest = max((item.created_at for item in items), default=None)
        return newest.isoformat() if newest else span.cursor
