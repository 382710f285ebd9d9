"""Identifiers in each platform's own shape, pages of records, and the book of outcomes.

The :class:`Book` notes what every rendered record should map to (an item, a skip, or a
rejection and its reason), so the README's counts do not depend on the mapping code.
"""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from trident_pipeline.domain.models import Platform

from .story import Msg, Person, london

__all__ = [
    "B64URL",
    "LOWER_ALNUM",
    "UPPER_ALNUM",
    "Book",
    "Entry",
    "Ids",
    "chunks",
    "cid",
    "iso_millis",
    "order",
]

S32 = "234567abcdefghijklmnopqrstuvwxyz"
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
TWITTER_EPOCH_MS = 1288834974657


class Ids:
    """Identifiers that look like each platform's, unique across the sample."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[str] = set()

    def unique(self, value: str) -> str:
        """``value``, once.

        Raises:
            RuntimeError: when the generator drew the same identifier twice.
        """
        if value in self.seen:
            raise RuntimeError(f"identifier {value} drawn twice; change the seed")
        self.seen.add(value)
        return value

    def snowflake(self, at: datetime) -> str:
        """An X id (a snowflake): milliseconds since X's epoch, then 22 random bits."""
        millis = int(at.timestamp() * 1000) - TWITTER_EPOCH_MS
        return self.unique(str((millis << 22) | self.rng.getrandbits(22)))

    def tid(self, at: datetime) -> str:
        """An AT Protocol TID: microseconds and a clock id, 13 characters of base32-sortable."""
        value = (int(at.timestamp() * 1_000_000) << 10) | self.rng.getrandbits(10)
        return self.unique("".join(S32[(value >> shift) & 31] for shift in range(60, -1, -5)))

    def digits(self, count: int) -> str:
        """A number of ``count`` digits, as Facebook's ids are."""
        return self.unique(str(self.rng.randrange(10 ** (count - 1), 10**count)))

    def text(self, alphabet: str, count: int, prefix: str = "") -> str:
        """``prefix`` and ``count`` characters of ``alphabet``: tokens, cursors, DIDs."""
        return self.unique(prefix + "".join(self.rng.choice(alphabet) for _ in range(count)))


def cid(seed: str) -> str:
    """A CIDv1 (dag-cbor, sha2-256) in base32, as Bluesky shows them: ``bafyrei...``."""
    digest = hashlib.sha256(seed.encode()).digest()
    encoded = base64.b32encode(bytes((1, 0x71, 0x12, 0x20)) + digest).decode()
    return "b" + encoded.lower().rstrip("=")


@dataclass
class Entry:
    """One record of a stream before paging: when it sorts, the record, and its author."""

    at: datetime
    seq: int
    record: object
    author: Person | None = None


@dataclass
class Book:
    """What each rendered record should map to: an item, a skip, or a rejection and why."""

    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    notes: list[tuple[str, str, datetime, str]] = field(default_factory=list)
    malformed: list[tuple[str, str, datetime, str]] = field(default_factory=list)

    def add(self, platform: Platform, stream: str, outcome: str, detail: str) -> None:
        """Note one record's outcome: ``item`` (ours/theirs), ``skipped`` or ``rejected``."""
        self.rows.append((platform.value, stream, outcome, detail))

    def record(
        self,
        platform: Platform,
        stream: str,
        msg: Msg,
        record: dict[str, Any],
        holder: dict[str, Any],
        time_field: str,
    ) -> object:
        """Note what ``record`` (for ``msg``) should map to; spoil it if the message is flawed.

        ``holder`` is the object inside ``record`` that carries the text and the time.

        Raises:
            ValueError: for a flaw :func:`spoil` does not know.
        """
        if msg.note:
            self.notes.append((platform.value, stream, msg.at, msg.note))
        if msg.flaw is None:
            self.add(platform, stream, "item", "ours" if msg.ours else "theirs")
            return record
        spoiled, reason = spoil(record, holder, msg, time_field)
        self.add(platform, stream, "rejected", reason)
        self.malformed.append((platform.value, stream, msg.at, reason))
        return spoiled


def spoil(
    record: dict[str, Any], holder: dict[str, Any], msg: Msg, time_field: str
) -> tuple[object, str]:
    """Make one malformed record; return it with the reason the mapping should give.

    Raises:
        ValueError: for a flaw this function does not know.
    """
    flaw = msg.flaw
    if flaw == "not_object":
        return None, "record is not an object"
    if flaw == "no_id":
        del record["id"]
        return record, "record has no id"
    if flaw in ("text_not_string", "message_not_string"):
        text_field = "text" if flaw == "text_not_string" else "message"
        holder[text_field] = [holder[text_field]]
        return record, f"{text_field} is not a string"
    if flaw == "no_created_at":
        del holder[time_field]
        return record, f"record has no {time_field}"
    if flaw == "bad_time":
        holder[time_field] = london(msg.at).strftime("%d/%m/%Y %H:%M")
        return record, f"{time_field} is not an ISO 8601 time"
    if flaw == "bad_clock":
        holder[time_field] = london(msg.at).strftime("%Y-%m-%dT25:61:00+0000")
        return record, f"{time_field} is not an ISO 8601 time"
    if flaw == "naive_time":
        holder[time_field] = london(msg.at).strftime("%Y-%m-%dT%H:%M:%S.000")
        return record, f"{time_field} has no time zone"
    raise ValueError(f"unknown flaw {flaw}")


def chunks(entries: Sequence[Entry], size: int) -> list[list[Entry]]:
    """Entries newest first, cut into pages of ``size`` (one empty page when there are none)."""
    ordered = sorted(entries, key=lambda entry: (entry.at, entry.seq), reverse=True)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)] or [[]]


def order(messages: Sequence[Msg]) -> list[Msg]:
    """Messages oldest first, in the order they were told when their times are equal."""
    return sorted(messages, key=lambda msg: (msg.at, msg.seq))


def iso_millis(moment: datetime) -> str:
    """``2026-03-23T09:15:00.123Z``: the AT Protocol's usual form of a time."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )
