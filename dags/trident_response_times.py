"""
### Trident response times: daily metrics and the month's review report

Policy section 3: channels are managed 09:00-16:00 Monday to Friday (bank holidays off) and the
audience can expect a response, where appropriate, within 24 hours.

Each run covers one local day in Europe/London (23 or 25 hours across a clock change). It
recomputes the response records of every thread with an item that day (the first reply by us
in the same thread or conversation, the three durations, the responder's pseudonym), stores
the day's metrics per platform, channel and responder as at the day's end, and rewrites the
month-to-date review report (HTML and CSV) in the reports folder.

**Review periods**: backfill the period (*Backfill* in the UI, or
`airflow backfill create --dag-id trident_response_times --from-date 2026-03-23
--to-date 2026-04-07`), then `trident report --from 2026-03-23 --to 2026-04-07` writes the
period's report. Re-running any day replaces that day's figures; nothing is counted twice.
"""

from __future__ import annotations

from datetime import datetime, timezone

from airflow.sdk import CronDataIntervalTimetable, dag, task


@dag(
    dag_id="trident_response_times",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="Europe/London"),
    start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["trident", "response-times", "daily"],
    default_args={"retries": 2},
)
def trident_response_times() -> None:
    @task
    def match_responses(**context) -> dict[str, int]:
        """Recompute the response records of the day's threads."""
        from trident_pipeline.orchestration import response_tasks

        return response_tasks.match_responses(
            context["data_interval_start"], context["data_interval_end"]
        )

    @task
    def review_day(**context) -> dict[str, int | str]:
        """Store the day's metrics and rewrite the month-to-date report."""
        from trident_pipeline.orchestration import response_tasks

        return response_tasks.review_day(
            context["data_interval_start"], context["data_interval_end"]
        )

    match_responses() >> review_day()


trident_response_times()
