"""Figures per platform, channel, responder and day, computed from per-item records."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from trident_pipeline.domain.managed_hours import (
    ManagedHours,
    ResponseTarget,
    TargetBasis,
    bank_holidays,
)
from trident_pipeline.domain.metrics import (
    FIGURES,
    RECORD_COLUMNS,
    UNSIGNED,
    Dimension,
    open_items,
    records_frame,
    response_metrics,
)
from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.domain.responders import AttributionKind, Attributor
from trident_pipeline.domain.responses import (
    Exclusion,
    ResponseMatcher,
    ResponseRecord,
    ResponseRules,
)

LONDON = ZoneInfo("Europe/London")
AS_OF = datetime(2025, 3, 14, 12, tzinfo=LONDON)


def london(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=LONDON)


def answered(
    key: str,
    arrived: datetime,
    hours: float,
    *,
    responder: str | None = "Sam",
    attribution: AttributionKind = AttributionKind.SIGNED,
    platform: Platform = Platform.X,
    channel: Channel = Channel.PUBLIC,
) -> ResponseRecord:
    """An answered item whose working-day hours are ``hours`` (calendar twice, managed half)."""
    return ResponseRecord(
        key=key,
        platform=platform,
        channel=channel,
        kind=Kind.DIRECT_MESSAGE if channel is Channel.PRIVATE else Kind.MENTION,
        arrived_at=arrived.astimezone(timezone.utc),
        arrived_on=arrived.date(),
        clock_start=arrived,
        deadline=arrived + timedelta(hours=24),
        responded_at=arrived + timedelta(hours=hours),
        reply_key=f"{key}-reply",
        attribution=attribution,
        responder=responder,
        calendar_hours=2 * hours,
        working_day_hours=hours,
        managed_hours=hours / 2,
        within_target=hours <= 24,
    )


def still_open(key: str, arrived: datetime, deadline: datetime) -> ResponseRecord:
    return ResponseRecord(
        key=key,
        platform=Platform.X,
        channel=Channel.PUBLIC,
        kind=Kind.MENTION,
        arrived_at=arrived,
        arrived_on=arrived.date(),
        clock_start=arrived,
        deadline=deadline,
    )


def excluded(key: str, arrived: datetime, reason: Exclusion) -> ResponseRecord:
    return ResponseRecord(
        key=key,
        platform=Platform.X,
        channel=Channel.PUBLIC,
        kind=Kind.MENTION,
        arrived_at=arrived,
        arrived_on=arrived.date(),
        excluded=reason,
    )


@pytest.fixture
def week() -> pd.DataFrame:
    """Five answered items (one late), two open (one overdue), two needing no response."""
    return records_frame(
        [
            answered("x:1", london(10, 10), 1),
            answered("x:2", london(10, 11), 2),
            answered("x:3", london(11, 10), 3),
            answered("x:4", london(11, 11), 4),
            answered("x:5", london(12, 10), 30),
            still_open("x:6", london(12, 11), deadline=london(13, 11)),
            still_open("x:7", london(14, 10), deadline=london(17, 10)),
            excluded("x:8", london(12, 12), Exclusion.THANKS),
            excluded("x:9", london(12, 13), Exclusion.OURS),
        ]
    )


class TestFigures:
    def test_period_figures(self, week: pd.DataFrame) -> None:
        (row,) = response_metrics(week, as_of=AS_OF).to_dict("records")
        assert {name: row[name] for name in ("volume", "responded", "within_target")} == {
            "volume": 7,
            "responded": 5,
            "within_target": 4,
        }
        assert row["breaches"] == 2  # the late answer and the overdue open item
        assert (row["open"], row["open_overdue"]) == (2, 1)
        assert row["pct_within_target"] == pytest.approx(100 * 4 / 6)
        assert row["median_hours"] == 3
        assert row["p90_hours"] == pytest.approx(4 + 0.6 * (30 - 4))
        assert row["least_hours_left"] == pytest.approx(-25)
        assert (row["excluded"], row["excluded_thanks"], row["excluded_ours"]) == (2, 1, 1)
        assert row["excluded_spam"] == 0

    def test_response_times_are_quoted_on_the_basis(self, week: pd.DataFrame) -> None:
        calendar = response_metrics(week, as_of=AS_OF, basis=TargetBasis.CALENDAR)
        managed = response_metrics(week, as_of=AS_OF, basis=TargetBasis.MANAGED)
        assert (calendar["median_hours"][0], managed["median_hours"][0]) == (6, 1.5)

    def test_columns(self, week: pd.DataFrame) -> None:
        table = response_metrics(week, as_of=AS_OF, by=[Dimension.DAY, Dimension.PLATFORM])
        assert list(table.columns) == ["day", "platform", *FIGURES]

    def test_figures_stand_as_at_as_of(self, week: pd.DataFrame) -> None:
        # At 10:30 on 11 March: x:3 (10:00, replied 13:00) is open; x:4 onwards not arrived.
        (row,) = response_metrics(week, as_of=london(11, 10, 30)).to_dict("records")
        assert (row["volume"], row["responded"], row["open"]) == (3, 2, 1)
        assert row["least_hours_left"] == pytest.approx(23.5)

    def test_by_responder(self) -> None:
        frame = records_frame(
            [
                answered("x:1", london(10, 10), 1, responder="Sam"),
                answered("x:2", london(10, 11), 3, responder="Sam"),
                answered("x:3", london(10, 12), 2, responder="Priya"),
                answered(
                    "x:4", london(10, 13), 2, responder=None, attribution=AttributionKind.UNSIGNED
                ),
                answered(
                    "x:5", london(10, 14), 2, responder=None, attribution=AttributionKind.AUTOMATED
                ),
                still_open("x:6", london(10, 15), deadline=london(11, 15)),
            ]
        )
        table = response_metrics(frame, as_of=AS_OF, by=[Dimension.RESPONDER])
        assert table[["responder", "responded", "median_hours"]].to_dict("records") == [
            {"responder": UNSIGNED, "responded": 1, "median_hours": 2.0},
            {"responder": "Priya", "responded": 1, "median_hours": 2.0},
            {"responder": "Sam", "responded": 2, "median_hours": 2.0},
        ]

    def test_by_platform_and_channel(self) -> None:
        frame = records_frame(
            [
                answered("x:1", london(10, 10), 1),
                answered(
                    "facebook:2",
                    london(10, 10),
                    30,
                    platform=Platform.FACEBOOK,
                    channel=Channel.PRIVATE,
                ),
                answered("facebook:3", london(10, 11), 2, platform=Platform.FACEBOOK),
            ]
        )
        table = response_metrics(frame, as_of=AS_OF, by=["platform", "channel"])
        assert table[["platform", "channel", "volume", "breaches"]].to_dict("records") == [
            {"platform": "facebook", "channel": "private", "volume": 1, "breaches": 1},
            {"platform": "facebook", "channel": "public", "volume": 1, "breaches": 0},
            {"platform": "x", "channel": "public", "volume": 1, "breaches": 0},
        ]

    def test_days_add_up_to_the_period(self, week: pd.DataFrame) -> None:
        days = response_metrics(week, as_of=AS_OF, by=[Dimension.DAY])
        period = response_metrics(week, as_of=AS_OF)
        assert list(days["day"]) == [date(2025, 3, day) for day in (10, 11, 12, 14)]
        for name in ("volume", "responded", "within_target", "breaches", "open", "excluded"):
            assert days[name].sum() == period[name][0], name

    def test_a_period_percentile_comes_from_its_items_not_its_days(self) -> None:
        hours = {10: [1, 2, 3, 4, 5, 6, 7, 8, 9, 50], 11: [20]}
        frame = records_frame(
            answered(f"x:{day}-{index}", london(day, 10), value)
            for day, values in hours.items()
            for index, value in enumerate(values)
        )
        period = response_metrics(frame, as_of=AS_OF)["p90_hours"][0]
        daily = response_metrics(frame, as_of=AS_OF, by=[Dimension.DAY])["p90_hours"]
        everything = [value for values in hours.values() for value in values]
        assert period == pytest.approx(np.quantile(everything, 0.9))
        assert period != pytest.approx(daily.mean())

    def test_nothing_gives_one_row_of_zeros_without_rates(self) -> None:
        empty = records_frame([])
        assert list(empty.columns) == list(RECORD_COLUMNS)
        (row,) = response_metrics(empty, as_of=AS_OF).to_dict("records")
        assert row["volume"] == 0 and row["excluded_thanks"] == 0
        assert pd.isna(row["pct_within_target"]) and pd.isna(row["median_hours"])
        assert response_metrics(empty, as_of=AS_OF, by=["day"]).empty

    def test_rejects_a_naive_as_of(self, week: pd.DataFrame) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            response_metrics(week, as_of=datetime(2025, 3, 14))

    def test_rejects_an_unknown_dimension(self, week: pd.DataFrame) -> None:
        with pytest.raises(ValueError, match="handle"):
            response_metrics(week, as_of=AS_OF, by=["handle"])


class TestOpenItems:
    def test_nearest_deadline_first_with_time_left(self, week: pd.DataFrame) -> None:
        table = open_items(week, as_of=AS_OF)
        assert list(table["key"]) == ["x:6", "x:7"]
        assert list(table["hours_left"]) == pytest.approx([-25, 70])

    def test_items_answered_after_as_of_are_still_open(self, week: pd.DataFrame) -> None:
        table = open_items(week, as_of=london(11, 11, 30))
        assert list(table["key"]) == ["x:3", "x:4"]


# --- A backfill, day by day, gives the figures of one computation over the period ----------

CLOCK = ManagedHours(LONDON, range(5), time(9), time(16), bank_holidays("GB", "ENG"))
MATCHER = ResponseMatcher(
    CLOCK,
    ResponseTarget(24),
    ResponseRules(thanks_patterns=("thanks",)),
    Attributor({"Sam": ["^SB"], "Priya": ["^PK"]}),
)
FIRST_DAY, LAST_DAY = date(2025, 3, 24), date(2025, 4, 4)  # over the March clock change


def sample_items(seed: int = 11) -> list[InboxItem]:
    """Made-up threads: queries, follow-ups, thanks and signed or unsigned replies."""
    rng = random.Random(seed)  # noqa: S311 - made-up test data
    start = datetime.combine(FIRST_DAY, time(0), tzinfo=LONDON)
    span = int((datetime.combine(LAST_DAY, time(0), tzinfo=LONDON) - start).total_seconds())
    items: list[InboxItem] = []
    for thread in range(120):
        platform = rng.choice(list(Platform))
        private = rng.random() < 0.3
        moment = start + timedelta(seconds=rng.randrange(span))
        parent = None
        for position in range(rng.randint(1, 3)):
            for is_ours in (False, True):
                if is_ours and rng.random() < 0.3:
                    continue
                native_id = f"{thread}-{position}-{int(is_ours)}"
                text = (
                    ("thanks" if rng.random() < 0.1 else "When is the repair?")
                    if not is_ours
                    else rng.choice(["On it ^SB", "Sorry about this ^PK", "Looking into it"])
                )
                items.append(
                    InboxItem(
                        platform=platform,
                        kind=Kind.DIRECT_MESSAGE if private else Kind.REPLY,
                        native_id=native_id,
                        thread_id=f"thread-{thread}",
                        author=Author(user_id="ours" if is_ours else f"resident-{thread}"),
                        text=text,
                        created_at=moment,
                        is_ours=is_ours,
                        in_reply_to_id=None if private else parent,
                        channel=Channel.PRIVATE if private else Channel.PUBLIC,
                    )
                )
                parent = native_id
                moment += timedelta(minutes=rng.randrange(10, 3000))
    return items


def local_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)


def test_a_backfill_day_by_day_gives_the_figures_of_one_report() -> None:
    items = sample_items()
    stored: dict[str, ResponseRecord] = {}
    daily_figures: dict[date, pd.DataFrame] = {}
    last_day = max(local_day(item.created_at) for item in items)
    day = FIRST_DAY
    while day <= last_day:
        # What the daily run sees: every item of each thread with an item that day, up to then.
        known = [item for item in items if item.created_at < end_of(day)]
        touched = {
            (item.platform, item.thread_id) for item in known if local_day(item.created_at) == day
        }
        concerned = [item for item in known if (item.platform, item.thread_id) in touched]
        for record in MATCHER.records(concerned):
            stored[record.key] = record
        that_day = records_frame(stored.values())
        daily_figures[day] = response_metrics(
            that_day[that_day["arrived_on"] == day], as_of=end_of(day), by=["platform"]
        )
        day += timedelta(days=1)

    once = records_frame(MATCHER.records(items))
    backfilled = records_frame(sorted(stored.values(), key=lambda r: (r.arrived_at, r.key)))
    pd.testing.assert_frame_equal(backfilled, once)

    as_of = end_of(last_day)
    for by in ([], ["platform"], ["channel"], ["responder"], ["day"]):
        pd.testing.assert_frame_equal(
            response_metrics(backfilled, as_of=as_of, by=by),
            response_metrics(once, as_of=as_of, by=by),
        )
    # A day's stored figures can be recomputed later from the final records, unchanged.
    for day, figures in daily_figures.items():
        later = response_metrics(
            once[once["arrived_on"] == day], as_of=end_of(day), by=["platform"]
        )
        pd.testing.assert_frame_equal(later, figures)
    assert once["responded_at"].notna().sum() > 50  # the sample does exercise matching
