"""
### Trident three-strike policy: approvals (blocks and drafted messages)

Policy section 3.1: "a three strike policy where residents will be encouraged to delete posts
and message privately before the resident will be blocked on all accounts. A note will also be
added to their customer record of this taking place."

Started by the asset `trident://strikes/approval-requested`, which the hourly `trident_inbox`
run emits when a resident reaches the third active strike (a **block request**) or when a
drafted "please delete your post and message us privately" message may not go out by itself
(config `strikes.yaml`, or a failed accessibility check). The event carries ids only.

For each of them, one approval appears under **Required Actions** (Browse → Required Actions,
or the task's *Required Actions* tab), showing the evidence: clauses, dates, platforms and
redacted excerpts, the accounts to block and how each platform allows it, or the message as
it will go out. Fill in your **pseudonym** (as in `config/staff.yaml`; a block needs a
manager) and the **reason**, then:

- **Approve** a block: it is carried out on every linked account on every platform, as the
  platform allows (what needs a person, such as a block on X, is recorded as needing doing by
  hand), and the note goes to the resident's customer record, with the review date.
  **Approve** a message: it is sent.
- **Reject**: the decision and your reason are recorded, and go to the customer record.

Only the first answer counts; re-running the DAG writes nothing twice. An approval nobody
answers within three days fails; the request stays pending, and triggering this DAG by hand
asks again about everything still pending.

Params (a run by hand): `inbox` (`live` or `sample`) when no asset event names it;
`approver` and `approval_reason` are recorded only for an approval task marked successful
instead of answered (without `approver`, such an approval is refused).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk import Asset, Param, dag, task, task_group

APPROVALS = Asset("trident://strikes/approval-requested")
RESPONSE_TIMEOUT = timedelta(days=3)
_EVENT = "ti.xcom_pull(task_ids='pending_approvals')[ti.map_index]"


def approval_text(event_id: int, part: str) -> str:
    """The approval's subject or body, rendered from the store when the approval task runs.

    Raises:
        UnknownEvent: when ``event_id`` is neither a block request nor a drafted message.
    """
    from trident_pipeline.orchestration import enforcement_tasks

    return enforcement_tasks.approval_text(event_id, part)


@dag(
    dag_id="trident_block",
    schedule=APPROVALS,
    start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    doc_md=__doc__,
    tags=["trident", "three-strikes", "approval"],
    user_defined_macros={"approval_text": approval_text},
    params={
        "inbox": Param("live", enum=["live", "sample"], description="when no event names it"),
        "approver": Param(
            None,
            type=["null", "string"],
            description="Manager recorded for an approval marked successful instead of answered",
        ),
        "approval_reason": Param(
            None, type=["null", "string"], description="Reason recorded with that approval"
        ),
    },
)
def trident_block() -> None:
    @task(retries=2)
    def pending_approvals(**context) -> list[int]:
        """The block requests and drafted messages to ask about in this run (ids only)."""
        from trident_pipeline.orchestration import enforcement_tasks

        return enforcement_tasks.pending_approvals(context["triggering_asset_events"])

    @task_group(group_id="approval")
    def approval(event_id: int) -> None:
        """One approval: ask under Required Actions, then apply the answer."""
        ask = ApprovalOperator(
            task_id="ask",
            subject=f"{{{{ approval_text({_EVENT}, 'subject') }}}}",
            body=f"{{{{ approval_text({_EVENT}, 'body') }}}}",
            response_timeout=RESPONSE_TIMEOUT,
            params={
                "pseudonym": Param(
                    None,
                    type=["null", "string"],
                    title="Your pseudonym",
                    description="As in staff.yaml; a block needs a manager",
                ),
                "reason": Param(
                    None,
                    type=["null", "string"],
                    title="Reason",
                    description="Why you approve or reject (recorded on the customer record)",
                ),
            },
        )

        @task(retries=2)
        def apply_decision(event_id: int, **context) -> dict:
            """Approve: block on every account, or send the message; reject: record why."""
            from trident_pipeline.orchestration import enforcement_tasks

            ti, params = context["ti"], context["params"]
            return enforcement_tasks.apply_decision(
                event_id,
                ti.xcom_pull(task_ids="approval.ask", map_indexes=ti.map_index),
                inbox=enforcement_tasks.run_inbox(
                    context["triggering_asset_events"], params["inbox"]
                ),
                approver=params["approver"],
                reason=params["approval_reason"],
            )

        ask >> apply_decision(event_id)

    approval.expand(event_id=pending_approvals())


trident_block()
