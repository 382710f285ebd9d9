"""The daily response-time DAG over one day of the sample inbox."""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from trident_pipeline.domain.models import Platform
from trident_pipeline.ingest import plan_pull, pull
from trident_pipeline.sources.replay import ReplaySource
from trident_pipeline.store import connect, default_database_url, migrate
from trident_pipeline.store.schema import response_metrics_daily

pytestmark = pytest.mark.airflow


def test_a_day_stores_its_metrics_and_the_month_to_date_report(
    airflow_db, dag_bag, trident_home, tmp_path, monkeypatch
):
    monkeypatch.setenv("TRIDENT_REPORTS_DIR", str(tmp_path / "reports"))
    engine = connect(default_database_url())
    migrate(engine)
    start, end = (
        datetime(2026, 3, 23, tzinfo=timezone.utc),
        datetime(2026, 4, 8, tzinfo=timezone.utc),
    )
    plan = plan_pull(interval_start=start, interval_end=end, is_backfill=True)
    for platform in Platform:
        pull(ReplaySource(platform), engine, plan, run_id="sample", clock=lambda: end)

    dag = dag_bag.dags["trident_response_times"]
    run = dag.test(logical_date=datetime(2026, 3, 25, tzinfo=ZoneInfo("Europe/London")))
    assert run.state == "success"
    with engine.connect() as connection:
        days = set(connection.execute(select(response_metrics_daily.c.day)).scalars())
    assert days == {date(2026, 3, 24)}
    names = sorted(path.name for path in (tmp_path / "reports").iterdir())
    assert names == [
        "response-times_2026-03-01_to_2026-03-24.csv",
        "response-times_2026-03-01_to_2026-03-24.html",
    ]
    engine.dispose()
