"""Pulling into the store: incremental cursors, windows that leave them alone, quarantine."""

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from trident_pipeline.domain.models import Platform
from trident_pipeline.ingest import PullFailed, plan_pull, pull
from trident_pipeline.sources.errors import BudgetExhausted, RetriableError
from trident_pipeline.sources.replay import ReplaySource
from trident_pipeline.store import items_between, read_cursor
from trident_pipeline.store.schema import pull_runs, quarantine

OURS = "1500000000000000001"
HOUR = timedelta(hours=1)
T9 = datetime(2026, 3, 24, 9, 0, tzinfo=timezone.utc)


def tweet(tweet_id: str, at: datetime, author: str = "2244994945") -> dict:
    return {
        "id": tweet_id,
        "text": f"@tridentgrp message {tweet_id} 🏠",
        "author_id": author,
        "conversation_id": tweet_id,
        "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "edit_history_tweet_ids": [tweet_id],
    }


USERS = {"users": [{"id": "2244994945", "username": "resident_one", "name": "Resident One"}]}


@pytest.fixture
def sample(tmp_path):
    """Two pages of X mentions, newest first, one malformed record among them."""
    folder = tmp_path / "inbox"
    (folder / "x").mkdir(parents=True)
    (folder / "accounts.json").write_text(
        json.dumps({"x": {"user_id": OURS, "handle": "tridentgrp"}})
    )
    first = {
        "data": [
            tweet("1003", T9 + timedelta(hours=1, minutes=20)),
            tweet("1002", T9 + timedelta(minutes=40)),
        ],
        "includes": USERS,
        "meta": {"result_count": 2, "newest_id": "1003", "oldest_id": "1002", "next_token": "p2"},
    }
    second = {
        "data": [tweet("1001", T9 + timedelta(minutes=5)), {"text": "no id or time"}],
        "includes": USERS,
        "meta": {"result_count": 2, "newest_id": "1001", "oldest_id": "1001"},
    }
    pages = [{"context": {}, "payload": first}, {"context": {}, "payload": second}]
    (folder / "x" / "mentions.json").write_text(json.dumps(pages))
    return folder


def clock():
    return datetime(2026, 3, 24, 12, 0, tzinfo=timezone.utc)


def stored_ids(engine):
    with engine.connect() as connection:
        return [
            item.native_id for item in items_between(connection, T9 - 24 * HOUR, T9 + 24 * HOUR)
        ]


def test_hourly_runs_advance_the_cursor_and_read_each_item_once(engine, sample):
    source = ReplaySource(Platform.X, sample)
    first = plan_pull(interval_start=T9, interval_end=T9 + HOUR, is_backfill=False)
    [record] = pull(source, engine, first, run_id="run-09", clock=clock)
    assert (record.new_items, record.items_read, record.quarantined) == (2, 2, 1)
    assert record.cursor_before is None
    assert record.cursor_after == "2026-03-24T09:40:00+00:00"
    assert stored_ids(engine) == ["1001", "1002"]

    second = plan_pull(interval_start=T9 + HOUR, interval_end=T9 + 2 * HOUR, is_backfill=False)
    [record] = pull(source, engine, second, run_id="run-10", clock=clock)
    assert (record.new_items, record.items_read, record.quarantined) == (1, 1, 0)
    assert record.cursor_before == "2026-03-24T09:40:00+00:00"
    assert record.cursor_after == "2026-03-24T10:20:00+00:00"
    assert stored_ids(engine) == ["1001", "1002", "1003"]
    with engine.connect() as connection:
        assert read_cursor(connection, "x", OURS, "mentions") == "2026-03-24T10:20:00+00:00"
        assert len(connection.execute(select(quarantine)).all()) == 1


def test_a_window_reads_its_period_and_never_moves_the_cursor(engine, sample):
    source = ReplaySource(Platform.X, sample)
    hourly = plan_pull(interval_start=T9, interval_end=T9 + HOUR, is_backfill=False)
    pull(source, engine, hourly, run_id="run-09", clock=clock)

    window = plan_pull(
        interval_start=T9,
        interval_end=T9 + HOUR,
        is_backfill=False,
        window_start=T9 - HOUR,
        window_end=T9 + 3 * HOUR,
    )
    [record] = pull(source, engine, window, run_id="manual-window", clock=clock)
    assert record.mode == "window"
    assert (record.new_items, record.items_read) == (1, 3)
    assert record.cursor_before is None and record.cursor_after is None
    with engine.connect() as connection:
        assert read_cursor(connection, "x", OURS, "mentions") == "2026-03-24T09:40:00+00:00"


