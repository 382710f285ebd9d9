"""Approvals: one resident's path from a first violation to an approved block on three
platforms, rejections, drafted messages, reviews; against the store and the real CRM outbox.

Platforms are replaced by :class:`CountingModerator`, a test double that answers as each
platform's capability matrix says and counts calls. Everyone here is invented.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from trident_pipeline.blocking import Approval, ApprovalError, Approvals
from trident_pipeline.config.strikes import ApproverError, EnforcementSettings
from trident_pipeline.crm.outbox import enqueue
from trident_pipeline.domain.ledger import EventType, ReviewOutcome, UnknownEvent
from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.domain.residents import AccountLink, AccountRef, LinkSource
from trident_pipeline.enforcement import Enforcement
from trident_pipeline.sources.bluesky.moderation import CAPABILITIES as BLUESKY
from trident_pipeline.sources.facebook.moderation import CAPABILITIES as FACEBOOK
from trident_pipeline.sources.moderation import Action, ActionResult, Capabilities, Outcome, Support
from trident_pipeline.sources.x.moderation import CAPABILITIES as X
from trident_pipeline.store import upsert_items
from trident_pipeline.store.ledger import read_ledger, write_link
from trident_pipeline.store.schema import (
    crm_outbox,
    moderation_events,
    platform_actions,
    screenings,
)

T0 = datetime(2027, 3, 3, 10, 14, tzinfo=timezone.utc)
AFTER = T0 + timedelta(days=3)
DECIDED = AFTER + timedelta(hours=2)
CONTACT = "C-1042"
X_ACCOUNT = AccountRef(Platform.X, "1500000000000000042")
BLUESKY_ACCOUNT = AccountRef(Platform.BLUESKY, "did:plc:residentone00000000000001")
FACEBOOK_ACCOUNT = AccountRef(Platform.FACEBOOK, "2600000000000001")
SECOND_X_ACCOUNT = AccountRef(Platform.X, "1500000000000000077")
MATRICES = {Platform.X: X, Platform.BLUESKY: BLUESKY, Platform.FACEBOOK: FACEBOOK}


@dataclass
class CountingModerator:
    """A platform's moderator for tests: answers by the capability matrix and counts calls."""

    platform: Platform
    capabilities: Capabilities
    calls: list[tuple[str, str]] = field(default_factory=list)

    def _answer(self, action: Action, target: str) -> ActionResult:
        self.calls.append((action.value, target))
        if self.capabilities.get(action) is Support.BY_HAND:
            detail = "blocking needs a person in the app"
            return ActionResult(self.platform, action, Outcome.NEEDS_HAND, detail=detail)
        return ActionResult(self.platform, action, Outcome.DONE, reference=target)

    def hide(self, item):
        return self._answer(Action.HIDE, item.key)

    def reply(self, item, text, idempotency_key):
        return self._answer(Action.REPLY, idempotency_key)

    def send_direct_message(self, user_id, text, idempotency_key):
        return self._answer(Action.DIRECT_MESSAGE, user_id)

    def block(self, user_id, idempotency_key):
        return self._answer(Action.BLOCK, user_id)


@pytest.fixture
def moderators():
    return {platform: CountingModerator(platform, matrix) for platform, matrix in MATRICES.items()}


@pytest.fixture
def enforcement(engine, moderators):
    return Enforcement(engine, EnforcementSettings.load(), moderators, enqueue)


@pytest.fixture
def approvals(enforcement):
    return Approvals(enforcement, MATRICES)


def violation(engine, account: AccountRef, native_id: str, at: datetime, handle=None) -> None:
    kind = Kind.COMMENT if account.platform is Platform.FACEBOOK else Kind.REPLY
    stored = InboxItem(
        platform=account.platform,
        kind=kind,
        native_id=native_id,
        thread_id=f"thread-{native_id}",
        author=Author(account.user_id, handle, "Resident One"),
        text="what the resident wrote",
        created_at=at,
        is_ours=False,
        channel=Channel.PUBLIC,
    )
    with engine.begin() as connection:
        upsert_items(connection, [stored], at)
        connection.execute(
            screenings.insert().values(
                item_key=stored.key,
                screener_version="test@1",
                violation=True,
                clauses=["personal_information"],
                findings=[{"type": "phone", "start": 0, "end": 4, "score": 0.9, "rule": "t@1"}],
                redacted=f"ring me on [phone] ({native_id})",
                screened_at=at,
            )
        )


def link(engine, *accounts: AccountRef) -> None:
    with engine.begin() as connection:
        for account in accounts:
            write_link(connection, AccountLink(account, CONTACT, LinkSource.OPERATOR, "Op", T0))


