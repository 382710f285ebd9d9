from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from trident_pipeline.domain import ledger as rules
from trident_pipeline.domain.ledger import (
    BlockReview,
    EventType,
    Ledger,
    ModerationEvent,
    ReviewOutcome,
    StrikeRules,
    UnknownEvent,
    Violation,
)
from trident_pipeline.domain.models import Channel, Kind, Platform
from trident_pipeline.domain.policy import Clause, Decision
from trident_pipeline.domain.residents import AccountLink, AccountRef, LinkSource, Residents

T0 = datetime(2027, 3, 3, 10, 14, tzinfo=timezone.utc)
RULES = StrikeRules(threshold=3, expiry=timedelta(days=365), block_review=timedelta(days=90))
X_ACCOUNT = AccountRef(Platform.X, "1500000000000000042")
BLUESKY_ACCOUNT = AccountRef(Platform.BLUESKY, "did:plc:residentone00000000000001")
FACEBOOK_ACCOUNT = AccountRef(Platform.FACEBOOK, "2600000000000001")
PHONE = Decision(violation=True, clauses=(Clause.PERSONAL_INFORMATION,))
LINKED = Residents(
    AccountLink(account, "C-1", LinkSource.OPERATOR, "Operator One", T0)
    for account in (X_ACCOUNT, BLUESKY_ACCOUNT, FACEBOOK_ACCOUNT)
)


def violation(native_id: str, account: AccountRef | None, at: datetime) -> Violation:
    platform = account.platform if account else Platform.FACEBOOK
    return Violation(
        item_key=f"{platform.value}:{native_id}",
        account=account,
        channel=Channel.PUBLIC,
        kind=Kind.REPLY,
        occurred_at=at,
        finding_types=("phone",),
    )


def strike_on(ledger: Ledger, native_id: str, account: AccountRef, at: datetime) -> Ledger:
    return ledger.with_events(rules.apply(ledger, violation(native_id, account, at), PHONE))


def three_strikes() -> Ledger:
    ledger = Ledger()
    ledger = strike_on(ledger, "1", X_ACCOUNT, T0)
    ledger = strike_on(ledger, "2", BLUESKY_ACCOUNT, T0 + timedelta(days=1))
    return strike_on(ledger, "3", FACEBOOK_ACCOUNT, T0 + timedelta(days=2))


def test_a_violation_records_the_violation_and_one_strike_by_reference():
    events = rules.apply(Ledger(), violation("1", X_ACCOUNT, T0), PHONE)
    assert [(e.type, e.key) for e in events] == [
        (EventType.VIOLATION_RECORDED, "violation_recorded:x:1"),
        (EventType.STRIKE_ISSUED, "strike:x:1"),
    ]
    strike = events[1]
    assert strike.account == X_ACCOUNT
    assert strike.clauses == ("personal_information",)
    assert strike.occurred_at == T0
    assert dict(strike.detail) == {"channel": "public", "kind": "reply", "finding_types": ["phone"]}


def test_a_rescreened_item_gets_no_second_strike_whatever_its_clauses():
    ledger = Ledger(rules.apply(Ledger(), violation("1", X_ACCOUNT, T0), PHONE))
    abuse = Decision(violation=True, clauses=(Clause.ABUSIVE_OR_THREATENING_LANGUAGE,))
    assert rules.apply(ledger, violation("1", X_ACCOUNT, T0), abuse) == []


def test_no_violation_adds_nothing_and_an_unknown_author_gets_no_strike():
    assert rules.apply(Ledger(), violation("1", X_ACCOUNT, T0), Decision(False, ())) == []
    events = rules.apply(Ledger(), violation("9", None, T0), PHONE)
    assert [e.type for e in events] == [EventType.VIOLATION_RECORDED]


def test_strikes_count_per_resident_over_all_linked_accounts():
    ledger = three_strikes()
    at = T0 + timedelta(days=3)
    assert len(rules.active_strikes(ledger, LINKED, "contact:C-1", at, RULES)) == 3
    unlinked = Residents()
    assert (
        len(rules.active_strikes(ledger, unlinked, "account:x:1500000000000000042", at, RULES)) == 1
    )
    strikes = ledger.of_type(EventType.STRIKE_ISSUED)
    assert [rules.strike_number(ledger, LINKED, s, RULES) for s in strikes] == [1, 2, 3]
    assert [rules.strike_number(ledger, unlinked, s, RULES) for s in strikes] == [1, 1, 1]


