"""Choose a platform's source for a run: the bundled sample inbox, or the live platform."""

from __future__ import annotations

import enum

from trident_pipeline.domain.models import Platform
from trident_pipeline.sources.base import Source
from trident_pipeline.sources.replay import ReplaySource

__all__ = ["Inbox", "source_for"]


class Inbox(enum.StrEnum):
    """Where a run reads from: the live accounts, or the bundled sample inbox."""

    LIVE = "live"
    SAMPLE = "sample"


def source_for(platform: Platform, inbox: str) -> Source:
    """The source a pull task reads ``platform`` from.

    Raises:
        ValueError: when ``inbox`` is neither ``live`` nor ``sample``.
        NotImplementedError: for ``live`` until the platform connectors are installed.
    """
    if Inbox(inbox) is Inbox.SAMPLE:
        return ReplaySource(platform)
    raise NotImplementedError(f"no live connector for {platform.value} yet")
