"""The three-strike ledger: append-only moderation events, and the rules that derive from them.

Policy section 3.1 is "a three strike policy where residents will be encouraged to delete posts
and message privately before the resident will be blocked on all accounts". The ledger keeps
what happened as events, after Bluesky Ozone's ``moderation_event``: who acted (the system, or
a member of staff by pseudonym), which clauses, evidence by reference (item keys and finding
types, never what the resident wrote), and when. Nothing is ever updated: strike counts, open
block requests and reviews due are all derived from the events.

Every event has an idempotency key built from what it is about, so applying the same rule to
the same ledger twice yields nothing new::

    violation_recorded:<item key>          strike:<item key>
    message_drafted:<item key>             message_decided:<item key>   (approved or rejected)
    encouraged_to_delete:<item key>        hidden:<item key>
    strike_expired:<item key>              strike_overruled:<item key>
    block_requested:<resident>:<item key of the strike that reached the threshold>
    block_decided:<request key>            (approved or rejected: one decision per request)
    block_carried_out:<request key>:<platform>:<user id>
    block_reviewed:<request key>:<review due date>

A strike is active from the moment of the violation until it expires (``StrikeRules.expiry``)
or is overruled on appeal. It counts against the resident its account belongs to now (see
:mod:`~trident_pipeline.domain.residents`). At the threshold-th active strike a block is
requested, once per strike that reaches it, unless a request is still open or the resident is
blocked; a manager approves or rejects it, and an approved block is reviewed every
``StrikeRules.block_review``.
"""

from __future__ import annotations

import enum
from bisect import insort
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from trident_pipeline.domain.models import Channel, Kind
from trident_pipeline.domain.policy import Decision
from trident_pipeline.domain.residents import AccountRef, Residents

