"""
### Trident social inbox: hourly pull

Every hour, pulls mentions, replies, comments and private messages, and the organisation's own
replies, from **X**, **BlueSky** and **Facebook** into the Trident store, one task per platform;
screens the new items against policy section 3.1, deciding each by its channel; applies the
three-strike policy (strikes, drafted replies, block requests for a manager to approve in
`trident_block`); delivers customer-record entries to the CRM; and recomputes response times
for the threads that moved. Each run covers a real hour
`[data_interval_start, data_interval_end)` in UTC.

**Incremental runs** (scheduled or triggered) read everything after each stream's stored cursor
and advance it only once the stream's last page is stored.
**Backfills** (`airflow backfill create --dag-id trident_inbox --from-date ... --to-date ...`,
or *Backfill* in the UI) read exactly each run's hour and never move a cursor.
**One-off windows**: trigger with `window_start` and `window_end` (ISO 8601 with offset) to pull
a longer period in one run, also without moving a cursor.

Set `inbox` to `sample` to read the bundled sample inbox instead of the live accounts (no
credentials, no network); `make run` does this for 23 March to 8 April 2026.

Credentials come only from the Connections `trident_x`, `trident_bluesky`, `trident_facebook`;
the store from `trident_store` (embedded SQLite when absent). See the README.
"""

from __future__ import annotations

from datetime import datetime, timezone

from airflow.sdk import Asset, CronDataIntervalTimetable, Param, TriggerRule, dag, task

PLATFORMS = ("x", "bluesky", "facebook")
# Emitted when a block (third active strike) or a drafted message awaits a manager's approval;
# it starts the trident_block DAG. Its extra carries ids only, never text.
APPROVALS = Asset("trident://strikes/approval-requested")


@dag(
    dag_id="trident_inbox",
    schedule=CronDataIntervalTimetable("0 * * * *", timezone="UTC"),
    start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["trident", "social-inbox", "hourly"],
    default_args={"retries": 2},
    params={
        "inbox": Param("live", enum=["live", "sample"], description="live accounts or the sample"),
        "window_start": Param(
            None,
            type=["null", "string"],
            format="date-time",
            description="Start of a one-off window (inclusive); leave empty for the run's hour",
        ),
        "window_end": Param(
            None,
            type=["null", "string"],
            format="date-time",
            description="End of a one-off window (exclusive)",
        ),
    },
)
def trident_inbox() -> None:
    @task(retries=0)
    def plan_pull(**context) -> dict[str, str | bool]:
        """The run's window, or incremental up to its hour's end; a bad window fails at once."""
        from trident_pipeline.orchestration import tasks

        params = context["params"]
        return tasks.plan_pull(
            interval_start=context["data_interval_start"],
            interval_end=context["data_interval_end"],
            is_backfill=context["dag_run"].run_type == "backfill",
            window_start=params["window_start"],
            window_end=params["window_end"],
        )

    @task
    def prepare_store() -> None:
        """Apply any pending store migration before anything writes."""
        from trident_pipeline.orchestration import tasks

        tasks.prepare_store()

    @task
    def pull(platform: str, plan: dict[str, str | bool], **context) -> dict[str, int | str]:
        """Read one platform into the store; its failure does not stop the other platforms."""
        from trident_pipeline.orchestration import tasks

        return tasks.pull_platform(
            platform, inbox=context["params"]["inbox"], run_id=context["run_id"], plan=plan
        )

    @task(trigger_rule=TriggerRule.ALL_DONE_MIN_ONE_SUCCESS)
    def screen() -> dict[str, int]:
        """Screen new items for personal information, naming, abuse and threats, and decide
        each by its channel (policy section 3.1); runs on whatever the pulls stored."""
        from trident_pipeline.orchestration import screening_tasks

        return screening_tasks.screen_items()

    @task
    def enforce(plan: dict[str, str | bool], **context) -> dict:
        """The three-strike policy for new violations: strikes, drafted 'please delete and
        message us privately' replies, hiding where allowed, block requests, CRM records."""
        from trident_pipeline.orchestration import enforcement_tasks

        return enforcement_tasks.enforce(plan, inbox=context["params"]["inbox"])

    @task(outlets=[APPROVALS])
    def announce_approvals(report: dict, **context) -> dict:
        """Start the approvals DAG when something new awaits a manager (skipped otherwise)."""
        from trident_pipeline.orchestration import enforcement_tasks

        return enforcement_tasks.announce_approvals(report, context["outlet_events"])

    @task(trigger_rule=TriggerRule.ALL_DONE_MIN_ONE_SUCCESS)
    def record_communications(plan: dict[str, str | bool]) -> dict[str, int]:
        """Every message from a resident and every reply of ours, for their customer record."""
        from trident_pipeline.orchestration import crm_tasks, tasks

        span = tasks.pull_plan(plan)
        return crm_tasks.record_communications(span.start, span.end)

    @task(trigger_rule=TriggerRule.ALL_DONE_MIN_ONE_SUCCESS)
    def deliver_to_crm() -> dict[str, int]:
        """Deliver due customer-record entries through the outbox, with retries."""
        from trident_pipeline.orchestration import crm_tasks

        return crm_tasks.deliver_crm_outbox(batch=1000)

    @task(trigger_rule=TriggerRule.ALL_DONE_MIN_ONE_SUCCESS)
    def match_responses(plan: dict[str, str | bool]) -> dict[str, int]:
        """Recompute response times for the threads active in the run's span, whatever pulled."""
        from trident_pipeline.orchestration import response_tasks, tasks

        span = tasks.pull_plan(plan)
        return response_tasks.match_responses(span.start, span.end)

    plan = plan_pull()
    ready = prepare_store()
    pulls = [
        pull.override(task_id=f"pull_{platform}", pool=f"trident_{platform}")(platform, plan)
        for platform in PLATFORMS
    ]
    ready >> pulls
    enforced = enforce(plan)
    pulls >> screen() >> enforced
    enforced >> announce_approvals(enforced)
    enforced >> record_communications(plan) >> deliver_to_crm()
    enforced >> match_responses(plan)


trident_inbox()
