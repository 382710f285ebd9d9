"""Matching inbound items to the first later reply of ours, exclusions, and per-item records."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from trident_pipeline.domain.managed_hours import (
    ManagedHours,
    ResponseTarget,
    TargetBasis,
    bank_holidays,
)
from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.domain.responders import AttributionKind, Attributor
from trident_pipeline.domain.responses import (
    Exclusion,
    OperatorMark,
    ResponseMatcher,
    ResponseRecord,
    ResponseRules,
)

LONDON = ZoneInfo("Europe/London")
RESIDENT = Author(user_id="5550001")  # made up
OURS = Author(user_id="1500000000000000001", handle="tridentgrp")
CLOCK = ManagedHours(LONDON, range(5), time(9), time(16), bank_holidays("GB", "ENG"))
RULES = ResponseRules(
    kinds=frozenset({Kind.QUOTE}),
    thanks_patterns=(r"(many )?thanks( (so|very) much)?", r"thank you"),
    spam_patterns=(r"\bcrypto\b.*\bprofits?\b",),
)
ATTRIBUTOR = Attributor({"Sam": ["^SB", "- Sam"], "Priya": ["^PK"]}, [r"automated message"])


def london(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=LONDON)


def inbound(
    native_id: str,
    at: datetime,
    *,
    thread: str = "t1",
    parent: str | None = None,
    platform: Platform = Platform.X,
    kind: Kind = Kind.MENTION,
    text: str = "When will the lift in our block be fixed?",
) -> InboxItem:
    private = kind is Kind.DIRECT_MESSAGE
    return InboxItem(
        platform=platform,
        kind=kind,
        native_id=native_id,
        thread_id=thread,
        author=RESIDENT,
        text=text,
        created_at=at,
        is_ours=False,
        in_reply_to_id=parent,
        channel=Channel.PRIVATE if private else Channel.PUBLIC,
    )


def ours(
    native_id: str,
    at: datetime,
    *,
    thread: str = "t1",
    parent: str | None = None,
    platform: Platform = Platform.X,
    kind: Kind = Kind.REPLY,
    text: str = "Sorry to hear that, we have asked the repairs team to call you ^SB",
) -> InboxItem:
    private = kind is Kind.DIRECT_MESSAGE
    return InboxItem(
        platform=platform,
        kind=kind,
        native_id=native_id,
        thread_id=thread,
        author=OURS,
        text=text,
        created_at=at,
        is_ours=True,
        in_reply_to_id=parent,
        channel=Channel.PRIVATE if private else Channel.PUBLIC,
    )


def matcher(
    basis: TargetBasis = TargetBasis.WORKING_DAY, rules: ResponseRules = RULES
) -> ResponseMatcher:
    return ResponseMatcher(CLOCK, ResponseTarget(24, basis), rules, ATTRIBUTOR)


def by_key(records: list[ResponseRecord]) -> dict[str, ResponseRecord]:
    return {record.key: record for record in records}


def answered_by(items: list[InboxItem], **options: object) -> dict[str, str | None]:
    """Each inbound item's key and the key of the reply that answered it."""
    return {
        record.key: record.reply_key
        for record in matcher().records(items, **options)  # type: ignore[arg-type]
        if record.excluded is None
    }


