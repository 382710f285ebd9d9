"""The hourly DAG end to end on the bundled sample inbox, against a temporary store."""

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from trident_pipeline.store import connect, default_database_url
from trident_pipeline.store.schema import cursors, inbox_items, pull_runs, quarantine

pytestmark = pytest.mark.airflow

SAMPLE_WINDOW = {
    "inbox": "sample",
    "window_start": "2026-03-23T00:00:00+00:00",
    "window_end": "2026-04-08T00:00:00+00:00",
}


def snapshot():
    engine = connect(default_database_url())
    with engine.connect() as connection:
        state = {
            table.name: connection.execute(select(table).order_by(*table.primary_key)).all()
            for table in (inbox_items, quarantine, cursors)
        }
    engine.dispose()
    return state


def run(dag_bag, conf, day=8):
    """One ``dag.test`` run; tests use different logical dates so their runs stay apart."""
    dag = dag_bag.dags["trident_inbox"]
    return dag.test(logical_date=datetime(2026, 4, day, tzinfo=timezone.utc), run_conf=conf)


def test_the_sample_window_is_pulled_end_to_end_then_a_rerun_changes_nothing(
    airflow_db, dag_bag, trident_home
):
    first = run(dag_bag, SAMPLE_WINDOW)
    assert first.state == "success"
    stored = snapshot()
    platforms = {row.platform for row in stored["inbox_items"]}
    assert platforms == {"x", "bluesky", "facebook"}
    assert {row.channel for row in stored["inbox_items"]} == {"public", "private"}
    assert stored["quarantine"], "the sample's malformed records are quarantined"
    assert stored["cursors"] == [], "a window never moves a cursor"

    second = run(dag_bag, SAMPLE_WINDOW)
    assert second.state == "success"
    assert snapshot() == stored
    engine = connect(default_database_url())
    with engine.connect() as connection:
        reruns = connection.execute(
            select(pull_runs.c.new_items).where(pull_runs.c.run_id == second.run_id)
        ).scalars()
        assert sum(reruns) == 0
    engine.dispose()


def test_a_half_given_window_fails_the_plan_and_pulls_nothing(airflow_db, dag_bag, trident_home):
    result = run(dag_bag, {"inbox": "sample", "window_start": "2026-03-23T00:00:00+00:00"}, day=9)
    assert result.state == "failed"
    states = {ti.task_id: ti.state for ti in result.get_task_instances()}
    assert states["plan_pull"] == "failed"
    assert {states[f"pull_{p}"] for p in ("x", "bluesky", "facebook")} == {"upstream_failed"}