def three_strikes(engine, enforcement) -> int:
    """The story: a first violation on Facebook, then X, then BlueSky; the block request id."""
    violation(engine, FACEBOOK_ACCOUNT, "fb-1", T0)
    assert enforcement.run(at=T0, now=T0).block_requests == ()
    violation(engine, X_ACCOUNT, "x-1", T0 + timedelta(days=1), handle="res_one")
    link(engine, X_ACCOUNT, BLUESKY_ACCOUNT, FACEBOOK_ACCOUNT)
    assert (
        enforcement.run(at=T0 + timedelta(days=1), now=T0 + timedelta(days=1)).block_requests == ()
    )
    violation(
        engine, BLUESKY_ACCOUNT, "bsky-1", T0 + timedelta(days=2), handle="resone.bsky.social"
    )
    (request_id,) = enforcement.run(at=AFTER, now=AFTER).block_requests
    return request_id


def snapshot(engine) -> dict[str, list]:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(table).order_by(*table.primary_key)).all()
            for table in (moderation_events, platform_actions, crm_outbox)
        }


def outbox(engine) -> dict[str, str]:
    with engine.connect() as connection:
        rows = connection.execute(select(crm_outbox.c.idempotency_key, crm_outbox.c.body))
        return dict(rows.all())


def test_from_a_first_violation_to_an_approved_block_on_three_platforms(
    engine, enforcement, approvals, moderators
):
    request_id = three_strikes(engine, enforcement)
    assert request_id in approvals.pending()
    evidence = approvals.evidence(request_id, DECIDED)
    assert evidence.subject == f"Block CRM contact {CONTACT} after 3 strikes?"
    for shown in (
        "| 1 | 3 Mar 2027 at 10:14 | a public comment on Facebook | personal information "
        "(phone number) | ring me on [phone] (fb-1) | yes |",
        "| 3 | 5 Mar 2027 at 10:14 | a public reply on BlueSky |",
        "- X @res_one (id 1500000000000000042): by hand in the platform's app",
        "- BlueSky @resone.bsky.social (id did:plc:residentone00000000000001): automatic",
        "- Facebook id 2600000000000001: automatic",
    ):
        assert shown in evidence.body
    summary = approvals.decide(
        request_id, Approval(True, "Sam", "Three strikes in a week"), DECIDED
    )
    assert summary == {
        "event_id": request_id,
        "decision": "block_approved",
        "blocked": [["bluesky", "done"], ["facebook", "done"], ["x", "needs_hand"]],
    }
    assert [c for m in moderators.values() for c in m.calls if c[0] == "block"] == [
        ("block", X_ACCOUNT.user_id),
        ("block", BLUESKY_ACCOUNT.user_id),
        ("block", FACEBOOK_ACCOUNT.user_id),
    ]
    assert request_id not in approvals.pending()
    notes = outbox(engine)
    (note_key,) = [key for key in notes if key.startswith("note:block_carried_out:")]
    assert notes[note_key] == (
        "Blocked on all accounts after 3 strikes, approved by Sam on 6 Mar 2027 at 12:14: "
        "Three strikes in a week. Done on BlueSky and Facebook. On X it needs doing by hand in "
        "the app. Review due 4 Jun 2027. Sam"
    )
    with engine.connect() as connection:
        ledger = read_ledger(connection)
    carried = ledger.of_type(EventType.BLOCK_CARRIED_OUT)
    assert {(e.account, e.detail["outcome"]) for e in carried} == {
        (X_ACCOUNT, "needs_hand"),
        (BLUESKY_ACCOUNT, "done"),
        (FACEBOOK_ACCOUNT, "done"),
    }


def test_running_a_decision_again_writes_nothing_twice(engine, enforcement, approvals, moderators):
    request_id = three_strikes(engine, enforcement)
    approvals.decide(request_id, Approval(True, "Sam", "Three strikes"), DECIDED)
    before = snapshot(engine)
    calls = {platform: list(m.calls) for platform, m in moderators.items()}
    again = approvals.decide(request_id, Approval(False, "Sam", "changed my mind"), DECIDED)
    enforcement.run(at=DECIDED, now=DECIDED)
    assert again["decision"] == "block_approved"
    assert snapshot(engine) == before
    assert {platform: m.calls for platform, m in moderators.items()} == calls


def test_a_rejection_is_recorded_with_its_reason_and_blocks_nothing(
    engine, enforcement, approvals, moderators
):
    request_id = three_strikes(engine, enforcement)
    summary = approvals.decide(request_id, Approval(False, "Sam", "First offence online"), DECIDED)
    assert summary == {"event_id": request_id, "decision": "block_rejected"}
    assert not [c for m in moderators.values() for c in m.calls if c[0] == "block"]
    notes = outbox(engine)
    (key,) = [key for key in notes if key.startswith("note:block_decided:")]
    assert notes[key] == (
        "Block not approved by Sam on 6 Mar 2027 at 12:14: First offence online. Sam"
    )
    with engine.connect() as connection:
        (rejected,) = read_ledger(connection).of_type(EventType.BLOCK_REJECTED)
    assert (rejected.actor, rejected.detail["reason"]) == ("Sam", "First offence online")


