"""The block DAG end to end with ``dag.test``, against a temporary store on the sample inbox's
moderators.

``dag.test`` waits for ever on an approval nobody answers, so the approvals are either marked
successful (``mark_success_pattern``) or answered the way the Required Actions page answers
them (:func:`answer_required_actions`). Everyone here is invented.
"""

import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from airflow.sdk import Asset
from airflow.sdk.exceptions import AirflowSkipException
from sqlalchemy import select

from trident_pipeline.domain.ledger import EventType
from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.domain.residents import AccountLink, AccountRef, LinkSource
from trident_pipeline.orchestration import enforcement_tasks
from trident_pipeline.store import connect, default_database_url, migrate, upsert_items
from trident_pipeline.store.ledger import read_ledger, write_link
from trident_pipeline.store.schema import (
    crm_outbox,
    moderation_events,
    platform_actions,
    screenings,
)

pytestmark = pytest.mark.airflow

T0 = datetime(2027, 3, 3, 10, 14, tzinfo=timezone.utc)
ACCOUNTS = (
    AccountRef(Platform.FACEBOOK, "2600000000000001"),
    AccountRef(Platform.X, "1500000000000000042"),
    AccountRef(Platform.BLUESKY, "did:plc:residentone00000000000001"),
)
PLAN = {"start": T0.isoformat(), "end": (T0 + timedelta(days=3)).isoformat(), "is_window": True}
APPROVE = {"inbox": "sample", "approver": "Sam", "approval_reason": "Three strikes in a week"}


def three_strikes() -> dict:
    """One resident's violation on each platform, linked to one contact, enforced once by
    the hourly DAG's task function; returns its report."""
    engine = connect(default_database_url())
    migrate(engine)
    with engine.begin() as connection:
        for day, account in enumerate(ACCOUNTS):
            kind = Kind.COMMENT if account.platform is Platform.FACEBOOK else Kind.REPLY
            stored = InboxItem(
                platform=account.platform,
                kind=kind,
                native_id=f"item-{day}",
                thread_id=f"thread-{day}",
                author=Author(account.user_id, None, "Resident One"),
                text="what the resident wrote",
                created_at=T0 + timedelta(days=day),
                is_ours=False,
                channel=Channel.PUBLIC,
            )
            upsert_items(connection, [stored], T0)
            connection.execute(
                screenings.insert().values(
                    item_key=stored.key,
                    screener_version="test@1",
                    violation=True,
                    clauses=["personal_information"],
                    findings=[{"type": "phone", "start": 0, "end": 4, "score": 0.9, "rule": "t"}],
                    redacted="ring me on [phone]",
                    screened_at=T0,
                )
            )
            link = AccountLink(account, "C-1042", LinkSource.OPERATOR, "Operator One", T0)
            write_link(connection, link)
    engine.dispose()
    report = enforcement_tasks.enforce(PLAN, inbox="sample")
    assert len(report["block_requests"]) == 1
    assert len(report["messages_for_approval"]) == 1, "Facebook's reply waits for approval"
    return report


def ledger():
    engine = connect(default_database_url())
    with engine.connect() as connection:
        events = read_ledger(connection)
    engine.dispose()
    return events


def snapshot() -> dict[str, list]:
    engine = connect(default_database_url())
    with engine.connect() as connection:
        state = {
            table.name: connection.execute(select(table).order_by(*table.primary_key)).all()
            for table in (moderation_events, platform_actions, crm_outbox)
        }
    engine.dispose()
    return state


def run(dag_bag, conf, day: int, **options):
    """One ``dag.test`` run. Each test uses a ``day`` of its own: ``dag.test`` reuses the run
    of a logical date it has seen, conf and all."""
    dag = dag_bag.dags["trident_block"]
    logical_date = datetime(2027, 3, day, tzinfo=timezone.utc)
    return dag.test(logical_date=logical_date, run_conf=conf, **options)


def answer_required_actions(chosen: str, params_input: dict) -> None:
    """Answer every approval waiting in the Airflow database, as the Required Actions page
    does (the Core API's ``update_hitl_detail``): record the response, then resume the task."""
    from airflow._shared.timezones import timezone as airflow_timezone
    from airflow.models.hitl import HITLDetail
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.trigger import handle_event_submit
    from airflow.triggers.base import TriggerEvent
    from airflow.utils.session import create_session
    from airflow.utils.state import TaskInstanceState

    with create_session() as session:
        waiting = session.scalars(
            select(TaskInstance).where(TaskInstance.state == TaskInstanceState.AWAITING_INPUT)
        ).all()
        for task_instance in waiting:
            detail = session.scalar(select(HITLDetail).where(HITLDetail.ti_id == task_instance.id))
            detail.responded_by = {"id": "manager-1", "name": "manager-1"}
            detail.responded_at = airflow_timezone.utcnow()
            detail.chosen_options = [chosen]
            detail.params_input = params_input
            event = TriggerEvent(detail.as_resume_event_payload())
            handle_event_submit(event, task_instance=task_instance, session=session)


