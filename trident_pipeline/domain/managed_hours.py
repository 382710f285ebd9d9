"""The response clock: managed hours, bank holidays and the 24-hour target (policy section 3).

"Social media channels are managed between 9am and 4pm Monday to Friday. During these times the
audience can expect a response to their query, where appropriate, within 24 hours."

An item that arrives outside managed hours starts its clock at the next opening. From that
clock start three durations are measured, each in real elapsed time (so a day of a clock change
is 23 or 25 hours long, and nothing is counted twice or lost):

- calendar time: everything, nights and weekends included;
- working-day time: whole working days only (weekends and bank holidays paused);
- managed time: only the managed hours of working days.

The target is judged on one of them, the :class:`TargetBasis`. A deadline is the *latest*
moment at which the basis duration still equals the target, so "within target" and "replied at
or before the deadline" always agree, even when the clock is paused right at the deadline.

Every moment here is a timezone-aware :class:`~datetime.datetime`; results come back in UTC.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays

__all__ = ["ManagedHours", "ResponseTarget", "TargetBasis", "bank_holidays"]

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)


class TargetBasis(enum.StrEnum):
    """Which duration the response target is judged on."""

    CALENDAR = "calendar"
    WORKING_DAY = "working_day"
    MANAGED = "managed"


@dataclass(frozen=True, slots=True)
class ResponseTarget:
    """The promised response time: ``hours`` of ``basis`` time from the clock start.

    Raises:
        ValueError: when ``hours`` is not positive.
    """

    hours: float
    basis: TargetBasis = TargetBasis.WORKING_DAY

    def __post_init__(self) -> None:
        if not self.hours > 0:
            raise ValueError("a response target is a positive number of hours")

    @property
    def duration(self) -> timedelta:
        """The target as a :class:`~datetime.timedelta`."""
        return timedelta(hours=self.hours)


def bank_holidays(country: str, subdivision: str | None = None) -> holidays.HolidayBase:
    """The public holidays of ``country`` (and ``subdivision``), computed for any year asked.

    England and Wales share one list of bank holidays, so ``("GB", "ENG")`` serves both.

    Raises:
        NotImplementedError: when the holidays package does not know the country or subdivision.
    """
    return holidays.country_holidays(country, subdiv=subdivision)


@dataclass(frozen=True, slots=True)
class _Day:
    """One local calendar day, with its bounds and managed window as UTC moments."""

    starts: datetime
    ends: datetime
    is_working: bool
    opens: datetime
    closes: datetime


_Window = Callable[[_Day], tuple[datetime, datetime]]
"""Picks the counted part of a working day: the whole day, or its managed hours."""


class ManagedHours:
    """The managed hours of the corporate accounts, in one timezone, less bank holidays.

    Args:
        timezone: an IANA name such as ``"Europe/London"``, or a :class:`~zoneinfo.ZoneInfo`.
        days: the managed weekdays, Monday ``0`` to Sunday ``6``.
        opens: local time the channels open on a working day.
        closes: local time they close; a moment exactly at closing is outside managed hours.
        holidays: dates on which the channels stay closed (a :func:`bank_holidays` calendar,
            or any container of dates).

    Raises:
        ValueError: when there are no managed days, a day number is outside 0-6, or the
            channels do not open before they close.
        zoneinfo.ZoneInfoNotFoundError: when the timezone name is unknown.
    """

    def __init__(
        self,
        timezone: str | ZoneInfo,
        days: Iterable[int],
        opens: time,
        closes: time,
        holidays: Container[date],
    ) -> None:
        self.timezone = timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)
        self.days = frozenset(days)
        if not self.days:
            raise ValueError("managed hours need at least one managed day")
        if not self.days <= set(range(7)):
            raise ValueError("managed days are numbered Monday 0 to Sunday 6")
        if not opens < closes:
            raise ValueError("managed hours must open before they close")
        self.opens = opens
        self.closes = closes
        self.holidays = holidays
        self._days: dict[date, _Day] = {}

    def clock_start(self, arrived_at: datetime) -> datetime:
        """When the response clock starts: ``arrived_at`` itself, or the next opening.

        Raises:
            ValueError: when ``arrived_at`` is naive.
        """
        moment = _utc(arrived_at)
        current = self._local_date(moment)
        while True:
            day = self._day(current)
            if day.is_working and moment < day.closes:
                return max(moment, day.opens)
            current += _ONE_DAY

    def calendar_time(self, start: datetime, end: datetime) -> timedelta:
        """Real time elapsed from ``start`` to ``end``; zero when ``end`` is not later.

        Raises:
            ValueError: when either moment is naive.
        """
        return max(_utc(end) - _utc(start), _ZERO)

    def working_day_time(self, start: datetime, end: datetime) -> timedelta:
        """Time from ``start`` to ``end`` that falls on working days (whole local days).

        Raises:
            ValueError: when either moment is naive.
        """
        return self._overlap(start, end, _whole_day)

    def managed_time(self, start: datetime, end: datetime) -> timedelta:
        """Time from ``start`` to ``end`` that falls inside managed hours.

        Raises:
            ValueError: when either moment is naive.
        """
        return self._overlap(start, end, _managed_window)

    def elapsed(self, start: datetime, end: datetime, basis: TargetBasis) -> timedelta:
        """The duration from ``start`` to ``end`` measured on ``basis``.

        Raises:
            ValueError: when either moment is naive.
        """
        if basis is TargetBasis.CALENDAR:
            return self.calendar_time(start, end)
        if basis is TargetBasis.WORKING_DAY:
            return self.working_day_time(start, end)
        return self.managed_time(start, end)

    def deadline(self, clock_start: datetime, target: ResponseTarget) -> datetime:
        """The latest moment a reply still meets ``target`` for a clock started at ``clock_start``.

        Raises:
            ValueError: when ``clock_start`` is naive.
        """
        start = _utc(clock_start)
        remaining = target.duration
        if target.basis is TargetBasis.CALENDAR:
            return start + remaining
        window = _whole_day if target.basis is TargetBasis.WORKING_DAY else _managed_window
        current = self._local_date(start)
        while True:
            day = self._day(current)
            if day.is_working:
                window_starts, window_ends = window(day)
                counted_from = max(window_starts, start)
                if window_ends > counted_from:
                    available = window_ends - counted_from
                    if available > remaining:
                        return counted_from + remaining
                    remaining -= available
                    if remaining == _ZERO:
                        # Met exactly as this window ends: the clock stays paused, and the
                        # target met, until the next window opens.
                        return self._next_window_opening(current, window)
            current += _ONE_DAY

    def _next_window_opening(self, after: date, window: _Window) -> datetime:
        current = after + _ONE_DAY
        while not self._day(current).is_working:
            current += _ONE_DAY
        return window(self._day(current))[0]

    def _overlap(
        self,
        start: datetime,
        end: datetime,
        window: _Window,
    ) -> timedelta:
        start, end = _utc(start), _utc(end)
        total = _ZERO
        current = self._local_date(start)
        while True:
            day = self._day(current)
            if day.starts >= end:
                return total
            if day.is_working:
                window_starts, window_ends = window(day)
                overlap = min(window_ends, end) - max(window_starts, start)
                if overlap > _ZERO:
                    total += overlap
            current += _ONE_DAY

    def _local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.timezone).date()

    def _day(self, day: date) -> _Day:
        known = self._days.get(day)
        if known is None:
            known = _Day(
                starts=self._moment(day, time.min),
                ends=self._moment(day + _ONE_DAY, time.min),
                is_working=day.weekday() in self.days and day not in self.holidays,
                opens=self._moment(day, self.opens),
                closes=self._moment(day, self.closes),
            )
            self._days[day] = known
        return known

    def _moment(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.timezone).astimezone(timezone.utc)


def _whole_day(day: _Day) -> tuple[datetime, datetime]:
    return day.starts, day.ends


def _managed_window(day: _Day) -> tuple[datetime, datetime]:
    return day.opens, day.closes


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is timezone.utc:
        return moment
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the response clock works in timezone-aware datetimes")
    return moment.astimezone(timezone.utc)