class TestMatching:
    def test_the_first_reply_in_the_thread_answers(self) -> None:
        items = [
            inbound("1", london(3, 10)),
            ours("2", london(3, 11), parent="1"),
            ours("3", london(3, 12), parent="1"),
        ]
        record = by_key(matcher().records(items))["x:1"]
        assert record.reply_key == "x:2"
        assert record.responded_at == london(3, 11)
        assert (record.calendar_hours, record.working_day_hours, record.managed_hours) == (
            1.0,
            1.0,
            1.0,
        )
        assert record.within_target is True
        assert (record.attribution, record.responder) == (AttributionKind.SIGNED, "Sam")

    def test_a_reply_on_another_platform_does_not_count(self) -> None:
        items = [
            inbound("1", london(3, 10), platform=Platform.X),
            ours("2", london(3, 11), parent="1", platform=Platform.BLUESKY),
        ]
        assert answered_by(items) == {"x:1": None}

    def test_a_reply_in_another_thread_does_not_count(self) -> None:
        items = [inbound("1", london(3, 10)), ours("2", london(3, 11), thread="t2")]
        assert answered_by(items) == {"x:1": None}

    def test_a_reply_before_the_item_does_not_answer_it(self) -> None:
        items = [ours("1", london(3, 9)), inbound("2", london(3, 10), parent="1")]
        assert answered_by(items) == {"x:2": None}

    def test_a_reply_answers_the_chain_of_items_before_it(self) -> None:
        # A resident posts three times in a row; our reply to the last answers all three.
        items = [
            inbound("1", london(3, 10)),
            inbound("2", london(3, 10, 5), parent="1"),
            inbound("3", london(3, 10, 9), parent="2"),
            ours("4", london(3, 11), parent="3"),
        ]
        assert answered_by(items) == {"x:1": "x:4", "x:2": "x:4", "x:3": "x:4"}

    def test_a_reply_to_one_resident_leaves_another_open(self) -> None:
        # Two residents reply to our post; we answer only the first.
        items = [
            ours("p", london(3, 9), text="Our offices close early on Friday ^PK"),
            inbound("a", london(3, 10), parent="p"),
            inbound("b", london(3, 10, 30), parent="p"),
            ours("r", london(3, 11), parent="a"),
        ]
        assert answered_by(items) == {"x:a": "x:r", "x:b": None}

    def test_a_follow_up_under_the_same_comment_is_answered_by_the_next_reply(self) -> None:
        # Facebook nests every reply to a comment under that comment.
        fb = {"platform": Platform.FACEBOOK, "thread": "post1"}
        items = [
            inbound("c1", london(3, 10), parent="post1", kind=Kind.COMMENT, **fb),
            ours("r1", london(3, 11), parent="c1", kind=Kind.COMMENT, **fb),
            inbound("c2", london(3, 12), parent="c1", kind=Kind.COMMENT, **fb),
            ours("r2", london(3, 13), parent="c1", kind=Kind.COMMENT, **fb),
        ]
        assert answered_by(items) == {"facebook:c1": "facebook:r1", "facebook:c2": "facebook:r2"}

    def test_our_comment_under_our_own_post_answers_no_one_else(self) -> None:
        fb = {"platform": Platform.FACEBOOK, "thread": "post1", "kind": Kind.COMMENT}
        items = [
            ours(
                "post1",
                london(3, 9),
                kind=Kind.POST,
                platform=Platform.FACEBOOK,
                thread="post1",
                text="Our offices close early on Friday ^PK",
            ),
            inbound("c1", london(3, 10), parent="post1", **fb),
            ours("c2", london(3, 11), parent="post1", text="Update: open again ^PK", **fb),
        ]
        assert answered_by(items) == {"facebook:c1": None}

    def test_a_reply_in_a_conversation_answers_every_message_before_it(self) -> None:
        dm = {"kind": Kind.DIRECT_MESSAGE, "thread": "conversation-1"}
        items = [
            inbound("m1", london(3, 10), **dm),
            inbound("m2", london(3, 10, 1), **dm),
            ours("m3", london(3, 10, 30), **dm),
            inbound("m4", london(3, 10, 45), **dm),
        ]
        assert answered_by(items) == {"x:m1": "x:m3", "x:m2": "x:m3", "x:m4": None}

    def test_on_a_tie_the_question_comes_before_the_reply(self) -> None:
        dm = {"kind": Kind.DIRECT_MESSAGE, "thread": "conversation-1"}
        items = [ours("z", london(3, 10), **dm), inbound("a", london(3, 10), **dm)]
        assert answered_by(items) == {"x:a": "x:z"}

    def test_an_item_repeated_counts_once(self) -> None:
        items = [inbound("1", london(3, 10)), inbound("1", london(3, 10))]
        assert [record.key for record in matcher().records(items)] == ["x:1"]

    def test_records_come_in_order_of_arrival(self) -> None:
        items = [inbound("b", london(3, 12), thread="t2"), inbound("a", london(3, 10))]
        assert [record.key for record in matcher().records(items)] == ["x:a", "x:b"]


class TestAttribution:
    def test_an_unsigned_reply_answers_and_is_reported_unsigned(self) -> None:
        items = [inbound("1", london(3, 10)), ours("2", london(3, 11), parent="1", text="On it!")]
        record = by_key(matcher().records(items))["x:1"]
        assert record.reply_key == "x:2"
        assert (record.attribution, record.responder) == (AttributionKind.UNSIGNED, None)

    def test_an_automated_message_is_not_a_response(self) -> None:
        items = [
            inbound("1", london(3, 10)),
            ours("2", london(3, 10, 1), parent="1", text="This is an automated message."),
            ours("3", london(3, 12), parent="1"),
        ]
        record = by_key(matcher().records(items))["x:1"]
        assert (record.reply_key, record.responder) == ("x:3", "Sam")

    def test_an_automated_message_can_be_configured_to_answer(self) -> None:
        rules = dataclasses.replace(RULES, automated_counts_as_response=True)
        items = [
            inbound("1", london(3, 10)),
            ours("2", london(3, 10, 1), parent="1", text="This is an automated message."),
        ]
        record = by_key(matcher(rules=rules).records(items))["x:1"]
        assert record.reply_key == "x:2"
        assert (record.attribution, record.responder) == (AttributionKind.AUTOMATED, None)


