"""The block rules of the three-strike policy: requests at the threshold, decisions, reviews.

At the threshold-th active strike (:mod:`~trident_pipeline.domain.strikes`) a block is
requested, once per strike that reaches it, unless a request is still open or the resident is
blocked; a manager approves or rejects it, and an approved block is reviewed every
``StrikeRules.block_review``. Keys of the events added here::

    block_requested:<resident>:<item key of the strike that reached the threshold>
    block_decided:<request key>            (approved or rejected: one decision per request)
    block_reviewed:<request key>:<review due date>
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from trident_pipeline.domain.events import (
    EventType,
    Ledger,
    ModerationEvent,
    ReviewOutcome,
    UnknownEvent,
    event_about,
    required_reason,
)
from trident_pipeline.domain.residents import AccountRef, Residents
from trident_pipeline.domain.strikes import StrikeRules, active_strikes

__all__ = [
    "BlockReview",
    "awaiting_decision",
    "block_request_for",
    "decide_block",
    "next_review",
    "request_blocks",
    "review_block",
    "reviews_due",
]


@dataclass(frozen=True, slots=True)
class BlockReview:
    """A block whose review is due: the approved request and when its review fell due."""

    request: ModerationEvent
    due: datetime


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
    detail = {"reason": required_reason(reason), "answered_by": answered_by}
    return [event_about(request, key, kind, at, actor=by, detail=detail)]


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
        "reason": required_reason(reason),
        "due": review.due.isoformat(),
    }
    return [event_about(review.request, key, EventType.BLOCK_REVIEWED, at, actor=by, detail=detail)]