__all__ = [
    "SYSTEM",
    "BlockReview",
    "EventType",
    "Ledger",
    "ModerationEvent",
    "ReviewOutcome",
    "StrikeRules",
    "UnknownEvent",
    "Violation",
    "action_taken",
    "active_strikes",
    "apply",
    "awaiting_decision",
    "block_request_for",
    "decide_block",
    "decide_message",
    "expire",
    "message_drafted",
    "next_review",
    "overrule",
    "request_blocks",
    "review_block",
    "reviews_due",
    "strike_number",
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


@dataclass(frozen=True, slots=True)
class StrikeRules:
    """The three-strike policy's numbers (``config/strikes.yaml``).

    Raises:
        ValueError: when the threshold is below 1 or a period is not positive.
    """

    threshold: int = 3
    expiry: timedelta = timedelta(days=365)
    block_review: timedelta = timedelta(days=90)

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError("the strike threshold is at least 1")
        if self.expiry <= timedelta(0) or self.block_review <= timedelta(0):
            raise ValueError("the expiry and review periods must be positive")


@dataclass(frozen=True, slots=True)
class Violation:
    """A screened item that breaks the policy, by reference: no text.

    ``account`` is ``None`` when the platform no longer says who wrote the item (a deleted
    or suspended account): the violation is recorded, but no strike can count against anyone.
    """

    item_key: str
    account: AccountRef | None
    channel: Channel
    kind: Kind
    occurred_at: datetime
    finding_types: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BlockReview:
    """A block whose review is due: the approved request and when its review fell due."""

    request: ModerationEvent
    due: datetime


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


def _strike_key(item_key: str) -> str:
    return f"strike:{item_key}"


def apply(ledger: Ledger, violation: Violation, decision: Decision) -> list[ModerationEvent]:
    """The events a screening decision adds: the violation and, with a known author, a strike.

    One strike per violating item, however often it is screened or re-run: a later decision
    with other clauses adds nothing. Returns no events when ``decision`` is no violation.

    Raises:
        Nothing.
    """
    if not decision.violation:
        return []
    clauses = tuple(str(clause) for clause in decision.clauses)
    evidence = {"channel": violation.channel.value, "kind": violation.kind.value}
    evidence["finding_types"] = sorted(set(violation.finding_types))
    common = {
        "occurred_at": violation.occurred_at,
        "account": violation.account,
        "item_key": violation.item_key,
        "clauses": clauses,
        "detail": evidence,
    }
    events = [
        ModerationEvent(
            key=f"violation_recorded:{violation.item_key}",
            type=EventType.VIOLATION_RECORDED,
            **common,
        )
    ]
    if violation.account is not None:
        events.append(
            ModerationEvent(
                key=_strike_key(violation.item_key), type=EventType.STRIKE_ISSUED, **common
            )
        )
    return [event for event in events if event.key not in ledger]


def _ended(ledger: Ledger, strike: ModerationEvent, at: datetime, rules: StrikeRules) -> bool:
    if strike.occurred_at + rules.expiry <= at:
        return True
    overruled = ledger.get(f"strike_overruled:{strike.item_key}")
    return overruled is not None and overruled.occurred_at <= at


def active_strikes(
    ledger: Ledger, residents: Residents, resident_id: str, at: datetime, rules: StrikeRules
) -> list[ModerationEvent]:
    """The strikes active at ``at`` against a resident, over all their linked accounts.

    A strike is active from its violation until it expires or is overruled. Oldest first.

    Raises:
        Nothing.
    """
    return [
        strike
        for strike in ledger.of_type(EventType.STRIKE_ISSUED)
        if strike.account is not None
        and residents.resident_of(strike.account) == resident_id
        and strike.occurred_at <= at
        and not _ended(ledger, strike, at, rules)
    ]


def strike_number(
    ledger: Ledger, residents: Residents, strike: ModerationEvent, rules: StrikeRules
) -> int:
    """Which active strike ``strike`` was for its resident when it was issued (1 for the first).

    Raises:
        ValueError: when ``strike`` is not a strike against a known account.
    """
    if strike.type is not EventType.STRIKE_ISSUED or strike.account is None:
        raise ValueError("only a strike against an account has a number")
    resident_id = residents.resident_of(strike.account)
    known = ledger.with_events([strike])
    active = active_strikes(known, residents, resident_id, strike.occurred_at, rules)
    return [event.key for event in active].index(strike.key) + 1


def expire(ledger: Ledger, at: datetime, rules: StrikeRules) -> list[ModerationEvent]:
    """Record the expiry of every strike whose expiry period has passed by ``at``.

    Each expiry is dated when the strike expired, not when it was noticed. A strike overruled
    before it expired does not expire as well.

    Raises:
        Nothing.
    """
    events = []
    for strike in ledger.of_type(EventType.STRIKE_ISSUED):
        expired_at = strike.occurred_at + rules.expiry
        overruled = ledger.get(f"strike_overruled:{strike.item_key}")
        if expired_at > at or (overruled is not None and overruled.occurred_at < expired_at):
            continue
        key = f"strike_expired:{strike.item_key}"
        if key not in ledger:
            events.append(_about(strike, key, EventType.STRIKE_EXPIRED, expired_at))
    return events


def _about(
    event: ModerationEvent,
    key: str,
    kind: EventType,
    at: datetime,
    *,
    actor: str = SYSTEM,
    detail: Mapping[str, Any] | None = None,
) -> ModerationEvent:
    """A new event about ``event``'s account, resident, item and clauses."""
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


def _reason(reason: str) -> str:
    cleaned = reason.strip()
    if not cleaned:
        raise ValueError("a decision needs a reason")
    return cleaned


def overrule(
    ledger: Ledger, item_key: str, by: str, reason: str, at: datetime
) -> list[ModerationEvent]:
    """Overrule the strike for ``item_key`` on appeal; nothing if it already was.

    Raises:
        UnknownEvent: when no strike was issued for ``item_key``.
        ValueError: when ``reason`` is blank.
    """
    strike = ledger.get(_strike_key(item_key))
    if strike is None:
        raise UnknownEvent(f"no strike for item {item_key}")
    key = f"strike_overruled:{item_key}"
    if key in ledger:
        return []
    detail = {"reason": _reason(reason)}
    return [_about(strike, key, EventType.STRIKE_OVERRULED, at, actor=by, detail=detail)]


def message_drafted(
    strike: ModerationEvent,
    at: datetime,
    *,
    text: str,
    delivery: str,
    signed_by: str,
    needs_approval: bool,
    problems: Sequence[str] = (),
) -> ModerationEvent:
    """The "please delete your post and message us privately" message drafted for a strike.

    ``text`` is the organisation's own drafted message (no resident's words); ``problems``
    are the accessibility checks it failed, each a reason a person can act on.

    Raises:
        ValueError: when ``strike`` is not a strike.
    """
    if strike.type is not EventType.STRIKE_ISSUED:
        raise ValueError("a message is drafted for a strike")
    detail = {
        "text": text,
        "delivery": delivery,
        "signed_by": signed_by,
        "needs_approval": needs_approval,
        "problems": list(problems),
    }
    key = f"message_drafted:{strike.item_key}"
    return _about(strike, key, EventType.MESSAGE_DRAFTED, at, detail=detail)


def decide_message(
    ledger: Ledger,
    drafted_key: str,
    approved: bool,
    by: str,
    reason: str | None,
    at: datetime,
    *,
    answered_by: str | None = None,
) -> list[ModerationEvent]:
    """A person's approval or rejection of a drafted message; nothing if already decided.

    ``answered_by`` is the login that gave the answer (the Airflow user), kept beside the
    pseudonym the person signed with.

    Raises:
        UnknownEvent: when ``drafted_key`` is not a drafted message of the ledger.
        ValueError: when a rejection has no reason.
    """
    drafted = ledger.get(drafted_key)
    if drafted is None or drafted.type is not EventType.MESSAGE_DRAFTED:
        raise UnknownEvent(f"no drafted message {drafted_key}")
    key = f"message_decided:{drafted.item_key}"
    if key in ledger:
        return []
    if approved:
        kind, why = EventType.MESSAGE_APPROVED, (reason or "").strip()
    else:
        kind, why = EventType.MESSAGE_REJECTED, _reason(reason or "")
    detail = {"reason": why, "answered_by": answered_by}
    return [_about(drafted, key, kind, at, actor=by, detail=detail)]


def action_taken(
    asked_by: ModerationEvent,
    kind: EventType,
    key: str,
    at: datetime,
    *,
    outcome: str,
    platform_reference: str | None = None,
    why: str | None = None,
    account: AccountRef | None = None,
) -> ModerationEvent:
    """The outcome of a step on a platform (message sent, item hidden, block carried out).

    ``outcome`` is an :class:`~trident_pipeline.sources.moderation.Outcome` value: a step
    that needs doing by hand is recorded as such, with ``why``.

    Raises:
        ValueError: when ``kind`` is not a step on a platform.
    """
    steps = {EventType.ENCOURAGED_TO_DELETE, EventType.ITEM_HIDDEN, EventType.BLOCK_CARRIED_OUT}
    if kind not in steps:
        raise ValueError(f"{kind.value} is not a step on a platform")
    detail = {"outcome": outcome, "reference": platform_reference, "why": why}
    event = _about(asked_by, key, kind, at, detail=detail)
    return event if account is None else replace(event, account=account)


def _waiting_or_blocked(ledger: Ledger, residents: Residents, resident_id: str) -> bool:
    """Whether a block request for the resident awaits a decision, or a block is in force."""
    for request in ledger.of_type(EventType.BLOCK_REQUESTED):
        if not _concerns(request, residents, resident_id):
            continue
        decision = ledger.get(f"block_decided:{request.key}")
        if decision is None:
            return True
        if decision.type is EventType.BLOCK_APPROVED and not _lifted(ledger, request):
            return True
    return False


def _lifted(ledger: Ledger, request: ModerationEvent) -> bool:
    return any(
        review.refers_to == request.key and review.detail.get("outcome") == ReviewOutcome.LIFTED
        for review in ledger.of_type(EventType.BLOCK_REVIEWED)
    )


def _concerns(request: ModerationEvent, residents: Residents, resident_id: str) -> bool:
    if request.resident_id == resident_id:
        return True
    accounts = request.detail.get("accounts", ())
    return any(
        residents.resident_of(AccountRef(platform, user_id)) == resident_id
        for platform, user_id in accounts
    )


def request_blocks(
    ledger: Ledger, residents: Residents, at: datetime, rules: StrikeRules
) -> list[ModerationEvent]:
    """Block requests for every resident with ``rules.threshold`` or more active strikes.

    None for a resident with a request still waiting for a decision or a block in force, and
    none twice for the same strike that reached the threshold, so a rejected request is asked
    again only after a further strike.

    Raises:
        Nothing.
    """
    strikers = {
        residents.resident_of(strike.account)
        for strike in ledger.of_type(EventType.STRIKE_ISSUED)
        if strike.account is not None
    }
    events = []
    for resident_id in sorted(strikers):
        active = active_strikes(ledger, residents, resident_id, at, rules)
        if len(active) < rules.threshold or _waiting_or_blocked(ledger, residents, resident_id):
            continue
        request = block_request_for(resident_id, active, residents)
        if request.key not in ledger:
            events.append(request)
    return events


def block_request_for(
    resident_id: str, active: Sequence[ModerationEvent], residents: Residents
) -> ModerationEvent:
    """The request to block ``resident_id`` on all their accounts, on the evidence of the
    ``active`` strikes (oldest first); dated when the last of them was issued.

    Raises:
        ValueError: when ``active`` is empty.
    """
    if not active:
        raise ValueError("a block request needs strikes")
    latest = active[-1]
    clauses = tuple(dict.fromkeys(clause for strike in active for clause in strike.clauses))
    accounts = {strike.account for strike in active if strike.account is not None}
    accounts.update(residents.accounts_of(resident_id))
    detail = {
        "strikes": [strike.key for strike in active],
        "accounts": [[account.platform.value, account.user_id] for account in sorted(accounts)],
    }
    return ModerationEvent(
        key=f"block_requested:{resident_id}:{latest.item_key}",
        type=EventType.BLOCK_REQUESTED,
        occurred_at=latest.occurred_at,
        account=latest.account,
        resident_id=resident_id,
        item_key=latest.item_key,
        clauses=clauses,
        detail=detail,
    )


def awaiting_decision(ledger: Ledger) -> list[ModerationEvent]:
    """Block requests no manager has decided, and drafted messages that need a person's
    approval and have neither had it nor gone out; oldest first.

    Raises:
        Nothing.
    """
    waiting = []
    for event in ledger.of_type(EventType.BLOCK_REQUESTED, EventType.MESSAGE_DRAFTED):
        if event.type is EventType.BLOCK_REQUESTED:
            if f"block_decided:{event.key}" not in ledger:
                waiting.append(event)
        elif (
            event.detail.get("needs_approval")
            and f"message_decided:{event.item_key}" not in ledger
            and f"encouraged_to_delete:{event.item_key}" not in ledger
        ):
            waiting.append(event)
    return waiting


def decide_block(
    ledger: Ledger,
    request_key: str,
    approved: bool,
    by: str,
    reason: str,
    at: datetime,
    *,
    answered_by: str | None = None,
) -> list[ModerationEvent]:
    """A manager's approval or rejection of a block request; nothing if already decided.

    ``answered_by`` is the login that gave the answer (the Airflow user), kept beside the
    manager's pseudonym.

    Raises:
        UnknownEvent: when ``request_key`` is not a block request of the ledger.
        ValueError: when ``reason`` is blank.
    """
    request = ledger.get(request_key)
    if request is None or request.type is not EventType.BLOCK_REQUESTED:
        raise UnknownEvent(f"no block request {request_key}")
    key = f"block_decided:{request_key}"
    if key in ledger:
        return []
    kind = EventType.BLOCK_APPROVED if approved else EventType.BLOCK_REJECTED
    detail = {"reason": _reason(reason), "answered_by": answered_by}
    return [_about(request, key, kind, at, actor=by, detail=detail)]


def next_review(ledger: Ledger, request: ModerationEvent, rules: StrikeRules) -> datetime | None:
    """When the block of an approved ``request`` is next due for review: ``rules.block_review``
    after the approval, then after each review that kept it. ``None`` for a request that was
    not approved, or whose block was lifted.

    Raises:
        Nothing.
    """
    decision = ledger.get(f"block_decided:{request.key}")
    if decision is None or decision.type is not EventType.BLOCK_APPROVED:
        return None
    if _lifted(ledger, request):
        return None
    reviews = [
        review
        for review in ledger.of_type(EventType.BLOCK_REVIEWED)
        if review.refers_to == request.key
    ]
    last = reviews[-1].occurred_at if reviews else decision.occurred_at
    return last + rules.block_review


def reviews_due(ledger: Ledger, at: datetime, rules: StrikeRules) -> list[BlockReview]:
    """Blocks in force whose review date has come by ``at``, oldest due first.

    Raises:
        Nothing.
    """
    due = []
    for request in ledger.of_type(EventType.BLOCK_REQUESTED):
        when = next_review(ledger, request, rules)
        if when is not None and when <= at:
            due.append(BlockReview(request=request, due=when))
    return sorted(due, key=lambda review: (review.due, review.request.key))


def review_block(
    ledger: Ledger,
    review: BlockReview,
    outcome: ReviewOutcome,
    by: str,
    reason: str,
    at: datetime,
) -> list[ModerationEvent]:
    """A manager's review of a block: kept (reviewed again later) or lifted.

    Nothing if this review was already recorded.

    Raises:
        ValueError: when ``reason`` is blank.
    """
    key = f"block_reviewed:{review.request.key}:{review.due.date().isoformat()}"
    if key in ledger:
        return []
    detail = {
        "outcome": ReviewOutcome(outcome).value,
        "reason": _reason(reason),
        "due": review.due.isoformat(),
    }
    return [_about(review.request, key, EventType.BLOCK_REVIEWED, at, actor=by, detail=detail)]
