"""The moderation ledger's event model: append-only events, and the ledger that indexes them.

The ledger keeps what happened under the three-strike policy as events, after Bluesky Ozone's
``moderation_event``: who acted (the system, or a member of staff by pseudonym), which clauses,
evidence by reference (item keys and finding types, never what the resident wrote), and when.
Nothing is ever updated. The rules that derive strikes, block requests and reviews from the
events are in :mod:`~trident_pipeline.domain.strikes`.
"""

from __future__ import annotations

import enum
from bisect import insort
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trident_pipeline.domain.residents import AccountRef

__all__ = [
    "SYSTEM",
    "EventType",
    "Ledger",
    "ModerationEvent",
    "ReviewOutcome",
    "UnknownEvent",
    "event_about",
    "required_reason",
]

SYSTEM = "system"
"""The actor of events the pipeline makes by itself."""


class EventType(enum.StrEnum):
    """What a moderation event records."""

    VIOLATION_RECORDED = "violation_recorded"
    STRIKE_ISSUED = "strike_issued"
    MESSAGE_DRAFTED = "message_drafted"
    MESSAGE_APPROVED = "message_approved"
    MESSAGE_REJECTED = "message_rejected"
    ENCOURAGED_TO_DELETE = "encouraged_to_delete"
    ITEM_HIDDEN = "item_hidden"
    BLOCK_REQUESTED = "block_requested"
    BLOCK_APPROVED = "block_approved"
    BLOCK_REJECTED = "block_rejected"
    BLOCK_CARRIED_OUT = "block_carried_out"
    STRIKE_EXPIRED = "strike_expired"
    STRIKE_OVERRULED = "strike_overruled"
    BLOCK_REVIEWED = "block_reviewed"
    ACCOUNT_LINKED = "account_linked"
    ACCOUNT_UNLINKED = "account_unlinked"


class ReviewOutcome(enum.StrEnum):
    """What a manager decided when reviewing a block."""

    KEPT = "kept"
    LIFTED = "lifted"


class UnknownEvent(LookupError):
    """A rule was asked about an event the ledger does not hold."""


@dataclass(frozen=True, slots=True)
class ModerationEvent:
    """One entry of the ledger.

    ``account`` is the platform account the event is about; ``resident_id`` the resident a
    block event is about; ``refers_to`` the key of the event this one answers (a decision
    refers to its request). ``detail`` holds evidence by reference and outcomes as JSON
    values: never text a resident wrote. ``id`` is the store's number once appended.

    Raises:
        ValueError: when ``occurred_at`` is naive or ``key`` is empty.
    """

    key: str
    type: EventType
    occurred_at: datetime
    actor: str = SYSTEM
    account: AccountRef | None = None
    resident_id: str | None = None
    item_key: str | None = None
    clauses: tuple[str, ...] = ()
    refers_to: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict, hash=False)
    id: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not self.key:
            raise ValueError("a moderation event needs a key")
        if self.occurred_at.tzinfo is None or self.occurred_at.utcoffset() is None:
            raise ValueError("occurred_at must be timezone-aware")


class Ledger:
    """The events read from the store, indexed by key and by type.

    Raises:
        ValueError: when two events share a key.
    """

    def __init__(self, events: Iterable[ModerationEvent] = ()) -> None:
        self._by_key: dict[str, ModerationEvent] = {}
        self._by_type: dict[EventType, list[ModerationEvent]] = {kind: [] for kind in EventType}
        for event in sorted(events, key=_order):
            if event.key in self._by_key:
                raise ValueError(f"two events share the key {event.key!r}")
            self._by_key[event.key] = event
            self._by_type[event.type].append(event)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __iter__(self) -> Iterator[ModerationEvent]:
        return iter(sorted(self._by_key.values(), key=_order))

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, key: str) -> ModerationEvent | None:
        """The event with ``key``, if the ledger holds it.

        Raises:
            Nothing.
        """
        return self._by_key.get(key)

    def by_id(self, event_id: int) -> ModerationEvent | None:
        """The event the store numbered ``event_id``, if the ledger holds it.

        Raises:
            Nothing.
        """
        return next((event for event in self._by_key.values() if event.id == event_id), None)

    def of_type(self, *types: EventType) -> list[ModerationEvent]:
        """Events of the given types, oldest first (ties by key).

        Raises:
            KeyError: when a type is not an :class:`EventType`.
        """
        if len(types) == 1:
            return list(self._by_type[types[0]])
        chosen = (event for kind in set(types) for event in self._by_type[kind])
        return sorted(chosen, key=_order)

    def with_events(self, events: Iterable[ModerationEvent]) -> Ledger:
        """A new ledger: this one with ``events`` appended, skipping keys it already holds.

        Raises:
            Nothing.
        """
        ledger = Ledger()
        ledger._by_key = dict(self._by_key)
        ledger._by_type = {kind: list(found) for kind, found in self._by_type.items()}
        for event in events:
            if event.key not in ledger._by_key:
                ledger._by_key[event.key] = event
                insort(ledger._by_type[event.type], event, key=_order)
        return ledger


def _order(event: ModerationEvent) -> tuple[datetime, str]:
    return (event.occurred_at, event.key)


def event_about(
    event: ModerationEvent,
    key: str,
    kind: EventType,
    at: datetime,
    *,
    actor: str = SYSTEM,
    detail: Mapping[str, Any] | None = None,
) -> ModerationEvent:
    """A new event answering ``event``: about its account, resident, item and clauses.

    Raises:
        ValueError: when ``at`` is naive or ``key`` is empty.
    """
    return ModerationEvent(
        key=key,
        type=kind,
        occurred_at=at,
        actor=actor,
        account=event.account,
        resident_id=event.resident_id,
        item_key=event.item_key,
        clauses=event.clauses,
        refers_to=event.key,
        detail=dict(detail or {}),
    )


def required_reason(reason: str) -> str:
    """``reason`` without surrounding whitespace.

    Raises:
        ValueError: when ``reason`` is blank.
    """
    cleaned = reason.strip()
    if not cleaned:
        raise ValueError("a decision needs a reason")
    return cleaned
