"""Response times over the store: matching by interval, operators' marks, reports."""

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from trident_pipeline.config import StaffConfig, read_config
from trident_pipeline.config.service import ServiceConfig
from trident_pipeline.domain.models import Platform
from trident_pipeline.ingest import plan_pull, pull
from trident_pipeline.reports import Period
from trident_pipeline.response_times import (
    match_responses,
    store_daily_metrics,
    write_review_report,
)
from trident_pipeline.sources.replay import ReplaySource
from trident_pipeline.store.responses import mark_response, records_between
from trident_pipeline.store.schema import response_metrics_daily, response_records

START = datetime(2026, 3, 23, tzinfo=timezone.utc)
END = datetime(2026, 4, 8, tzinfo=timezone.utc)
AS_OF = END + timedelta(days=7)


@pytest.fixture(scope="module")
def service():
    return read_config("service.yaml", ServiceConfig)


@pytest.fixture(scope="module")
def matcher(service):
    return service.response_matcher(read_config("staff.yaml", StaffConfig))


@pytest.fixture
def sample_store(engine):
    """The store holding the whole bundled sample inbox."""
    plan = plan_pull(
        interval_start=START,
        interval_end=END,
        is_backfill=False,
        window_start=START,
        window_end=END,
    )
    for platform in Platform:
        pull(ReplaySource(platform), engine, plan, run_id="sample", clock=lambda: AS_OF)
    return engine


def all_records(engine):
    with engine.connect() as connection:
        return records_between(connection, date(2026, 3, 1), date(2026, 4, 30))


def test_day_by_day_matching_gives_the_same_records_as_one_pass(sample_store, matcher):
    day = START
    while day < END:
        match_responses(sample_store, matcher, day, day + timedelta(days=1))
        day += timedelta(days=1)
    by_day = all_records(sample_store)
    with sample_store.begin() as connection:
        connection.execute(response_records.delete())
    match_responses(sample_store, matcher, START, END)
    assert all_records(sample_store) == by_day
    assert len(by_day) == 382
    assert any(record.responded_at for record in by_day)


def test_re_running_an_interval_changes_nothing(sample_store, matcher):
    match_responses(sample_store, matcher, START, END)
    with sample_store.connect() as connection:
        before = connection.execute(select(response_records).order_by("key")).all()
    match_responses(sample_store, matcher, START + timedelta(days=3), START + timedelta(days=4))
    with sample_store.connect() as connection:
        assert connection.execute(select(response_records).order_by("key")).all() == before


def test_an_operators_mark_excludes_an_item_with_its_reason(sample_store, matcher):
    match_responses(sample_store, matcher, START, END)
    needing = next(r for r in all_records(sample_store) if r.excluded is None)
    with sample_store.begin() as connection:
        mark_response(
            connection,
            needing.key,
            needs_response=False,
            reason="answered by phone",
            operator="Sam",
            now=AS_OF,
        )
    match_responses(sample_store, matcher, needing.arrived_at, needing.arrived_at + timedelta(1))
    marked = next(r for r in all_records(sample_store) if r.key == needing.key)
    assert (marked.excluded.value, marked.operator_reason) == ("operator", "answered by phone")


def test_a_mark_needs_a_reason_and_an_operator(sample_store):
    with sample_store.begin() as connection, pytest.raises(ValueError, match="reason"):
        mark_response(
            connection, "x:1", needs_response=False, reason=" ", operator="Sam", now=AS_OF
        )


def test_daily_metrics_replace_the_days_figures(sample_store, matcher, service):
    match_responses(sample_store, matcher, START, END)
    day_end = datetime(2026, 3, 25, tzinfo=timezone.utc)
    first = store_daily_metrics(sample_store, service, date(2026, 3, 24), as_of=day_end)
    second = store_daily_metrics(sample_store, service, date(2026, 3, 24), as_of=day_end)
    with sample_store.connect() as connection:
        rows = connection.execute(select(response_metrics_daily)).mappings().all()
    assert first == second == len(rows) > 0
    assert {row["day"] for row in rows} == {date(2026, 3, 24)}
    assert sum(row["figures"]["volume"] for row in rows) > 0


def test_a_review_report_is_written_and_rewriting_it_changes_nothing(
    sample_store, matcher, service, tmp_path
):
    match_responses(sample_store, matcher, START, END)
    period = Period(date(2026, 3, 23), date(2026, 4, 7))
    html, csv = write_review_report(sample_store, service, period, AS_OF, tmp_path)
    assert html.name == "response-times_2026-03-23_to_2026-04-07.html"
    first = (html.read_bytes(), csv.read_bytes())
    write_review_report(sample_store, service, period, AS_OF, tmp_path)
    assert (html.read_bytes(), csv.read_bytes()) == first
    assert b"Sam" in first[1] and b"@" not in first[1]
