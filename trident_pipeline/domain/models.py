"""The one inbox model every platform maps to.

A mention on X, a reply notification on BlueSky and a comment on Facebook all become an
:class:`InboxItem`. Its :attr:`InboxItem.key` (``platform:native_id``) is the identity used for
de-duplication everywhere: in the store, the strike ledger and the CRM.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timezone

__all__ = [
    "Author",
    "Channel",
    "InboxItem",
    "Kind",
    "Platform",
    "Rejected",
    "item_key",
]


class Platform(enum.StrEnum):
    """A social platform the organisation is on (policy section 3)."""

    X = "x"
    BLUESKY = "bluesky"
    FACEBOOK = "facebook"


class Kind(enum.StrEnum):
    """What sort of correspondence an item is."""

    POST = "post"
    REPLY = "reply"
    COMMENT = "comment"
    MENTION = "mention"
    QUOTE = "quote"
    DIRECT_MESSAGE = "direct_message"


class Channel(enum.StrEnum):
    """Public post or private message: policy section 3.1 decides by channel."""

    PUBLIC = "public"
    PRIVATE = "private"


def item_key(platform: Platform | str, native_id: str) -> str:
    """Return the identity ``platform:native_id`` of an item."""
    return f"{Platform(platform).value}:{native_id}"


@dataclass(frozen=True, slots=True)
class Author:
    """Who wrote an item, as the platform identifies them.

    ``user_id`` is the stable identity (X numeric id, Bluesky DID, Facebook page-scoped id);
    handles change. A suspended or deleted account keeps its id with no handle or name; where
    the platform names no author at all (a Facebook comment without ``from``), ``user_id`` is
    ``None``.
    """

    user_id: str | None
    handle: str | None = None
    display_name: str | None = None


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One piece of correspondence on one platform, ours or a member of the public's.

    Raises:
        ValueError: when ``created_at`` is naive, ``native_id`` is empty, or the channel does
            not fit the kind (a direct message is private, everything else is public).
    """

    platform: Platform
    kind: Kind
    native_id: str
    thread_id: str
    author: Author
    text: str
    created_at: datetime
    is_ours: bool
    in_reply_to_id: str | None = None
    url: str | None = None
    channel: Channel = field(default=Channel.PUBLIC)

    def __post_init__(self) -> None:
        if not self.native_id:
            raise ValueError("an inbox item needs a native id")
        if self.created_at.tzinfo is None or self.created_at.utcoffset() is None:
            raise ValueError("created_at must be timezone-aware")
        expected = Channel.PRIVATE if self.kind is Kind.DIRECT_MESSAGE else Channel.PUBLIC
        if self.channel is not expected:
            raise ValueError(f"a {self.kind.value} belongs on the {expected.value} channel")
        object.__setattr__(self, "created_at", self.created_at.astimezone(timezone.utc))

    @property
    def key(self) -> str:
        """The item's identity, ``platform:native_id``."""
        return item_key(self.platform, self.native_id)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A raw record that could not be mapped to an :class:`InboxItem`, and why.

    ``raw`` is kept as the platform sent it, for an operator to inspect in quarantine;
    ``reason`` names what is wrong without quoting any of the record's content.
    """

    platform: Platform
    stream: str
    reason: str
    raw: object