def test_a_strike_stops_counting_when_its_expiry_period_ends():
    ledger = strike_on(Ledger(), "1", X_ACCOUNT, T0)
    resident = LINKED.resident_of(X_ACCOUNT)
    just_before = T0 + RULES.expiry - timedelta(seconds=1)
    assert len(rules.active_strikes(ledger, LINKED, resident, just_before, RULES)) == 1
    assert rules.active_strikes(ledger, LINKED, resident, T0 + RULES.expiry, RULES) == []
    assert rules.active_strikes(ledger, LINKED, resident, T0 - timedelta(seconds=1), RULES) == []


def test_expiry_is_recorded_once_dated_when_the_strike_expired():
    ledger = strike_on(Ledger(), "1", X_ACCOUNT, T0)
    assert rules.expire(ledger, T0 + RULES.expiry - timedelta(seconds=1), RULES) == []
    expired = rules.expire(ledger, T0 + RULES.expiry + timedelta(days=30), RULES)
    assert [(e.type, e.key, e.occurred_at, e.refers_to) for e in expired] == [
        (EventType.STRIKE_EXPIRED, "strike_expired:x:1", T0 + RULES.expiry, "strike:x:1")
    ]
    assert rules.expire(ledger.with_events(expired), T0 + 2 * RULES.expiry, RULES) == []


def test_an_overruled_strike_stops_counting_and_does_not_expire_as_well():
    ledger = strike_on(Ledger(), "1", X_ACCOUNT, T0)
    overruled_at = T0 + timedelta(days=10)
    events = rules.overrule(ledger, "x:1", "Sam", "the number was our own", overruled_at)
    assert [(e.type, e.actor, e.detail["reason"]) for e in events] == [
        (EventType.STRIKE_OVERRULED, "Sam", "the number was our own")
    ]
    ledger = ledger.with_events(events)
    resident = LINKED.resident_of(X_ACCOUNT)
    assert (
        len(rules.active_strikes(ledger, LINKED, resident, overruled_at - timedelta(1), RULES)) == 1
    )
    assert rules.active_strikes(ledger, LINKED, resident, overruled_at, RULES) == []
    assert rules.expire(ledger, T0 + 2 * RULES.expiry, RULES) == []
    assert rules.overrule(ledger, "x:1", "Sam", "again", overruled_at) == []


def test_overruling_needs_a_strike_and_a_reason():
    ledger = strike_on(Ledger(), "1", X_ACCOUNT, T0)
    with pytest.raises(UnknownEvent):
        rules.overrule(ledger, "x:2", "Sam", "reason", T0)
    with pytest.raises(ValueError, match="reason"):
        rules.overrule(ledger, "x:1", "Sam", "  ", T0)


def test_the_third_active_strike_requests_a_block_once_on_all_accounts():
    ledger = three_strikes()
    at = T0 + timedelta(days=3)
    requests = rules.request_blocks(ledger, LINKED, at, RULES)
    assert len(requests) == 1
    request = requests[0]
    assert request.key == "block_requested:contact:C-1:facebook:3"
    assert request.resident_id == "contact:C-1"
    assert request.occurred_at == T0 + timedelta(days=2)
    assert request.detail["strikes"] == ["strike:x:1", "strike:bluesky:2", "strike:facebook:3"]
    assert request.detail["accounts"] == [
        ["bluesky", BLUESKY_ACCOUNT.user_id],
        ["facebook", FACEBOOK_ACCOUNT.user_id],
        ["x", X_ACCOUNT.user_id],
    ]
    assert rules.request_blocks(ledger.with_events(requests), LINKED, at, RULES) == []


def test_unlinked_accounts_below_the_threshold_request_nothing():
    assert rules.request_blocks(three_strikes(), Residents(), T0 + timedelta(days=3), RULES) == []


