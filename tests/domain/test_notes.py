from datetime import datetime, timezone

import pytest

from trident_pipeline.domain import notes
from trident_pipeline.domain.models import Channel, Kind, Platform

MARCH = datetime(2027, 3, 3, 10, 14, tzinfo=timezone.utc)
PHONE = {"personal_information": ["phone"]}


def test_the_strike_note_reads_as_the_policy_example():
    note = notes.strike_note(
        number=2,
        threshold=3,
        clauses=PHONE,
        kind=Kind.REPLY,
        channel=Channel.PUBLIC,
        platform=Platform.FACEBOOK,
        occurred_at=MARCH,
        message=notes.MessageStatus.SENT,
        signed_by="Sam",
    )
    assert note == (
        "Strike 2 of 3: personal information (phone number) in a public reply on Facebook on "
        "3 Mar 2027 at 10:14. Asked to delete it and message us privately. Sam"
    )


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc), "29 Mar 2026 at 00:30"),
        (datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc), "29 Mar 2026 at 02:30"),
        (datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc), "25 Oct 2026 at 01:30"),
        (datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc), "25 Oct 2026 at 01:30"),
        (datetime(2026, 12, 31, 23, 59, tzinfo=timezone.utc), "31 Dec 2026 at 23:59"),
    ],
)
def test_times_are_shown_in_london_across_the_clock_changes(moment, shown):
    assert notes.london_time(moment) == shown


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        notes.london_date(datetime(2027, 3, 3))


def test_clauses_are_named_with_what_was_found():
    assert (
        notes.describe_clauses(
            {
                "personal_information": ["phone", "email", "phone"],
                "naming_individuals": ["person_name"],
            }
        )
        == "personal information (phone number, email address) and naming individuals (a name)"
    )
    with pytest.raises(ValueError):
        notes.describe_clauses({})


def test_strikes_past_the_threshold_and_messages_waiting_or_by_hand():
    text = notes.strike_note(
        number=4,
        threshold=3,
        clauses={"abusive_or_threatening_language": ["threat"]},
        kind=Kind.DIRECT_MESSAGE,
        channel=Channel.PRIVATE,
        platform=Platform.X,
        occurred_at=MARCH,
        message=notes.MessageStatus.AWAITING_APPROVAL,
        signed_by="Sam",
    )
    assert text.startswith(
        "Strike 4 (a block is considered from 3): abusive or threatening language (threat) "
        "in a private message on X"
    )
    assert (
        "A message asking them to keep their messages to us within the policy awaits "
        "approval. Sam" in text
    )


def test_the_block_note_reports_each_platform_and_the_review_date():
    note = notes.block_carried_out_note(
        strikes=3,
        approved_by="Sam",
        reason="Three strikes in a week.",
        approved_at=MARCH,
        outcomes={
            Platform.X: notes.PlatformOutcome.BY_HAND,
            Platform.BLUESKY: notes.PlatformOutcome.DONE,
            Platform.FACEBOOK: notes.PlatformOutcome.DONE,
        },
        review_due=datetime(2027, 6, 1, 9, 0, tzinfo=timezone.utc),
    )
    assert note == (
        "Blocked on all accounts after 3 strikes, approved by Sam on 3 Mar 2027 at 10:14: "
        "Three strikes in a week. Done on BlueSky and Facebook. On X it needs doing by hand in "
        "the app. Review due 1 Jun 2027. Sam"
    )


def test_rejection_expiry_overrule_review_and_request_notes():
    assert notes.block_rejected_note(rejected_by="Sam", reason="first offence", at=MARCH) == (
        "Block not approved by Sam on 3 Mar 2027 at 10:14: first offence. Sam"
    )
    expired = datetime(2028, 3, 2, 10, 14, tzinfo=timezone.utc)
    assert notes.strike_expired_note(clauses=PHONE, occurred_at=MARCH, expired_at=expired) == (
        "The strike of 3 Mar 2027 (personal information (phone number)) expired on 2 Mar 2028."
    )
    assert notes.strike_overruled_note(
        clauses=PHONE, occurred_at=MARCH, by="Sam", reason="our own number", at=MARCH
    ).endswith("overruled on appeal by Sam on 3 Mar 2027 at 10:14: our own number. Sam")
    assert notes.block_review_note(
        lifted=False, by="Sam", reason="still abusive", at=MARCH, next_review=expired
    ).endswith("kept (still abusive). Next review due 2 Mar 2028. Sam")
    assert "lifted (calmer). It must be undone on each platform by hand." in (
        notes.block_review_note(lifted=True, by="Sam", reason="calmer", at=MARCH, next_review=None)
    )
    with pytest.raises(ValueError, match="next review"):
        notes.block_review_note(lifted=False, by="Sam", reason="r", at=MARCH, next_review=None)
    assert notes.block_requested_note(
        strikes=3, platforms=[Platform.X, Platform.BLUESKY, Platform.FACEBOOK], at=MARCH
    ) == (
        "3 active strikes on 3 Mar 2027 at 10:14: a block on all their accounts "
        "(X, BlueSky and Facebook) awaits a manager's approval."
    )


def test_message_decision_notes():
    common = {
        "by": "Priya",
        "kind": Kind.COMMENT,
        "channel": Channel.PUBLIC,
        "platform": Platform.FACEBOOK,
        "occurred_at": MARCH,
    }
    approved = notes.message_decision_note(
        approved=True, reason="", message=notes.MessageStatus.SENT, **common
    )
    assert approved == (
        "About a public comment on Facebook on 3 Mar 2027 at 10:14: message approved by Priya. "
        "Asked to delete it and message us privately. Priya"
    )
    rejected = notes.message_decision_note(
        approved=False, reason="they deleted it", message=notes.MessageStatus.NOT_SENT, **common
    )
    assert rejected.endswith(
        "Priya decided not to send the drafted message (they deleted it). Priya"
    )
