"""Where each pending approval is answered: its ``approval.ask`` task's Required Actions page,
read from Airflow's metadata database (task instances, Human-in-the-loop details, XCom)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest

from trident_pipeline.orchestration.required_actions import (
    OPEN_REQUIRED_ACTIONS,
    required_action_links,
)

pytestmark = pytest.mark.airflow

NOW = datetime(2026, 4, 8, 9, tzinfo=timezone.utc)
DAG_ID = "trident_block"


@pytest.fixture(scope="module")
def metadata_db() -> None:
    """Airflow's metadata database of this test session, created when missing."""
    from airflow import settings
    from airflow.utils.db import initdb
    from sqlalchemy import inspect

    if "alembic_version" not in inspect(settings.engine).get_table_names():
        initdb()


@pytest.fixture
def block_runs(metadata_db) -> Iterator:
    """Adds ``trident_block`` runs as the scheduler leaves them: ``pending_approvals`` returned
    event ids, and one mapped ``approval.ask`` task per id, each with its Human-in-the-loop
    detail (answered or not). Removed after the test."""
    from airflow.models.dagrun import DagRun
    from airflow.models.hitl import HITLDetail
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import delete, insert, select

    run_ids: list[str] = []

    def task(session, dag_id: str, run_id: str, task_id: str, index: int, state: str):
        ti_id = uuid.uuid4()
        session.execute(
            insert(TaskInstance.__table__).values(
                id=ti_id,
                dag_id=dag_id,
                task_id=task_id,
                run_id=run_id,
                map_index=index,
                try_number=1,
                pool="default_pool",
                queue="default",
                state=state,
            )
        )
        return ti_id

    def add(
        run_id: str,
        asked: object,
        *,
        answered: set[int] = frozenset(),
        dag_id: str = DAG_ID,
        tasks: int | None = None,
    ) -> None:
        run_ids.append(run_id)
        with create_session() as session:
            session.execute(
                insert(DagRun.__table__).values(
                    dag_id=dag_id,
                    run_id=run_id,
                    run_type="asset_triggered",
                    state="running",
                    logical_date=None,
                    run_after=NOW,
                )
            )
            if asked is not None:
                task(session, dag_id, run_id, "pending_approvals", -1, "success")
                XComModel.set(
                    "return_value",
                    asked,
                    dag_id=dag_id,
                    task_id="pending_approvals",
                    run_id=run_id,
                    session=session,
                )
            count = len(asked) if tasks is None else tasks
            for index in range(count):
                state = "success" if index in answered else "deferred"
                detail = HITLDetail(
                    ti_id=task(session, dag_id, run_id, "approval.ask", index, state),
                    options=["Approve", "Reject"],
                    subject="Approve?",
                    params={},
                )
                if index in answered:
                    detail.responded_at = NOW
                    detail.chosen_options = ["Approve"]
                    detail.responded_by = {"id": "sam", "name": "sam"}
                session.add(detail)

    yield add
    with create_session() as session:
        tis = select(TaskInstance.id).where(TaskInstance.run_id.in_(run_ids))
        session.execute(delete(HITLDetail).where(HITLDetail.ti_id.in_(tis)))
        session.execute(delete(XComModel).where(XComModel.run_id.in_(run_ids)))
        session.execute(delete(TaskInstance).where(TaskInstance.run_id.in_(run_ids)))
        session.execute(delete(DagRun).where(DagRun.run_id.in_(run_ids)))


def link(run_id: str, index: int) -> str:
    quoted = run_id.replace(":", "%3A").replace("+", "%2B")
    return f"/dags/trident_block/runs/{quoted}/tasks/approval.ask/mapped/{index}/required_actions"


def test_each_waiting_approval_links_to_its_mapped_tasks_required_actions(block_runs):
    block_runs("asset_triggered__2026-04-08T09:00:00+00:00", [106, 15, 21])
    assert required_action_links([15, 106, 21]) == {
        106: link("asset_triggered__2026-04-08T09:00:00+00:00", 0),
        15: link("asset_triggered__2026-04-08T09:00:00+00:00", 1),
        21: link("asset_triggered__2026-04-08T09:00:00+00:00", 2),
    }


def test_an_approval_without_a_waiting_task_links_to_the_open_required_actions(block_runs):
    block_runs("manual__1", [106, 15], answered={1})
    assert required_action_links([106, 15, 99]) == {
        106: link("manual__1", 0),
        15: OPEN_REQUIRED_ACTIONS,
        99: OPEN_REQUIRED_ACTIONS,
    }


def test_approvals_asked_in_different_runs_each_link_to_their_own_run(block_runs):
    block_runs("manual__1", [106])
    block_runs("manual__2", [15, 21])
    links = required_action_links([106, 15, 21])
    assert links == {
        106: link("manual__1", 0),
        15: link("manual__2", 0),
        21: link("manual__2", 1),
    }


def test_only_the_ids_asked_about_are_answered(block_runs):
    block_runs("manual__1", [106, 15])
    assert required_action_links([15]) == {15: link("manual__1", 1)}
    assert required_action_links([]) == {}


def test_a_run_whose_pending_list_is_missing_or_odd_gives_the_open_list(block_runs):
    block_runs("manual__no_xcom", None, tasks=2)
    block_runs("manual__not_a_list", {"ids": [106]}, tasks=1)
    block_runs("manual__too_few", [15], tasks=2)
    assert required_action_links([106, 15, 21]) == {
        106: OPEN_REQUIRED_ACTIONS,
        15: link("manual__too_few", 0),
        21: OPEN_REQUIRED_ACTIONS,
    }


def test_another_dags_tasks_are_not_taken_for_approvals(block_runs):
    block_runs("manual__other", [106], dag_id="some_other_dag")
    assert required_action_links([106]) == {106: OPEN_REQUIRED_ACTIONS}