class TestExclusions:
    @pytest.mark.parametrize(
        ("item", "exclusion"),
        [
            pytest.param(ours("1", london(3, 10)), Exclusion.OURS, id="ours"),
            pytest.param(
                inbound("1", london(3, 10), text="@tridentgrp Thanks so much! 🙏"),
                Exclusion.THANKS,
                id="thanks",
            ),
            pytest.param(
                inbound("1", london(3, 10), text="Crypto secrets: huge profits"),
                Exclusion.SPAM,
                id="spam",
            ),
            pytest.param(inbound("1", london(3, 10), kind=Kind.QUOTE), Exclusion.KIND, id="kind"),
            pytest.param(
                inbound("1", london(3, 10), text="Thanks, but it's still broken"),
                None,
                id="thanks-with-a-query",
            ),
        ],
    )
    def test_rules(self, item: InboxItem, exclusion: Exclusion | None) -> None:
        (record,) = matcher().records([item])
        assert record.excluded is exclusion

    def test_items_handled_under_the_strike_policy(self) -> None:
        (record,) = matcher().records([inbound("1", london(3, 10))], strike_keys={"x:1"})
        assert record.excluded is Exclusion.STRIKE_POLICY
        assert record.clock_start is None and record.deadline is None

    def test_an_operator_can_exclude_any_item(self) -> None:
        marks = {"x:1": OperatorMark(needs_response=False, reason="answered by phone")}
        (record,) = matcher().records([inbound("1", london(3, 10))], operator_marks=marks)
        assert (record.excluded, record.operator_reason) == (
            Exclusion.OPERATOR,
            "answered by phone",
        )

    def test_an_operator_can_include_an_item_the_rules_exclude(self) -> None:
        marks = {"x:1": OperatorMark(needs_response=True, reason="asks a question")}
        item = inbound("1", london(3, 10), text="Thanks so much")
        (record,) = matcher().records([item], operator_marks=marks, strike_keys={"x:1"})
        assert (record.excluded, record.operator_reason) == (None, "asks a question")
        assert record.deadline == london(4, 10)

    def test_a_reply_does_not_answer_an_excluded_item(self) -> None:
        items = [
            inbound("1", london(3, 10), text="Thank you"),
            inbound("2", london(3, 10, 5), parent="1"),
            ours("3", london(3, 11), parent="2"),
        ]
        records = by_key(matcher().records(items))
        assert records["x:1"].reply_key is None
        assert records["x:2"].reply_key == "x:3"

    def test_an_operator_mark_gives_a_reason(self) -> None:
        with pytest.raises(ValueError, match="reason"):
            OperatorMark(needs_response=False, reason="  ")


class TestClock:
    @pytest.mark.parametrize(
        ("arrived", "hours", "within"),
        [
            # Calendar, working-day and managed hours to a reply at 09:30 on Monday 10 March.
            pytest.param(
                london(7, 15, 59), (65 + 31 / 60, 17 + 31 / 60, 31 / 60), True, id="friday-1559"
            ),
            pytest.param(london(7, 16, 1), (0.5, 0.5, 0.5), True, id="friday-1601"),
            pytest.param(london(6, 9, 0), (96.5, 48.5, 14.5), False, id="thursday-0900"),
        ],
    )
    def test_durations_to_a_monday_morning_reply(
        self, arrived: datetime, hours: tuple[float, float, float], within: bool
    ) -> None:
        items = [inbound("1", arrived), ours("2", london(10, 9, 30), parent="1")]
        record = by_key(matcher().records(items))["x:1"]
        assert (record.calendar_hours, record.working_day_hours, record.managed_hours) == (
            pytest.approx(hours[0]),
            pytest.approx(hours[1]),
            pytest.approx(hours[2]),
        )
        assert record.within_target is within

    def test_a_reply_outside_managed_hours_before_the_clock_starts(self) -> None:
        items = [inbound("1", london(8, 11)), ours("2", london(8, 12), parent="1")]
        record = by_key(matcher().records(items))["x:1"]
        assert record.clock_start == london(10, 9)
        assert record.responded_at == london(8, 12)
        assert (record.calendar_hours, record.working_day_hours, record.managed_hours) == (
            0.0,
            0.0,
            0.0,
        )
        assert record.within_target is True

    @pytest.mark.parametrize(
        ("basis", "within"),
        [
            (TargetBasis.CALENDAR, False),
            (TargetBasis.WORKING_DAY, True),
            (TargetBasis.MANAGED, True),
        ],
    )
    def test_the_target_is_judged_on_the_configured_basis(
        self, basis: TargetBasis, within: bool
    ) -> None:
        # Friday 10:00 to Monday 09:30: 71.5 calendar hours, 23.5 working-day hours.
        items = [inbound("1", london(7, 10)), ours("2", london(10, 9, 30), parent="1")]
        assert by_key(matcher(basis).records(items))["x:1"].within_target is within

    def test_an_open_item_has_a_deadline_and_no_reply(self) -> None:
        (record,) = matcher().records([inbound("1", london(7, 16, 1))])
        assert record.clock_start == london(10, 9)
        assert record.deadline == london(11, 9)
        assert record.responded_at is None and record.within_target is None

    def test_the_day_is_the_local_date_of_arrival(self) -> None:
        # 23:30 UTC on Monday 31 March is 00:30 BST on Tuesday 1 April.
        arrived = datetime(2025, 3, 31, 23, 30, tzinfo=timezone.utc)
        (record,) = matcher().records([inbound("1", arrived)])
        assert record.arrived_on == date(2025, 4, 1)