def test_re_running_the_same_window_changes_nothing(engine, sample):
    source = ReplaySource(Platform.X, sample)
    window = plan_pull(interval_start=T9, interval_end=T9 + HOUR, is_backfill=True)
    pull(source, engine, window, run_id="backfill-09", clock=clock)
    with engine.connect() as connection:
        before = stored_ids(engine), connection.execute(select(quarantine)).all()
    [record] = pull(source, engine, window, run_id="backfill-09", clock=clock)
    with engine.connect() as connection:
        after = stored_ids(engine), connection.execute(select(quarantine)).all()
        runs = connection.execute(select(pull_runs)).all()
    assert after == before
    assert (record.new_items, record.updated_items, record.quarantined) == (0, 0, 0)
    assert len(runs) == 1


def test_a_failing_source_keeps_stored_pages_and_the_old_cursor(engine, sample):
    class Broken(Exception):
        pass

    source = ReplaySource(Platform.X, sample)
    pull(
        source,
        engine,
        plan_pull(interval_start=T9, interval_end=T9 + HOUR, is_backfill=False),
        run_id="run-09",
        clock=clock,
    )
    pages = source.read

    def read_then_fail(stream, span):
        iterator = pages(stream, span)
        yield next(iterator)
        raise Broken("the platform went away")

    source.read = read_then_fail
    later = plan_pull(interval_start=T9 + HOUR, interval_end=T9 + 2 * HOUR, is_backfill=False)
    with pytest.raises(Broken):
        pull(source, engine, later, run_id="run-10", clock=clock)
    assert stored_ids(engine) == ["1001", "1002", "1003"]
    with engine.connect() as connection:
        assert read_cursor(connection, "x", OURS, "mentions") == "2026-03-24T09:40:00+00:00"


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [(T9, None, "both"), (T9 + HOUR, T9, "after")],
)
def test_an_explicit_window_must_be_whole_and_forward(start, end, message):
    with pytest.raises(ValueError, match=message):
        plan_pull(
            interval_start=T9,
            interval_end=T9 + HOUR,
            is_backfill=False,
            window_start=start,
            window_end=end,
        )


def test_a_backfill_run_pulls_exactly_its_interval():
    plan = plan_pull(interval_start=T9, interval_end=T9 + HOUR, is_backfill=True)
    assert (plan.start, plan.end, plan.is_window) == (T9, T9 + HOUR, True)


@pytest.fixture
def two_streams(sample):
    """The sample's mentions, and the same pages again as the account's own posts."""
    (sample / "x" / "own_tweets.json").write_text((sample / "x" / "mentions.json").read_text())
    return sample


def fail_stream(source, failing_stream, error):
    pages = source.read

    def read(stream, span):
        iterator = pages(stream, span)
        if stream == failing_stream:
            yield next(iterator)
            raise error
        yield from iterator

    source.read = read


def test_a_failing_stream_stops_alone_and_the_platform_reports_it_after(engine, two_streams):
    source = ReplaySource(Platform.X, two_streams)
    fail_stream(source, "mentions", RetriableError("X answered 503"))
    plan = plan_pull(interval_start=T9, interval_end=T9 + 2 * HOUR, is_backfill=False)
    with pytest.raises(PullFailed, match="mentions"):
        pull(source, engine, plan, run_id="run-10", clock=clock)
    with engine.connect() as connection:
        assert read_cursor(connection, "x", OURS, "mentions") is None
        assert read_cursor(connection, "x", OURS, "own_tweets") == "2026-03-24T10:20:00+00:00"
        errors = dict(connection.execute(select(pull_runs.c.stream, pull_runs.c.error)).all())
    assert errors == {"mentions": "RetriableError", "own_tweets": None}


def test_a_spent_budget_stops_the_stream_without_failing_the_run(engine, two_streams):
    source = ReplaySource(Platform.X, two_streams)
    fail_stream(source, "own_tweets", BudgetExhausted("request budget spent"))
    plan = plan_pull(interval_start=T9, interval_end=T9 + 2 * HOUR, is_backfill=False)
    records = pull(source, engine, plan, run_id="run-10", clock=clock)
    assert {(r.stream, r.error) for r in records} == {
        ("mentions", None),
        ("own_tweets", "BudgetExhausted"),
    }
    with engine.connect() as connection:
        assert read_cursor(connection, "x", OURS, "own_tweets") is None