def test_the_dag_waits_on_the_approvals_asset_and_parses_without_the_library(dag_bag, project_root):
    dag = dag_bag.dags["trident_block"]
    assert dag_bag.import_errors == {}
    assert dag.timetable.asset_condition == Asset(enforcement_tasks.APPROVALS_URI)
    assert "trident" in dag.tags and dag.doc_md
    ask = dag.task_dict["approval.ask"]
    assert type(ask).__name__ == "ApprovalOperator"
    assert ask.response_timeout == timedelta(days=3)
    script = (
        "import runpy, sys, airflow.sdk\n"
        "before = set(sys.modules)\n"
        f"runpy.run_path({str(project_root / 'dags' / 'trident_block.py')!r})\n"
        "print(sorted(m for m in set(sys.modules) - before if m.startswith('trident_pipeline')))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert output[-1] == "[]", "the DAG file imported the library at parse time"


def test_an_approval_marked_successful_carries_out_the_block_and_a_rerun_changes_nothing(
    airflow_db, dag_bag, trident_home
):
    three_strikes()
    result = run(dag_bag, APPROVE, 10, mark_success_pattern=r"approval\.ask")
    assert result.state == "success"
    states = sorted((ti.task_id, ti.map_index, ti.state) for ti in result.get_task_instances())
    assert states == [
        ("approval.apply_decision", 0, "success"),
        ("approval.apply_decision", 1, "success"),
        ("approval.ask", 0, "success"),
        ("approval.ask", 1, "success"),
        ("pending_approvals", -1, "success"),
    ]
    events = ledger()
    (approved,) = events.of_type(EventType.BLOCK_APPROVED)
    assert (approved.actor, approved.detail["reason"]) == ("Sam", "Three strikes in a week")
    carried = {
        (e.account.platform, e.detail["outcome"])
        for e in events.of_type(EventType.BLOCK_CARRIED_OUT)
    }
    assert carried == {
        (Platform.X, "needs_hand"),
        (Platform.BLUESKY, "done"),
        (Platform.FACEBOOK, "done"),
    }
    assert events.get("encouraged_to_delete:facebook:item-0").detail["outcome"] == "done"
    before = snapshot()
    again = run(dag_bag, APPROVE, 10, mark_success_pattern=r"approval\.ask")
    assert again.state == "success"
    assert snapshot() == before


def test_an_approval_marked_successful_with_no_named_manager_blocks_nobody(
    airflow_db, dag_bag, trident_home
):
    three_strikes()
    result = run(dag_bag, {"inbox": "sample"}, 11, mark_success_pattern=r"approval\.ask")
    assert result.state == "failed"
    states = {(ti.task_id, ti.map_index): ti.state for ti in result.get_task_instances()}
    assert states[("approval.apply_decision", 0)] == "failed"
    assert ledger().of_type(EventType.BLOCK_APPROVED, EventType.BLOCK_REJECTED) == []


def test_a_rejection_answered_under_required_actions_is_recorded(
    airflow_db, dag_bag, trident_home, monkeypatch
):
    three_strikes()
    answer = {"pseudonym": "Sam", "reason": "First offence online"}
    monkeypatch.setattr(time, "sleep", lambda _seconds: answer_required_actions("Reject", answer))
    result = run(dag_bag, {"inbox": "sample"}, 12)
    assert result.state == "success"
    events = ledger()
    (rejected,) = events.of_type(EventType.BLOCK_REJECTED)
    assert dict(rejected.detail) == {"reason": "First offence online", "answered_by": "manager-1"}
    assert rejected.actor == "Sam"
    (kept_back,) = events.of_type(EventType.MESSAGE_REJECTED)
    assert kept_back.actor == "Sam"
    assert events.of_type(EventType.BLOCK_CARRIED_OUT) == []


def test_the_hourly_run_announces_ids_only_and_a_run_asks_about_what_they_name(trident_home):
    report = three_strikes()
    (request,) = ledger().of_type(EventType.BLOCK_REQUESTED)
    outlets = {Asset(enforcement_tasks.APPROVALS_URI): SimpleNamespace(extra=None)}
    extra = enforcement_tasks.announce_approvals(report, outlets)
    assert extra == outlets[Asset(enforcement_tasks.APPROVALS_URI)].extra
    assert extra == {
        "inbox": "sample",
        "block_requests": [request.id],
        "residents": ["contact:C-1042"],
        "messages": report["messages_for_approval"],
    }
    again = enforcement_tasks.enforce(PLAN, inbox="sample")
    with pytest.raises(AirflowSkipException):
        enforcement_tasks.announce_approvals(again, outlets)
    events = {
        Asset(enforcement_tasks.APPROVALS_URI): [SimpleNamespace(extra={**extra, "messages": []})]
    }
    assert enforcement_tasks.pending_approvals(events) == [request.id]
    assert enforcement_tasks.run_inbox(events, "live") == "sample"
    assert enforcement_tasks.run_inbox({}, "live") == "live"
    assert len(enforcement_tasks.pending_approvals({})) == 2
