"""The strike rules of the three-strike policy: the events each rule adds to the ledger.

Policy section 3.1 is "a three strike policy where residents will be encouraged to delete posts
and message privately before the resident will be blocked on all accounts". Strike counts are
derived from the ledger's events (:mod:`~trident_pipeline.domain.events`); the block requests
they lead to, and their decisions and reviews, are in :mod:`~trident_pipeline.domain.blocks`.

Every event has an idempotency key built from what it is about, so applying the same rule to
the same ledger twice yields nothing new::

    violation_recorded:<item key>          strike:<item key>
    message_drafted:<item key>             message_decided:<item key>   (approved or rejected)
    encouraged_to_delete:<item key>        hidden:<item key>
    strike_expired:<item key>              strike_overruled:<item key>
    block_carried_out:<request key>:<platform>:<user id>

A strike is active from the moment of the violation until it expires (``StrikeRules.expiry``)
or is overruled on appeal. It counts against the resident its account belongs to now (see
:mod:`~trident_pipeline.domain.residents`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from trident_pipeline.domain.events import (
    EventType,
    Ledger,
    ModerationEvent,
    UnknownEvent,
    event_about,
    required_reason,
)
from trident_pipeline.domain.models import Channel, Kind
from trident_pipeline.domain.policy import Decision
from trident_pipeline.domain.residents import AccountRef, Residents

__all__ = [
    "StrikeRules",
    "Violation",
    "action_taken",
    "active_strikes",
    "apply",
    "decide_message",
    "expire",
    "message_drafted",
    "overrule",
    "strike_number",
]


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
            events.append(event_about(strike, key, EventType.STRIKE_EXPIRED, expired_at))
    return events


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
    detail = {"reason": required_reason(reason)}
    return [event_about(strike, key, EventType.STRIKE_OVERRULED, at, actor=by, detail=detail)]


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
    return event_about(strike, key, EventType.MESSAGE_DRAFTED, at, detail=detail)


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
        kind, why = EventType.MESSAGE_REJECTED, required_reason(reason or "")
    detail = {"reason": why, "answered_by": answered_by}
    return [event_about(drafted, key, kind, at, actor=by, detail=detail)]


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
    event = event_about(asked_by, key, kind, at, detail=detail)
    return event if account is None else replace(event, account=account)