def test_no_request_while_one_waits_and_none_while_a_block_is_in_force():
    ledger = three_strikes()
    at = T0 + timedelta(days=3)
    ledger = ledger.with_events(rules.request_blocks(ledger, LINKED, at, RULES))
    ledger = strike_on(ledger, "4", X_ACCOUNT, at)
    assert rules.request_blocks(ledger, LINKED, at, RULES) == []
    (request,) = ledger.of_type(EventType.BLOCK_REQUESTED)
    ledger = ledger.with_events(rules.decide_block(ledger, request.key, True, "Sam", "why", at))
    ledger = strike_on(ledger, "5", X_ACCOUNT, at + timedelta(hours=1))
    assert rules.request_blocks(ledger, LINKED, at + timedelta(hours=2), RULES) == []


def test_after_a_rejection_only_a_further_strike_asks_again():
    ledger = three_strikes()
    at = T0 + timedelta(days=3)
    (request,) = rules.request_blocks(ledger, LINKED, at, RULES)
    ledger = ledger.with_events([request])
    ledger = ledger.with_events(rules.decide_block(ledger, request.key, False, "Sam", "first", at))
    assert rules.request_blocks(ledger, LINKED, at, RULES) == []
    ledger = strike_on(ledger, "4", X_ACCOUNT, at + timedelta(hours=1))
    (again,) = rules.request_blocks(ledger, LINKED, at + timedelta(hours=2), RULES)
    assert again.key == "block_requested:contact:C-1:x:4"


def test_linking_accounts_later_joins_their_strikes_and_a_waiting_request():
    ledger = strike_on(Ledger(), "1", X_ACCOUNT, T0)
    ledger = strike_on(ledger, "2", X_ACCOUNT, T0 + timedelta(hours=1))
    ledger = strike_on(ledger, "3", X_ACCOUNT, T0 + timedelta(hours=2))
    at = T0 + timedelta(days=1)
    (alone,) = rules.request_blocks(ledger, Residents(), at, RULES)
    assert alone.resident_id == "account:x:1500000000000000042"
    ledger = strike_on(ledger.with_events([alone]), "4", BLUESKY_ACCOUNT, at)
    assert rules.request_blocks(ledger, LINKED, at, RULES) == []


def test_a_block_decision_is_made_once_with_a_reason():
    ledger = three_strikes()
    (request,) = rules.request_blocks(ledger, LINKED, T0 + timedelta(days=3), RULES)
    ledger = ledger.with_events([request])
    with pytest.raises(UnknownEvent):
        rules.decide_block(ledger, "block_requested:nobody", True, "Sam", "why", T0)
    with pytest.raises(ValueError, match="reason"):
        rules.decide_block(ledger, request.key, True, "Sam", "", T0)
    (approved,) = rules.decide_block(
        ledger, request.key, True, "Sam", "three strikes", T0, answered_by="sam.bennett"
    )
    assert dict(approved.detail) == {"reason": "three strikes", "answered_by": "sam.bennett"}
    assert (approved.type, approved.actor, approved.refers_to) == (
        EventType.BLOCK_APPROVED,
        "Sam",
        request.key,
    )
    assert rules.awaiting_decision(ledger) == [request]
    ledger = ledger.with_events([approved])
    assert rules.awaiting_decision(ledger) == []
    assert rules.decide_block(ledger, request.key, False, "Sam", "changed my mind", T0) == []


def test_a_block_is_due_for_review_after_the_period_then_after_each_review_that_keeps_it():
    ledger = three_strikes()
    (request,) = rules.request_blocks(ledger, LINKED, T0 + timedelta(days=3), RULES)
    approved_at = T0 + timedelta(days=4)
    ledger = ledger.with_events([request])
    assert rules.next_review(ledger, request, RULES) is None
    ledger = ledger.with_events(
        rules.decide_block(ledger, request.key, True, "Sam", "r", approved_at)
    )
    due = approved_at + RULES.block_review
    assert rules.reviews_due(ledger, due - timedelta(seconds=1), RULES) == []
    assert rules.reviews_due(ledger, due, RULES) == [BlockReview(request=request, due=due)]
    review = rules.reviews_due(ledger, due, RULES)[0]
    kept = rules.review_block(ledger, review, ReviewOutcome.KEPT, "Sam", "still abusive", due)
    ledger = ledger.with_events(kept)
    assert rules.review_block(ledger, review, ReviewOutcome.KEPT, "Sam", "again", due) == []
    assert rules.next_review(ledger, request, RULES) == due + RULES.block_review
    later = rules.reviews_due(ledger, due + RULES.block_review, RULES)[0]
    lifted = rules.review_block(ledger, later, ReviewOutcome.LIFTED, "Sam", "calmer", later.due)
    ledger = ledger.with_events(lifted)
    assert rules.reviews_due(ledger, due + 3 * RULES.block_review, RULES) == []


