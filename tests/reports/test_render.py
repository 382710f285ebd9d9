"""The period report: accessible, self-contained HTML with charts, and a CSV of the figures."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from trident_pipeline.domain.managed_hours import (
    ManagedHours,
    ResponseTarget,
    TargetBasis,
    bank_holidays,
)
from trident_pipeline.domain.metrics import FIGURES, records_frame, response_metrics
from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.domain.responders import Attributor
from trident_pipeline.domain.responses import ResponseMatcher, ResponseRules
from trident_pipeline.reports import (
    OPEN_ITEMS_SHOWN,
    Period,
    build_report,
    render_csv,
    render_html,
    write_report,
)
from trident_pipeline.reports.charts import bar_chart

LONDON = ZoneInfo("Europe/London")
TARGET = ResponseTarget(24, TargetBasis.WORKING_DAY)
MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))
AS_OF = datetime(2025, 4, 2, 12, tzinfo=LONDON)
QUERY = "My neighbour at 12 Example Road keeps leaving rubbish out"  # made up
HANDLE = "resident_handle_example"


def item(
    native_id: str,
    at: datetime,
    *,
    ours: bool = False,
    parent: str | None = None,
    text: str = QUERY,
    platform: Platform = Platform.X,
) -> InboxItem:
    return InboxItem(
        platform=platform,
        kind=Kind.REPLY if parent else Kind.MENTION,
        native_id=native_id,
        thread_id=f"thread-{native_id.split('-')[0]}",
        author=Author(user_id="ours" if ours else "5550001", handle=None if ours else HANDLE),
        text=text,
        created_at=at,
        is_ours=ours,
        in_reply_to_id=parent,
        channel=Channel.PUBLIC,
    )


def london(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    matcher = ResponseMatcher(
        ManagedHours(LONDON, range(5), time(9), time(16), bank_holidays("GB", "ENG")),
        TARGET,
        ResponseRules(thanks_patterns=("thanks",)),
        Attributor({"Sam": ["^SB"], "Priya": ["^PK"]}),
    )
    items = [
        item("1-q", london(3, 3, 10)),
        item("1-r", london(3, 3, 11), ours=True, parent="1-q", text="Please DM us ^SB"),
        item("2-q", london(3, 7, 15, 59), platform=Platform.BLUESKY),
        item(
            "2-r",
            london(3, 10, 9, 30),
            ours=True,
            parent="2-q",
            text="On it ^PK",
            platform=Platform.BLUESKY,
        ),
        item("3-q", london(3, 28, 10), platform=Platform.FACEBOOK),
        item(
            "3-r",
            london(3, 31, 11),
            ours=True,
            parent="3-q",
            text="Sorry for the wait",
            platform=Platform.FACEBOOK,
        ),
        item("4-q", london(3, 31, 15)),  # still open at AS_OF
        item("5-q", london(3, 12, 10), text="thanks"),
        item("6-q", london(4, 1, 10)),  # after the period
        item("7-q", london(2, 28, 10)),  # before the period
    ]
    return records_frame(matcher.records(items))


@pytest.fixture(scope="module")
def html(frame: pd.DataFrame) -> str:
    return render_html(
        build_report(frame, period=MARCH, as_of=AS_OF, target=TARGET, timezone="Europe/London")
    )


@pytest.fixture(scope="module")
def rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    report = build_report(frame, period=MARCH, as_of=AS_OF, target=TARGET, timezone=LONDON)
    return list(csv.DictReader(io.StringIO(render_csv(report))))


class TestCsv:
    def test_one_row_per_group_of_each_breakdown(self, rows: list[dict[str, str]]) -> None:
        groups = [(row["breakdown"], row["group"]) for row in rows]
        assert groups[:4] == [
            ("period", "all"),
            ("platform", "bluesky"),
            ("platform", "facebook"),
            ("platform", "x"),
        ]
        assert ("responder", "Sam") in groups and ("responder", "(unsigned)") in groups
        # Days of our replies alone are there too: they count as items needing no response.
        assert [group for breakdown, group in groups if breakdown == "day"] == [
            "2025-03-03",
            "2025-03-07",
            "2025-03-10",
            "2025-03-12",
            "2025-03-28",
            "2025-03-31",
        ]

    def test_only_items_of_the_period_count(
        self, rows: list[dict[str, str]], frame: pd.DataFrame
    ) -> None:
        period = rows[0]
        in_march = frame[frame["arrived_on"].between(MARCH.first, MARCH.last)]
        expected = response_metrics(in_march, as_of=AS_OF, basis=TARGET.basis).iloc[0]
        assert int(period["volume"]) == expected["volume"] == 4
        assert (period["responded"], period["open"], period["excluded_thanks"]) == ("3", "1", "1")
        assert float(period["p90_hours"]) == pytest.approx(expected["p90_hours"], abs=0.005)

    def test_columns_describe_the_report(self, rows: list[dict[str, str]]) -> None:
        assert list(rows[0]) == [
            "period_first",
            "period_last",
            "as_of",
            "target_hours",
            "basis",
            "breakdown",
            "group",
            *FIGURES,
        ]
        assert (rows[0]["period_first"], rows[0]["as_of"], rows[0]["basis"]) == (
            "2025-03-01",
            "2025-04-02T11:00:00+00:00",
            "working_day",
        )


class TestHtml:
    def test_is_well_formed_and_self_contained(self, html: str) -> None:
        body = html.removeprefix("<!DOCTYPE html>\n")
        # Our own output, parsed to prove it well formed (void <meta> tags set aside).
        ElementTree.fromstring(re.sub(r"<meta [^>]*>", "", body))  # noqa: S314
        assert "<script" not in html
        assert not re.search(r"\b(src|href)=", html)
        assert re.findall(r"https?://[^\s\"]+", html) == ["http://www.w3.org/2000/svg"] * 4

    def test_headings_captions_and_text_alternatives(self, html: str) -> None:
        assert '<html lang="en-GB">' in html
        assert html.count("<h1>") == 1 and html.count("<h2") >= 6
        assert html.count("<table") == html.count("<caption>")
        svgs = re.findall(r"<svg[^>]*>.*?</svg>", html, flags=re.S)
        assert len(svgs) == 4
        for svg in svgs:
            labelled = re.search(r'aria-labelledby="([^"]+) ([^"]+)"', svg)
            assert labelled and 'role="img"' in svg
            assert f'<title id="{labelled[1]}">' in svg and f'<desc id="{labelled[2]}">' in svg

    def test_holds_no_personal_data(self, html: str, frame: pd.DataFrame) -> None:
        for secret in (QUERY, "Example Road", HANDLE, "Please DM us", *frame["key"]):
            assert secret not in html
        assert "Sam" in html and "Priya" in html

    def test_states_the_period_target_and_open_items(self, html: str) -> None:
        assert "1 March 2025 to 31 March 2025" in html
        assert "2 April 2025 at 12:00 (BST)" in html
        assert "24 working-day hours" in html
        assert "1 items were still waiting" in html
        assert "Mon 31 Mar 2025 15:00" in html  # the open item's arrival, in local time

    def test_lists_at_most_the_nearest_open_items(self) -> None:
        many = records_frame(
            ResponseMatcher(
                ManagedHours(LONDON, range(5), time(9), time(16), frozenset()),
                TARGET,
                ResponseRules(),
                Attributor({}),
            ).records(
                item(f"{number}-q", london(3, 3, 10) + timedelta(minutes=number))
                for number in range(OPEN_ITEMS_SHOWN + 5)
            )
        )
        page = render_html(
            build_report(many, period=MARCH, as_of=AS_OF, target=TARGET, timezone=LONDON)
        )
        assert f"{OPEN_ITEMS_SHOWN + 5} items were still waiting" in page
        assert page.count("<td>X</td>") == OPEN_ITEMS_SHOWN

    def test_an_empty_period(self, frame: pd.DataFrame) -> None:
        empty = Period(date(2024, 1, 1), date(2024, 1, 31))
        page = render_html(
            build_report(frame, period=empty, as_of=AS_OF, target=TARGET, timezone=LONDON)
        )
        assert "No items in this period." in page and "No open items." in page
        assert '<tr><th scope="row">% within target</th><td>n/a</td></tr>' in page


class TestFiles:
    def test_named_from_the_period_and_written_idempotently(
        self, frame: pd.DataFrame, tmp_path: Path
    ) -> None:
        report = build_report(frame, period=MARCH, as_of=AS_OF, target=TARGET, timezone=LONDON)
        folder = tmp_path / "reports"
        html_path, csv_path = write_report(report, folder)
        assert (html_path.name, csv_path.name) == (
            "response-times_2025-03-01_to_2025-03-31.html",
            "response-times_2025-03-01_to_2025-03-31.csv",
        )
        first = (html_path.read_bytes(), csv_path.read_bytes())
        write_report(report, folder)
        assert (html_path.read_bytes(), csv_path.read_bytes()) == first
        assert sorted(path.name for path in folder.iterdir()) == [csv_path.name, html_path.name]
        assert html_path.stat().st_mode & 0o777 == 0o644

    def test_a_period_ends_after_it_starts(self) -> None:
        with pytest.raises(ValueError, match="ends on or after"):
            Period(date(2025, 3, 31), date(2025, 3, 1))


class TestBarChart:
    def test_labels_are_escaped_and_missing_values_shown(self) -> None:
        svg = bar_chart(
            chart_id="c",
            title="T",
            description="D.",
            bars=[("<b>", 50.0), ("none", None)],
            unit="%",
            maximum=100,
        )
        assert "&lt;b&gt;" in svg and "<b>" not in svg
        assert "none: n/a" in svg and 'width="225.0"' in svg

    def test_refuses_negative_values(self) -> None:
        with pytest.raises(ValueError, match="not negative"):
            bar_chart(chart_id="c", title="T", description="D.", bars=[("a", -1.0)], unit="")
