"""The response clock: next opening, the three durations and deadlines, in Europe/London."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from trident_pipeline.domain.managed_hours import (
    ManagedHours,
    ResponseTarget,
    TargetBasis,
    bank_holidays,
)

LONDON = ZoneInfo("Europe/London")
WORKING_DAY_TARGET = ResponseTarget(24, TargetBasis.WORKING_DAY)
MANAGED_TARGET = ResponseTarget(24, TargetBasis.MANAGED)
CALENDAR_TARGET = ResponseTarget(24, TargetBasis.CALENDAR)


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


@pytest.fixture(scope="module")
def clock() -> ManagedHours:
    """Monday to Friday, 09:00 to 16:00, England and Wales bank holidays."""
    return ManagedHours("Europe/London", range(5), time(9), time(16), bank_holidays("GB", "ENG"))


@pytest.fixture(scope="module")
def every_day_clock() -> ManagedHours:
    """Seven managed days and no holidays, so the clock-change Sundays are working days."""
    return ManagedHours(LONDON, range(7), time(9), time(16), frozenset())


class TestClockStart:
    @pytest.mark.parametrize(
        ("arrived", "starts"),
        [
            pytest.param(london(2025, 3, 5, 11), london(2025, 3, 5, 11), id="inside-hours"),
            pytest.param(london(2025, 3, 5, 9), london(2025, 3, 5, 9), id="at-opening"),
            pytest.param(london(2025, 3, 5, 8, 59), london(2025, 3, 5, 9), id="before-opening"),
            pytest.param(london(2025, 3, 7, 15, 59), london(2025, 3, 7, 15, 59), id="friday-1559"),
            pytest.param(london(2025, 3, 7, 16), london(2025, 3, 10, 9), id="friday-at-close"),
            pytest.param(london(2025, 3, 7, 16, 1), london(2025, 3, 10, 9), id="friday-1601"),
            pytest.param(london(2025, 3, 8, 12), london(2025, 3, 10, 9), id="saturday"),
            pytest.param(london(2025, 4, 17, 16, 30), london(2025, 4, 22, 9), id="easter"),
            pytest.param(london(2025, 12, 24, 17), london(2025, 12, 29, 9), id="christmas"),
            pytest.param(london(2025, 3, 29, 12), london(2025, 3, 31, 9), id="march-change"),
            pytest.param(london(2025, 10, 25, 12), london(2025, 10, 27, 9), id="october-change"),
        ],
    )
    def test_starts_now_or_at_the_next_opening(
        self, clock: ManagedHours, arrived: datetime, starts: datetime
    ) -> None:
        assert clock.clock_start(arrived) == starts

    def test_comes_back_in_utc(self, clock: ManagedHours) -> None:
        started = clock.clock_start(london(2025, 3, 29, 12))
        assert started.tzinfo is timezone.utc
        assert started == datetime(2025, 3, 31, 8, tzinfo=timezone.utc)

    def test_holidays_passed_in_close_the_channels(self) -> None:
        closure = ManagedHours(LONDON, range(5), time(9), time(16), {date(2025, 3, 5)})
        assert closure.clock_start(london(2025, 3, 5, 10)) == london(2025, 3, 6, 9)

    def test_rejects_a_naive_moment(self, clock: ManagedHours) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            clock.clock_start(datetime(2025, 3, 5, 10))


class TestDurations:
    def test_friday_1559_answered_monday(self, clock: ManagedHours) -> None:
        start = clock.clock_start(london(2025, 3, 7, 15, 59))
        reply = london(2025, 3, 10, 9, 30)
        assert clock.calendar_time(start, reply) == hours(65) + timedelta(minutes=31)
        assert clock.working_day_time(start, reply) == hours(17) + timedelta(minutes=31)
        assert clock.managed_time(start, reply) == timedelta(minutes=31)

    def test_friday_1601_answered_monday(self, clock: ManagedHours) -> None:
        start = clock.clock_start(london(2025, 3, 7, 16, 1))
        reply = london(2025, 3, 10, 9, 30)
        for basis in TargetBasis:
            assert clock.elapsed(start, reply, basis) == timedelta(minutes=30)

    def test_a_reply_before_the_clock_starts_takes_no_time(self, clock: ManagedHours) -> None:
        start = clock.clock_start(london(2025, 3, 7, 17))
        reply = london(2025, 3, 7, 18)
        for basis in TargetBasis:
            assert clock.elapsed(start, reply, basis) == timedelta(0)

    def test_across_the_march_clock_change(self, clock: ManagedHours) -> None:
        start, reply = london(2025, 3, 28, 10), london(2025, 3, 31, 10)
        assert clock.calendar_time(start, reply) == hours(71)
        assert clock.working_day_time(start, reply) == hours(24)
        assert clock.managed_time(start, reply) == hours(7)

    def test_across_the_october_clock_change(self, clock: ManagedHours) -> None:
        start, reply = london(2025, 10, 24, 10), london(2025, 10, 27, 10)
        assert clock.calendar_time(start, reply) == hours(73)
        assert clock.working_day_time(start, reply) == hours(24)
        assert clock.managed_time(start, reply) == hours(7)

    @pytest.mark.parametrize(
        ("sunday", "length"),
        [(date(2025, 3, 30), hours(23)), (date(2025, 10, 26), hours(25))],
    )
    def test_a_working_day_of_a_clock_change_counts_its_real_length(
        self, every_day_clock: ManagedHours, sunday: date, length: timedelta
    ) -> None:
        start = datetime.combine(sunday, time(0), tzinfo=LONDON)
        end = datetime.combine(sunday + timedelta(days=1), time(0), tzinfo=LONDON)
        assert every_day_clock.working_day_time(start, end) == length
        assert every_day_clock.managed_time(start, end) == hours(7)

    def test_bank_holidays_pause_working_day_and_managed_time(self, clock: ManagedHours) -> None:
        # Thursday before Easter 2025 to the Tuesday after: Good Friday and Easter Monday paused.
        start, reply = london(2025, 4, 17, 15), london(2025, 4, 22, 10)
        assert clock.working_day_time(start, reply) == hours(9 + 10)
        assert clock.managed_time(start, reply) == hours(1 + 1)

    def test_rejects_naive_moments(self, clock: ManagedHours) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            clock.managed_time(london(2025, 3, 3, 10), datetime(2025, 3, 4, 10))


class TestDeadline:
    @pytest.mark.parametrize(
        ("start", "target", "deadline"),
        [
            pytest.param(
                london(2025, 3, 3, 10),
                WORKING_DAY_TARGET,
                london(2025, 3, 4, 10),
                id="working-day-monday",
            ),
            pytest.param(
                london(2025, 3, 7, 15, 59),
                WORKING_DAY_TARGET,
                london(2025, 3, 10, 15, 59),
                id="working-day-over-weekend",
            ),
            pytest.param(
                london(2025, 4, 17, 15),
                WORKING_DAY_TARGET,
                london(2025, 4, 22, 15),
                id="working-day-over-easter",
            ),
            pytest.param(
                london(2025, 3, 28, 10),
                WORKING_DAY_TARGET,
                london(2025, 3, 31, 10),
                id="working-day-over-march-change",
            ),
            pytest.param(
                london(2025, 3, 7, 15, 59),
                MANAGED_TARGET,
                london(2025, 3, 13, 11, 59),
                id="managed-over-weekend",
            ),
            pytest.param(
                london(2025, 3, 29, 12),
                CALENDAR_TARGET,
                london(2025, 3, 30, 13),
                id="calendar-over-march-change",
            ),
            pytest.param(
                london(2025, 10, 25, 12),
                CALENDAR_TARGET,
                london(2025, 10, 26, 11),
                id="calendar-over-october-change",
            ),
        ],
    )
    def test_deadline(
        self, clock: ManagedHours, start: datetime, target: ResponseTarget, deadline: datetime
    ) -> None:
        assert clock.deadline(start, target) == deadline

    def test_met_exactly_at_closing_lasts_until_the_next_opening(self, clock: ManagedHours) -> None:
        # 13:00 Monday + 24 managed hours ends at 16:00 Thursday; the clock is paused until
        # 09:00 Friday, so a reply at 08:59 Friday is still within target.
        start = london(2025, 3, 3, 13)
        deadline = clock.deadline(start, MANAGED_TARGET)
        assert deadline == london(2025, 3, 7, 9)
        assert clock.managed_time(start, london(2025, 3, 7, 8, 59)) == hours(24)
        assert clock.managed_time(start, london(2025, 3, 7, 9, 1)) > hours(24)

    @pytest.mark.parametrize("target", [WORKING_DAY_TARGET, MANAGED_TARGET, CALENDAR_TARGET])
    @pytest.mark.parametrize(
        "arrived",
        [
            london(2025, 3, 3, 13),
            london(2025, 3, 28, 15, 30),
            london(2025, 10, 24, 9),
            london(2025, 12, 23, 14),
        ],
    )
    def test_within_target_exactly_until_the_deadline(
        self, clock: ManagedHours, target: ResponseTarget, arrived: datetime
    ) -> None:
        start = clock.clock_start(arrived)
        deadline = clock.deadline(start, target)
        for step in range(0, 14 * 24 * 4):
            reply = start + timedelta(minutes=15 * step)
            within = clock.elapsed(start, reply, target.basis) <= target.duration
            assert within is (reply <= deadline), reply


class TestConstruction:
    def test_needs_a_managed_day(self) -> None:
        with pytest.raises(ValueError, match="at least one"):
            ManagedHours(LONDON, [], time(9), time(16), frozenset())

    def test_days_are_weekday_numbers(self) -> None:
        with pytest.raises(ValueError, match="Monday 0"):
            ManagedHours(LONDON, [7], time(9), time(16), frozenset())

    def test_opens_before_closing(self) -> None:
        with pytest.raises(ValueError, match="open before"):
            ManagedHours(LONDON, range(5), time(16), time(9), frozenset())

    def test_target_is_positive(self) -> None:
        with pytest.raises(ValueError, match="positive"):
            ResponseTarget(0)

    def test_england_and_wales_share_bank_holidays(self) -> None:
        england, wales = bank_holidays("GB", "ENG"), bank_holidays("GB", "WLS")
        days = [date(2025, 1, 1) + timedelta(days=offset) for offset in range(3 * 365)]
        assert [day in england for day in days] == [day in wales for day in days]
        assert date(2025, 8, 25) in england  # Summer bank holiday, England and Wales only
        assert date(2025, 8, 4) not in england  # Summer bank holiday in Scotland

    def test_unknown_calendar(self) -> None:
        with pytest.raises(NotImplementedError):
            bank_holidays("ZZ")