def test_only_a_named_manager_with_a_reason_decides_a_block(engine, enforcement, approvals):
    request_id = three_strikes(engine, enforcement)
    with pytest.raises(ApproverError, match="not a manager"):
        approvals.decide(request_id, Approval(True, "Priya", "reason"), DECIDED)
    with pytest.raises(ApproverError, match="not a responder"):
        approvals.decide(request_id, Approval(True, "Dave Pritchard", "reason"), DECIDED)
    with pytest.raises(ApprovalError, match="reason"):
        approvals.decide(request_id, Approval(False, "Sam", " "), DECIDED)
    with pytest.raises(UnknownEvent):
        approvals.decide(999_999, Approval(True, "Sam", "reason"), DECIDED)
    assert request_id in approvals.pending()


def test_an_account_linked_after_the_request_is_blocked_too(engine, enforcement, approvals):
    request_id = three_strikes(engine, enforcement)
    link(engine, SECOND_X_ACCOUNT)
    summary = approvals.decide(request_id, Approval(True, "Sam", "Three strikes"), DECIDED)
    assert sorted(summary["blocked"]) == [
        ["bluesky", "done"],
        ["facebook", "done"],
        ["x", "needs_hand"],
        ["x", "needs_hand"],
    ]


def test_a_drafted_message_waits_for_a_responder_then_is_sent_once(
    engine, enforcement, approvals, moderators
):
    violation(engine, FACEBOOK_ACCOUNT, "fb-1", T0)
    (message_id,) = enforcement.run(at=T0, now=T0).messages_for_approval
    assert approvals.pending([message_id, 424242]) == [message_id]
    evidence = approvals.evidence(message_id, T0)
    assert evidence.subject == "Send a drafted public reply on Facebook?"
    assert "> ring me on [phone] (fb-1)" in evidence.body
    # The sign-off stays a line of the message, not a Markdown list item.
    assert "> \\- Sam" in evidence.body
    summary = approvals.decide(message_id, Approval(True, "priya"), T0 + timedelta(hours=1))
    assert summary == {"event_id": message_id, "decision": "message_approved", "sent": "done"}
    approvals.decide(message_id, Approval(True, "Priya"), T0 + timedelta(hours=2))
    assert moderators[Platform.FACEBOOK].calls.count(("reply", "message:facebook:fb-1")) == 1
    assert approvals.pending() == []
    note = outbox(engine)["note:message_decided:facebook:fb-1"]
    assert note == (
        "About a public comment on Facebook on 3 Mar 2027 at 10:14: message approved by Priya. "
        "Asked to delete it and message us privately. Priya"
    )


def test_a_drafted_message_kept_back_needs_a_reason(engine, enforcement, approvals, moderators):
    violation(engine, FACEBOOK_ACCOUNT, "fb-1", T0)
    (message_id,) = enforcement.run(at=T0, now=T0).messages_for_approval
    with pytest.raises(ApprovalError):
        approvals.decide(message_id, Approval(False, "Priya"), T0)
    summary = approvals.decide(message_id, Approval(False, "Priya", "They deleted it"), T0)
    assert summary == {"event_id": message_id, "decision": "message_rejected"}
    assert ("reply", "message:facebook:fb-1") not in moderators[Platform.FACEBOOK].calls
    assert outbox(engine)["note:message_decided:facebook:fb-1"].endswith(
        "Priya decided not to send the drafted message (They deleted it). Priya"
    )


def test_a_manager_reviews_a_block_in_force(engine, enforcement, approvals):
    request_id = three_strikes(engine, enforcement)
    with pytest.raises(UnknownEvent):
        approvals.review_block(request_id, ReviewOutcome.KEPT, "Sam", "early", DECIDED)
    approvals.decide(request_id, Approval(True, "Sam", "Three strikes"), DECIDED)
    review_at = DECIDED + timedelta(days=90)
    with pytest.raises(ApproverError):
        approvals.review_block(request_id, ReviewOutcome.KEPT, "Alex", "still abusive", review_at)
    assert approvals.review_block(request_id, ReviewOutcome.KEPT, "Sam", "still abusive", review_at)
    with pytest.raises(ValueError, match="next due for review on 2 Sep 2027"):
        approvals.review_block(request_id, ReviewOutcome.KEPT, "Sam", "again", review_at)
    assert approvals.review_block(request_id, ReviewOutcome.LIFTED, "Sam", "apologised", review_at)
    with pytest.raises(UnknownEvent):
        approvals.review_block(request_id, ReviewOutcome.LIFTED, "Sam", "again", review_at)
    reviews = sorted(
        body for key, body in outbox(engine).items() if key.startswith("note:block_reviewed:")
    )
    assert reviews == [
        "Block reviewed by Sam on 4 Jun 2027 at 13:14: kept (still abusive). "
        "Next review due 2 Sep 2027. Sam",
        "Block reviewed by Sam on 4 Jun 2027 at 13:14: lifted (apologised). "
        "It must be undone on each platform by hand. Sam",
    ]
