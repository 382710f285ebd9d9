from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from trident_pipeline.domain.models import Platform, Rejected
from trident_pipeline.store import (
    PullRecord,
    count_quarantined,
    latest_run_pulls,
    quarantine_records,
    read_cursor,
    record_pull,
    write_cursor,
)
from trident_pipeline.store.schema import pull_runs, quarantine

NOW = datetime(2026, 3, 24, 12, 0, tzinfo=timezone.utc)


def test_a_rejected_record_is_kept_once_with_its_reason(engine):
    record = Rejected(Platform.X, "mentions", "record has no id", {"text": "hello", "n": [1, 2]})
    with engine.begin() as connection:
        assert quarantine_records(connection, [record, record], NOW) == 1
    with engine.begin() as connection:
        assert quarantine_records(connection, [record], NOW + timedelta(hours=1)) == 0
        rows = connection.execute(select(quarantine)).mappings().all()
    assert len(rows) == 1
    assert rows[0]["reason"] == "record has no id"
    assert rows[0]["raw"] == {"text": "hello", "n": [1, 2]}
    assert rows[0]["first_seen_at"] == NOW


def test_records_that_are_not_objects_are_kept_too(engine):
    records = [
        Rejected(Platform.BLUESKY, "notifications", "record is not an object", "just a string"),
        Rejected(Platform.BLUESKY, "notifications", "record is not an object", None),
    ]
    with engine.begin() as connection:
        assert quarantine_records(connection, records, NOW) == 2
    with engine.connect() as connection:
        assert count_quarantined(connection) == {"bluesky": 2}


def test_cursor_is_absent_until_written_then_replaced(engine):
    with engine.begin() as connection:
        assert read_cursor(connection, "x", "1500", "mentions") is None
        write_cursor(connection, "x", "1500", "mentions", "100", NOW)
        write_cursor(connection, "x", "1500", "mentions", "200", NOW)
        write_cursor(connection, "x", "1500", "dm_events", "7", NOW)
    with engine.connect() as connection:
        assert read_cursor(connection, "x", "1500", "mentions") == "200"
        assert read_cursor(connection, "x", "1500", "dm_events") == "7"
        assert read_cursor(connection, "x", "9999", "mentions") is None


def _record(run_id: str, stream: str, new: int, finished: datetime) -> PullRecord:
    return PullRecord(
        run_id=run_id,
        platform="x",
        stream=stream,
        mode="incremental",
        span_start=None,
        span_end=finished,
        cursor_before="1",
        cursor_after="2",
        requests=3,
        items_read=new,
        new_items=new,
        updated_items=0,
        quarantined=0,
        finished_at=finished,
    )


def test_a_retried_run_replaces_its_pull_figures(engine):
    with engine.begin() as connection:
        record_pull(connection, _record("run-1", "mentions", 5, NOW))
        record_pull(connection, _record("run-1", "mentions", 0, NOW + timedelta(minutes=5)))
        rows = connection.execute(select(pull_runs)).mappings().all()
    assert len(rows) == 1
    assert rows[0]["new_items"] == 0


def test_latest_run_pulls_returns_only_the_last_finished_run(engine):
    with engine.begin() as connection:
        record_pull(connection, _record("run-1", "mentions", 5, NOW))
        record_pull(connection, _record("run-2", "mentions", 1, NOW + timedelta(hours=1)))
        record_pull(connection, _record("run-2", "dm_events", 2, NOW + timedelta(hours=1)))
    with engine.connect() as connection:
        latest = latest_run_pulls(connection)
    assert [(r.run_id, r.stream, r.new_items) for r in latest] == [
        ("run-2", "dm_events", 2),
        ("run-2", "mentions", 1),
    ]
