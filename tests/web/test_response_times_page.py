"""The Response times page and its downloads, through Airflow's API server."""

from __future__ import annotations

import csv
import io
import re

import pytest

pytestmark = [
    pytest.mark.airflow,
    # Airflow's own development fallback: a generated JWT secret shorter than SHA-512 likes.
    pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning"),
]

SAMPLE_PERIOD = {"from": "2026-03-23", "to": "2026-04-07"}


def test_the_page_shows_the_month_to_date_by_default(pages):
    response = pages.get("/response-times", "board")
    assert response.status_code == 200
    page = response.text
    assert 'id="from" name="from" value="2026-04-01"' in page
    assert 'id="to" name="to" value="2026-04-08"' in page
    assert "response-times/report.csv?from=2026-04-01&amp;to=2026-04-08" in page


def test_the_page_shows_a_chosen_periods_figures_by_responder_and_platform(pages):
    response = pages.get("/response-times", "board", **SAMPLE_PERIOD)
    assert response.status_code == 200
    page = response.text
    assert "Social media response times, 23 March 2026 to 7 April 2026" in page
    assert "Figures as at 8 April 2026 at 10:00 (BST)" in page
    for responder in ("Sam", "Priya", "Alex"):
        assert responder in page
    assert "<svg" in page
    for personal in pages.personal_data:
        assert personal not in page


def test_the_report_downloads_as_one_html_file(pages):
    response = pages.get("/response-times/report.html", "board", **SAMPLE_PERIOD)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="response-times_2026-03-23_to_2026-04-07.html"'
    )
    assert response.text.lstrip().lower().startswith("<!doctype html>")
    assert "23 March 2026 to 7 April 2026" in response.text
    assert '<link rel="stylesheet"' not in response.text, "self-contained"


def test_the_figures_download_as_csv(pages):
    response = pages.get("/response-times/report.csv", "board", **SAMPLE_PERIOD)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="response-times_2026-03-23_to_2026-04-07.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    header = response.text.splitlines()[0].split(",")
    assert header[:9] == [
        "period_first",
        "period_last",
        "as_of",
        "target_hours",
        "basis",
        "breakdown",
        "group",
        "volume",
        "responded",
    ]
    assert {(row["period_first"], row["period_last"]) for row in rows} == {
        ("2026-03-23", "2026-04-07")
    }
    assert {row["as_of"] for row in rows} == {"2026-04-08T09:00:00+00:00"}
    by_breakdown = {}
    for row in rows:
        by_breakdown.setdefault(row["breakdown"], set()).add(row["group"])
    assert by_breakdown["period"] == {"all"}
    assert by_breakdown["platform"] == {"x", "bluesky", "facebook"}
    assert {"Sam", "Priya", "Alex"} <= by_breakdown["responder"]
    assert by_breakdown["day"] <= {f"2026-03-{d}" for d in range(23, 32)} | {
        f"2026-04-0{d}" for d in range(1, 8)
    }
    for personal in pages.personal_data:
        assert personal not in response.text


def test_a_shorter_period_has_only_its_days(pages):
    response = pages.get("/response-times/report.csv", "board", **{"from": "2026-03-30"})
    assert response.status_code == 200, "from a day to today"
    days = {
        row["group"]
        for row in csv.DictReader(io.StringIO(response.text))
        if row["breakdown"] == "day"
    }
    assert days and min(days) >= "2026-03-30"
    narrow = pages.get(
        "/response-times/report.csv", "board", **{"from": "2026-03-30", "to": "2026-03-31"}
    )
    days = {
        row["group"]
        for row in csv.DictReader(io.StringIO(narrow.text))
        if row["breakdown"] == "day"
    }
    assert days == {"2026-03-30", "2026-03-31"}


@pytest.mark.parametrize(
    "path", ["/response-times", "/response-times/report.html", "/response-times/report.csv"]
)
@pytest.mark.parametrize(
    ("period", "why"),
    [
        ({"from": "2026-04-07", "to": "2026-03-23"}, "a period ends on or after the day it starts"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "a period is at most a year"),
        ({"from": "2026-05-01"}, "a period ends on or after the day it starts"),
    ],
    ids=["inverted", "longer-than-a-year", "starts-after-today"],
)
def test_a_period_that_cannot_be_reported_is_refused(pages, path, period, why):
    response = pages.get(path, "board", **period)
    assert response.status_code == 400
    assert "content-disposition" not in response.headers
    assert why in response.text


def test_a_year_is_the_longest_period(pages):
    response = pages.get(
        "/response-times/report.csv", "board", **{"from": "2025-04-08", "to": "2026-04-07"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("period", "field"),
    [
        ({"from": "2026-13-01"}, "From"),
        ({"to": "yesterday"}, "To"),
        ({"from": "23/03/2026"}, "From"),
    ],
)
def test_a_date_that_is_not_a_date_is_refused_with_the_field_named(pages, period, field):
    response = pages.get("/response-times", "board", **period)
    assert response.status_code == 422
    assert re.search(rf"<li>{field}: [^<]+</li>", response.text), response.text