def test_after_a_block_is_lifted_new_strikes_can_ask_again():
    ledger = three_strikes()
    at = T0 + timedelta(days=3)
    (request,) = rules.request_blocks(ledger, LINKED, at, RULES)
    ledger = ledger.with_events([request])
    ledger = ledger.with_events(rules.decide_block(ledger, request.key, True, "Sam", "r", at))
    review = BlockReview(request=request, due=at + RULES.block_review)
    ledger = ledger.with_events(
        rules.review_block(ledger, review, ReviewOutcome.LIFTED, "Sam", "calmer", review.due)
    )
    ledger = strike_on(ledger, "4", X_ACCOUNT, review.due + timedelta(days=1))
    assert len(rules.request_blocks(ledger, LINKED, review.due + timedelta(days=2), RULES)) == 1


def test_a_drafted_message_is_decided_once_and_a_rejection_needs_a_reason():
    ledger = strike_on(Ledger(), "1", X_ACCOUNT, T0)
    strike = ledger.get("strike:x:1")
    drafted = rules.message_drafted(
        strike, T0, text="Hello.\n- Sam", delivery="reply", signed_by="Sam", needs_approval=True
    )
    assert drafted.key == "message_drafted:x:1"
    assert drafted.refers_to == "strike:x:1"
    ledger = ledger.with_events([drafted])
    with pytest.raises(ValueError, match="reason"):
        rules.decide_message(ledger, drafted.key, False, "Priya", " ", T0)
    with pytest.raises(UnknownEvent):
        rules.decide_message(ledger, "message_drafted:x:2", True, "Priya", "", T0)
    assert rules.awaiting_decision(ledger) == [drafted]
    (approved,) = rules.decide_message(ledger, drafted.key, True, "Priya", "", T0)
    assert approved.type is EventType.MESSAGE_APPROVED
    ledger = ledger.with_events([approved])
    assert rules.decide_message(ledger, drafted.key, False, "Priya", "no", T0) == []
    with pytest.raises(ValueError, match="strike"):
        rules.message_drafted(
            drafted, T0, text="x", delivery="reply", signed_by="S", needs_approval=False
        )


def test_a_step_on_a_platform_records_its_outcome_and_account():
    ledger = three_strikes()
    (request,) = rules.request_blocks(ledger, LINKED, T0 + timedelta(days=3), RULES)
    event = rules.action_taken(
        request,
        EventType.BLOCK_CARRIED_OUT,
        "block_carried_out:k:x:1",
        T0,
        outcome="needs_hand",
        why="X allows blocking only in its app",
        account=X_ACCOUNT,
    )
    assert event.account == X_ACCOUNT
    assert dict(event.detail) == {
        "outcome": "needs_hand",
        "reference": None,
        "why": "X allows blocking only in its app",
    }
    with pytest.raises(ValueError, match="not a step"):
        rules.action_taken(request, EventType.BLOCK_APPROVED, "k", T0, outcome="done")


def test_the_ledger_refuses_two_events_with_one_key_and_orders_by_time():
    event = ModerationEvent(key="k", type=EventType.STRIKE_ISSUED, occurred_at=T0)
    with pytest.raises(ValueError, match="share the key"):
        Ledger([event, replace(event, occurred_at=T0 + timedelta(1))])
    later = replace(event, key="a", occurred_at=T0 + timedelta(hours=1))
    assert [e.key for e in Ledger([later, event]).of_type(EventType.STRIKE_ISSUED)] == ["k", "a"]
    with pytest.raises(ValueError, match="timezone-aware"):
        ModerationEvent(key="k", type=EventType.STRIKE_ISSUED, occurred_at=datetime(2027, 3, 3))


def test_strike_rules_are_checked():
    with pytest.raises(ValueError):
        StrikeRules(threshold=0)
    with pytest.raises(ValueError):
        StrikeRules(expiry=timedelta(0))
