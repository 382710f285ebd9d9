"""The run's pull plan travels through XCom as plain values and comes back whole."""

from datetime import datetime, timezone

import pytest

from trident_pipeline.ingest import PullPlan
from trident_pipeline.orchestration.tasks import plan_pull, pull_plan

H9 = datetime(2026, 3, 24, 9, tzinfo=timezone.utc)
H10 = datetime(2026, 3, 24, 10, tzinfo=timezone.utc)


def test_a_plan_comes_back_from_its_xcom_form_unchanged():
    xcom = plan_pull(
        interval_start=H9,
        interval_end=H10,
        is_backfill=False,
        window_start="2026-03-23T00:00:00+00:00",
        window_end="2026-04-08T00:00:00+01:00",
    )
    assert pull_plan(xcom) == PullPlan(
        datetime(2026, 3, 23, tzinfo=timezone.utc),
        datetime(2026, 4, 7, 23, tzinfo=timezone.utc),
        is_window=True,
    )
    hourly = plan_pull(
        interval_start=H9, interval_end=H10, is_backfill=False, window_start=None, window_end=None
    )
    assert pull_plan(hourly) == PullPlan(H9, H10, is_window=False)


def test_a_plan_without_offsets_is_refused():
    with pytest.raises(ValueError, match="UTC offset"):
        pull_plan(
            {"start": "2026-03-24T09:00:00", "end": "2026-03-24T10:00:00", "is_window": False}
        )
